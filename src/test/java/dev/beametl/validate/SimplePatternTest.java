package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.Test;

public class SimplePatternTest {
  /** Elements the generator draws from: literals, escapes and classes, Java's tricky corners included. */
  private static final String[] ELEMENTS = {
      "a", "b", "P", "-", "_", " ", "0", "7", "\\.", "\\-", "\\{", "\\\\", "\\d", "\\w", "[a-c]", "[0-9]",
      "[A-Za-z0-9_-]", "[-a]", "[a-]", "[ab]", "[.]", "[+*]", "[ -/]", "[b-b]", "[$]", "[|]", ":"};
  private static final String[] COUNTS = {"", "", "", "?", "*", "+", "{0}", "{1}", "{2}", "{3}", "{0,2}", "{1,3}",
      "{2,}", "{0,}", "{4}"};
  /** Characters values are made of: every element's, and some none has. */
  private static final String ALPHABET = "abcPz-_ 079.{\\:$|+*/AZé\n\uD83D\uDE00";

  /**
   * On random patterns of the simple shape and random values - made by the pattern, then perhaps
   * changed by a character, or made at random - it answers as {@code Pattern.matches}.
   */
  @Test
  public void answersAsJavaUtilRegexOnRandomPatternsAndValues() {
    SplittableRandom rng = new SplittableRandom(38);
    int matched = 0;
    int checked = 0;
    for (int t = 0; t < 4_000; t++) {
      StringBuilder pattern = new StringBuilder();
      int elements = rng.nextInt(6);
      for (int e = 0; e < elements; e++) {
        pattern.append(ELEMENTS[rng.nextInt(ELEMENTS.length)]).append(COUNTS[rng.nextInt(COUNTS.length)]);
      }
      String p = pattern.toString();
      SimplePattern simple = SimplePattern.of(p);
      assertThat("taken as simple: " + p, simple, notNullValue());
      Pattern regex = Pattern.compile(p);
      for (int v = 0; v < 40; v++) {
        String value = v % 2 == 0 ? likelyMatch(p, rng) : random(rng);
        if (v % 4 == 2 && !value.isEmpty()) { // one character changed, dropped or doubled
          int at = rng.nextInt(value.length());
          int how = rng.nextInt(3);
          value = value.substring(0, at) + (how == 0 ? String.valueOf(ALPHABET.charAt(rng.nextInt(ALPHABET.length())))
              : how == 1 ? "" : value.substring(at, at + 1) + value.charAt(at)) + value.substring(at + 1);
        }
        boolean expected = regex.matcher(value).matches();
        assertThat("pattern " + p + " on \"" + value + "\"", simple.matches(value), equalTo(expected));
        matched += expected ? 1 : 0;
        checked++;
      }
    }
    assertThat("some values match", matched, greaterThan(checked / 10));
    assertThat("some do not", checked - matched, greaterThan(checked / 5));
  }

  /** A value the pattern's elements would produce (for classes, one of their members), as text. */
  private static String likelyMatch(String p, SplittableRandom rng) {
    // Use java.util.regex's own answer to find one: try random values built from the pattern's characters.
    StringBuilder chars = new StringBuilder();
    for (char c : p.toCharArray()) {
      if ("[]{}?*+,\\".indexOf(c) < 0) {
        chars.append(c);
      }
    }
    chars.append("0123456789abcxyz_");
    Pattern regex = Pattern.compile(p);
    String best = "";
    for (int attempt = 0; attempt < 30; attempt++) {
      StringBuilder s = new StringBuilder();
      int length = rng.nextInt(9);
      for (int i = 0; i < length; i++) {
        s.append(chars.charAt(rng.nextInt(chars.length())));
      }
      best = s.toString();
      if (regex.matcher(best).matches()) {
        return best;
      }
    }
    return best;
  }

  private static String random(SplittableRandom rng) {
    StringBuilder s = new StringBuilder();
    int length = rng.nextInt(8);
    for (int i = 0; i < length; i++) {
      s.append(ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
    }
    return s.toString();
  }

  @Test
  public void aCodeOfFixedWidth() {
    SimplePattern p = SimplePattern.of("P-[0-9]{4}");
    assertThat(p.matches("P-1234"), equalTo(true));
    assertThat(p.matches("P-123"), equalTo(false));
    assertThat(p.matches("P-12345"), equalTo(false));
    assertThat(p.matches("p-1234"), equalTo(false));
    assertThat(p.matches("P-12a4"), equalTo(false));
    assertThat(p.matches("P-١٢٣٤"), equalTo(false)); // Arabic-Indic digits are not [0-9]
  }

  /** A long value and a count without bound take time linear in the value, as the regex engine's would. */
  @Test
  public void longValuesAreMatchedWithoutBacktracking() {
    SimplePattern p = SimplePattern.of("[a-z]*[a-z]*[a-z]*b");
    String value = "a".repeat(200_000);
    assertThat(p.matches(value), equalTo(false));
    assertThat(p.matches(value + "b"), equalTo(true));
  }

  /** Every other shape goes to java.util.regex, which decides as before. */
  @Test
  public void otherShapesAreLeftToJavaUtilRegex() {
    for (String p : new String[] {"(ab)+", "a|b", "a*?", "a++", "a{2}+", "[^a]", ".", "\\s", "[a&&b]", "é", "\\p{L}",
        "^a$", "[a-z&&[^b]]", "a{2", "[\\d]", "\\1", "(?i)a", "[]", "\t", "a{99999}"}) {
      assertThat(p, SimplePattern.of(p), nullValue());
    }
  }
}
