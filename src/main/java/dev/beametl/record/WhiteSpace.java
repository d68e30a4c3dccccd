package dev.beametl.record;

/**
 * The white space that trimming drops, one definition for every place that trims or must know what
 * trimming drops: a CSV source's {@code trim}, the CSV sink's quoting of values that would lose it,
 * profile, and the expressions' {@code trim()}. Java's Character.isWhitespace (String.strip's and
 * Commons CSV's test) leaves out the no-break spaces U+00A0, U+2007 and U+202F and U+0085, which
 * Unicode counts as white space: a trial's {@code 7} between no-break spaces was "not a long" and
 * {@code EU} followed by one was not a region, where the README promised any Unicode space dropped.
 */
public final class WhiteSpace {
  private WhiteSpace() {}

  public static boolean is(int c) {
    if (c < 0x80) { // Character.isWhitespace's ASCII, without its table lookups: every cell's two ends pass here
      return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
  }

  /** Whether {@code s} begins or ends in white space. */
  public static boolean atAnEnd(String s) {
    return !s.isEmpty() && (is(s.charAt(0)) || is(s.charAt(s.length() - 1)));
  }

  /** The first index of {@code s[from, to)} that is not white space, or {@code to}. */
  public static int skipFrom(CharSequence s, int from, int to) {
    while (from < to && is(s.charAt(from))) {
      from++;
    }
    return from;
  }

  /** The end of {@code s[from, to)} without its white space at the end. */
  public static int skipBack(CharSequence s, int from, int to) {
    while (to > from && is(s.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** {@code s} without white space at either end; {@code s} itself when it has none. */
  public static String strip(String s) {
    int from = skipFrom(s, 0, s.length());
    int to = skipBack(s, from, s.length());
    return from == 0 && to == s.length() ? s : s.substring(from, to);
  }
}
