package dev.beametl.load;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Directory names of a Hive-style partitioned output, as Hive writes and Spark, Trino and DuckDB
 * read them: {@code column=value}, the value's characters that a path cannot hold escaped as
 * {@code %XX} (Hive's {@code FileUtils.escapePathName}: a {@code /}, {@code =} or {@code ..} in a value
 * cannot leave its directory), a null or empty value as {@value #DEFAULT_PARTITION}, and the text
 * {@code null} in any case with its first letter escaped.
 */
public final class HivePartitions {
  public static final String DEFAULT_PARTITION = "__HIVE_DEFAULT_PARTITION__";
  /** The count, per column, of the rows whose value is not null but goes where the nulls go ({@link #isNullsDirectory}). */
  public static final String AS_NULL = "partitioned.as_null:";
  /** uuuu, the proleptic year, as a date's directory has it: yyyy (of the era) put 44 BC with 45 AD. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** What Hive escapes besides control characters and DEL. */
  private static final String ESCAPED = "\"#%'*/:=?\\{[]^";

  private HivePartitions() {}

  /** {@code column=value} for one partition column. */
  static String directory(String column, @Nullable Object value) {
    return escape(column) + "=" + valueText(value);
  }

  static String valueText(@Nullable Object value) {
    if (value == null) {
      return DEFAULT_PARTITION;
    }
    String text;
    if (value instanceof BigDecimal) {
      text = ((BigDecimal) value).toPlainString();
    } else if (value instanceof Instant) {
      text = TIMESTAMP.format((Instant) value);
    } else {
      text = value.toString();
    }
    if (text.isEmpty()) {
      return DEFAULT_PARTITION;
    }
    // DuckDB reads a directory value NULL, in any case, as SQL's NULL: the text's first letter
    // escaped, %4EULL, is the text NULL to DuckDB, Spark and Hive alike.
    return text.equalsIgnoreCase("null") ? escaped(text.charAt(0)) + text.substring(1) : escape(text);
  }

  /**
   * Whether a directory of {@link #directory} is the nulls', {@value #DEFAULT_PARTITION}: for a value
   * that is not null, the empty text or that very text, which Spark and Hive read back as null. (An
   * escaped column name holds no {@code =}.)
   */
  static boolean isNullsDirectory(String directory) {
    return directory.endsWith("=" + DEFAULT_PARTITION);
  }

  private static String escaped(char c) {
    return String.format(Locale.ROOT, "%%%02X", (int) c);
  }

  /** Hive's escaping of a path name: control characters, DEL and the characters of ESCAPED as %XX. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7F || ESCAPED.indexOf(c) >= 0) {
        b.append(escaped(c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
