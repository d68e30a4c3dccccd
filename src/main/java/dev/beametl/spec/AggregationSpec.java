package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;

/** Group-by keys and the metrics computed per group. */
@AutoValue
public abstract class AggregationSpec implements Serializable {
  public abstract List<String> groupBy();

  public abstract List<MetricSpec> metrics();

  public static AggregationSpec of(List<String> groupBy, List<MetricSpec> metrics) {
    return new AutoValue_AggregationSpec(List.copyOf(groupBy), List.copyOf(metrics));
  }
}
