package dev.beametl.validate;

import dev.beametl.record.BadRecord;
import dev.beametl.spec.TemporalRange;
import dev.beametl.spec.WallClock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.util.Locale;
import javax.annotation.Nullable;

/** Dates and timestamps read from text, strictly (February 30 is not a date). */
final class DateTimeText {
  /**
   * ISO-8601 with a 'T' between date and time, and ISO_TIMESTAMP_SPACE with a space: exactly one of
   * the two (both optional in one formatter took {@code 2024-01-0110:00:00} and {@code 2024-01-01T
   * 10:00:00}). The offset may be {@code Z}, {@code +01}, {@code +0100}, {@code +01:00} or with seconds,
   * once.
   */
  static final DateTimeFormatter ISO_TIMESTAMP = isoTimestamp('T');
  private static final DateTimeFormatter ISO_TIMESTAMP_SPACE = isoTimestamp(' ');

  private static DateTimeFormatter isoTimestamp(char separator) {
    return new DateTimeFormatterBuilder()
        .parseCaseInsensitive()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .appendLiteral(separator)
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        // One offset, in any of its forms: lenient "+HH" reads the minutes and seconds that follow,
        // with colons or without (three optional forms in a row took "ZZ" and "+01:00+0100").
        .optionalStart().parseLenient().appendOffset("+HH", "Z").parseStrict().optionalEnd()
        .toFormatter(Locale.ROOT)
        .withResolverStyle(ResolverStyle.STRICT);
  }

  private DateTimeText() {}

  /** A date in {@code formatter}'s form; {@code fixed} (the format's fixed-width shape, or null) is tried first. */
  static LocalDate parseDate(@Nullable FixedDate fixed, DateTimeFormatter formatter, String text, String hint)
      throws InvalidValue {
    LocalDate quick = fixed == null ? null : fixed.parse(text);
    if (quick != null) {
      return quick;
    }
    try {
      return LocalDate.from(formatter.parse(text));
    } catch (java.time.DateTimeException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a date" + hint);
    }
  }

  static Instant parseTimestamp(DateTimeFormatter formatter, ZoneId zone, WallClock.Ambiguous ambiguous, String text,
      String hint) throws InvalidValue {
    Instant instant;
    try {
      instant = formatter == ISO_TIMESTAMP ? plainIsoTimestamp(text, 0, text.length(), zone, ambiguous) : null;
      if (instant == null) {
        boolean spaced = formatter == ISO_TIMESTAMP && text.indexOf('T') < 0 && text.indexOf('t') < 0;
        instant = WallClock.instant((spaced ? ISO_TIMESTAMP_SPACE : formatter).parse(text), zone, ambiguous);
      }
    } catch (WallClock.Skipped e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " does not exist in " + e.zone + ": "
          + e.getMessage());
    } catch (WallClock.Repeated e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is two instants in " + e.zone + ": "
          + e.getMessage());
    } catch (DateTimeException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a timestamp" + hint);
    }
    if (TemporalRange.finerThanMicros(instant)) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, InvalidValue.quote(text) + " is more precise than a "
          + "microsecond, the finest a timestamp holds here (input is never rounded)");
    }
    return instant;
  }

  /**
   * {@code s[from, to)} (a CSV cell where it lies) in the most common shape, {@code 2024-01-05T10:00:00}
   * with an optional {@code Z}, read digit by digit (the general formatter cost about 4% of a run),
   * a wall-clock time the zone passes twice read as {@code ambiguous} says. {@code LocalDateTime.of}
   * rejects what the strict formatter rejects (February 30, hour 24, second 60); any other shape
   * returns null and goes to it.
   */
  static Instant plainIsoTimestamp(String s, int from, int to, ZoneId zone, WallClock.Ambiguous ambiguous) {
    int n = to - from;
    boolean utc = n == 20 && (s.charAt(from + 19) == 'Z' || s.charAt(from + 19) == 'z');
    if ((n != 19 && !utc) || s.charAt(from + 4) != '-' || s.charAt(from + 7) != '-' || s.charAt(from + 13) != ':'
        || s.charAt(from + 16) != ':' || "Tt ".indexOf(s.charAt(from + 10)) < 0) {
      return null;
    }
    int year = digits(s, from, 4);
    int month = digits(s, from + 5, 2);
    int day = digits(s, from + 8, 2);
    int hour = digits(s, from + 11, 2);
    int minute = digits(s, from + 14, 2);
    int second = digits(s, from + 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    ZoneOffset fixed = utc ? ZoneOffset.UTC : zone instanceof ZoneOffset ? (ZoneOffset) zone : null;
    if (fixed == null) { // a zone with rules (daylight saving): gaps and overlaps as WallClock reads them
      return WallClock.instant(LocalDateTime.of(year, month, day, hour, minute, second), zone, ambiguous);
    }
    // A fixed offset (the default zone is UTC): the instant straight from the fields, no
    // LocalDateTime or ZonedDateTime in between (JFR: ~5% of a run on a row with one timestamp).
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59
        || second > 59) {
      throw new NoSuchDateTime(); // as LocalDateTime.of refuses it
    }
    return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400L + hour * 3_600 + minute * 60 + second
        - fixed.getTotalSeconds());
  }

  /**
   * Refuses a date or time the calendar lacks, as LocalDateTime.of would, without a stack trace: the
   * caller words the bad record's reason, and filling in the trace of a Flink task's deep stack cost
   * more than the rest of the row (JFR of the sales run: 0.5% of the samples for 0.01% of the rows).
   */
  private static final class NoSuchDateTime extends DateTimeException {
    private static final long serialVersionUID = 1L;

    NoSuchDateTime() {
      super("no such date or time");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private static boolean isLeap(int year) {
    return (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  private static int daysInMonth(int year, int month) {
    return month == 2 ? (isLeap(year) ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
  }

  /** Days since 1970-01-01 of a valid date in years 0-9999: LocalDate.toEpochDay's arithmetic. */
  static long epochDay(int year, int month, int day) {
    long y = year;
    long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400 + (367 * month - 362) / 12 + day - 1;
    if (month > 2) {
      total -= isLeap(year) ? 1 : 2;
    }
    return total - 719_528; // days from 0000-01-01 to 1970-01-01
  }

  /**
   * A date format of fixed width - a four-digit year, two-digit month and day, and separators that
   * are not letters ({@code yyyy-MM-dd}, ISO's shape, or {@code dd/MM/yyyy}) - read digit by digit:
   * java.time's formatter cost 19% of a run on rows with three dates. It only ever answers with a
   * date the strict formatter gives for the same text (LocalDate.of checks the calendar as strictly);
   * anything else, valid or not, returns null and goes to the formatter, which decides and words the error.
   */
  static final class FixedDate implements java.io.Serializable {
    private final char[] shape; // a literal, or Y, M, D for a digit of the year, month or day

    private FixedDate(char[] shape) {
      this.shape = shape;
    }

    /** The fixed shape of a pattern (null: ISO's {@code yyyy-MM-dd}), or null when it has another. */
    static @Nullable FixedDate of(@Nullable String pattern) {
      String p = pattern == null ? "yyyy-MM-dd" : pattern;
      StringBuilder shape = new StringBuilder();
      int year = -1;
      int month = -1;
      int day = -1;
      for (int i = 0; i < p.length(); ) {
        char c = p.charAt(i);
        int run = 1;
        while (i + run < p.length() && p.charAt(i + run) == c) {
          run++;
        }
        if ("'[]#{}".indexOf(c) >= 0 || (Character.isLetter(c) && !(c == 'y' || c == 'u' || c == 'M' || c == 'd'))) {
          return null; // quoted text, or a field other than year, month and day
        }
        if ((c == 'y' || c == 'u') && run == 4 && year < 0) {
          year = shape.length();
          shape.append("YYYY");
        } else if (c == 'M' && run == 2 && month < 0) {
          month = shape.length();
          shape.append("MM");
        } else if (c == 'd' && run == 2 && day < 0) {
          day = shape.length();
          shape.append("DD");
        } else if (Character.isLetter(c) || c > 127 || (c >= '0' && c <= '9')) {
          return null; // a digit as a separator: java.time reads the year greedily into it
        } else {
          shape.append(p, i, i + run);
        }
        i += run;
      }
      return year < 0 || month < 0 || day < 0 ? null : new FixedDate(shape.toString().toCharArray());
    }

    @Nullable LocalDate parse(String s) {
      return parse(s, 0, s.length());
    }

    /** The date in {@code s[from, to)}, or null. */
    @Nullable LocalDate parse(String s, int from, int to) {
      if (to - from != shape.length) {
        return null;
      }
      int year = 0;
      int month = 0;
      int day = 0;
      for (int i = 0; i < shape.length; i++) { // one pass: the shape checked and the digits read
        char want = shape[i];
        int c = s.charAt(from + i);
        if (want == 'Y' || want == 'M' || want == 'D') {
          int digit = c - '0';
          if (digit < 0 || digit > 9) {
            return null;
          }
          if (want == 'Y') {
            year = year * 10 + digit;
          } else if (want == 'M') {
            month = month * 10 + digit;
          } else {
            day = day * 10 + digit;
          }
        } else if (c != want) {
          return null;
        }
      }
      // February 30 is no date (the formatter says so): checked here, not caught from LocalDate.of,
      // whose exception's stack trace cost more than the rest of the bad row.
      if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
        return null;
      }
      return LocalDate.of(year, month, day);
    }
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
}
