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
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Groups rows by the group-by keys and computes the metrics with {@code Combine.perKey}, so runners
 * combine partially before the shuffle. {@code count_distinct} is exact without holding a set of
 * values in one accumulator: {@code Count.perKey} over (key, value) pair rows makes them distinct,
 * a second {@code Count.perKey} over their keys counts them, joined to the other metrics by key. Output rows are the keys followed by the metrics.
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
    PCollection<Row> groups = groups(rows);
    if (!spec().groupBy().isEmpty()) {
      return groups;
    }
    // No group-by: one row whatever the input, as SQL gives it; with no input, counts 0 and the
    // other metrics null (before, an empty input wrote no row at all).
    PCollection<Row> ifNone = groups
        .apply("Count result rows", Count.globally())
        .apply("A row for no input", ParDo.of(new RowForNoInput(outputSchema())))
        .setRowSchema(outputSchema());
    return PCollectionList.of(groups).and(ifNone).apply("Result rows", Flatten.pCollections());
  }

  private PCollection<Row> groups(PCollection<Row> rows) {
    Schema in = rows.getSchema();
    List<String> keys = spec().groupBy();
    Schema keySchema = keySchema(in, keys);

    List<MetricSpec> combined = new ArrayList<>();
    List<MetricSpec> distinct = new ArrayList<>();
    for (MetricSpec m : spec().metrics()) {
      (m.op() == MetricSpec.Op.COUNT_DISTINCT ? distinct : combined).add(m);
    }
    if (combined.isEmpty()) {
      combined.add(MetricSpec.of(ROWS, MetricSpec.Op.COUNT, null)); // so every key shows up
    }
    List<String> valueFields = new ArrayList<>();
    for (MetricSpec m : combined) {
      if (m.field() != null && !valueFields.contains(m.field())) {
        valueFields.add(m.field());
      }
    }
    Schema valueSchema = project(in, valueFields);
    List<Metric> metrics = new ArrayList<>();
    Schema.Builder metricSchema = Schema.builder();
    for (MetricSpec m : combined) {
      int index = m.field() == null ? -1 : valueSchema.indexOf(m.field());
      metrics.add(new Metric(m, m.field() == null ? null : typeOf(m.field()), index));
      metricSchema.addField(m.name().equals(ROWS)
          ? Schema.Field.of(ROWS, Schema.FieldType.INT64)
          : outputSchema().getField(m.name()));
    }
    Schema metricsRowSchema = metricSchema.build();
    if (naiveGrouping()) {
      return NaiveAggregation.groupAndLoop(rows, keySchema, valueFields, distinct,
          new MetricsCombineFn(metrics, metricsRowSchema), outputSchema());
    }

    // One step keys each row for the metrics and pairs it with each count_distinct's value: a step
    // per output cost every row a runner's per-element work once more (16M sales rows, JFR).
    // Plain tags, not anonymous subclasses: one made here would hold this Aggregate, and the DoFn
    // with it.
    TupleTag<KV<Row, Row>> metricsTag = new TupleTag<>("metrics");
    List<TupleTag<KV<Row, Void>>> pairTags = new ArrayList<>();
    List<Schema> pairSchemas = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i++) {
      pairTags.add(new TupleTag<>("pairs" + i));
      pairSchemas.add(pairSchema(keySchema, in.getField(distinct.get(i).field())));
    }
    List<String> distinctFields = new ArrayList<>();
    distinct.forEach(m -> distinctFields.add(m.field()));
    PCollectionTuple keyedAll = rows.apply("Key by " + String.join(", ", keys),
        ParDo.of(new KeyRows(keySchema, valueSchema, metricsTag, pairSchemas, distinctFields, pairTags))
            .withOutputTags(metricsTag, TupleTagList.of(new ArrayList<>(pairTags))));
    PCollection<KV<Row, Row>> keyed = keyedAll.get(metricsTag)
        .setCoder(KvCoder.of(RowCoder.of(keySchema), RowCoder.of(valueSchema)));
    PCollection<KV<Row, Row>> perKey = keyed
        .apply("Combine metrics per key", Combine.perKey(new MetricsCombineFn(metrics, metricsRowSchema)))
        .setCoder(KvCoder.of(RowCoder.of(keySchema), RowCoder.of(metricsRowSchema)));
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
      PCollection<KV<Row, Long>> counts = keyedAll.get(pairTags.get(i))
          .setCoder(KvCoder.of(RowCoder.of(pairSchemas.get(i)), VoidCoder.of()))
          .apply("Distinct " + m.field() + " per key for " + m.name(), Count.perKey())
          .apply("Key of each pair for " + m.name(), ParDo.of(new KeyOfPair(keySchema)))
          .setCoder(KvCoder.of(RowCoder.of(keySchema), VoidCoder.of()))
          .apply("Count distinct " + m.field() + " for " + m.name(), Count.perKey())
          .setCoder(KvCoder.of(RowCoder.of(keySchema), VarLongCoder.of()));
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

  /**
   * A row's (key row, value row) for the metrics, and its (key, value) pair row for each
   * count_distinct, a category key as its code (as in {@link #keySchema}); a pair whose value is
   * null is left out, as SQL's COUNT(DISTINCT x) ignores nulls.
   */
  static final class KeyRows extends DoFn<Row, KV<Row, Row>> {
    private final Schema keySchema;
    private final Schema valueSchema;
    private final TupleTag<KV<Row, Row>> metricsTag;
    private final List<Schema> pairSchemas;
    private final List<String> distinctFields;
    private final List<TupleTag<KV<Row, Void>>> pairTags;
    /** Where the key's, the value's and each pair's fields are in the input row (a pair's value last). */
    private transient int[] keyIndex;
    private transient int[] valueIndex;
    private transient int[][] pairIndex;
    private transient Row.Builder keyRows;
    private transient Row.Builder valueRows;
    private transient Row.Builder[] pairRows;

    KeyRows(Schema keySchema, Schema valueSchema, TupleTag<KV<Row, Row>> metricsTag, List<Schema> pairSchemas,
        List<String> distinctFields, List<TupleTag<KV<Row, Void>>> pairTags) {
      this.keySchema = keySchema;
      this.valueSchema = valueSchema;
      this.metricsTag = metricsTag;
      this.pairSchemas = pairSchemas;
      this.distinctFields = distinctFields;
      this.pairTags = pairTags;
    }

    /** (key row, value row) only, on {@code metricsTag}: the naive aggregation's keying. */
    static KeyRows metricsOnly(Schema keySchema, Schema valueSchema, TupleTag<KV<Row, Row>> metricsTag) {
      return new KeyRows(keySchema, valueSchema, metricsTag, List.of(), List.of(), List.of());
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      if (keyIndex == null) {
        Schema in = row.getSchema();
        keyIndex = indexes(in, keySchema.getFieldNames());
        valueIndex = indexes(in, valueSchema.getFieldNames());
        keyRows = Row.withSchema(keySchema);
        valueRows = Row.withSchema(valueSchema);
        pairIndex = new int[pairTags.size()][];
        pairRows = new Row.Builder[pairTags.size()];
        for (int i = 0; i < pairIndex.length; i++) {
          Schema pair = pairSchemas.get(i);
          List<String> names = new ArrayList<>(pair.getFieldNames().subList(0, pair.getFieldCount() - 1));
          names.add(distinctFields.get(i));
          pairIndex[i] = indexes(in, names);
          pairRows[i] = Row.withSchema(pair);
        }
      }
      out.get(metricsTag).output(
          KV.of(select(row, keyRows, keyIndex, keyIndex.length), select(row, valueRows, valueIndex, 0)));
      for (int i = 0; i < pairIndex.length; i++) {
        int[] index = pairIndex[i];
        if (row.getValue(index[index.length - 1]) != null) {
          out.get(pairTags.get(i)).output(KV.of(select(row, pairRows[i], index, index.length - 1), null));
        }
      }
    }

    private static int[] indexes(Schema in, List<String> names) {
      return names.stream().mapToInt(in::indexOf).toArray();
    }

    /**
     * The fields at {@code index} as a row of the builder's schema; the first {@code coded} give a
     * category as its code. attachValues leaves a builder empty, so one serves every row (a builder
     * per row was a tenth of the bytes a row allocated).
     */
    private static Row select(Row row, Row.Builder rows, int[] index, int coded) {
      Object[] values = new Object[index.length];
      for (int i = 0; i < values.length; i++) {
        Object v = row.getValue(index[i]);
        values[i] = i < coded && v instanceof EnumerationType.Value ? ((EnumerationType.Value) v).getValue() : v;
      }
      return rows.attachValues(Arrays.asList(values));
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
      Object[] values = new Object[keySchema.getFieldCount()];
      for (int i = 0; i < values.length; i++) {
        values[i] = pair.getKey().getValue(i);
      }
      out.output(KV.of(Row.withSchema(keySchema).attachValues(Arrays.asList(values)), null));
    }
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
