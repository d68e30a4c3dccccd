package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.junit.Test;

public class WhiteSpaceTest {
  /** Every char: Java's white space, Unicode's space separators and U+0085, nothing else. */
  @Test
  public void isJavasWhiteSpaceAndUnicodesSpaces() {
    for (int c = 0; c <= Character.MAX_VALUE; c++) {
      boolean expected = Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
      assertThat(Integer.toHexString(c), WhiteSpace.is(c), is(expected));
    }
    assertThat(WhiteSpace.strip("\u00A0\t x y\u202F\u0085"), is("x y"));
    assertThat(WhiteSpace.strip(" \u2007 "), is(""));
    String plain = "x";
    assertThat(WhiteSpace.strip(plain) == plain, is(true));
  }
}
