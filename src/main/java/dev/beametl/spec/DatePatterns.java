package dev.beametl.spec;

import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * The formatter a field's {@code format} (a java.time pattern) reads and writes with: strict, the
 * year proleptic ({@code yyyy} as {@code uuuu}, so no era is needed), and a two-digit year in the
 * window 1969-2068, as POSIX's strptime, Python and DuckDB read {@code %y}: java.time's own {@code yy}
 * is 2000-2099, so a trial's birth date 15.06.85 was read as 2085.
 */
public final class DatePatterns {
  private DatePatterns() {}

  /** The first year a two-digit year stands for. */
  static final int TWO_DIGIT_BASE = 1969;

  public static DateTimeFormatter formatter(String pattern) {
    DateTimeFormatterBuilder b = new DateTimeFormatterBuilder();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < pattern.length(); ) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
        part.append(c);
        i++;
        continue;
      }
      if (!quoted && (c == 'y' || c == 'u')) {
        int run = i;
        while (run < pattern.length() && pattern.charAt(run) == c) {
          run++;
        }
        if (run - i == 2) {
          b.appendPattern(part.toString());
          part.setLength(0);
          b.appendValueReduced(ChronoField.YEAR, 2, 2, TWO_DIGIT_BASE);
        } else {
          part.append("u".repeat(run - i));
        }
        i = run;
        continue;
      }
      part.append(c);
      i++;
    }
    b.appendPattern(part.toString());
    return b.toFormatter(Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);
  }
}
