package dev.beametl.transform;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * The functions a spec expression may call, e.g. {@code year(ts)}, {@code upper(region)},
 * {@code coalesce(discount, 0)}. Each returns null for a null argument (coalesce aside), so optional
 * fields need no special care. Timestamps are read in UTC.
 */
public final class ExpressionFunctions {
  /**
   * The parts of dates boxed once: {@code Integer.valueOf} keeps only -128..127, so year() boxed a
   * new Integer per row (JFR, sales data set: 1.3% of the samples).
   */
  private static final Integer[] BOXED = java.util.stream.IntStream.range(0, 10_000).boxed().toArray(Integer[]::new);

  public static final String NAMES =
      "year, month, day, hour, weekday, date, timestamp, upper, lower, trim, length, coalesce, abs";

  public Integer year(Object t) {
    return part(t, ChronoField.YEAR);
  }

  public Integer month(Object t) {
    return part(t, ChronoField.MONTH_OF_YEAR);
  }

  public Integer day(Object t) {
    return part(t, ChronoField.DAY_OF_MONTH);
  }

  public Integer hour(Object t) {
    return part(t, ChronoField.HOUR_OF_DAY);
  }

  /** ISO day of week: 1 is Monday, 7 is Sunday. */
  public Integer weekday(Object t) {
    return part(t, ChronoField.DAY_OF_WEEK);
  }

  /** The date of a timestamp (UTC), or an ISO date parsed from text: {@code date('2024-01-31')}. */
  public LocalDate date(Object t) {
    if (t == null) {
      return null;
    }
    if (t instanceof CharSequence) {
      return LocalDate.parse(t.toString().trim()); // as timestamp() reads its text
    }
    return LocalDate.from(temporal(t));
  }

  /**
   * An instant parsed from ISO text, {@code timestamp('2024-01-31T10:00:00Z')}; without an offset
   * ({@code '2024-01-31 10:00:00'}, {@code '2024-01-31'}: its midnight) in UTC, as the date parts are.
   */
  public Instant timestamp(Object t) {
    if (t == null) {
      return null;
    }
    if (t instanceof Instant) {
      return (Instant) t;
    }
    if (t instanceof LocalDate) {
      return ((LocalDate) t).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    }
    if (!(t instanceof CharSequence)) {
      throw new IllegalArgumentException("expects ISO text, a date or a timestamp");
    }
    String text = t.toString().trim().replace(' ', 'T');
    if (text.length() == 10) { // a date alone: its first instant, in UTC
      return LocalDate.parse(text).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    }
    // A zone in brackets (2024-01-31T10:00+01:00[Europe/Paris]) is ISO's form; the rest is read once, no
    // exception per row to find out.
    java.time.temporal.TemporalAccessor parsed = (text.endsWith("]")
        ? java.time.format.DateTimeFormatter.ISO_DATE_TIME : DATE_TIME).parse(text);
    return parsed.isSupported(ChronoField.OFFSET_SECONDS) ? Instant.from(parsed)
        : java.time.LocalDateTime.from(parsed).toInstant(java.time.ZoneOffset.UTC);
  }

  /**
   * An ISO date and time with an optional offset in each form a timestamp field reads ({@code Z},
   * {@code +02}, {@code +0200}, {@code +02:00}, {@code +02:00:00}): a trial's {@code timestamp('...+0200')}
   * failed where the schema gate takes it. Lenient offsets take the hours and the rest if given.
   */
  private static final java.time.format.DateTimeFormatter DATE_TIME = new java.time.format.DateTimeFormatterBuilder()
      .append(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME)
      .optionalStart().parseLenient().appendOffset("+HH", "Z").parseStrict().optionalEnd()
      .toFormatter()
      .withResolverStyle(java.time.format.ResolverStyle.STRICT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE);

  public String upper(String s) {
    return s == null ? null : s.toUpperCase(Locale.ROOT);
  }

  public String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /**
   * Without the white space of every kind at either end: String.strip's, and the no-break spaces it
   * keeps (U+00A0, U+2007, U+202F) and U+0085, which Unicode counts as white space too (a trial's
   * cells from a web page kept theirs).
   */
  public String trim(String s) {
    if (s == null) {
      return null;
    }
    int start = 0;
    int end = s.length();
    while (start < end && blank(s.codePointAt(start))) {
      start += Character.charCount(s.codePointAt(start));
    }
    while (end > start && blank(s.codePointBefore(end))) {
      end -= Character.charCount(s.codePointBefore(end));
    }
    return s.substring(start, end);
  }

  private static boolean blank(int c) {
    return dev.beametl.record.WhiteSpace.is(c);
  }

  /** Characters as DuckDB counts them: code points (an emoji is one, not two UTF-16 units). */
  public Integer length(String s) {
    return s == null ? null : s.codePointCount(0, s.length());
  }

  /** The first argument that is not null. */
  public Object coalesce(Object... values) {
    for (Object v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  public Object abs(Number n) {
    if (n == null) {
      return null;
    }
    if (n instanceof java.math.BigDecimal) {
      return ((java.math.BigDecimal) n).abs();
    }
    if (n instanceof Double || n instanceof Float) {
      return Math.abs(n.doubleValue());
    }
    if (n instanceof java.math.BigInteger) { // a product past a long's range, which JEXL widens
      return ((java.math.BigInteger) n).abs();
    }
    return Math.absExact(n.longValue()); // abs of the smallest long has no long: an error, as in DuckDB
  }

  private static Integer part(Object t, ChronoField field) {
    if (t instanceof Instant) { // in UTC, from the epoch second: no OffsetDateTime per call (JFR: 1.5%)
      long second = ((Instant) t).getEpochSecond();
      long day = Math.floorDiv(second, 86_400L);
      switch (field) {
        case HOUR_OF_DAY:
          return boxed((int) (Math.floorMod(second, 86_400L) / 3_600));
        case DAY_OF_WEEK:
          return boxed((int) Math.floorMod(day + 3, 7L) + 1); // 1970-01-01 was a Thursday (4)
        default:
          return boxed(LocalDate.ofEpochDay(day).get(field));
      }
    }
    return t == null ? null : boxed(temporal(t).get(field));
  }

  private static Integer boxed(int part) {
    return part >= 0 && part < BOXED.length ? BOXED[part] : Integer.valueOf(part);
  }

  private static TemporalAccessor temporal(Object t) {
    if (t instanceof Instant) {
      return ((Instant) t).atOffset(ZoneOffset.UTC);
    }
    if (t instanceof TemporalAccessor) {
      return (TemporalAccessor) t;
    }
    throw new IllegalArgumentException("expected a date or timestamp, got " + t.getClass().getSimpleName());
  }

}
