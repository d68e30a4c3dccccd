package dev.beametl.lookup;

import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.beam.sdk.values.Row;

/**
 * A key as both sides of a lookup see it: the text of each key value, so an int matches a long of
 * the same value, a category its string, and decimals of different scales their equal value (1.5
 * matches 1.50). The spec allows only keys of one family on both sides (see LookupSection).
 */
final class LookupKeys {
  private LookupKeys() {}

  /** The key of {@code row} at {@code positions}, or null when a part of it is null. */
  static @Nullable List<String> of(Row row, int[] positions) {
    List<String> key = new ArrayList<>(positions.length);
    for (int p : positions) {
      Object v = BeamTypes.plainValue(row, p);
      if (v == null) {
        return null;
      }
      key.add(v instanceof BigDecimal ? canonical((BigDecimal) v) : v.toString());
    }
    return key;
  }

  private static String canonical(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  /** {@code product_id = P-1001}, or {@code (a, b) = (1, x)} for a key of several fields. */
  static String describe(List<String> fields, @Nullable List<String> key) {
    if (key == null) {
      return (fields.size() == 1 ? fields.get(0) : "(" + String.join(", ", fields) + ")") + " is null";
    }
    return fields.size() == 1 ? fields.get(0) + " = " + key.get(0)
        : "(" + String.join(", ", fields) + ") = (" + String.join(", ", key) + ")";
  }
}
