package dev.beametl.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sections Transform runs: {@code derive}, {@code filter} and {@code aggregate}. Names must be
 * declared before they are used; expressions are type-checked by the scope's checks.
 */
final class TransformSection {
  private static final Set<String> DERIVE_KEYS = Set.of("name", "type", "expr");
  private static final Set<String> AGGREGATE_KEYS = Set.of("groupBy", "metrics");
  private static final Set<String> METRIC_KEYS = Set.of("name", "op", "field");

  private TransformSection() {}

  static List<DerivedFieldSpec> derived(SpecNode node, Scope scope) {
    List<DerivedFieldSpec> out = new ArrayList<>();
    for (SpecNode item : node.list()) {
      Map<String, SpecNode> m = item.mapping(DERIVE_KEYS);
      String name = SpecNode.required(m, "name", item).identifier();
      FieldType type = SpecNode.required(m, "type", item).fieldType();
      if (type.kind() == FieldType.Kind.CATEGORY) {
        throw m.get("type").error("a derived field cannot be a category; use string");
      }
      SpecNode expr = SpecNode.required(m, "expr", item);
      scope.checkExpression(expr, expr.nonEmptyString(), type);
      scope.declare(item, name, type);
      out.add(DerivedFieldSpec.of(name, type, expr.string()));
    }
    return List.copyOf(out);
  }

  static AggregationSpec aggregation(SpecNode node, Scope scope) {
    Map<String, SpecNode> m = node.mapping(AGGREGATE_KEYS);
    // Without groupBy (or with groupBy: []), one row of totals, as SQL's SELECT count(*) FROM t.
    SpecNode groupNode = m.get("groupBy");
    List<String> groupBy = groupNode == null ? List.of() : groupNode.stringList();
    Set<String> outputNames = new HashSet<>();
    for (int i = 0; i < groupBy.size(); i++) {
      SpecNode key = groupNode.list().get(i);
      FieldType t = scope.known(key, groupBy.get(i));
      if (t.kind() == FieldType.Kind.DOUBLE) {
        throw key.error("a double cannot be a group-by key (no deterministic encoding); use decimal or long");
      }
      if (!outputNames.add(groupBy.get(i))) {
        throw key.error("listed twice");
      }
    }
    List<MetricSpec> metrics = new ArrayList<>();
    for (SpecNode item : SpecNode.required(m, "metrics", node).list()) {
      Map<String, SpecNode> mm = item.mapping(METRIC_KEYS);
      String name = SpecNode.required(mm, "name", item).identifier();
      if (!outputNames.add(name)) {
        throw mm.get("name").error("\"" + name + "\" is already an output column");
      }
      String other = Scope.sameIgnoringCase(outputNames, name);
      if (other != null) {
        throw mm.get("name").error("\"" + name + "\" differs from the output column \"" + other
            + "\" only in case, and sinks match columns ignoring case: rename it");
      }
      MetricSpec.Op op = SpecNode.required(mm, "op", item).enumValue(MetricSpec.Op.class);
      String field = null;
      if (mm.containsKey("field")) {
        field = mm.get("field").nonEmptyString();
        checkMetricField(mm.get("field"), op, scope.known(mm.get("field"), field));
      } else if (op != MetricSpec.Op.COUNT) {
        throw item.error(op.specName() + " needs a field");
      }
      metrics.add(MetricSpec.of(name, op, field));
    }
    if (metrics.isEmpty() && groupBy.isEmpty()) {
      throw node.error("give groupBy keys, metrics, or both");
    }
    return AggregationSpec.of(groupBy, metrics);
  }

  private static void checkMetricField(SpecNode node, MetricSpec.Op op, FieldType type) {
    String problem = MetricSpec.fieldProblem(op, type);
    if (problem != null) {
      throw node.error(problem);
    }
  }

  static String filter(SpecNode filter, Scope scope) {
    scope.checkExpression(filter, filter.nonEmptyString(), FieldType.of(FieldType.Kind.BOOLEAN));
    return filter.string();
  }
}
