package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

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
