package dev.beametl.transform;

import java.math.MathContext;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * The one JEXL configuration every expression uses. Expressions are single expressions (no loops,
 * no assignments, no lambdas, no {@code new}), the permissions are JEXL's RESTRICTED set plus our
 * function class, and arithmetic is strict: a null operand or an unknown name is an error, never a
 * silent zero. Decimal arithmetic uses 34 significant digits (DECIMAL128), so floating point never
 * touches a decimal.
 */
final class ExpressionEngine {
  private static final JexlFeatures FEATURES =
      JexlFeatures.createDefault()
          .script(false)
          .loops(false)
          .sideEffect(false)
          .sideEffectGlobal(false)
          .newInstance(false)
          .lambda(false)
          .methodCall(false)
          .structuredLiteral(false)
          .pragma(false)
          .annotation(false)
          .importPragma(false);

  private static volatile JexlEngine engine;

  private ExpressionEngine() {}

  static JexlEngine get() {
    if (engine == null) {
      synchronized (ExpressionEngine.class) {
        if (engine == null) {
          Map<String, Object> functions = new HashMap<>();
          functions.put(null, new ExpressionFunctions());
          engine = new JexlBuilder()
              .features(FEATURES)
              .permissions(new JexlPermissions.ClassPermissions(ExpressionFunctions.class))
              .namespaces(functions)
              .strict(true)
              .safe(false)
              .silent(false)
              .arithmetic(new CodePointArithmetic(true, MathContext.DECIMAL128, Integer.MIN_VALUE))
              // With a cache JEXL also keeps each call's resolved method in the syntax tree; without
              // one it looked every function up again on every row (about 5% of a run's time).
              .cache(64)
              .create();
        }
      }
    }
    return engine;
  }

  static JexlScript compile(String expression) {
    return get().createScript(FEATURES, null, expression);
  }

  /**
   * JEXL's arithmetic, but strings compare by code point (as min/max, DuckDB and Parquet order them),
   * not by UTF-16 unit: '\uFFFD' < '\uD83D\uDE00' (U+1F600) in a filter, too.
   */
  static final class CodePointArithmetic extends JexlArithmetic {
    CodePointArithmetic(boolean strict, MathContext context, int scale) {
      super(strict, context, scale);
    }

    @Override
    protected int compare(Object left, Object right, org.apache.commons.jexl3.JexlOperator operator) {
      return left instanceof String && right instanceof String
          ? ReduceFn.compareCodePoints((String) left, (String) right) : super.compare(left, right, operator);
    }

    @Override
    protected JexlArithmetic createWithOptions(boolean strict, MathContext context, int scale) {
      return new CodePointArithmetic(strict, context, scale);
    }
  }
}
