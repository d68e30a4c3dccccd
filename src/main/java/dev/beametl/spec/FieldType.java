package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A declared field type: {@code string, int, long, double, decimal(p,s), boolean, date, timestamp, category}. */
@AutoValue
public abstract class FieldType implements Serializable {
  /** The kinds of value a field can hold. */
  public enum Kind {
    STRING, INT, LONG, DOUBLE, DECIMAL, BOOLEAN, DATE, TIMESTAMP, CATEGORY;

    public boolean isNumeric() {
      return this == INT || this == LONG || this == DOUBLE || this == DECIMAL;
    }
  }

  public static final String ALLOWED =
      "string, int, long, double, decimal(p,s), boolean, date, timestamp, category";
  /** The widest decimal we carry; sums are widened to it. */
  public static final int MAX_PRECISION = 38;

  private static final Pattern DECIMAL = Pattern.compile("decimal\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

  public abstract Kind kind();

  /** Decimal precision; 0 for other kinds. */
  public abstract int precision();

  /** Decimal scale; 0 for other kinds. */
  public abstract int scale();

  public static FieldType of(Kind kind) {
    if (kind == Kind.DECIMAL) {
      throw new IllegalArgumentException("decimal needs precision and scale");
    }
    return new AutoValue_FieldType(kind, 0, 0);
  }

  public static FieldType decimal(int precision, int scale) {
    if (precision < 1 || precision > MAX_PRECISION || scale < 0 || scale > precision) {
      throw new IllegalArgumentException(
          "decimal(" + precision + "," + scale + ") needs 1 <= p <= 38 and 0 <= s <= p");
    }
    return new AutoValue_FieldType(Kind.DECIMAL, precision, scale);
  }

  /** Parses a type name as written in a spec; throws IllegalArgumentException naming what is allowed. */
  public static FieldType parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    Matcher m = DECIMAL.matcher(t);
    if (m.matches()) {
      return decimal(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }
    for (Kind k : Kind.values()) {
      if (k != Kind.DECIMAL && k.name().toLowerCase(java.util.Locale.ROOT).equals(t)) {
        return of(k);
      }
    }
    throw new IllegalArgumentException("unknown type \"" + text + "\"; allowed: " + ALLOWED);
  }

  @Override
  public final String toString() {
    return kind() == Kind.DECIMAL
        ? "decimal(" + precision() + "," + scale() + ")"
        : kind().name().toLowerCase(java.util.Locale.ROOT);
  }
}
