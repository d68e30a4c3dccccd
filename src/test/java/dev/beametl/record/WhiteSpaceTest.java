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
    for (char c : " \t\n\r\u000B\f\u001F\u00A0\u2007\u202F\u0085\u1680\u2000\u200A\u2028\u2029\u205F\u3000".toCharArray()) {
      assertThat(Integer.toHexString(c), WhiteSpace.is(c), is(true));
    }
    for (char c : "a0_-.\u0000\u0008\u007F\u200B\u200D\u2060\uFEFF\u00AD".toCharArray()) { // zero-width ones are no space
      assertThat(Integer.toHexString(c), WhiteSpace.is(c), is(false));
    }
    assertThat(WhiteSpace.strip("\u00A0\t x y\u202F\u0085"), is("x y"));
    assertThat(WhiteSpace.strip(" \u2007 "), is(""));
    String plain = "x";
    assertThat(WhiteSpace.strip(plain) == plain, is(true));
  }
}
