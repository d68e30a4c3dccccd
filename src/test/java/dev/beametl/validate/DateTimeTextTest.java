package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.spec.WallClock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.Test;

public class DateTimeTextTest {
  /** What ValueParser builds for a date field's format (null: ISO). */
  private static DateTimeFormatter formatter(String pattern) {
    return pattern == null ? DateTimeFormatter.ISO_LOCAL_DATE
        : DateTimeFormatter.ofPattern(pattern.replace('y', 'u'), Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);
  }

  private static LocalDate strict(DateTimeFormatter f, String text) {
    try {
      return LocalDate.from(f.parse(text));
    } catch (DateTimeException e) {
      return null;
    }
  }

  /**
   * The fast path never answers differently from the strict formatter: on random near-misses
   * (digits, separators, lengths off by one, February 30) it gives the formatter's date or leaves
   * the text to it, and on well-formed dates it answers itself.
   */
  @Test
  public void theFixedShapeAgreesWithTheStrictFormatter() {
    SplittableRandom rng = new SplittableRandom(16);
    int answered = 0;
    for (String pattern : Arrays.asList(null, "dd/MM/yyyy", "yyyyMMdd", "MM-dd-uuuu", "dd.MM.yyyy", "yyyy/MM/dd")) {
      DateTimeText.FixedDate fixed = DateTimeText.FixedDate.of(pattern);
      assertThat(pattern, fixed, notNullValue());
      DateTimeFormatter f = formatter(pattern);
      DateTimeFormatter writer = DateTimeFormatter.ofPattern(pattern == null ? "uuuu-MM-dd" : pattern.replace('y', 'u'));
      for (int i = 0; i < 20_000; i++) {
        String text = writer.format(LocalDate.ofEpochDay(rng.nextLong(-800_000, 2_900_000)));
        if (rng.nextInt(3) == 0) { // spoil it
          char[] c = text.toCharArray();
          int at = rng.nextInt(c.length);
          c[at] = "0123456789-/. x+".charAt(rng.nextInt(16));
          text = rng.nextInt(10) == 0 ? new String(c) + "1" : new String(c);
          if (rng.nextInt(10) == 0) {
            text = text.replace("-28", "-30").replace("28/", "30/").replace("28.", "30.");
          }
        }
        LocalDate quick = fixed.parse(text);
        if (quick != null) {
          answered++;
          assertThat(pattern + " " + text, quick, equalTo(strict(f, text)));
        } else if (text.length() == writer.format(LocalDate.EPOCH).length() && text.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")
            && pattern == null) {
          assertThat("left to the formatter but valid: " + text, strict(f, text), nullValue());
        }
      }
    }
    assertThat(answered, greaterThan(60_000));
  }

  /**
   * A plain ISO timestamp read field by field gives what the general formatter gives - the same
   * instant, or the same refusal - in UTC, at fixed offsets (straight to the instant) and in a zone
   * with daylight saving (through java.time): random instants, some spoiled (hour 24, second 60,
   * February 30, a gap's local time).
   */
  @Test
  public void thePlainIsoTimestampAgreesWithTheGeneralFormatter() {
    DateTimeFormatter general = new java.time.format.DateTimeFormatterBuilder().parseCaseInsensitive()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .optionalStart().appendLiteral('T').optionalEnd().optionalStart().appendLiteral(' ').optionalEnd()
        .append(DateTimeFormatter.ISO_LOCAL_TIME).optionalStart().appendOffsetId().optionalEnd()
        .toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT); // ISO_TIMESTAMP, not the same object
    SplittableRandom rng = new SplittableRandom(17);
    int answered = 0;
    for (java.time.ZoneId zone : Arrays.asList(java.time.ZoneOffset.UTC, java.time.ZoneOffset.ofHoursMinutes(5, 30),
        java.time.ZoneOffset.ofHours(-8), java.time.ZoneId.of("Europe/Berlin"))) {
      for (int i = 0; i < 30_000; i++) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(rng.nextLong(-62_000_000_000L, 253_000_000_000L),
            0, java.time.ZoneOffset.UTC);
        char[] c = String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", t.getYear(), t.getMonthValue(),
            t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()).toCharArray();
        if (rng.nextInt(3) == 0) { // spoil a digit of the month, day or time
          int at = new int[] {5, 6, 8, 9, 11, 12, 14, 15, 17, 18}[rng.nextInt(10)];
          c[at] = (char) ('0' + rng.nextInt(10));
        }
        String text = new String(c) + (rng.nextInt(4) == 0 ? "Z" : "");
        if (rng.nextInt(50) == 0) {
          text = "2024-03-31T02:" + text.substring(14, 19); // Berlin skips 02:00-03:00 that night
        } else if (rng.nextInt(50) == 0) {
          text = "2024-10-27T02:" + text.substring(14, 19); // and passes 02:00-03:00 twice this one
        }
        WallClock.Ambiguous ambiguous = WallClock.Ambiguous.values()[rng.nextInt(3)];
        String quick = outcome(DateTimeText.ISO_TIMESTAMP, zone, ambiguous, text);
        assertThat(zone + " " + ambiguous + " " + text, quick, equalTo(outcome(general, zone, ambiguous, text)));
        answered += quick.startsWith("refused") ? 0 : 1;
      }
    }
    assertThat(answered, greaterThan(80_000));
    for (String edge : new String[] {"0000-02-29T00:00:00", "0000-03-01T00:00:00", "0001-02-29T00:00:00",
        "1900-02-29T12:00:00", "2000-02-29T23:59:59Z", "9999-12-31T23:59:59", "1969-12-31T23:59:59Z"}) {
      for (java.time.ZoneId zone : Arrays.asList(java.time.ZoneOffset.UTC, java.time.ZoneOffset.ofHoursMinutes(5, 30))) {
        assertThat(zone + " " + edge, outcome(DateTimeText.ISO_TIMESTAMP, zone, WallClock.Ambiguous.DEAD_LETTER, edge),
            equalTo(outcome(general, zone, WallClock.Ambiguous.DEAD_LETTER, edge)));
      }
    }
  }

  private static String outcome(DateTimeFormatter f, java.time.ZoneId zone, WallClock.Ambiguous ambiguous,
      String text) {
    try {
      return DateTimeText.parseTimestamp(f, zone, ambiguous, text, "").toString();
    } catch (InvalidValue e) {
      return "refused: " + e.getMessage();
    }
  }

  @Test
  public void otherShapesGoToTheFormatter() {
    for (String pattern : new String[] {"d/M/yyyy", "yyyy-MMM-dd", "yyyy-MM-dd'T'", "[yyyy-MM-dd]", "yy-MM-dd",
        "yyyy-MM", "yyyy-MM-dd HH", "yyyy-MM-dd-dd", "EEE yyyy-MM-dd", "yyyy0MMdd", "dd1MM1yyyy"}) {
      assertThat(pattern, DateTimeText.FixedDate.of(pattern), nullValue());
    }
  }

  @Test
  public void aParsedFieldStillChecksItsCalendarAndBounds() throws Exception {
    assertThat(DateTimeText.FixedDate.of(null).parse("2024-02-30"), nullValue());
    assertThat(DateTimeText.FixedDate.of(null).parse("2024-02-29"), equalTo(LocalDate.of(2024, 2, 29)));
    assertThat(DateTimeText.FixedDate.of(null).parse("+2024-02-2"), nullValue());
  }
}
