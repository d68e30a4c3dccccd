package dev.beametl.spec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one read of a spec knows so far: the fields declared (schema, then derived fields, in order),
 * the aggregation once read, and the checks that need the stages. Later sections are checked
 * against it.
 */
final class Scope {
  /** The field rows carry their origin in (dev.beametl.record.Origins.FIELD). */
  static final String ORIGIN = "__origin";
  final SpecChecks checks;
  final Map<String, FieldType> fields = new LinkedHashMap<>();
  /** The schema's fields declared nullable. */
  final java.util.Set<String> nullable = new java.util.HashSet<>();
  AggregationSpec aggregation;

  Scope(SpecChecks checks) {
    this.checks = checks;
  }

  /** How a field so named can be renamed: a schema field keeps its column with column:, a lookup's field takes as:. */
  enum Rename {
    SCHEMA(" (with column: \"%s\" it keeps its column)"), DERIVED(""), LOOKUP(" (with as:)");

    private final String how;

    Rename(String how) {
      this.how = how;
    }
  }

  void declare(SpecNode node, String name, FieldType type) {
    declare(node, name, type, Rename.DERIVED);
  }

  void declare(SpecNode node, String name, FieldType type, Rename rename) {
    if (name.equals(ORIGIN)) {
      throw node.error("\"" + ORIGIN + "\" is reserved: rows carry their origin under that name; rename the field");
    }
    if (fields.containsKey(name)) {
      throw node.error("field \"" + name + "\" is declared twice");
    }
    String declared = sameIgnoringCase(fields.keySet(), name);
    if (declared != null) {
      throw node.error("field \"" + name + "\" differs from \"" + declared + "\" only in case, and columns are "
          + "matched ignoring case: rename it" + String.format(rename.how, name));
    }
    fields.put(name, type);
  }

  /**
   * The one of {@code names} that differs from {@code name} only in case, or null. Columns, JSON keys
   * and database tables match names ignoring case, as SQL does: a file's "Id" fed both "id" and "ID"
   * once, a sink's columns so named collide (an H2 table refused the second, DuckDB renamed it X_1).
   */
  static String sameIgnoringCase(Iterable<String> names, String name) {
    for (String other : names) {
      if (!other.equals(name) && other.equalsIgnoreCase(name)) {
        return other;
      }
    }
    return null;
  }

  FieldType known(SpecNode node, String name) {
    FieldType t = fields.get(name);
    if (t == null) {
      throw node.error("unknown field \"" + name + "\"; declared: " + String.join(", ", fields.keySet()));
    }
    return t;
  }

  void checkExpression(SpecNode node, String expression, FieldType expected) {
    String problem = checks.expressionProblem(expression, fields, expected);
    if (problem != null) {
      throw node.error(problem);
    }
  }
}
