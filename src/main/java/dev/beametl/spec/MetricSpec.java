package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.Locale;
import javax.annotation.Nullable;

/** A named aggregate: {@code count, sum, min, max, mean, count_distinct} over a field. */
@AutoValue
public abstract class MetricSpec implements Serializable {
  /** The aggregate functions. */
  public enum Op {
    COUNT, SUM, MIN, MAX, MEAN, COUNT_DISTINCT;

    public String specName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public abstract String name();

  public abstract Op op();

  /** The field aggregated; null only for {@code count}, which then counts rows. */
  public abstract @Nullable String field();

  public static MetricSpec of(String name, Op op, @Nullable String field) {
    return new AutoValue_MetricSpec(name, op, field);
  }
}
