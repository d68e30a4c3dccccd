package dev.beametl.transform;

import com.google.auto.value.AutoValue;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.AggregationSpec;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.MetricSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Groups rows by the group-by keys and computes the metrics with {@code Combine.perKey}, so runners
 * combine partially before the shuffle. {@code count_distinct} is exact without holding a set of
 * values per key: an integer field's values fold into bounded bitmaps per (key, block of values),
 * whose counts add up per key ({@link DistinctInBlock}); any other field's (key, value) pair rows
 * are made distinct by {@code Count.perKey} and counted by a second one over their keys. The counts
 * are joined to the other metrics by key. Output rows are the keys followed by the metrics.
 */
@AutoValue
public abstract class Aggregate extends PTransform<PCollection<Row>, PCollection<Row>> {
  private static final String ROWS = "_rows";

  abstract AggregationSpec spec();

  /** The declared columns of the rows aggregated (input and derived fields). */
  abstract OutputColumns inputColumns();

  /** Schema of the result rows, from {@link OutputColumns}. */
  abstract Schema outputSchema();

  /** The anti-pattern, kept for the benchmark to measure: see {@link #withNaiveGrouping}. */
  abstract boolean naiveGrouping();

  public static Aggregate of(AggregationSpec spec, OutputColumns inputColumns, Schema outputSchema) {
    return new AutoValue_Aggregate(spec, inputColumns, outputSchema, false);
  }

  /**
   * With {@code true}, every row is shuffled by {@code GroupByKey} and each group is looped over in
   * one call (a set for count_distinct): what this class exists to avoid. Only for the benchmark.
   */
  public Aggregate withNaiveGrouping(boolean naive) {
    return new AutoValue_Aggregate(spec(), inputColumns(), outputSchema(), naive);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    if (naiveGrouping()) {
      return orRowForNoInput(naive(rows));
    }
    RowKeys keys = keys(rows.getSchema());
    PCollectionTuple keyed = keys.keyedOnly(rows.apply(keyingName("Key"),
        ParDo.of(new KeyRows(keys)).withOutputTags(keys.metricsTag(), keys.pairTags())));
    return orRowForNoInput(combine(keyed, keys));
  }

  /** The name of a step that keys rows for this aggregation: "Key by a, b", or "Key for the totals". */
  String keyingName(String step) {
    return step + (spec().groupBy().isEmpty() ? " for the totals" : " by " + String.join(", ", spec().groupBy()));
  }

  /**
   * How this aggregation keys rows of schema {@code in}, for a step that keys them as it makes them
   * ({@link #ofKeyed}). Not for the naive grouping.
   */
  RowKeys keys(Schema in) {
    List<String> distinctFields = new ArrayList<>();
    distinct().forEach(m -> distinctFields.add(m.field()));
    return new RowKeys(in, keySchema(in, spec().groupBy()), project(in, valueFields()), distinctFields);
  }

  /** This aggregation over rows already keyed by {@code keys} (their {@link RowKeys#keyedOnly}). */
  OfKeyed ofKeyed(RowKeys keys) {
    return new OfKeyed(this, keys);
  }

  /** See {@link #ofKeyed}. */
  static final class OfKeyed extends PTransform<PCollectionTuple, PCollection<Row>> {
    private final Aggregate aggregate;
    private final RowKeys keys;

    private OfKeyed(Aggregate aggregate, RowKeys keys) {
      this.aggregate = aggregate;
      this.keys = keys;
    }

    @Override
    public PCollection<Row> expand(PCollectionTuple keyed) {
      return aggregate.orRowForNoInput(aggregate.combine(keyed, keys));
    }
  }

  /**
   * The groups as they are; with no group-by, one row whatever the input, as SQL gives it: with no
   * input, counts 0 and the other metrics null (before, an empty input wrote no row at all).
   */
  private PCollection<Row> orRowForNoInput(PCollection<Row> groups) {
    if (!spec().groupBy().isEmpty()) {
      return groups;
    }
    PCollection<Row> ifNone = groups
        .apply("Count result rows", Count.globally())
        .apply("A row for no input", ParDo.of(new RowForNoInput(outputSchema())))
        .setRowSchema(outputSchema());
    return PCollectionList.of(groups).and(ifNone).apply("Result rows", Flatten.pCollections());
  }

  private List<MetricSpec> distinct() {
    List<MetricSpec> distinct = new ArrayList<>();
    spec().metrics().stream().filter(m -> m.op() == MetricSpec.Op.COUNT_DISTINCT).forEach(distinct::add);
    return distinct;
  }

  /** The metrics combined per key: all but count_distinct, or a count of rows, so every key shows up. */
  private List<MetricSpec> combined() {
    List<MetricSpec> combined = new ArrayList<>();
    spec().metrics().stream().filter(m -> m.op() != MetricSpec.Op.COUNT_DISTINCT).forEach(combined::add);
    if (combined.isEmpty()) {
      combined.add(MetricSpec.of(ROWS, MetricSpec.Op.COUNT, null));
    }
    return combined;
  }

  /** The fields the combined metrics read, each once. */
  private List<String> valueFields() {
    List<String> valueFields = new ArrayList<>();
    for (MetricSpec m : combined()) {
      if (m.field() != null && !valueFields.contains(m.field())) {
        valueFields.add(m.field());
      }
    }
    return valueFields;
  }

  /** The combined metrics over value rows of {@code valueSchema}. */
  private MetricsCombineFn metricsFn(Schema valueSchema) {
    List<Metric> metrics = new ArrayList<>();
    for (MetricSpec m : combined()) {
      int index = m.field() == null ? -1 : valueSchema.indexOf(m.field());
      metrics.add(new Metric(m, m.field() == null ? null : typeOf(m.field()), index));
    }
    return new MetricsCombineFn(metrics, metricsRowSchema());
  }

  /** The combined metrics' result row. */
  private Schema metricsRowSchema() {
    Schema.Builder metricSchema = Schema.builder();
    for (MetricSpec m : combined()) {
      metricSchema.addField(m.name().equals(ROWS)
          ? Schema.Field.of(ROWS, Schema.FieldType.INT64)
          : outputSchema().getField(m.name()));
    }
    return metricSchema.build();
  }

  private PCollection<Row> naive(PCollection<Row> rows) {
    Schema in = rows.getSchema();
    Schema valueSchema = project(in, valueFields());
    return NaiveAggregation.groupAndLoop(rows, keySchema(in, spec().groupBy()), valueFields(), distinct(),
        metricsFn(valueSchema), outputSchema());
  }

  /** The metrics and each count_distinct per key from the keyed rows, joined into the result rows. */
  private PCollection<Row> combine(PCollectionTuple keyed, RowKeys keys) {
    Schema keySchema = keys.keySchema();
    Schema metricsRowSchema = metricsRowSchema();
    PCollection<KV<Row, Row>> perKey = keys.metrics(keyed)
        .apply("Combine metrics per key", Combine.perKey(metricsFn(keys.valueSchema())))
        .setCoder(KvCoder.of(RowCoder.of(keySchema), RowCoder.of(metricsRowSchema)));
    List<MetricSpec> distinct = distinct();
    if (distinct.isEmpty()) {
      return perKey
          .apply("Shape result rows", ParDo.of(new Shape(outputSchema())))
          .setRowSchema(outputSchema());
    }

    // The join: each branch gives one value per key - the metrics row, each distinct count - as a
    // partial row with only its own field set, and one Combine fills them in. A CoGroupByKey did
    // this through the runner's general GroupByKey (per-key state and timers on Flink, and a stage
    // of its own for its keyed work items); this combine is one more pre-combined, sorted one like
    // the metrics'. The sample's 1,000 rows in a fresh JVM: 4.67 -> 4.47 s.
    Schema partialSchema = partialSchema(metricsRowSchema, distinct);
    KvCoder<Row, Row> partialCoder = KvCoder.of(RowCoder.of(keySchema), RowCoder.of(partialSchema));
    List<PCollection<KV<Row, Row>>> partials = new ArrayList<>();
    partials.add(perKey.apply("Metrics as partial rows", ParDo.of(new Partial<Row>(partialSchema, METRICS_FIELD)))
        .setCoder(partialCoder));
    for (int i = 0; i < distinct.size(); i++) {
      MetricSpec m = distinct.get(i);
      PCollection<KV<Row, Long>> counts = keys.inBlocks(i) ? countInBlocks(keys, keyed, i, m) : countPairs(keys, keyed, i, m);
      partials.add(counts.apply("Count of " + m.name() + " as partial rows",
              ParDo.of(new Partial<Long>(partialSchema, distinctField(i))))
          .setCoder(partialCoder));
    }
    return PCollectionList.of(partials)
        .apply("Join distinct counts", Flatten.pCollections())
        .apply("Fill in partial rows", Combine.perKey(new FillIn(partialSchema)))
        .setCoder(partialCoder)
        .apply("Shape result rows", ParDo.of(new ShapeJoined(outputSchema(), distinct)))
        .setRowSchema(outputSchema());
  }

  /** A field's distinct count per key from its (key, value) pair rows: distinct by one count, counted by another. */
  private static PCollection<KV<Row, Long>> countPairs(RowKeys keys, PCollectionTuple keyed, int i, MetricSpec m) {
    Schema keySchema = keys.keySchema();
    return keys.pairs(keyed, i)
        .apply("Distinct " + m.field() + " per key for " + m.name(), Count.perKey())
        .apply("Key of each pair for " + m.name(), ParDo.of(new KeyOfPair(keySchema)))
        .setCoder(KvCoder.of(RowCoder.of(keySchema), VoidCoder.of()))
        .apply("Count distinct " + m.field() + " for " + m.name(), Count.perKey())
        .setCoder(KvCoder.of(RowCoder.of(keySchema), VarLongCoder.of()));
  }

  /**
   * An integer field's distinct count per key: its values' bitmaps per (key, block) folded before
   * the shuffle (see {@link DistinctInBlock}), each block's count, and their sum per key. The sales
   * benchmark's 10.5M distinct (group, order) pairs were sorted one record each, ~45% of its wall.
   */
  private static PCollection<KV<Row, Long>> countInBlocks(RowKeys keys, PCollectionTuple keyed, int i, MetricSpec m) {
    Schema keySchema = keys.keySchema();
    return keys.blocks(keyed, i)
        .apply("Distinct " + m.field() + " per key and block for " + m.name(), Combine.perKey(new DistinctInBlock()))
        .apply("Key of each block for " + m.name(), ParDo.of(new KeyOfBlock(keySchema)))
        .setCoder(KvCoder.of(RowCoder.of(keySchema), VarLongCoder.of()))
        .apply("Count distinct " + m.field() + " for " + m.name(), Sum.longsPerKey())
        .setCoder(KvCoder.of(RowCoder.of(keySchema), VarLongCoder.of()));
  }

  /** The partial row's fields: its own names, apart from any of the spec's. */
  private static final String METRICS_FIELD = "metrics";

  private static String distinctField(int index) {
    return "count" + index;
  }

  /** The join's partial row: the metrics row, then each distinct count in the spec's order, all nullable. */
  static Schema partialSchema(Schema metricsRowSchema, List<MetricSpec> distinct) {
    Schema.Builder b = Schema.builder().addNullableField(METRICS_FIELD, Schema.FieldType.row(metricsRowSchema));
    for (int i = 0; i < distinct.size(); i++) {
      b.addNullableField(distinctField(i), Schema.FieldType.INT64);
    }
    return b.build();
  }

  private FieldType typeOf(String field) {
    return inputColumns().columns().stream().filter(c -> c.name().equals(field)).findFirst().orElseThrow().type();
  }

  /**
   * The grouping key: the group-by fields, a category as its bare int code. Beam's {@code Row}
   * converts a category value to its base type in every equals, hashCode and encode (JFR: 1.7% of a
   * run in the pre-combine's hash map alone); plain ints compare and encode directly. The result
   * rows get their categories back in {@link #shape}.
   */
  static Schema keySchema(Schema in, List<String> names) {
    Schema.Builder b = Schema.builder();
    for (String n : names) {
      Schema.Field f = in.getField(n);
      b.addField(BeamTypes.categories(f.getType()) != null
          ? BeamTypes.plainCode(n, BeamTypes.categories(f.getType()), f.getType().getNullable()) : f);
    }
    return b.build();
  }

  /**
   * The key fields, then the counted value under a name no declared field has: one row per
   * (key, value) pair, one RowCoder encoding and one hash, where Beam's Distinct over KV(key row,
   * value row) paid for two rows, a KV and a list accumulator per pair.
   */
  static Schema pairSchema(Schema keySchema, Schema.Field value) {
    String name = "$value"; // a spec's names cannot start with '$'; a Java caller's might
    while (keySchema.hasField(name)) {
      name = "$" + name;
    }
    return Schema.builder().addFields(keySchema.getFields()).addField(Schema.Field.of(name, value.getType())).build();
  }

  static Schema project(Schema in, List<String> names) {
    Schema.Builder b = Schema.builder();
    for (String n : names) {
      b.addField(in.getField(n));
    }
    return b.build();
  }

  /** Keys each row for the metrics and each count_distinct, as {@link RowKeys} says. */
  static final class KeyRows extends DoFn<Row, KV<Row, Row>> {
    private final RowKeys keys;

    KeyRows(RowKeys keys) {
      this.keys = keys;
    }

    @Setup
    public void setup() {
      keys.setup();
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      keys.output(row::getValue, out);
    }
  }

  /** The key of a distinct (key, value) pair, once per pair, for counting. */
  static final class KeyOfPair extends DoFn<KV<Row, Long>, KV<Row, Void>> {
    private final Schema keySchema;

    KeyOfPair(Schema keySchema) {
      this.keySchema = keySchema;
    }

    @ProcessElement
    public void process(@Element KV<Row, Long> pair, OutputReceiver<KV<Row, Void>> out) {
      out.output(KV.of(keyOf(pair.getKey(), keySchema), null));
    }
  }

  /** The key of a (key, block) and the block's distinct count, for summing. */
  static final class KeyOfBlock extends DoFn<KV<Row, Long>, KV<Row, Long>> {
    private final Schema keySchema;

    KeyOfBlock(Schema keySchema) {
      this.keySchema = keySchema;
    }

    @ProcessElement
    public void process(@Element KV<Row, Long> block, OutputReceiver<KV<Row, Long>> out) {
      out.output(KV.of(keyOf(block.getKey(), keySchema), block.getValue()));
    }
  }

  /** The first fields of a pair row, the key's. */
  private static Row keyOf(Row pair, Schema keySchema) {
    Object[] values = new Object[keySchema.getFieldCount()];
    for (int i = 0; i < values.length; i++) {
      values[i] = pair.getValue(i);
    }
    return Row.withSchema(keySchema).attachValues(Arrays.asList(values));
  }

  /** Keys then metrics, in the output schema's order. */
  static final class Shape extends DoFn<KV<Row, Row>, Row> {
    private static final long[] NO_DISTINCT_COUNTS = {};
    private final ResultShape shape;

    Shape(Schema outputSchema) {
      this.shape = new ResultShape(outputSchema, List.of());
    }

    @ProcessElement
    public void process(@Element KV<Row, Row> kv, OutputReceiver<Row> out) {
      out.output(shape.shape(kv.getKey(), kv.getValue(), NO_DISTINCT_COUNTS));
    }
  }

  /** Given how many rows a global aggregate gave: when none, the row SQL gives for no input. */
  static final class RowForNoInput extends DoFn<Long, Row> {
    private final Schema outputSchema;

    RowForNoInput(Schema outputSchema) {
      this.outputSchema = outputSchema;
    }

    @ProcessElement
    public void process(@Element Long rows, OutputReceiver<Row> out) {
      if (rows == 0) {
        List<Object> values = new ArrayList<>();
        for (Schema.Field f : outputSchema.getFields()) {
          values.add(f.getType().getNullable() ? null : 0L); // only counts are required
        }
        out.output(Row.withSchema(outputSchema).attachValues(values));
      }
    }
  }

  /** One branch's value for a key as a partial row: its own field set, the others null. */
  static final class Partial<T> extends DoFn<KV<Row, T>, KV<Row, Row>> {
    private final Schema partialSchema;
    private final int field;

    Partial(Schema partialSchema, String field) {
      this.partialSchema = partialSchema;
      this.field = partialSchema.indexOf(field);
    }

    @ProcessElement
    public void process(@Element KV<Row, T> kv, OutputReceiver<KV<Row, Row>> out) {
      Object[] values = new Object[partialSchema.getFieldCount()];
      values[field] = kv.getValue();
      out.output(KV.of(kv.getKey(), Row.withSchema(partialSchema).attachValues(Arrays.asList(values))));
    }
  }

  /** A key's partial rows, filled in: each field from the one branch that set it. */
  static final class FillIn extends Combine.CombineFn<Row, Object[], Row> {
    private final Schema partialSchema;

    FillIn(Schema partialSchema) {
      this.partialSchema = partialSchema;
    }

    @Override
    public Object[] createAccumulator() {
      return new Object[partialSchema.getFieldCount()];
    }

    @Override
    public Object[] addInput(Object[] filled, Row partial) {
      for (int i = 0; i < filled.length; i++) {
        fill(filled, i, partial.getValue(i));
      }
      return filled;
    }

    @Override
    public Object[] mergeAccumulators(Iterable<Object[]> accumulators) {
      Object[] merged = createAccumulator();
      for (Object[] a : accumulators) {
        for (int i = 0; i < merged.length; i++) {
          fill(merged, i, a[i]);
        }
      }
      return merged;
    }

    /** Each field comes from one branch, once per key: two different values mean a broken join. */
    private void fill(Object[] filled, int i, @Nullable Object value) {
      if (value == null) {
        return;
      }
      if (filled[i] != null && !filled[i].equals(value)) {
        throw new IllegalStateException("two values for " + partialSchema.getField(i).getName() + " of one key: "
            + filled[i] + " and " + value);
      }
      filled[i] = value;
    }

    @Override
    public Row extractOutput(Object[] filled) {
      return Row.withSchema(partialSchema).attachValues(Arrays.asList(filled.clone()));
    }

    @Override
    public Coder<Object[]> getAccumulatorCoder(
        CoderRegistry registry, Coder<Row> inputCoder) {
      return new FilledCoder(partialSchema);
    }
  }

  /** Encodes a FillIn accumulator as the partial row it holds. */
  static final class FilledCoder extends CustomCoder<Object[]> {
    private final RowCoder rows;

    FilledCoder(Schema partialSchema) {
      this.rows = RowCoder.of(partialSchema);
    }

    @Override
    public void encode(Object[] filled, OutputStream out) throws IOException {
      rows.encode(Row.withSchema(rows.getSchema()).attachValues(Arrays.asList(filled)), out);
    }

    @Override
    public Object[] decode(InputStream in) throws IOException {
      return rows.decode(in).getValues().toArray();
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      rows.verifyDeterministic();
    }
  }

  /** Shapes a filled-in partial row; a key with no counted value has a distinct count of 0. */
  static final class ShapeJoined extends DoFn<KV<Row, Row>, Row> {
    private final List<String> distinctNames = new ArrayList<>();
    private final ResultShape shape;

    ShapeJoined(Schema outputSchema, List<MetricSpec> distinct) {
      distinct.forEach(m -> distinctNames.add(m.name()));
      this.shape = new ResultShape(outputSchema, distinctNames);
    }

    @ProcessElement
    public void process(@Element KV<Row, Row> kv, OutputReceiver<Row> out) {
      Row filled = kv.getValue();
      long[] counts = new long[distinctNames.size()];
      for (int i = 0; i < counts.length; i++) {
        Long count = filled.getInt64(distinctField(i));
        counts[i] = count == null ? 0L : count;
      }
      out.output(shape.shape(kv.getKey(), filled.getRow(METRICS_FIELD), counts));
    }
  }
}
