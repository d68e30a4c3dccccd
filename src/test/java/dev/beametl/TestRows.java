package dev.beametl;

import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import java.util.StringJoiner;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.Row;

/** Rows as short strings ({@code a=1 b=EU}), categories decoded, so tests compare readable values. */
public final class TestRows {
  private TestRows() {}

  public static String render(Row row) {
    StringJoiner j = new StringJoiner(" ");
    Schema schema = row.getSchema();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Object v = BeamTypes.plainValue(row, i);
      if (v instanceof BigDecimal) {
        v = ((BigDecimal) v).toPlainString();
      }
      j.add(schema.getField(i).getName() + "=" + v);
    }
    return j.toString();
  }

  public static MapElements<Row, String> rendered() {
    return MapElements.via(new SimpleFunction<Row, String>() {
      @Override
      public String apply(Row row) {
        return render(row);
      }
    });
  }
}
