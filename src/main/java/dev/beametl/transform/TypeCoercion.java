package dev.beametl.transform;

import dev.beametl.spec.FieldType;
import dev.beametl.spec.TemporalRange;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Converts an expression's result to the derived field's declared type. Integers widen freely;
 * decimals are rounded half-even to the declared scale and must fit its precision; a floating-point
 * result is refused for an exact type, since floating point never touches a decimal.
 */
final class TypeCoercion {
  private TypeCoercion() {}

  /** A value of the right type that does not fit the declared one: the data's error, not the expression's. */
  static final class OutOfRange extends IllegalArgumentException {
    OutOfRange(String message) {
      super(message);
    }
  }

  /** The converted value; throws IllegalArgumentException with a reason when it does not fit. */
  static Object to(FieldType type, Object v) {
    if (v == null) {
      return null;
    }
    switch (type.kind()) {
      case INT:
        long l = exactLong(v, type);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
          throw new OutOfRange(l + " is out of range for " + type);
        }
        return (int) l;
      case LONG:
        return exactLong(v, type);
      case DOUBLE:
        if (v instanceof Number) {
          double x = ((Number) v).doubleValue();
          if (!Double.isFinite(x)) { // as a double read from the input: 1e200 * 1e200 is no number here
            throw new OutOfRange(x + " is not a finite double");
          }
          return x;
        }
        break;
      case DECIMAL:
        BigDecimal d = exactDecimal(v, type).setScale(type.scale(), RoundingMode.HALF_EVEN);
        if (d.precision() - d.scale() > type.precision() - type.scale()) {
          throw new OutOfRange(d.toPlainString() + " does not fit " + type);
        }
        return d;
      case BOOLEAN:
        if (v instanceof Boolean) {
          return v;
        }
        break;
      case STRING:
        if (v instanceof String) {
          return v;
        }
        break;
      case DATE:
        if (v instanceof LocalDate) {
          return inRange(v);
        }
        break;
      case TIMESTAMP:
        if (v instanceof Instant) {
          if (TemporalRange.finerThanMicros((Instant) v)) { // as a timestamp read from the input: never rounded
            throw new OutOfRange(v + " is more precise than a microsecond, the finest a timestamp holds here");
          }
          return inRange(v);
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("gives " + describe(v) + ", not a " + type);
  }

  /**
   * A date or instant the type holds: a trial's {@code date('+999999999-12-31')} came out of Parquet
   * as another day, and a timestamp past a long's microseconds failed the whole run there.
   */
  private static Object inRange(Object v) {
    String outOfRange = TemporalRange.outOfRange(v);
    if (outOfRange != null) {
      throw new OutOfRange(v + " " + outOfRange);
    }
    return v;
  }

  private static long exactLong(Object v, FieldType type) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof BigInteger) {
      try {
        return ((BigInteger) v).longValueExact();
      } catch (ArithmeticException e) {
        throw new OutOfRange(v + " is out of range for " + type);
      }
    }
    throw new IllegalArgumentException("gives " + describe(v) + ", not a " + type);
  }

  private static BigDecimal exactDecimal(Object v, FieldType type) {
    if (v instanceof BigDecimal) {
      return (BigDecimal) v;
    }
    if (v instanceof BigInteger) {
      return new BigDecimal((BigInteger) v);
    }
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      return BigDecimal.valueOf(((Number) v).longValue());
    }
    throw new IllegalArgumentException("gives " + describe(v) + ", not a " + type
        + (v instanceof Double ? " (floating point is not exact; use decimal fields)" : ""));
  }

  static String describe(Object v) {
    if (v instanceof Double || v instanceof Float) {
      return "a double";
    }
    if (v instanceof BigDecimal) {
      return "a decimal";
    }
    if (v instanceof Number) {
      return "an integer";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof LocalDate) {
      return "a date";
    }
    if (v instanceof Instant) {
      return "a timestamp";
    }
    return "a " + v.getClass().getSimpleName();
  }
}
