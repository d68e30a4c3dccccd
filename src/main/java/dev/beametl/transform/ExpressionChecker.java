package dev.beametl.transform;

import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.MapContext;

/**
 * Checks an expression before the pipeline is built: it must parse, name only declared fields and
 * known functions, and give a value of the declared type. The type check evaluates the expression on
 * a sample value of each field's type, so a mistake such as {@code region * 2} or a string where a
 * decimal is declared is caught before any data is read.
 */
public final class ExpressionChecker {
  private ExpressionChecker() {}

  /** Null when the expression is fine, else what is wrong with it. */
  public static String check(String expression, Map<String, FieldType> scope, FieldType expected) {
    JexlScript script;
    try {
      script = ExpressionEngine.compile(expression);
    } catch (JexlException e) {
      return "expression \"" + expression + "\" does not parse: " + clean(e)
          + " (allowed: fields, literals, + - * / %, comparisons, && || !, ?:, and functions "
          + ExpressionFunctions.NAMES + ")";
    }
    for (List<String> variable : script.getVariables()) {
      String name = variable.get(0);
      if (!scope.containsKey(name)) {
        return "expression \"" + expression + "\" names unknown field \"" + name + "\"; known: "
            + String.join(", ", scope.keySet());
      }
    }
    JexlContext sample = new MapContext();
    scope.forEach((name, type) -> sample.set(name, sampleValue(type)));
    Object result;
    try {
      result = script.execute(sample);
    } catch (JexlException e) {
      return "expression \"" + expression + "\" does not type-check: " + clean(e);
    }
    if (result == null) {
      return "expression \"" + expression + "\" gives null for non-null inputs";
    }
    try {
      TypeCoercion.to(expected, result);
    } catch (IllegalArgumentException | ArithmeticException e) {
      return "expression \"" + expression + "\" " + e.getMessage();
    }
    return null;
  }

  private static Object sampleValue(FieldType type) {
    switch (type.kind()) {
      case INT:
        return 7;
      case LONG:
        return 11L;
      case DOUBLE:
        return 1.25;
      case DECIMAL:
        return BigDecimal.valueOf(250, Math.min(type.scale(), 2)).setScale(type.scale());
      case BOOLEAN:
        return Boolean.TRUE;
      case DATE:
        return LocalDate.of(2024, 1, 31);
      case TIMESTAMP:
        return Instant.parse("2024-01-31T10:15:30Z");
      default:
        return "text";
    }
  }

  static String clean(JexlException e) {
    String m = e.getMessage();
    // JEXL prefixes messages with its own source position ("...@1:5 "); keep the part a user needs.
    int at = m.indexOf(' ', m.indexOf('@') + 1);
    return at > 0 && m.indexOf('@') >= 0 ? m.substring(at + 1).trim() : m;
  }
}
