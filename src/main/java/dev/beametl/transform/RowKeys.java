package dev.beametl.transform;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * How {@link Aggregate} keys a row: its (key row, value row) for the metrics on {@link #metricsTag},
 * and its (key, value) pair row for each count_distinct on {@link #pairTags}, a category key as its
 * code (as in {@link Aggregate#keySchema}); a pair whose value is null is left out, as SQL's
 * COUNT(DISTINCT x) ignores nulls. One keying serves {@link Aggregate}'s own step and the step that
 * derives, filters and keys in one ({@link DeriveAndFilter#thenKey}): a step of its own cost every
 * row the runner's per-element work once more.
 */
final class RowKeys implements Serializable {
  private final Schema keySchema;
  private final Schema valueSchema;
  private final List<Schema> pairSchemas;
  private final TupleTag<KV<Row, Row>> metricsTag = new TupleTag<>("metrics");
  private final List<TupleTag<KV<Row, Void>>> pairTags = new ArrayList<>();
  /** Where the key's, the value's and each pair's fields are in the input (a pair's value last). */
  private final int[] keyIndex;
  private final int[] valueIndex;
  private final int[][] pairIndex;
  /** attachValues leaves a builder empty, so one serves every row (a builder per row was a tenth of its bytes). */
  private transient Row.Builder keyRows;
  private transient Row.Builder valueRows;
  private transient Row.Builder[] pairRows;

  /**
   * Keys rows of schema {@code in} by the fields of {@code keySchema}, with the fields of
   * {@code valueSchema} as the metrics' value, and pairs them with each of {@code distinctFields}.
   */
  RowKeys(Schema in, Schema keySchema, Schema valueSchema, List<String> distinctFields) {
    this.keySchema = keySchema;
    this.valueSchema = valueSchema;
    this.keyIndex = indexes(in, keySchema.getFieldNames());
    this.valueIndex = indexes(in, valueSchema.getFieldNames());
    this.pairSchemas = new ArrayList<>();
    this.pairIndex = new int[distinctFields.size()][];
    for (int i = 0; i < distinctFields.size(); i++) {
      Schema pair = Aggregate.pairSchema(keySchema, in.getField(distinctFields.get(i)));
      pairSchemas.add(pair);
      pairTags.add(new TupleTag<>("pairs" + i));
      List<String> names = new ArrayList<>(keySchema.getFieldNames());
      names.add(distinctFields.get(i));
      pairIndex[i] = indexes(in, names);
    }
  }

  Schema keySchema() {
    return keySchema;
  }

  Schema valueSchema() {
    return valueSchema;
  }

  TupleTag<KV<Row, Row>> metricsTag() {
    return metricsTag;
  }

  /** The pair tags, for a ParDo's additional outputs. */
  TupleTagList pairTags() {
    return TupleTagList.of(new ArrayList<>(pairTags));
  }

  /** A keying step's keyed outputs alone (not its dead letters or counts), their coders set. */
  PCollectionTuple keyedOnly(PCollectionTuple outputs) {
    PCollectionTuple keyed = PCollectionTuple.of(metricsTag,
        outputs.get(metricsTag).setCoder(KvCoder.of(RowCoder.of(keySchema), RowCoder.of(valueSchema))));
    for (int i = 0; i < pairTags.size(); i++) {
      keyed = keyed.and(pairTags.get(i),
          outputs.get(pairTags.get(i)).setCoder(KvCoder.of(RowCoder.of(pairSchemas.get(i)), VoidCoder.of())));
    }
    return keyed;
  }

  /** The (key row, value row) pairs for the metrics, of {@link #keyedOnly}. */
  PCollection<KV<Row, Row>> metrics(PCollectionTuple keyed) {
    return keyed.get(metricsTag);
  }

  /** The {@code i}th count_distinct's (key, value) pair rows, of {@link #keyedOnly}. */
  PCollection<KV<Row, Void>> pairs(PCollectionTuple keyed, int i) {
    return keyed.get(pairTags.get(i));
  }

  /** Makes the row builders; a DoFn's {@code @Setup} calls it. */
  void setup() {
    keyRows = Row.withSchema(keySchema);
    valueRows = Row.withSchema(valueSchema);
    pairRows = new Row.Builder[pairSchemas.size()];
    for (int i = 0; i < pairRows.length; i++) {
      pairRows[i] = Row.withSchema(pairSchemas.get(i));
    }
  }

  /** Outputs the keyed forms of a row, given as its values by position in the input schema. */
  void output(IntFunction<Object> values, DoFn.MultiOutputReceiver out) {
    out.get(metricsTag).output(
        KV.of(select(values, keyRows, keyIndex, keyIndex.length), select(values, valueRows, valueIndex, 0)));
    for (int i = 0; i < pairIndex.length; i++) {
      int[] index = pairIndex[i];
      if (values.apply(index[index.length - 1]) != null) {
        out.get(pairTags.get(i)).output(KV.of(select(values, pairRows[i], index, index.length - 1), null));
      }
    }
  }

  private static int[] indexes(Schema in, List<String> names) {
    return names.stream().mapToInt(in::indexOf).toArray();
  }

  /** The values at {@code index} as a row of the builder's schema; the first {@code coded} give a category as its code. */
  private static Row select(IntFunction<Object> row, Row.Builder rows, int[] index, int coded) {
    Object[] values = new Object[index.length];
    for (int i = 0; i < values.length; i++) {
      Object v = row.apply(index[i]);
      values[i] = i < coded && v instanceof EnumerationType.Value ? ((EnumerationType.Value) v).getValue() : v;
    }
    return rows.attachValues(Arrays.asList(values));
  }
}
