package dev.beametl.transform;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
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
 * and for each count_distinct on {@link #pairTags} either its (key, value) pair row or, for an
 * integer field, its (key and the value's block, the value's low bits) for {@link DistinctInBlock};
 * a category key as its code (as in {@link Aggregate#keySchema}). A null value is left out, as
 * SQL's COUNT(DISTINCT x) ignores nulls. One keying serves {@link Aggregate}'s own step and the step that
 * derives, filters and keys in one ({@link DeriveAndFilter#thenKey}): a step of its own cost every
 * row the runner's per-element work once more.
 */
final class RowKeys implements Serializable {
  private final Schema keySchema;
  private final Schema valueSchema;
  private final List<Schema> pairSchemas;
  private final TupleTag<KV<Row, Row>> metricsTag = new TupleTag<>("metrics");
  private final List<TupleTag<KV<Row, Void>>> pairTags = new ArrayList<>();
  /** Per count_distinct: its integer values by block, on a tag of (key and block, low bits), else null (then its pairTags entry is set). */
  private final List<TupleTag<KV<Row, Integer>>> blockTags = new ArrayList<>();
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
      Schema.Field value = in.getField(distinctFields.get(i));
      boolean inBlocks = foldsInBlocks(value.getType());
      // the pair's last field: the value, or its block (an INT64 of the same unused name)
      pairSchemas.add(Aggregate.pairSchema(keySchema, inBlocks ? Schema.Field.of(value.getName(), Schema.FieldType.INT64) : value));
      pairTags.add(inBlocks ? null : new TupleTag<>("pairs" + i));
      blockTags.add(inBlocks ? new TupleTag<>("blocks" + i) : null);
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

  /** Whether a count_distinct of a field of {@code type} goes by block: an integer's does. */
  static boolean foldsInBlocks(Schema.FieldType type) {
    switch (type.getTypeName()) {
      case BYTE:
      case INT16:
      case INT32:
      case INT64:
        return true;
      default:
        return false;
    }
  }

  /** Whether the {@code i}th count_distinct goes by block: {@link #blocks} then, else {@link #pairs}. */
  boolean inBlocks(int i) {
    return blockTags.get(i) != null;
  }

  /** The pair and block tags, for a ParDo's additional outputs. */
  TupleTagList pairTags() {
    List<TupleTag<?>> tags = new ArrayList<>();
    for (int i = 0; i < pairTags.size(); i++) {
      tags.add(inBlocks(i) ? blockTags.get(i) : pairTags.get(i));
    }
    return TupleTagList.of(tags);
  }

  /** A keying step's keyed outputs alone (not its dead letters or counts), their coders set. */
  PCollectionTuple keyedOnly(PCollectionTuple outputs) {
    PCollectionTuple keyed = PCollectionTuple.of(metricsTag,
        outputs.get(metricsTag).setCoder(KvCoder.of(RowCoder.of(keySchema), RowCoder.of(valueSchema))));
    for (int i = 0; i < pairTags.size(); i++) {
      keyed = inBlocks(i)
          ? keyed.and(blockTags.get(i),
              outputs.get(blockTags.get(i)).setCoder(KvCoder.of(RowCoder.of(pairSchemas.get(i)), VarIntCoder.of())))
          : keyed.and(pairTags.get(i),
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

  /** The {@code i}th count_distinct's (key and block, low bits) of each value, of {@link #keyedOnly}. */
  PCollection<KV<Row, Integer>> blocks(PCollectionTuple keyed, int i) {
    return keyed.get(blockTags.get(i));
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
      Object value = values.apply(index[index.length - 1]);
      if (value == null) {
        continue;
      }
      if (inBlocks(i)) {
        long v = ((Number) value).longValue();
        out.get(blockTags.get(i)).output(
            KV.of(select(values, pairRows[i], index, index.length - 1, DistinctInBlock.block(v)), DistinctInBlock.low(v)));
      } else {
        out.get(pairTags.get(i)).output(KV.of(select(values, pairRows[i], index, index.length - 1), null));
      }
    }
  }

  private static int[] indexes(Schema in, List<String> names) {
    return names.stream().mapToInt(in::indexOf).toArray();
  }

  /** The values at {@code index} as a row of the builder's schema; the first {@code coded} give a category as its code. */
  private static Row select(IntFunction<Object> row, Row.Builder rows, int[] index, int coded) {
    return rows.attachValues(Arrays.asList(values(row, index, coded, index.length)));
  }

  /** As {@link #select}, with {@code block} in place of the last (the value's) field. */
  private static Row select(IntFunction<Object> row, Row.Builder rows, int[] index, int coded, long block) {
    Object[] values = values(row, index, coded, index.length - 1);
    values[index.length - 1] = block;
    return rows.attachValues(Arrays.asList(values));
  }

  private static Object[] values(IntFunction<Object> row, int[] index, int coded, int count) {
    Object[] values = new Object[index.length];
    for (int i = 0; i < count; i++) {
      Object v = row.apply(index[i]);
      values[i] = i < coded && v instanceof EnumerationType.Value ? ((EnumerationType.Value) v).getValue() : v;
    }
    return values;
  }
}
