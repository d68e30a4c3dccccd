package dev.beametl.validate;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BinaryFloat;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.DatePatterns;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.TemporalRange;
import dev.beametl.spec.WallClock;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;

/**
 * Turns the text of one field into its typed value and checks the field's constraints. Values are
 * the Java types of the pipeline's rows: Integer, Long, Double, BigDecimal (at the declared scale),
 * Boolean, String, LocalDate, Instant, and for categories the position in the declared list. A
 * parser of a field with a {@code pattern} serves one thread at a time (as a DoFn's state does): it
 * reuses the pattern's matcher.
 */
public final class ValueParser implements Serializable {
  private final FieldSpec field;
  private final boolean encodeCategories;
  /** Half a unit of a decimal field's scale, 0.5 * 10^-scale: see {@link #parseBinary}. */
  private final double halfUnitOfScale;
  private transient Compiled compiled;

  private ValueParser(FieldSpec field, boolean encodeCategories) {
    this.field = field;
    this.encodeCategories = encodeCategories;
    this.halfUnitOfScale = field.type().kind() == FieldType.Kind.DECIMAL ? 0.5 * Math.pow(10, -field.type().scale())
        : 0;
  }

  public static ValueParser forField(FieldSpec field, boolean encodeCategories) {
    return new ValueParser(field, encodeCategories);
  }

  public static ValueParser forField(FieldSpec field) {
    return forField(field, false);
  }

  /** The parsed value, or null when the text is not a valid value of the field. */
  public @Nullable Object tryParse(String text) {
    try {
      return parse(text);
    } catch (InvalidValue e) {
      return null;
    }
  }

  /** Parses non-null text and checks every constraint of the field. */
  public Object parse(String text) throws InvalidValue {
    return parse(text, 0, text.length());
  }

  /**
   * The value of a file's binary floating-point number (a Parquet DOUBLE or FLOAT), {@code text} as
   * {@link BinaryFloat} writes it. A decimal field takes the binary value, not the decimal its text
   * reads ({@link NumberText#binaryDecimal}); every other field reads the text as {@link #parse(String)}
   * does (a double field the exact value: the text of a double or of a widened float gives it back).
   */
  public Object parseBinary(String text) throws InvalidValue {
    FieldType type = field.type();
    if (type.kind() != FieldType.Kind.DECIMAL) {
      return parse(text);
    }
    double d;
    try {
      d = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return parse(text);
    }
    if (!Double.isFinite(d)) {
      return parse(text); // not a value written by BinaryFloat: the text's own error
    }
    boolean isFloat = BinaryFloat.isFloat(text);
    String shortest = isFloat ? Float.toString((float) d) : text;
    if ((isFloat ? Math.ulp((float) d) : Math.ulp(d)) < halfUnitOfScale) {
      // The binary value lies within a quarter unit of the scale of its shortest text, so rounded to
      // the scale it is that text (when the text fits): read as text is, by the fast paths.
      return parse(shortest);
    }
    return checkDecimal(compiled(), NumberText.binaryDecimal(d, shortest, type));
  }

  /** What {@link #parse(String)} gives, decided the general way: the fast paths' reference. */
  Object parseGenerally(String text) throws InvalidValue {
    Compiled c = compiled();
    FieldType type = field.type();
    switch (type.kind()) {
      case STRING:
        checkString(c, text);
        return text;
      case INT:
        return checkNumber(c, (long) NumberText.parseInteger(text, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int"), text)
            .intValue();
      case LONG:
        return checkNumber(c, NumberText.parseInteger(text, Long.MIN_VALUE, Long.MAX_VALUE, "a long"), text);
      case DOUBLE:
        return checkDouble(c, NumberText.parseDouble(text), text);
      case DECIMAL:
        return checkDecimal(c, NumberText.parseDecimal(text, type));
      case BOOLEAN:
        return parseBoolean(text);
      case DATE:
        return checkTemporal(c, DateTimeText.parseDate(c.fixedDate, c.formatter, text, c.hint), text);
      case TIMESTAMP:
        return checkTemporal(c, DateTimeText.parseTimestamp(c.formatter, c.zone, c.ambiguous, text, c.hint), text);
      case CATEGORY:
        Integer code = c.categoryCodes.get(text);
        if (code == null) {
          throw new InvalidValue(BadRecord.Kind.NOT_ALLOWED, InvalidValue.quote(text) + " is not one of " + InvalidValue.listed(field.values()));
        }
        return encodeCategories ? c.encoded[code] : text;
      default:
        throw new IllegalStateException("unhandled type " + type);
    }
  }

  /**
   * The value of {@code text[from, to)}, as {@link #parseGenerally} gives it for that substring. The
   * common shapes - plain integers and decimals, fixed-width dates, declared categories - are read
   * where they lie, without a substring (a CSV cell in its record, a JSON value's text); anything
   * else, and every value that fails a check, goes the general way, which decides and words the error.
   */
  public Object parse(String text, int from, int to) throws InvalidValue {
    Compiled c = compiled();
    FieldType type = field.type();
    switch (type.kind()) {
      case INT:
      case LONG:
        long v = NumberText.plainInteger(text, from, to);
        if (v != NumberText.NOT_PLAIN && v >= c.minLong && v <= c.maxLong) {
          if (type.kind() == FieldType.Kind.LONG) {
            return v;
          }
          if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return (int) v;
          }
        }
        break;
      case DECIMAL:
        if (type.precision() <= 18) { // its unscaled value fits a long: checked as one; wider ones below
          long u = NumberText.plainUnscaled(text, from, to, type.scale());
          if (u != NumberText.NOT_PLAIN && Math.abs(u) < c.decimalLimit && u >= c.minUnscaled && u <= c.maxUnscaled) {
            return BigDecimal.valueOf(u, type.scale());
          }
        }
        break;
      case DATE:
        LocalDate date = c.fixedDate == null ? null : c.fixedDate.parse(text, from, to);
        if (date != null && withinBounds(c, date)) {
          return date;
        }
        break;
      case TIMESTAMP:
        if (c.formatter == DateTimeText.ISO_TIMESTAMP) { // without a substring: 20 characters a row
          Instant instant;
          try {
            instant = DateTimeText.plainIsoTimestamp(text, from, to, c.zone, c.ambiguous);
          } catch (java.time.DateTimeException e) {
            instant = null; // no such date or time: the general way words it
          }
          if (instant != null && withinBounds(c, instant)) {
            return instant;
          }
        }
        break;
      case CATEGORY:
        if (encodeCategories && c.categoryValues.length <= 16) { // beyond, hashing beats comparing
          for (int k = c.categoryValues.length - 1; k >= 0; k--) { // the last of equal values, as the map keeps
            String value = c.categoryValues[k];
            if (value.length() == to - from && text.startsWith(value, from)) {
              return c.encoded[k];
            }
          }
        }
        break;
      default:
        break;
    }
    return parseGenerally(from == 0 && to == text.length() ? text : text.substring(from, to));
  }

  /** Whether a date or timestamp lies within the field's min and max (the fast paths' test; checkTemporal words a miss). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean withinBounds(Compiled c, Comparable v) {
    return (c.minTemporal == null || v.compareTo(c.minTemporal) >= 0)
        && (c.maxTemporal == null || v.compareTo(c.maxTemporal) <= 0);
  }

  /** A date or timestamp parsed elsewhere (a replayed row's ISO-8601 value), checked against the field's bounds. */
  @SuppressWarnings("rawtypes")
  Object checkBounds(Object temporal, String text) throws InvalidValue {
    return checkTemporal(compiled(), (Comparable) temporal, text);
  }

  private static Boolean parseBoolean(String text) throws InvalidValue {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "1": case "t": case "y":
        return Boolean.TRUE;
      case "false": case "no": case "0": case "f": case "n":
        return Boolean.FALSE;
      default:
        throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a boolean");
    }
  }

  private String formatHint() {
    return field.format() == null ? " (ISO-8601)" : " (format " + field.format() + ")";
  }

  private void checkString(Compiled c, String text) throws InvalidValue {
    // In characters (code points), as length() in expressions and DuckDB count: an emoji is one, not two.
    if (field.maxLength() != null && text.length() > field.maxLength()
        && text.codePointCount(0, text.length()) > field.maxLength()) {
      throw new InvalidValue(BadRecord.Kind.TOO_LONG,
          text.codePointCount(0, text.length()) + " characters, more than maxLength " + field.maxLength());
    }
    boolean matches = c.simplePattern != null ? c.simplePattern.matches(text)
        : c.matcher == null || c.matcher.reset(text).matches();
    if (!matches) {
      throw new InvalidValue(BadRecord.Kind.PATTERN, InvalidValue.quote(text) + " does not match pattern " + field.pattern());
    }
    if (c.allowed != null && !c.allowed.containsKey(text)) {
      throw new InvalidValue(BadRecord.Kind.NOT_ALLOWED, InvalidValue.quote(text) + " is not one of " + InvalidValue.listed(field.values()));
    }
  }

  private Long checkNumber(Compiled c, long v, String text) throws InvalidValue {
    if (v < c.minLong) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is below min " + field.min().toPlainString());
    }
    if (v > c.maxLong) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is above max " + field.max().toPlainString());
    }
    return v;
  }

  private Double checkDouble(Compiled c, double v, String text) throws InvalidValue {
    if (field.min() != null && v < field.min().doubleValue()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is below min " + field.min().toPlainString());
    }
    if (field.max() != null && v > field.max().doubleValue()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is above max " + field.max().toPlainString());
    }
    return v;
  }

  private BigDecimal checkDecimal(Compiled c, BigDecimal v) throws InvalidValue {
    if (c.minDecimal != null && v.compareTo(c.minDecimal) < 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          v.toPlainString() + " is below min " + field.min().toPlainString());
    }
    if (c.maxDecimal != null && v.compareTo(c.maxDecimal) > 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          v.toPlainString() + " is above max " + field.max().toPlainString());
    }
    return v;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T extends Comparable> T checkTemporal(Compiled c, T v, String text) throws InvalidValue {
    String outOfRange = TemporalRange.outOfRange(v);
    if (outOfRange != null) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, InvalidValue.quote(text) + " " + outOfRange);
    }
    if (c.minTemporal != null && v.compareTo(c.minTemporal) < 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is before min " + field.minText());
    }
    if (c.maxTemporal != null && v.compareTo(c.maxTemporal) > 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is after max " + field.maxText());
    }
    return v;
  }

  private Compiled compiled() {
    if (compiled == null) {
      compiled = new Compiled(field, this);
    }
    return compiled;
  }

  /** A bound in units of 10^-scale, rounded as told, clamped to +-limit (beyond it nothing passes anyway). */
  private static long unscaled(BigDecimal bound, int scale, RoundingMode rounding, long limit) {
    if ((long) bound.precision() - bound.scale() > 19) { // far beyond any value: no rescaling of a huge exponent
      return bound.signum() > 0 ? limit : -limit;
    }
    BigDecimal units = bound.setScale(scale, rounding).movePointRight(scale);
    return units.max(BigDecimal.valueOf(-limit)).min(BigDecimal.valueOf(limit)).longValueExact();
  }

  private static BigDecimal atScale(BigDecimal bound, FieldType type) {
    if (bound == null || type.kind() != FieldType.Kind.DECIMAL) {
      return bound;
    }
    try {
      return bound.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      return bound; // more places than the field has: compared as it is
    }
  }

  /** What is built once per worker from the field spec: formatters, patterns, lookup tables. */
  private static final class Compiled {
    final DateTimeFormatter formatter;
    final DateTimeText.FixedDate fixedDate;
    /** How a date or timestamp was to be written, for the error; built once, not per value. */
    final String hint;
    final ZoneId zone;
    final WallClock.Ambiguous ambiguous;
    /** The pattern's, reset for every value: a matcher per value was most of a pattern check's cost (JFR: 4% of a run). */
    final java.util.regex.Matcher matcher;
    /** The pattern without the regex engine, when it has the plainest shape (see {@link SimplePattern}). */
    final @Nullable SimplePattern simplePattern;
    final Map<String, Integer> categoryCodes = new HashMap<>();
    /** The declared values in order, and their encoded values (immutable, shared by every row). */
    final String[] categoryValues;
    final EnumerationType.Value[] encoded;
    final Map<String, Integer> allowed;
    final EnumerationType enumeration;
    final long minLong;
    final long maxLong;
    /** The bounds at the field's scale where exact: a comparison of equal scales is a long comparison (JFR: 4%). */
    final BigDecimal minDecimal;
    final BigDecimal maxDecimal;
    /**
     * For a decimal(p,s) with p <= 18, in units of its last place: 10^p (no value reaches it) and the
     * bounds, rounded inwards (a value at scale s is >= 0.005 exactly when it is >= 0.01).
     */
    final long decimalLimit;
    final long minUnscaled;
    final long maxUnscaled;
    Comparable<?> minTemporal;
    Comparable<?> maxTemporal;

    Compiled(FieldSpec field, ValueParser owner) {
      FieldType.Kind kind = field.type().kind();
      zone = field.zone() == null ? ZoneOffset.UTC : ZoneId.of(field.zone());
      ambiguous = field.ambiguous();
      if (field.format() != null) {
        formatter = DatePatterns.formatter(field.format()); // strict, proleptic years, yy as 1969-2068
      } else {
        formatter = kind == FieldType.Kind.DATE ? DateTimeFormatter.ISO_LOCAL_DATE : DateTimeText.ISO_TIMESTAMP;
      }
      hint = owner.formatHint();
      fixedDate = kind == FieldType.Kind.DATE ? DateTimeText.FixedDate.of(field.format()) : null;
      matcher = field.pattern() == null ? null : Pattern.compile(field.pattern()).matcher("");
      simplePattern = field.pattern() == null ? null : SimplePattern.of(field.pattern());
      List<String> values = field.values() == null ? List.of() : field.values();
      for (int i = 0; i < values.size(); i++) {
        categoryCodes.put(values.get(i), i);
      }
      allowed = kind == FieldType.Kind.STRING && field.values() != null ? categoryCodes : null;
      enumeration = kind == FieldType.Kind.CATEGORY ? EnumerationType.create(values) : null;
      categoryValues = values.toArray(new String[0]);
      encoded = new EnumerationType.Value[values.size()];
      for (int i = 0; enumeration != null && i < encoded.length; i++) {
        encoded[i] = enumeration.valueOf(i);
      }
      FieldType type = field.type();
      boolean scaled = kind == FieldType.Kind.DECIMAL && type.precision() <= 18;
      decimalLimit = scaled ? BigDecimal.TEN.pow(type.precision()).longValueExact() : 0;
      minUnscaled = scaled && field.min() != null ? unscaled(field.min(), type.scale(), RoundingMode.CEILING, decimalLimit)
          : Long.MIN_VALUE;
      maxUnscaled = scaled && field.max() != null ? unscaled(field.max(), type.scale(), RoundingMode.FLOOR, decimalLimit)
          : Long.MAX_VALUE;
      minDecimal = atScale(field.min(), field.type());
      maxDecimal = atScale(field.max(), field.type());
      minLong = field.min() == null ? Long.MIN_VALUE : field.min().setScale(0, RoundingMode.CEILING).longValue();
      maxLong = field.max() == null ? Long.MAX_VALUE : field.max().setScale(0, RoundingMode.FLOOR).longValue();
      if (field.minText() != null || field.maxText() != null) {
        ValueParser unbounded = forField(field.toBuilder().setMinText(null).setMaxText(null).build());
        minTemporal = field.minText() == null ? null : (Comparable<?>) unbounded.tryParse(field.minText());
        maxTemporal = field.maxText() == null ? null : (Comparable<?>) unbounded.tryParse(field.maxText());
      }
    }
  }
}
