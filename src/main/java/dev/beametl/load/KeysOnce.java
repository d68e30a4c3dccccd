package dev.beametl.load;

import dev.beametl.record.OutputColumns;
import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import java.util.List;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Fails the run when an upsert key comes in more than one of its rows. An upsert keeps one row per
 * key, and rows are written in parallel batches: which of two rows with one key the table kept could
 * not be told (a trial: 20,000 keys given twice, 919 of them kept the second row, the run counted
 * 40,000 rows written). SQL engines refuse such a MERGE too. Counted with {@code Count.perElement}
 * (combined before the shuffle) beside the write; rows that come one per key by construction (an
 * aggregation by the keys) skip it.
 */
final class KeysOnce extends PTransform<PCollection<Row>, PDone> {
  private final List<String> keys;
  private final int[] positions;

  KeysOnce(List<String> keys, OutputColumns columns) {
    this.keys = List.copyOf(keys);
    this.positions = columns.positionsOf(keys);
  }

  @Override
  public PDone expand(PCollection<Row> rows) {
    int[] at = positions;
    rows.apply("Key of each row", MapElements.into(TypeDescriptors.strings()).via((Row row) -> key(row, at)))
        .apply("Rows per key", Count.perElement())
        .apply("Refuse a key given twice", ParDo.of(new Refuse(keys)));
    return PDone.in(rows.getPipeline());
  }

  /**
   * The key's values as text the database compares alike: a decimal without its trailing zeros
   * (1.50 and 1.5 are one numeric key), -0.0 as 0.0, each value quoted with its quotes and
   * backslashes escaped (so no two keys make one text), NULL apart from the text "null".
   */
  static String key(Row row, int[] positions) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < positions.length; i++) {
      Object v = BeamTypes.plainValue(row, positions[i]);
      if (v instanceof BigDecimal) {
        v = ((BigDecimal) v).stripTrailingZeros().toPlainString();
      } else if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        v = d == 0 ? "0.0" : v.toString(); // -0.0 = 0.0 in SQL
      }
      out.append(i == 0 ? "" : ", ").append(v == null ? "NULL"
          : "\"" + v.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    return out.toString();
  }

  private static final class Refuse extends DoFn<KV<String, Long>, Void> {
    private final List<String> keys;

    Refuse(List<String> keys) {
      this.keys = keys;
    }

    @ProcessElement
    public void process(@Element KV<String, Long> perKey) {
      if (perKey.getValue() > 1) {
        throw new IllegalStateException("sink.jdbc.keys: the key (" + String.join(", ", keys) + ") = ("
            + perKey.getKey() + ") comes in " + perKey.getValue() + " rows of this run, and an upsert keeps one "
            + "row per key: which one the table kept cannot be told. Make the keys unique (aggregate by them, or "
            + "add a column to the keys); rows already upserted are rewritten by the rerun");
      }
    }
  }
}
