package dev.beametl.load;

import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import org.apache.beam.sdk.values.Row;

/** Row values as sinks write them: categories as their strings, decimals without exponent, ISO dates. */
final class ValueText {
  private ValueText() {}

  /** The value of column i, with a category code turned back into its string. */
  static Object plain(Row row, int i) {
    return BeamTypes.plainValue(row, i);
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
