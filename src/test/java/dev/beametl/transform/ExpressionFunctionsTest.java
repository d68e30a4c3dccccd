package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.Test;

/** The parts of a timestamp, read from its epoch second, are java.time's in UTC, before 1970 too. */
public class ExpressionFunctionsTest {
  @Test
  public void timestampPartsAgreeWithJavaTime() {
    ExpressionFunctions f = new ExpressionFunctions();
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) {
      Instant t = Instant.ofEpochSecond(rng.nextLong(-62_000_000_000L, 253_000_000_000L), rng.nextInt(1_000_000) * 1000);
      OffsetDateTime utc = t.atOffset(ZoneOffset.UTC);
      String at = t.toString();
      assertThat(at, f.year(t), is(utc.getYear()));
      assertThat(at, f.month(t), is(utc.getMonthValue()));
      assertThat(at, f.day(t), is(utc.getDayOfMonth()));
      assertThat(at, f.hour(t), is(utc.getHour()));
      assertThat(at, f.weekday(t), is(utc.getDayOfWeek().getValue()));
    }
  }

  /** trim drops white space of every kind, the no-break spaces String.strip keeps too (a trial), and nothing else. */
  @Test
  public void trimDropsEveryKindOfWhiteSpace() {
    ExpressionFunctions f = new ExpressionFunctions();
    assertThat(f.trim("\u00a0x\u00a0"), is("x"));
    assertThat(f.trim("\u202f y \u2007\u0085"), is("y"));
    assertThat(f.trim("\t\u3000z z\r\n"), is("z z"));
    assertThat(f.trim("\u200bw\u200b"), is("\u200bw\u200b")); // a zero-width space is no white space
    assertThat(f.trim("\u00a0 \t"), is(""));
    assertThat(f.trim("\ud83d\ude00"), is("\ud83d\ude00"));
  }
}
