package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/** Group-by keys and the metrics computed per group. */
@AutoValue
public abstract class AggregationSpec implements Serializable {
  public abstract List<String> groupBy();

  public abstract List<MetricSpec> metrics();

  public static AggregationSpec of(List<String> groupBy, List<MetricSpec> metrics) {
    return new AutoValue_AggregationSpec(List.copyOf(groupBy), List.copyOf(metrics));
  }

  /**
   * What is wrong with this aggregation over rows of the {@code fields} given (name to type, in
   * order), or null: the checks a spec's aggregate section gets where it is read, for an
   * aggregation built in Java (a trial's mean of a date ran, and printed epoch days).
   */
  public @Nullable String problem(Map<String, FieldType> fields) {
    Set<String> outputs = new HashSet<>();
    for (String key : groupBy()) {
      FieldType t = fields.get(key);
      if (t == null) {
        return "groupBy: unknown field \"" + key + "\"; the rows have " + String.join(", ", fields.keySet());
      }
      if (t.kind() == FieldType.Kind.DOUBLE) {
        return "groupBy: " + key + ": a double cannot be a group-by key (no deterministic encoding); use decimal"
            + " or long";
      }
      if (!outputs.add(key)) {
        return "groupBy: " + key + " is listed twice";
      }
    }
    if (metrics().isEmpty() && groupBy().isEmpty()) {
      return "give groupBy keys, metrics, or both";
    }
    List<String> lowerCase = new ArrayList<>();
    outputs.forEach(o -> lowerCase.add(o.toLowerCase(Locale.ROOT)));
    for (MetricSpec m : metrics()) {
      String where = "metric " + m.name() + ": ";
      if (!outputs.add(m.name())) {
        return where + "\"" + m.name() + "\" is already an output column";
      }
      if (lowerCase.contains(m.name().toLowerCase(Locale.ROOT))) {
        return where + "differs from another output column only in case, and sinks match columns ignoring case";
      }
      lowerCase.add(m.name().toLowerCase(Locale.ROOT));
      if (m.field() == null) {
        if (m.op() != MetricSpec.Op.COUNT) {
          return where + m.op().specName() + " needs a field";
        }
        continue;
      }
      FieldType t = fields.get(m.field());
      if (t == null) {
        return where + "unknown field \"" + m.field() + "\"; the rows have " + String.join(", ", fields.keySet());
      }
      String problem = MetricSpec.fieldProblem(m.op(), t);
      if (problem != null) {
        return where + problem;
      }
    }
    return null;
  }
}
