package dev.beametl.validate;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
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
 * Boolean, String, LocalDate, Instant, and for categories the position in the declared list.
 */
public final class ValueParser implements Serializable {
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern PLAIN_DOUBLE = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final DateTimeFormatter ISO_TIMESTAMP =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart().appendLiteral('T').optionalEnd()
          .optionalStart().appendLiteral(' ').optionalEnd()
          .append(DateTimeFormatter.ISO_LOCAL_TIME)
          .optionalStart().appendOffsetId().optionalEnd()
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  private final FieldSpec field;
  private final boolean encodeCategories;
  private transient Compiled compiled;

  private ValueParser(FieldSpec field, boolean encodeCategories) {
    this.field = field;
    this.encodeCategories = encodeCategories;
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
    Compiled c = compiled();
    FieldType type = field.type();
    switch (type.kind()) {
      case STRING:
        checkString(c, text);
        return text;
      case INT:
        return checkNumber(c, (long) parseInteger(text, Integer.MIN_VALUE, Integer.MAX_VALUE, "an int"), text)
            .intValue();
      case LONG:
        return checkNumber(c, parseInteger(text, Long.MIN_VALUE, Long.MAX_VALUE, "a long"), text);
      case DOUBLE:
        return checkDouble(c, parseDouble(text), text);
      case DECIMAL:
        return checkDecimal(c, parseDecimal(text, type));
      case BOOLEAN:
        return parseBoolean(text);
      case DATE:
        return checkTemporal(c, parseDate(c, text), text);
      case TIMESTAMP:
        return checkTemporal(c, parseTimestamp(c, text), text);
      case CATEGORY:
        Integer code = c.categoryCodes.get(text);
        if (code == null) {
          throw new InvalidValue(BadRecord.Kind.NOT_ALLOWED, quote(text) + " is not one of " + field.values());
        }
        return encodeCategories ? c.enumeration.valueOf(code) : text;
      default:
        throw new IllegalStateException("unhandled type " + type);
    }
  }

  private static long parseInteger(String text, long min, long max, String what) throws InvalidValue {
    try {
      long v = Long.parseLong(text);
      if (v < min || v > max) {
        throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for " + what);
      }
      return v;
    } catch (NumberFormatException e) {
      if (INTEGER.matcher(text).matches()) {
        throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for " + what);
      }
      throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not " + what);
    }
  }

  private static double parseDouble(String text) throws InvalidValue {
    if (!PLAIN_DOUBLE.matcher(text).matches()) {
      String word = text.replaceFirst("^[+-]", "").toLowerCase(java.util.Locale.ROOT);
      if (word.equals("nan") || word.startsWith("inf")) {
        throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a finite number (NaN and Infinity are rejected)");
      }
      throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a number");
    }
    double v = Double.parseDouble(text);
    if (Double.isInfinite(v)) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for a double");
    }
    return v;
  }

  private static BigDecimal parseDecimal(String text, FieldType type) throws InvalidValue {
    BigDecimal v = plainDecimal(text);
    try {
      if (v == null) {
        v = new BigDecimal(text);
      }
    } catch (NumberFormatException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a decimal");
    }
    try {
      v = v.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          text + " has more than " + type.scale() + " decimal places for " + type);
    }
    if (v.precision() - v.scale() > type.precision() - type.scale()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " does not fit " + type);
    }
    return v;
  }

  /**
   * A decimal written as {@code [+-]digits[.digits]} with at most 18 digits, read digit by digit
   * into its unscaled long; {@code new BigDecimal(String)} cost about 1.4% of a run. The value and
   * scale are those of {@code new BigDecimal(text)}; any other text returns null and goes to it.
   */
  static BigDecimal plainDecimal(String s) {
    int n = s.length();
    int i = n > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
    boolean negative = i == 1 && s.charAt(0) == '-';
    long unscaled = 0;
    int digits = 0;
    int scale = 0;
    boolean point = false;
    for (; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (++digits > 18) {
          return null;
        }
        unscaled = unscaled * 10 + (ch - '0');
        if (point) {
          scale++;
        }
      } else if (ch == '.' && !point) {
        point = true;
      } else {
        return null;
      }
    }
    return digits == 0 ? null : BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
  }

  private static Boolean parseBoolean(String text) throws InvalidValue {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "true": case "yes": case "1": case "t": case "y":
        return Boolean.TRUE;
      case "false": case "no": case "0": case "f": case "n":
        return Boolean.FALSE;
      default:
        throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a boolean");
    }
  }

  private LocalDate parseDate(Compiled c, String text) throws InvalidValue {
    try {
      return LocalDate.from(c.formatter.parse(text));
    } catch (java.time.DateTimeException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a date" + formatHint());
    }
  }

  private Instant parseTimestamp(Compiled c, String text) throws InvalidValue {
    try {
      if (c.formatter == ISO_TIMESTAMP) {
        Instant fast = plainIsoTimestamp(text, c.zone);
        if (fast != null) {
          return fast;
        }
      }
      TemporalAccessor t = c.formatter.parse(text);
      if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
        return LocalDateTime.from(t).toInstant(ZoneOffset.ofTotalSeconds(t.get(ChronoField.OFFSET_SECONDS)));
      }
      if (!t.isSupported(ChronoField.HOUR_OF_DAY)) {
        return LocalDate.from(t).atStartOfDay(c.zone).toInstant();
      }
      return LocalDateTime.from(t).atZone(c.zone).toInstant();
    } catch (java.time.DateTimeException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, quote(text) + " is not a timestamp" + formatHint());
    }
  }

  /**
   * The most common shape, {@code 2024-01-05T10:00:00} with an optional {@code Z}, read digit by digit:
   * the general formatter cost about 4% of a run. {@code LocalDateTime.of} rejects what the strict
   * formatter rejects (February 30, hour 24, second 60); any other shape returns null and goes to it.
   */
  static Instant plainIsoTimestamp(String s, ZoneId zone) {
    int n = s.length();
    boolean utc = n == 20 && (s.charAt(19) == 'Z' || s.charAt(19) == 'z');
    if ((n != 19 && !utc) || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':'
        || "Tt ".indexOf(s.charAt(10)) < 0) {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    LocalDateTime t = LocalDateTime.of(year, month, day, hour, minute, second);
    return utc ? t.toInstant(ZoneOffset.UTC) : t.atZone(zone).toInstant();
  }

  /** The number written by {@code length} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int length) {
    int v = 0;
    for (int i = from; i < from + length; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1;
      }
      v = v * 10 + (ch - '0');
    }
    return v;
  }

  private String formatHint() {
    return field.format() == null ? " (ISO-8601)" : " (format " + field.format() + ")";
  }

  private void checkString(Compiled c, String text) throws InvalidValue {
    if (field.maxLength() != null && text.length() > field.maxLength()) {
      throw new InvalidValue(BadRecord.Kind.TOO_LONG,
          text.length() + " characters, more than maxLength " + field.maxLength());
    }
    if (c.pattern != null && !c.pattern.matcher(text).matches()) {
      throw new InvalidValue(BadRecord.Kind.PATTERN, quote(text) + " does not match pattern " + field.pattern());
    }
    if (c.allowed != null && !c.allowed.containsKey(text)) {
      throw new InvalidValue(BadRecord.Kind.NOT_ALLOWED, quote(text) + " is not one of " + field.values());
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
    if (field.min() != null && v.compareTo(field.min()) < 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          v.toPlainString() + " is below min " + field.min().toPlainString());
    }
    if (field.max() != null && v.compareTo(field.max()) > 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          v.toPlainString() + " is above max " + field.max().toPlainString());
    }
    return v;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T extends Comparable> T checkTemporal(Compiled c, T v, String text) throws InvalidValue {
    if (c.minTemporal != null && v.compareTo(c.minTemporal) < 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is before min " + field.minText());
    }
    if (c.maxTemporal != null && v.compareTo(c.maxTemporal) > 0) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is after max " + field.maxText());
    }
    return v;
  }

  static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    return "\"" + shown + "\"";
  }

  private Compiled compiled() {
    if (compiled == null) {
      compiled = new Compiled(field, this);
    }
    return compiled;
  }

  /** What is built once per worker from the field spec: formatters, patterns, lookup tables. */
  private static final class Compiled {
    final DateTimeFormatter formatter;
    final ZoneId zone;
    final Pattern pattern;
    final Map<String, Integer> categoryCodes = new HashMap<>();
    final Map<String, Integer> allowed;
    final EnumerationType enumeration;
    final long minLong;
    final long maxLong;
    Comparable<?> minTemporal;
    Comparable<?> maxTemporal;

    Compiled(FieldSpec field, ValueParser owner) {
      FieldType.Kind kind = field.type().kind();
      zone = field.zone() == null ? ZoneOffset.UTC : ZoneId.of(field.zone());
      if (field.format() != null) {
        // 'u' (proleptic year) rather than 'y' (year of era): strict resolving rejects 'y' without an era.
        formatter = DateTimeFormatter.ofPattern(field.format().replace('y', 'u'), Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
      } else {
        formatter = kind == FieldType.Kind.DATE ? DateTimeFormatter.ISO_LOCAL_DATE : ISO_TIMESTAMP;
      }
      pattern = field.pattern() == null ? null : Pattern.compile(field.pattern());
      List<String> values = field.values() == null ? List.of() : field.values();
      for (int i = 0; i < values.size(); i++) {
        categoryCodes.put(values.get(i), i);
      }
      allowed = kind == FieldType.Kind.STRING && field.values() != null ? categoryCodes : null;
      enumeration = kind == FieldType.Kind.CATEGORY ? EnumerationType.create(values) : null;
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
