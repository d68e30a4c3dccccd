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
 * silent zero. Decimal arithmetic uses 76 significant digits (+ - * of decimal(38) values are
 * exact), and numbers with a point are decimals, so floating point never touches a decimal.
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
              // 76 digits: + - * of two decimal(38) values are exact (DECIMAL128's 34 rounded a
              // 36-digit value); a derived decimal is then rounded half-even to its declared scale.
              .arithmetic(new CodePointArithmetic(true, new MathContext(2 * dev.beametl.spec.FieldType.MAX_PRECISION,
                  java.math.RoundingMode.HALF_EVEN), Integer.MIN_VALUE))
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
    return get().createScript(FEATURES, null, exactLiterals(expression));
  }

  /**
   * {@code expression} with each number written with a point or an exponent marked as a decimal
   * ({@code 0.1} becomes JEXL's {@code 0.1B}): JEXL reads it as a double, so {@code amt * (0.1 * 3)}
   * gave 0.030000000000000004 and a literal of 18 digits lost its last ones. Text in quotes and
   * numbers with a suffix of their own ({@code 1.5d}) are left as written, but for leading zeros,
   * which are dropped: {@code 010} is ten, as in SQL, not JEXL's octal eight.
   */
  static String exactLiterals(String expression) {
    StringBuilder out = new StringBuilder(expression.length() + 8);
    int i = 0;
    int n = expression.length();
    while (i < n) {
      char c = expression.charAt(i);
      boolean regex = c == '~' && i + 1 < n && expression.charAt(i + 1) == '/';
      if (c == '\'' || c == '"' || c == '`' || regex) { // a string, template or regex literal, escapes and all
        char close = regex ? '/' : c;
        int end = regex ? i + 2 : i + 1;
        while (end < n && expression.charAt(end) != close) {
          end += expression.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end + 1, n);
        out.append(expression, i, end);
        i = end;
        continue;
      }
      boolean startsNumber = Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expression.charAt(i + 1)));
      char before = i == 0 ? ' ' : expression.charAt(i - 1);
      if (!startsNumber || Character.isLetterOrDigit(before) || before == '_' || before == '.') {
        out.append(c);
        i++;
        continue;
      }
      int end = i;
      boolean real = false;
      while (end < n && Character.isDigit(expression.charAt(end))) {
        end++;
      }
      int lead = i; // 010 is ten, as in SQL: JEXL read a leading zero as octal (8), and 08 as an error
      while (lead < end - 1 && expression.charAt(lead) == '0') {
        lead++;
      }
      if (end < n && expression.charAt(end) == '.' && end + 1 < n && Character.isDigit(expression.charAt(end + 1))) {
        real = true;
        end++;
        while (end < n && Character.isDigit(expression.charAt(end))) {
          end++;
        }
      }
      if (end < n && (expression.charAt(end) == 'e' || expression.charAt(end) == 'E')) {
        int exp = end + 1;
        if (exp < n && (expression.charAt(exp) == '+' || expression.charAt(exp) == '-')) {
          exp++;
        }
        if (exp < n && Character.isDigit(expression.charAt(exp))) {
          real = true;
          end = exp;
          while (end < n && Character.isDigit(expression.charAt(end))) {
            end++;
          }
        }
      }
      boolean suffixed = end < n && (Character.isLetterOrDigit(expression.charAt(end)) || expression.charAt(end) == '_');
      if (real && !suffixed) { // in parentheses: JEXL makes a negated decimal literal (-0.1B) a double
        out.append('(').append(expression, lead, end).append("B)");
      } else {
        out.append(expression, lead, end);
      }
      i = end;
    }
    return out.toString();
  }

  /** Operands of kinds an operator does not take together: the expression's error, refused before the run. */
  static final class UnlikeValues extends ArithmeticException {
    UnlikeValues(String message) {
      super(message);
    }
  }

  /**
   * JEXL's arithmetic, but strings compare by code point (as min/max, DuckDB and Parquet order them),
   * not by UTF-16 unit: '\uFFFD' < '\uD83D\uDE00' (U+1F600) in a filter, too. And a date or timestamp
   * meets only its own kind: JEXL compared {@code ts < '2024-01-15 12:00:00'} as text (so
   * 10:00:00.500Z sorted before 10:00:00Z) and made {@code day + 1} the text "2024-01-151". These
   * throw, so the type check refuses such expressions before the run, naming the fix.
   */
  static final class CodePointArithmetic extends JexlArithmetic {
    CodePointArithmetic(boolean strict, MathContext context, int scale) {
      super(strict, context, scale);
    }

    @Override
    protected int compare(Object left, Object right, org.apache.commons.jexl3.JexlOperator operator) {
      sameTemporalKind(left, right, operator.getOperatorSymbol());
      textAndNumber(left, right, operator.getOperatorSymbol());
      return left instanceof String && right instanceof String
          ? ReduceFn.compareCodePoints((String) left, (String) right)
          : super.compare(unsignedZero(doubleIfOther(left, right)), unsignedZero(doubleIfOther(right, left)), operator);
    }

    /**
     * -0.0 as 0.0: JEXL compares doubles with Double.compare, which orders -0.0 below 0.0, so a trial's
     * {@code d == 0} was false and {@code d >= 0} too for a cell "-0.0"; IEEE, SQL and DuckDB hold
     * them equal.
     */
    private static Object unsignedZero(Object v) {
      return (v instanceof Double || v instanceof Float) && ((Number) v).doubleValue() == 0.0 ? (Object) 0.0d : v;
    }

    /**
     * {@code =~ !~} strict as {@code =^ =$} and the rest are: JEXL spares them, so a null text did
     * not match, and {@code s !~ 'test.*'} kept the rows whose s is null, where SQL drops them. A null
     * operand is an error (the row's dead letter says so); test for it: {@code s != null && s !~ ...}.
     */
    @Override
    public boolean isStrict(org.apache.commons.jexl3.JexlOperator operator) {
      return operator == org.apache.commons.jexl3.JexlOperator.CONTAINS ? isStrict() : super.isStrict(operator);
    }

    @Override
    public boolean equals(Object left, Object right) {
      sameTemporalKind(left, right, "==");
      textAndNumber(left, right, "==");
      if (left != null && right != null && (left instanceof Boolean || right instanceof Boolean)) {
        return left instanceof Boolean ? booleanEquals((Boolean) left, right) : booleanEquals((Boolean) right, left);
      }
      return super.equals(unsignedZero(doubleIfOther(left, right)), unsignedZero(doubleIfOther(right, left)));
    }

    /**
     * A boolean meets a number as 1 or 0 and a string as 'true' or 'false', as in SQL (DuckDB): JEXL
     * made the other side a boolean, so {@code n == true} held for n = 2 and {@code s == true} for
     * 'abc' (a hostile trial). A string that is no boolean is an error, so a field's is refused
     * before the run.
     */
    private static boolean booleanEquals(Boolean b, Object other) {
      if (other instanceof Boolean) {
        return b.equals(other);
      }
      if (other instanceof String) {
        String s = (String) other;
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("a boolean equals text only as 'true' or 'false', which is no "
              + "boolean: compare it with true or false, or compare the text itself (s == 'yes')");
        }
        return b == s.equalsIgnoreCase("true");
      }
      if (other instanceof Double || other instanceof Float) { // NaN and infinities equal neither
        return ((Number) other).doubleValue() == (b ? 1 : 0);
      }
      if (other instanceof Number) {
        java.math.BigDecimal n = other instanceof java.math.BigDecimal ? (java.math.BigDecimal) other
            : new java.math.BigDecimal(other.toString());
        return n.compareTo(b ? java.math.BigDecimal.ONE : java.math.BigDecimal.ZERO) == 0;
      }
      throw new IllegalArgumentException("a boolean compared with " + TypeCoercion.describe(other));
    }

    /**
     * A condition ({@code && || ! ?:}; JEXL's {@code !} comes here too) is a boolean, compiled or
     * interpreted alike: JEXL took 0, "" and "false" for false, so {@code disc ?: 0.05} made a real
     * discount of 0.00 into 0.05. The type check meets the error on its samples, before the run.
     */
    @Override
    public boolean toBoolean(Object value) {
      if (value != null && !(value instanceof Boolean)) {
        throw new IllegalArgumentException("a condition takes a boolean, not " + TypeCoercion.describe(value)
            + ": compare the value (x != 0, s != '', x != null)");
      }
      return super.toBoolean(value);
    }

    /**
     * {@code -x} without wrapping: JEXL negated the smallest int and long to themselves (a hostile
     * trial: {@code -i > 0} was false for i = -2147483648, and the row silently filtered). As its
     * {@code + - *} do past a type's range, the result widens: to a long, and past a long to a
     * BigInteger, which a long column then refuses as a bad record.
     */
    @Override
    public Object negate(Object value) {
      if (value instanceof Integer && (Integer) value == Integer.MIN_VALUE) {
        return -(long) Integer.MIN_VALUE;
      }
      if (value instanceof Long && (Long) value == Long.MIN_VALUE) {
        return java.math.BigInteger.valueOf(Long.MIN_VALUE).negate();
      }
      return super.negate(value);
    }

    /**
     * Text meets a number only as {@code <} does, not at all: JEXL parsed the text by the number's
     * class, so for s = ' 3' {@code s == 3} held and {@code s == 3.0} did not (a trial).
     */
    private static void textAndNumber(Object left, Object right, String operator) {
      if ((left instanceof CharSequence && right instanceof Number) || (left instanceof Number && right instanceof CharSequence)) {
        throw new UnlikeValues("a " + kind(left) + " " + operator + " a " + kind(right)
            + " compares unlike values; compare text with text (s == '3') and numbers with numbers");
      }
    }

    /**
     * The string matches {@code =~ =^ =$} read a number as {@code +} joins it, a decimal as its plain digits
     * (a trial: {@code d =~ '0\\.0.*'} was false for 0.00000010, which JEXL read as 1.0E-7), and take no
     * date or timestamp, which meets only its own kind.
     */
    @Override
    public Boolean contains(Object container, Object value) {
      noTemporalText(value, container, "=~"); // JEXL passes a =~ b as (b, a)
      return super.contains(matchText(container), matchText(value));
    }

    @Override
    public Boolean startsWith(Object left, Object right) {
      noTemporalText(left, right, "=^");
      return super.startsWith(matchText(left), matchText(right));
    }

    @Override
    public Boolean endsWith(Object left, Object right) {
      noTemporalText(left, right, "=$");
      return super.endsWith(matchText(left), matchText(right));
    }

    /** A decimal joined to text is its plain digits, as the job writes it: 0.0000001000, not 1.000E-7. */
    @Override
    public Object add(Object left, Object right) {
      noTemporal(left, right, "+");
      return left instanceof String || right instanceof String ? super.add(plain(left), plain(right))
          : super.add(doubleIfOther(left, right), doubleIfOther(right, left));
    }

    /** A number as the text {@code +} joins it (JEXL's =^ of a number fell back to ==, and was refused as such). */
    private static Object matchText(Object v) {
      return v instanceof Number ? plain(v).toString() : v;
    }

    private static Object plain(Object v) {
      return v instanceof java.math.BigDecimal ? ((java.math.BigDecimal) v).toPlainString() : v;
    }

    @Override
    public Object subtract(Object left, Object right) {
      noTemporal(left, right, "-");
      return super.subtract(doubleIfOther(left, right), doubleIfOther(right, left));
    }

    @Override
    public Object multiply(Object left, Object right) {
      return super.multiply(doubleIfOther(left, right), doubleIfOther(right, left));
    }

    /**
     * As {@link #negate}: the smallest long divided by -1 widens to a BigInteger, which a long
     * column refuses as a bad record, where JEXL's long division wrapped to the smallest long.
     */
    @Override
    public Object divide(Object left, Object right) {
      if (left instanceof Long && (Long) left == Long.MIN_VALUE && isMinusOne(right)) {
        return java.math.BigInteger.valueOf(Long.MIN_VALUE).negate();
      }
      return super.divide(doubleIfOther(left, right), doubleIfOther(right, left));
    }

    private static boolean isMinusOne(Object v) {
      return (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte)
          && ((Number) v).longValue() == -1;
    }

    @Override
    public Object mod(Object left, Object right) {
      return super.mod(doubleIfOther(left, right), doubleIfOther(right, left));
    }

    /**
     * A decimal meeting a double is a double, as in SQL (DuckDB's DECIMAL * DOUBLE is a DOUBLE): JEXL
     * would make the double a decimal, and a double field times a literal 0.5 a decimal value. In
     * comparisons too: a decimal(38,18) and the same amount as a double compared unequal.
     */
    private static Object doubleIfOther(Object v, Object other) {
      return v instanceof java.math.BigDecimal && (other instanceof Double || other instanceof Float)
          ? ((java.math.BigDecimal) v).doubleValue() : v;
    }

    private static boolean temporal(Object v) {
      return v instanceof java.time.temporal.Temporal;
    }

    private static void sameTemporalKind(Object left, Object right, String operator) {
      if (left != null && right != null && (temporal(left) || temporal(right)) && left.getClass() != right.getClass()) {
        throw new UnlikeValues("a " + kind(left) + " " + operator + " a " + kind(right)
            + " compares unlike values; compare a date with date('2024-01-31'), a timestamp with "
            + "timestamp('2024-01-31T10:00:00Z'), or date(ts) with a date");
      }
    }

    private static void noTemporal(Object left, Object right, String operator) {
      if (temporal(left) || temporal(right)) {
        throw new UnlikeValues("a " + kind(left) + " " + operator + " a " + kind(right)
            + ": dates and timestamps have no arithmetic here; compare them, or take their parts (year, month, day)");
      }
    }

    /** A string match of a date or timestamp, which is no text here. */
    private static void noTemporalText(Object left, Object right, String operator) {
      if (temporal(left) || temporal(right)) {
        throw new UnlikeValues("a " + kind(left) + " " + operator + " a " + kind(right)
            + ": a date or timestamp is no text here; compare it with date('2024-01-31') or take its parts (year, month, day)");
      }
    }

    private static String kind(Object v) {
      return v instanceof java.time.LocalDate ? "date" : temporal(v) ? "timestamp"
          : v instanceof String ? "string" : v == null ? "null" : v instanceof Boolean ? "boolean"
          : v instanceof java.util.regex.Pattern ? "pattern" : "number";
    }

    @Override
    protected JexlArithmetic createWithOptions(boolean strict, MathContext context, int scale) {
      return new CodePointArithmetic(strict, context, scale);
    }
  }
}
