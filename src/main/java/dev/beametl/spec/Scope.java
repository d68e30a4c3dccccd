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
  AggregationSpec aggregation;

  Scope(SpecChecks checks) {
    this.checks = checks;
  }

  void declare(SpecNode node, String name, FieldType type) {
    if (name.equals(ORIGIN)) {
      throw node.error("\"" + ORIGIN + "\" is reserved: rows carry their origin under that name; rename the field");
    }
    for (String declared : fields.keySet()) {
      if (declared.equals(name)) {
        throw node.error("field \"" + name + "\" is declared twice");
      }
      if (declared.equalsIgnoreCase(name)) {
        // Header columns, JSON keys, Parquet and database columns are matched to fields exactly, else
        // ignoring case: a file's "Id" fed both "id" and "ID", one value read twice without a word.
        throw node.error("field \"" + name + "\" differs from \"" + declared + "\" only in case, and columns are "
            + "matched ignoring case: rename it, and give it its column with column: \"" + name + "\"");
      }
    }
    fields.put(name, type);
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
