package dev.beametl.validate;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A pattern of the plainest shape, matched against a whole value without java.util.regex: a
 * sequence of literal characters, {@code \d}, {@code \w} and bracket classes of ASCII characters
 * and ranges ({@code [A-Za-z0-9_-]}), each with at most one count ({@code {n}}, {@code {n,m}},
 * {@code {n,}}, {@code ?}, {@code *}, {@code +}). That is most of what a schema declares - codes
 * such as {@code P-[0-9]{4}} - and the regex engine's matcher was 7% of a run's samples on rows
 * with two such fields (JFR, sales data set, 16M rows). {@link #of} gives null for any other
 * pattern (groups, alternatives, negated classes, lazy or possessive counts, anything non-ASCII),
 * which java.util.regex matches as before. {@code SimplePatternTest} holds the answers to
 * {@code Pattern.matches} on random patterns and values.
 */
final class SimplePattern {
  /** Each element's set of ASCII characters, as two 64-bit halves. */
  private final long[] low;
  private final long[] high;
  private final int[] min;
  private final int[] max;
  /** The length of every match when each element has a fixed count, else -1. */
  private final int fixedLength;
  /** Then each position's set: one test per character. */
  private final long[] lowAt;
  private final long[] highAt;
  /** Work arrays of matchesAnyCounts, grown to the longest value yet. */
  private boolean[] reach;
  private int[] run;
  private int[] starts;

  private SimplePattern(List<long[]> sets, List<int[]> counts) {
    int n = sets.size();
    low = new long[n];
    high = new long[n];
    min = new int[n];
    max = new int[n];
    int length = 0;
    for (int i = 0; i < n; i++) {
      low[i] = sets.get(i)[0];
      high[i] = sets.get(i)[1];
      min[i] = counts.get(i)[0];
      max[i] = counts.get(i)[1];
      length = length < 0 || min[i] != max[i] ? -1 : length + min[i];
    }
    fixedLength = length;
    lowAt = new long[Math.max(length, 0)];
    highAt = new long[lowAt.length];
    for (int i = 0, at = 0; i < n && length >= 0; i++) {
      for (int k = 0; k < min[i]; k++, at++) {
        lowAt[at] = low[i];
        highAt[at] = high[i];
      }
    }
  }

  /** The pattern as a simple one, or null when it has any other shape. */
  static @Nullable SimplePattern of(String pattern) {
    List<long[]> sets = new ArrayList<>();
    List<int[]> counts = new ArrayList<>();
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      long[] set = new long[2];
      char c = pattern.charAt(i);
      if (c == '[') {
        i = bracketClass(pattern, i + 1, set);
      } else if (c == '\\' && i + 1 < n) {
        char e = pattern.charAt(i + 1);
        if (e == 'd') {
          addRange(set, '0', '9');
        } else if (e == 'w') {
          addRange(set, 'a', 'z');
          addRange(set, 'A', 'Z');
          addRange(set, '0', '9');
          add(set, '_');
        } else if (isPrintable(e) && !Character.isLetterOrDigit(e)) {
          add(set, e); // an escaped punctuation character stands for itself
        } else {
          return null;
        }
        i += 2;
      } else if (isPrintable(c) && "\\^$.|?*+(){}[]".indexOf(c) < 0) {
        add(set, c);
        i++;
      } else {
        return null;
      }
      if (i < 0) {
        return null;
      }
      int[] count = {1, 1};
      int after = count(pattern, i, count);
      if (after < 0 || (after > i && after < n && (pattern.charAt(after) == '?' || pattern.charAt(after) == '+'))) {
        return null; // a malformed, lazy or possessive count
      }
      i = after;
      sets.add(set);
      counts.add(count);
    }
    return new SimplePattern(sets, counts);
  }

  /** Reads a class's members from {@code i} (after '[') up to its ']'; the index after it, or -1. */
  private static int bracketClass(String p, int i, long[] set) {
    int n = p.length();
    int start = i;
    while (i < n && p.charAt(i) != ']') {
      char c = p.charAt(i);
      if (!isPrintable(c) || "[\\^&".indexOf(c) >= 0) {
        return -1; // nested or intersected classes, escapes, negation: java.util.regex decides
      }
      if (i + 2 < n && p.charAt(i + 1) == '-' && p.charAt(i + 2) != ']') {
        char to = p.charAt(i + 2);
        if (!isPrintable(to) || "[\\^&".indexOf(to) >= 0 || to < c) {
          return -1;
        }
        addRange(set, c, to);
        i += 3;
      } else {
        add(set, c);
        i++;
      }
    }
    return i == n || i == start ? -1 : i + 1;
  }

  /** Reads a count at {@code i} into {@code count} (min, max); the index after it, or -1 if malformed. */
  private static int count(String p, int i, int[] count) {
    if (i >= p.length()) {
      return i;
    }
    switch (p.charAt(i)) {
      case '?':
        count[0] = 0;
        count[1] = 1;
        return i + 1;
      case '*':
        count[0] = 0;
        count[1] = Integer.MAX_VALUE;
        return i + 1;
      case '+':
        count[0] = 1;
        count[1] = Integer.MAX_VALUE;
        return i + 1;
      case '{':
        int close = p.indexOf('}', i);
        if (close < 0) {
          return -1;
        }
        String body = p.substring(i + 1, close);
        int comma = body.indexOf(',');
        if (!body.matches("[0-9]{1,4}(,[0-9]{0,4})?")) {
          return -1;
        }
        count[0] = Integer.parseInt(comma < 0 ? body : body.substring(0, comma));
        count[1] = comma < 0 ? count[0]
            : comma == body.length() - 1 ? Integer.MAX_VALUE : Integer.parseInt(body.substring(comma + 1));
        return count[1] < count[0] ? -1 : close + 1; // (at most 4 digits each)
      default:
        return i;
    }
  }

  private static boolean isPrintable(char c) {
    return c >= ' ' && c < 127;
  }

  private static void add(long[] set, char c) {
    set[c >> 6] |= 1L << (c & 63);
  }

  private static void addRange(long[] set, char from, char to) {
    for (char c = from; c <= to; c++) {
      add(set, c);
    }
  }

  private boolean in(int element, char c) {
    return c < 64 ? (low[element] & (1L << c)) != 0 : c < 128 && (high[element] & (1L << (c - 64))) != 0;
  }

  /** Whether the whole of {@code s} matches, as {@code Pattern.matches} answers. */
  boolean matches(String s) {
    if (fixedLength >= 0) {
      if (s.length() != fixedLength) {
        return false;
      }
      for (int p = 0; p < fixedLength; p++) {
        char c = s.charAt(p);
        if (c < 64 ? (lowAt[p] & (1L << c)) == 0 : c >= 128 || (highAt[p] & (1L << (c - 64))) == 0) {
          return false;
        }
      }
      return true;
    }
    return matchesAnyCounts(s);
  }

  /**
   * The positions each element can end at, element by element: from every position the one before
   * could end at, the element takes between min and max characters of its set. Linear in the value's
   * length per element (no backtracking), so no value can make it slow.
   */
  private boolean matchesAnyCounts(String s) {
    int n = s.length();
    if (reach == null || reach.length < n + 1) { // kept between values: a parser serves one thread
      reach = new boolean[n + 1];
      run = new int[n + 1];
      starts = new int[n + 2];
    }
    java.util.Arrays.fill(reach, 0, n + 1, false);
    reach[0] = true;
    for (int e = 0; e < min.length; e++) {
      run[n] = 0;
      for (int p = n - 1; p >= 0; p--) {
        run[p] = in(e, s.charAt(p)) ? run[p + 1] + 1 : 0;
      }
      java.util.Arrays.fill(starts, 0, n + 2, 0);
      boolean any = false;
      for (int p = 0; p <= n; p++) {
        int longest = Math.min(max[e], run[p]);
        if (reach[p] && longest >= min[e]) {
          starts[p + min[e]]++;
          starts[p + longest + 1]--;
          any = true;
        }
      }
      if (!any) {
        return false;
      }
      int open = 0;
      for (int p = 0; p <= n; p++) {
        open += starts[p];
        reach[p] = open > 0;
      }
    }
    return reach[n];
  }
}
