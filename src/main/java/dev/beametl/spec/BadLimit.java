package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;

/**
 * A limit on one kind of bad record, beside {@code maxBadRatio}: {@code deadLetter.maxBad: {type:
 * 0.01, lookup_miss: 0}}. The key is a reason kind ({@code type}), a field ({@code quantity}) or both
 * ({@code type:quantity}); the value a ratio of the records read when written with a decimal point
 * ({@code 0.01}), else a count ({@code 0}, {@code 25}). A run over any limit exits 3, as over
 * {@code maxBadRatio}.
 */
@AutoValue
public abstract class BadLimit implements Serializable {
  /** The reason kinds of bad records (record.BadRecord.Kind, as written in dead letters). */
  public static final List<String> KINDS = List.of("blank_line", "malformed", "bad_encoding", "column_count",
      "missing_column", "missing_value", "type", "out_of_range", "pattern", "too_long", "not_allowed", "expression",
      "unreadable", "lookup_miss");

  public abstract String key();

  /** True: {@link #value()} is a share of the records read; false: a number of records. */
  public abstract boolean ratio();

  public abstract double value();

  public static BadLimit of(String key, boolean ratio, double value) {
    return new AutoValue_BadLimit(key, ratio, value);
  }

  /** Whether a count key of bad records ({@code kind:field}, or {@code kind} for whole-record reasons) falls under this limit. */
  public boolean covers(String countKey) {
    if (key().contains(":")) {
      return countKey.equals(key());
    }
    int colon = countKey.indexOf(':');
    String kind = colon < 0 ? countKey : countKey.substring(0, colon);
    String field = colon < 0 ? null : countKey.substring(colon + 1);
    // A lookup's miss on a key of several fields counts as lookup_miss:store,product: a limit on
    // product covers it, as it covers a miss on product alone.
    return KINDS.contains(key()) ? kind.equals(key())
        : field != null && java.util.Arrays.asList(field.split(",")).contains(key());
  }

  /**
   * Whether {@code n} records out of {@code read} are more than this allows. A ratio compares the
   * share, as deadLetter.maxBadRatio does: 0.29 * 100 is 28.999999999999996 in floating point, so 29
   * bad of 100 went over a limit of 0.29 (exit 3) that the same ratio as maxBadRatio allowed.
   */
  public boolean exceededBy(long n, long read) {
    return ratio() ? read > 0 && (double) n / read > value() : n > value();
  }

  @Override
  public String toString() {
    return key() + ": " + (ratio() ? String.valueOf(value()) : String.valueOf((long) value()));
  }
}
