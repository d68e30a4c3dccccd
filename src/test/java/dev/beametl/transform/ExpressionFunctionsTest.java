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

  /** timestamp() reads an offset in every form a timestamp field takes (a trial: +0200 failed); date() trims as it does. */
  @Test
  public void timestampTextTakesTheGatesOffsetsAndDateTrims() {
    ExpressionFunctions f = new ExpressionFunctions();
    Instant at = Instant.parse("2024-01-31T08:00:00Z");
    for (String text : new String[] {"2024-01-31T10:00:00+02", "2024-01-31T10:00:00+0200", "2024-01-31T10:00:00+02:00",
        "2024-01-31T10:00:00+02:00:00", "2024-01-31 10:00+02:00", " 2024-01-31T08:00:00Z ", "2024-01-31T08:00:00",
        "2024-01-31T09:00+01:00[Europe/Paris]", "2024-01-31T10:00:00.000000+02"}) {
      assertThat(text, f.timestamp(text), is(at));
    }
    assertThat(f.date(" 2024-01-31 "), is(java.time.LocalDate.of(2024, 1, 31)));
    for (String bad : new String[] {"2024-02-30T10:00:00Z", "2024-01-31T25:00:00Z"}) {
      try {
        f.timestamp(bad);
        throw new AssertionError(bad + " was read");
      } catch (java.time.DateTimeException expected) {
        // refused, as the schema gate refuses it
      }
    }
  }
}
