package dev.beametl.load;

import java.math.BigDecimal;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.values.Row;

/** Row values as sinks write them: categories as their strings, decimals without exponent, ISO dates. */
final class ValueText {
  private ValueText() {}

  /** The value of column i, with a category code turned back into its string. */
  static Object plain(Row row, int i) {
    Object v = row.getValue(i);
    if (v instanceof EnumerationType.Value) {
      Schema.FieldType t = row.getSchema().getField(i).getType();
      return ((EnumerationType) t.getLogicalType()).toString((EnumerationType.Value) v);
    }
    return v;
  }

  static String text(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof BigDecimal) {
      return ((BigDecimal) v).toPlainString();
    }
    return v.toString();
  }
}
