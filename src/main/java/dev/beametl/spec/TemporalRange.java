package dev.beametl.spec;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import javax.annotation.Nullable;

/**
 * The instants and days a {@code timestamp} and a {@code date} hold: a 64-bit count of microseconds
 * since 1970, as the job's rows, Parquet and Avro carry a timestamp, and the days whose first
 * instant is one of them. Beyond them a value broke the sink (a long overflow failed the run) or
 * came out as another day (Parquet's 32-bit day of {@code +999999999-12-31}, the day PostgreSQL's
 * driver gives for a date of infinity, read as the year 466210). Values read from the input and
 * values a derive expression makes are held to the same range and precision.
 */
public final class TemporalRange {
  private TemporalRange() {}

  public static final Instant FIRST_INSTANT = Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L),
      Math.floorMod(Long.MIN_VALUE, 1_000_000L) * 1_000L);
  public static final Instant LAST_INSTANT = Instant.ofEpochSecond(Long.MAX_VALUE / 1_000_000L,
      Long.MAX_VALUE % 1_000_000L * 1_000L);
  public static final LocalDate FIRST_DATE = LocalDate.ofInstant(FIRST_INSTANT, ZoneOffset.UTC).plusDays(1);
  public static final LocalDate LAST_DATE = LocalDate.ofInstant(LAST_INSTANT, ZoneOffset.UTC);

  /** Why {@code v} (an Instant or a LocalDate) is beyond what its type holds, or null; says where the range ends. */
  public static @Nullable String outOfRange(Object v) {
    if (v instanceof Instant && (((Instant) v).isBefore(FIRST_INSTANT) || ((Instant) v).isAfter(LAST_INSTANT))) {
      return "is out of range: timestamps lie between " + FIRST_INSTANT + " and " + LAST_INSTANT + HOLDS;
    }
    if (v instanceof LocalDate && (((LocalDate) v).isBefore(FIRST_DATE) || ((LocalDate) v).isAfter(LAST_DATE))) {
      return "is out of range: dates lie between " + FIRST_DATE + " and " + LAST_DATE + HOLDS;
    }
    return null;
  }

  /**
   * Microseconds since 1970 of an instant in range (an ArithmeticException beyond it). The seconds
   * times a million first overflowed in the range's first second, whose micros bring it back in:
   * FIRST_INSTANT itself and its second's other instants failed a Parquet write (a trial).
   */
  public static long micros(Instant t) {
    long seconds = t.getEpochSecond();
    long micros = t.getNano() / 1_000;
    if (seconds < 0 && micros > 0) { // the same sum, as (seconds + 1) s and (micros - 1 s)
      seconds++;
      micros -= 1_000_000L;
    }
    return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), micros);
  }

  /** Whether an instant has a finer fraction than a microsecond, which a timestamp does not hold. */
  public static boolean finerThanMicros(Instant t) {
    return t.getNano() % 1_000 != 0;
  }

  private static final String HOLDS = " here (microseconds since 1970 in 64 bits, as Parquet and Avro store timestamps)";
}
