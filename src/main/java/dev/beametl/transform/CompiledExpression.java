package dev.beametl.transform;

import dev.beametl.spec.BeamTypes;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlOperator;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.parser.ASTAndNode;
import org.apache.commons.jexl3.parser.ASTArguments;
import org.apache.commons.jexl3.parser.ASTFalseNode;
import org.apache.commons.jexl3.parser.ASTFunctionNode;
import org.apache.commons.jexl3.parser.ASTIdentifier;
import org.apache.commons.jexl3.parser.ASTJexlScript;
import org.apache.commons.jexl3.parser.ASTNotNode;
import org.apache.commons.jexl3.parser.ASTNullLiteral;
import org.apache.commons.jexl3.parser.ASTNullpNode;
import org.apache.commons.jexl3.parser.ASTNumberLiteral;
import org.apache.commons.jexl3.parser.ASTOrNode;
import org.apache.commons.jexl3.parser.ASTReferenceExpression;
import org.apache.commons.jexl3.parser.ASTStringLiteral;
import org.apache.commons.jexl3.parser.ASTTernaryNode;
import org.apache.commons.jexl3.parser.ASTTrueNode;
import org.apache.commons.jexl3.parser.ASTUnaryMinusNode;
import org.apache.commons.jexl3.parser.JexlNode;

/**
 * A spec expression turned once into a tree of small Java objects that reads the row's values by
 * position. JEXL's interpreter, per row and per operator, allocated an interpreter, asked whether
 * the arithmetic overloads the operator, looked each name up in a map and found each function by
 * reflection: about 14% of a 1M-row run. Here each of those is settled at compile time.
 *
 * <p>The results are JEXL's: every operator calls the same {@link JexlArithmetic} JEXL uses (strict,
 * 76 digits), and nulls follow JEXL's strict interpreter: a field that is null where a strict
 * operator (arithmetic, ordering, {@code !}) reads it is an error no ternary catches; any other null
 * operand of such an operator is a "null operand" error, which the condition of a ternary and the
 * left side of {@code ??} read as null. The one shortcut: an integer meeting a decimal is made a decimal with
 * {@link BigDecimal#valueOf(long)} before the call, which is the value JEXL would make of it by
 * parsing its text. The parse tree is JEXL's own; an expression using anything not covered here
 * (a namespace, a property, a coalesce of one argument, ...) returns null from {@link #compile} and stays with
 * JEXL. {@code CompiledExpressionTest} compares both on many expressions and rows.
 *
 * <p>The same walk gives the types the result may have ({@link #typeCheck}): each operation is run
 * once on a sample value of each of its operands' types ({@link TypeSamples}), with the very code
 * that runs it on data. An operation that fails there for its operands' types is a type error, found
 * before the run; one that fails only for some values (a null operand, a division by zero) is not.
 */
final class CompiledExpression {
  /** Evaluates against a row's values, positions as in the schema given to {@link #compile}. */
  interface Eval {
    Object eval(Object[] values);
  }

  /** A failed evaluation: a null operand, a division by zero, a function given the wrong type. */
  static final class EvaluationException extends IllegalArgumentException {
    private final boolean dataError;

    EvaluationException(String message, Throwable cause) {
      this(message, cause, cause instanceof JexlArithmetic.NullOperand);
    }

    EvaluationException(String message, Throwable cause, boolean dataError) {
      super(message, cause);
      this.dataError = dataError;
    }

    boolean nullOperand() {
      return getCause() instanceof JexlArithmetic.NullOperand;
    }

    /**
     * Whether the values, not their types, made it fail: a null operand or field, a division by
     * zero, a text that is no date. Such errors are the data's, and the type check does not refuse them.
     */
    boolean dataError() {
      return dataError;
    }
  }

  /** What the type check found: the sample of each type the result may have, or the first type error. */
  static final class Types {
    /** One sample per type of result; a null sample: the result may be only null. */
    final List<Object> samples;
    final @Nullable String problem;
    /** The result, when it is the same for every row (literals only); else null. */
    final @Nullable Object constant;

    Types(List<Object> samples, @Nullable String problem, @Nullable Object constant) {
      this.samples = samples;
      this.problem = problem;
      this.constant = constant;
    }
  }

  private static final Method GET_TREE = treeAccessor();
  private static final int MAX_COMBINATIONS = 64;

  private final Schema schema;
  private final JexlArithmetic arithmetic;
  /** The digits JEXL's decimal arithmetic keeps. */
  private final int precision;
  /** The first type error the walk met, for the checker; the compiled form is built anyway. */
  private String problem;

  private CompiledExpression(Schema schema, JexlArithmetic arithmetic) {
    this.schema = schema;
    this.arithmetic = arithmetic;
    this.precision = arithmetic.getMathContext().getPrecision();
  }

  /**
   * A compiled node: how to evaluate it, a sample of each type its value may have, and whether it may
   * be null (a field, a function of one; never a literal or an operation, which fails on a null).
   */
  private static final class Node {
    final Eval eval;
    final List<Object> samples;
    final boolean mayBeNull;
    /** A literal, or an operation on literals only: its value is the same for every row. */
    final boolean constant;

    Node(Eval eval, List<Object> samples, boolean mayBeNull) {
      this(eval, samples, mayBeNull, false);
    }

    Node(Eval eval, List<Object> samples, boolean mayBeNull, boolean constant) {
      this.eval = eval;
      this.samples = samples;
      this.mayBeNull = mayBeNull;
      this.constant = constant;
    }

    Node(Eval eval, List<Object> samples) {
      this(eval, samples, false);
    }
  }

  /** The compiled form of {@code script} over rows of {@code schema}, or null to stay with JEXL. */
  static @Nullable Eval compile(JexlScript script, Schema schema) {
    CompiledExpression c = new CompiledExpression(schema, ExpressionEngine.get().getArithmetic());
    Node root = c.root(script);
    return root == null ? null : root.eval;
  }

  /**
   * The types {@code script}'s result may have over rows of {@code schema}, found on the walk that
   * compiles it; null when the compiler does not cover the expression (it then stays with JEXL).
   */
  static @Nullable Types typeCheck(JexlScript script, Schema schema) {
    CompiledExpression c = new CompiledExpression(schema, ExpressionEngine.get().getArithmetic());
    Node root = c.root(script);
    if (root == null) {
      return null;
    }
    // A constant node is a literal or a folded value (one that failed to fold is no constant): it cannot throw.
    return new Types(root.samples, c.problem, root.constant ? root.eval.eval(new Object[0]) : null);
  }

  private @Nullable Node root(JexlScript script) {
    ASTJexlScript tree = tree(script);
    if (tree == null || tree.jjtGetNumChildren() != 1) {
      return null;
    }
    try {
      return node(tree.jjtGetChild(0));
    } catch (Unsupported e) {
      return null;
    }
  }

  /** JEXL's parse tree of {@code script}, or null where this JEXL version hides it. */
  static @Nullable ASTJexlScript tree(JexlScript script) {
    if (GET_TREE == null) {
      return null;
    }
    try {
      return (ASTJexlScript) GET_TREE.invoke(script);
    } catch (ReflectiveOperationException | ClassCastException e) {
      return null;
    }
  }

  private static Method treeAccessor() {
    try {
      Method m = Class.forName("org.apache.commons.jexl3.internal.Script").getDeclaredMethod("getScript");
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null; // another JEXL version: every expression stays with JEXL
    }
  }

  /** Thrown while compiling when a node is not covered; the expression stays with JEXL. */
  private static final class Unsupported extends Exception {
    Unsupported() {
      super(null, null, false, false);
    }
  }

  private Node constant(Object v) {
    return new Node(values -> v, samples(v), v == null, true);
  }

  /**
   * {@code node} evaluated once here when all its operands are constants ({@code date('2024-01-01')}
   * parsed its text on every row: 6% of a run). The functions and operators are pure, so one that
   * fails on its constants fails on every row: that is the spec's error, refused before the run
   * ({@code date('2024-02-30')} sent every row to the dead letters, a hostile trial).
   */
  private Node folded(Node node, Node... operands) {
    for (Node operand : operands) {
      if (!operand.constant) {
        return node;
      }
    }
    try {
      Object v = node.eval.eval(new Object[0]);
      return new Node(values -> v, node.samples, node.mayBeNull, true);
    } catch (RuntimeException e) {
      // A null operand is not a failure where ?? or ?: take it as null: (null + 1) ?? 0 is 0.
      boolean nullOperand = e instanceof EvaluationException && ((EvaluationException) e).nullOperand();
      if (problem == null && !nullOperand) {
        problem = "a part of it fails whatever the row: " + e.getMessage();
      }
      return node;
    }
  }

  private Node node(JexlNode n) throws Unsupported {
    if (n instanceof ASTReferenceExpression && n.jjtGetNumChildren() == 1) {
      return node(n.jjtGetChild(0)); // parentheses
    }
    if (n instanceof ASTIdentifier) {
      return field((ASTIdentifier) n);
    }
    if (n instanceof ASTNumberLiteral) {
      return constant(((ASTNumberLiteral) n).getLiteral());
    }
    if (n instanceof org.apache.commons.jexl3.parser.ASTRegexLiteral) { // ~/.../: compiled too, so checked too
      return constant(((org.apache.commons.jexl3.parser.ASTRegexLiteral) n).getLiteral());
    }
    if (n instanceof ASTStringLiteral) {
      return constant(((ASTStringLiteral) n).getLiteral());
    }
    if (n instanceof ASTNullLiteral) {
      return constant(null);
    }
    if (n instanceof ASTTrueNode) {
      return constant(Boolean.TRUE);
    }
    if (n instanceof ASTFalseNode) {
      return constant(Boolean.FALSE);
    }
    if (n instanceof ASTFunctionNode) {
      return function(n);
    }
    if (n instanceof ASTUnaryMinusNode && n.jjtGetNumChildren() == 1) {
      return negate(n.jjtGetChild(0));
    }
    if (n instanceof ASTNotNode && n.jjtGetNumChildren() == 1) {
      return unary(node(n.jjtGetChild(0)), JexlOperator.NOT, "!", arithmetic::not);
    }
    if (n instanceof ASTAndNode || n instanceof ASTOrNode) {
      return logical(n, n instanceof ASTAndNode);
    }
    if (n instanceof ASTTernaryNode) {
      return ternary(n);
    }
    if (n instanceof ASTNullpNode && n.jjtGetNumChildren() == 2) {
      Node left = node(n.jjtGetChild(0));
      Node right = node(n.jjtGetChild(1));
      return new Node(values -> {
        Object l = nullOnNullOperand(left.eval, values);
        return l != null ? l : right.eval.eval(values);
      }, either(withoutNull(left.samples), right.samples), right.mayBeNull);
    }
    BinaryOperator op = BinaryOperator.of(n);
    if (op != null && n.jjtGetNumChildren() == 2) {
      return binary(n, op);
    }
    throw new Unsupported();
  }

  /** A field's value; categories read as their strings, as in {@link RowContext}. */
  private Node field(ASTIdentifier id) throws Unsupported {
    if (id.getSymbol() >= 0 || !schema.hasField(id.getName())) {
      throw new Unsupported(); // a local variable, or a name JEXL would report as unknown
    }
    int i = schema.indexOf(id.getName());
    EnumerationType categories = BeamTypes.categories(schema.getField(i).getType());
    List<Object> sample = samples(TypeSamples.of(schema.getField(i).getType()));
    Eval read = values -> values[i];
    if (categories != null) {
      read = values -> {
        Object v = values[i];
        return v instanceof EnumerationType.Value ? categories.toString((EnumerationType.Value) v) : v;
      };
    }
    // JEXL's own test of the parent node. (JEXL spares a ternary's condition, but a field whose
    // parent is a strict operator is never that condition itself.)
    if (!id.jjtGetParent().isStrictOperator(arithmetic)) {
      return new Node(read, sample, schema.getField(i).getType().getNullable());
    }
    Eval value = read;
    String error = "variable '" + id.getName() + "' is null";
    return new Node(values -> {
      Object v = value.eval(values);
      if (v == null) {
        throw new EvaluationException(error, null, true);
      }
      return v;
    }, sample);
  }

  private Node negate(JexlNode operand) throws Unsupported {
    if (operand instanceof ASTNumberLiteral) { // as JEXL: the negated literal keeps its class
      ASTNumberLiteral literal = (ASTNumberLiteral) operand;
      return constant(arithmetic.narrowNumber((Number) arithmetic.negate(literal.getLiteral()),
          literal.getLiteralClass()));
    }
    return unary(node(operand), JexlOperator.NEGATE, "-", arithmetic::negate);
  }

  /** {@code !} and {@code -} on a computed value: JEXL's null-operand rule, then its arithmetic. */
  private Node unary(Node operand, JexlOperator operator, String symbol, UnaryOperator<Object> op) {
    boolean strict = arithmetic.isStrict(operator);
    Function<Object[], Object> apply = x -> {
      if (x[0] == null && strict) {
        throw nullOperand(symbol);
      }
      try {
        return op.apply(x[0]);
      } catch (RuntimeException e) {
        throw failed(symbol, e);
      }
    };
    return new Node(values -> apply.apply(new Object[] {operand.eval.eval(values)}),
        typeOf(symbol, apply, operand.samples));
  }

  private Node logical(JexlNode n, boolean and) throws Unsupported {
    if (n.jjtGetNumChildren() != 2) {
      throw new Unsupported();
    }
    Node left = node(n.jjtGetChild(0));
    Node right = node(n.jjtGetChild(1));
    String symbol = and ? "&&" : "||";
    typeOf(symbol, x -> truth(x[0]), left.samples);
    typeOf(symbol, x -> truth(x[0]), right.samples);
    return new Node(values -> {
      if (truth(left.eval.eval(values)) != and) {
        return !and;
      }
      return truth(right.eval.eval(values));
    }, List.of(Boolean.TRUE));
  }

  /** A condition's value ({@code && || ?:}): a boolean; null is JEXL's null operand, anything else an error. */
  private boolean truth(Object v) {
    try {
      return arithmetic.toBoolean(v); // a boolean, or the error (ExpressionEngine.CodePointArithmetic)
    } catch (RuntimeException e) {
      throw failed("boolean coercion", e);
    }
  }

  private Node ternary(JexlNode n) throws Unsupported {
    Node condition = node(n.jjtGetChild(0));
    if (n.jjtGetNumChildren() == 2 && problem == null
        && condition.samples.stream().anyMatch(v -> v != null && !(v instanceof Boolean))) {
      // JEXL's elvis: b where a is null or false, not only null (it took 0 and "" for false).
      problem = "a ?: b gives b where a is null or false; for a value in place of null write coalesce(a, b)";
    }
    typeOf("?:", x -> x[0] == null || truth(x[0]), condition.samples);
    if (n.jjtGetNumChildren() == 3) {
      Node then = node(n.jjtGetChild(1));
      Node otherwise = node(n.jjtGetChild(2));
      return new Node(values -> {
        Object c = nullOnNullOperand(condition.eval, values);
        return c != null && truth(c) ? then.eval.eval(values) : otherwise.eval.eval(values);
      }, either(then.samples, otherwise.samples), then.mayBeNull || otherwise.mayBeNull);
    }
    if (n.jjtGetNumChildren() != 2) {
      throw new Unsupported();
    }
    Node otherwise = node(n.jjtGetChild(1));
    return new Node(values -> { // a ?: b
      Object c = nullOnNullOperand(condition.eval, values);
      return c != null && truth(c) ? c : otherwise.eval.eval(values);
    }, either(withoutNull(condition.samples), otherwise.samples), otherwise.mayBeNull);
  }

  /** As JEXL's ternary and {@code ??}: an operation on a null operand counts as a null value. */
  private static Object nullOnNullOperand(Eval e, Object[] values) {
    try {
      return e.eval(values);
    } catch (EvaluationException x) {
      if (!x.nullOperand()) {
        throw x;
      }
      return null;
    }
  }

  private Node function(JexlNode n) throws Unsupported {
    if (n.jjtGetNumChildren() != 2 || !(n.jjtGetChild(0) instanceof ASTIdentifier)
        || !(n.jjtGetChild(1) instanceof ASTArguments)) {
      throw new Unsupported(); // e.g. a namespace
    }
    String name = ((ASTIdentifier) n.jjtGetChild(0)).getName();
    if (schema.hasField(name)) {
      throw new Unsupported(); // JEXL would try to call the field
    }
    JexlNode arguments = n.jjtGetChild(1);
    List<Node> args = new ArrayList<>();
    boolean reached = true; // coalesce never evaluates the arguments after one that is never null
    for (int i = 0; i < arguments.jjtGetNumChildren(); i++) {
      String before = problem;
      Node arg = node(arguments.jjtGetChild(i));
      if (!reached) {
        problem = before; // a type error there never happens
      }
      reached &= !name.equals("coalesce") || arg.mayBeNull;
      args.add(arg);
    }
    if (name.equals("coalesce") && args.size() != 1) { // JEXL passes one null argument as a null array
      Eval[] all = args.stream().map(a -> a.eval).toArray(Eval[]::new);
      List<Object> samples = new ArrayList<>();
      boolean mayBeNull = true;
      for (Node a : args) {
        samples = either(samples, withoutNull(a.samples));
        if (!a.mayBeNull) {
          mayBeNull = false; // the arguments after one that is never null are never used
          break;
        }
      }
      return new Node(values -> {
        for (Eval a : all) {
          Object v = a.eval(values);
          if (v != null) {
            return v;
          }
        }
        return null;
      }, samples.isEmpty() ? samples(null) : samples, mayBeNull);
    }
    if (args.size() != 1) {
      throw new Unsupported();
    }
    Eval arg = args.get(0).eval;
    Function<Object, Object> f = OneArgumentFunctions.of(name);
    if (f == null) {
      throw new Unsupported();
    }
    UnaryOperator<Object> call = v -> {
      try {
        return f.apply(v);
      } catch (DateTimeException e) { // date('31/01/2024'): the text, not its type
        throw new EvaluationException(name + "(" + TypeCoercion.describe(v) + "): " + e.getMessage(), e, true);
      } catch (RuntimeException e) {
        throw new EvaluationException(name + "(" + TypeCoercion.describe(v) + "): " + e.getMessage(), e);
      }
    };
    Function<Object[], Object> apply = x -> call.apply(x[0]);
    return folded(new Node(values -> call.apply(arg.eval(values)), // no array per row: 6% of the bytes allocated
        typeOf(name + "()", apply, args.get(0).samples), args.get(0).mayBeNull), args.get(0));
  }

  private Node binary(JexlNode n, BinaryOperator op) throws Unsupported {
    Node left = node(n.jjtGetChild(0));
    Node right = node(n.jjtGetChild(1));
    boolean strict = n.isStrictOperator(arithmetic);
    String symbol = op.symbol;
    boolean divides = op == BinaryOperator.DIVIDE || op == BinaryOperator.MOD;
    BinaryOperator.Operands call = (l, r) -> {
      if ((l == null || r == null) && strict) {
        throw nullOperand(symbol);
      }
      if (op.arithmetic) {
        if (l instanceof BigDecimal && isIntegral(r)) {
          r = BigDecimal.valueOf(((Number) r).longValue());
        } else if (r instanceof BigDecimal && isIntegral(l)) {
          l = BigDecimal.valueOf(((Number) l).longValue());
        }
      }
      if (l instanceof BigDecimal && r instanceof BigDecimal) {
        BigDecimal exact = exactDecimal(op, (BigDecimal) l, (BigDecimal) r, precision);
        if (exact != null) {
          return exact;
        }
      }
      Boolean ordered = ordering(op, l, r);
      if (ordered != null) {
        return ordered;
      }
      if (divides && isZero(r)) {
        throw new EvaluationException("division by zero", null, true);
      }
      try {
        return op.call.apply(arithmetic, l, r);
      } catch (ArithmeticException e) {
        if (divides) { // a divisor JEXL made zero (false is 0): the value's fault, not its type's
          throw new EvaluationException("division by zero", e, true);
        }
        throw failed(symbol, e);
      } catch (RuntimeException e) {
        throw failed(symbol, e);
      }
    };
    if (divides && right.constant && problem == null) {
      Object divisor = right.eval.eval(new Object[0]);
      if (divisor != null && isZero(divisor)) {
        problem = symbol + " by a constant zero fails on every row";
      }
    }
    Function<Object[], Object> apply = x -> call.apply(x[0], x[1]);
    List<Object> types = typeOf(symbol, apply, left.samples, right.samples);
    if (op == BinaryOperator.DIVIDE && problem == null && integerAndFraction(types)) {
      // coalesce(b, 1) / a: an integer division where b is null, a decimal one where it is not (a trial)
      problem = "/ divides integers on some rows (integer division) and not on others, where an operand is a "
          + "decimal or double: make the integer one a decimal (coalesce(b, 1.0), or i * 1.0 for a field)";
    }
    return folded(new Node(values -> call.apply(left.eval.eval(values), right.eval.eval(values)), types), left, right);
  }

  /** Whether a division's results hold both an integer and a decimal or double: it depends on the row. */
  private static boolean integerAndFraction(List<Object> results) {
    return results.stream().anyMatch(v -> v instanceof BigDecimal || v instanceof Double || v instanceof Float)
        && results.stream().anyMatch(v -> isIntegral(v) || v instanceof java.math.BigInteger);
  }

  /**
   * {@code l op r} for + - * on two decimals, as JEXL's arithmetic gives it, without its dispatch
   * (JFR: JEXL's arithmetic was 6% of a run deriving two decimal products per row): JEXL computes
   * the exact result rounded to {@code precision} digits (76), which is the exact result
   * itself, scale included, whenever that has no more digits. Null otherwise, or for another
   * operator: JEXL decides. {@code DecimalArithmeticTest} holds the two to the same values.
   */
  static @Nullable BigDecimal exactDecimal(BinaryOperator op, BigDecimal l, BigDecimal r, int precision) {
    BigDecimal exact;
    switch (op) {
      case ADD:
        exact = l.add(r);
        break;
      case SUBTRACT:
        exact = l.subtract(r);
        break;
      case MULTIPLY:
        long scale = (long) l.scale() + r.scale();
        if (scale != (int) scale) {
          return null; // the product's scale overflows: JEXL's multiply fails, and says so its way
        }
        exact = l.multiply(r);
        break;
      default:
        return null;
    }
    return exact.precision() <= precision ? exact : null;
  }

  /**
   * {@code < <= > >=} between two integers (of any width, as longs), two decimals, two dates, two timestamps or
   * two strings: their {@code compareTo}
   * (strings by code point), which is what JEXL's comparison ends in for them after its dispatch (2% of
   * a run filtering on a date).
   * Null for other operators and operands: JEXL decides.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static @Nullable Boolean ordering(BinaryOperator op, Object l, Object r) {
    int c;
    if (isIntegral(l) && isIntegral(r)) { // JEXL compares them as longs (JFR: 4% of a run filtering on year(ts))
      c = Long.compare(((Number) l).longValue(), ((Number) r).longValue());
    } else if (l == null || r == null || l.getClass() != r.getClass() || !(l instanceof BigDecimal
        || l instanceof java.time.LocalDate || l instanceof java.time.Instant || l instanceof String)) {
      return null;
    } else {
      c = l instanceof String ? ReduceFn.compareCodePoints((String) l, (String) r) : ((Comparable) l).compareTo(r);
    }
    switch (op) {
      case LT:
        return c < 0;
      case LE:
        return c <= 0;
      case GT:
        return c > 0;
      case GE:
        return c >= 0;
      default:
        return null;
    }
  }

  /**
   * The types an operation gives: it is run on every combination of its operands' samples. A type
   * error is remembered as the walk's problem; a data error is tried again on the operands' type
   * samples (a literal 0 divisor becomes 7), and when it persists the result is only null.
   */
  @SafeVarargs
  private List<Object> typeOf(String symbol, Function<Object[], Object> apply, List<Object>... operands) {
    List<Object> results = new ArrayList<>();
    for (Object[] combination : combinations(operands)) {
      try {
        results = either(results, samples(apply.apply(combination)));
      } catch (EvaluationException e) {
        if (!e.dataError()) {
          if (problem == null) {
            problem = symbol + " cannot take " + describe(combination) + ": " + e.getMessage();
          }
          continue;
        }
        Object[] typical = new Object[combination.length];
        for (int i = 0; i < typical.length; i++) {
          typical[i] = combination[i] == null ? null : TypeSamples.of(combination[i]);
        }
        try {
          results = either(results, samples(apply.apply(typical)));
        } catch (EvaluationException again) {
          results = either(results, samples(null));
        }
      }
    }
    return results;
  }

  private static List<Object[]> combinations(List<Object>[] operands) {
    List<Object[]> out = new ArrayList<>();
    out.add(new Object[operands.length]);
    for (int i = 0; i < operands.length; i++) {
      List<Object[]> next = new ArrayList<>();
      for (Object[] partial : out) {
        for (Object v : operands[i]) {
          Object[] c = partial.clone();
          c[i] = v;
          next.add(c);
        }
      }
      out = next.size() > MAX_COMBINATIONS ? next.subList(0, MAX_COMBINATIONS) : next;
    }
    return out;
  }

  private static String describe(Object[] operands) {
    List<String> kinds = new ArrayList<>();
    for (Object o : operands) {
      kinds.add(o == null ? "null" : TypeCoercion.describe(o));
    }
    return String.join(" and ", kinds);
  }

  /** The sample list of one value: its type's sample, keeping a literal's own value. */
  private static List<Object> samples(@Nullable Object v) {
    List<Object> out = new ArrayList<>(1);
    out.add(v);
    return out;
  }

  /** The samples of either: one per type (by class), a null only when there is nothing else. */
  private static List<Object> either(List<Object> a, List<Object> b) {
    List<Object> out = new ArrayList<>(a);
    for (Object v : b) {
      boolean known = out.stream().anyMatch(o -> o == null ? v == null : v != null && o.getClass() == v.getClass());
      if (!known) {
        out.add(v);
      }
    }
    if (out.size() > 1) {
      out.removeIf(java.util.Objects::isNull);
    }
    return out;
  }

  private static List<Object> withoutNull(List<Object> samples) {
    List<Object> out = new ArrayList<>(samples);
    out.removeIf(java.util.Objects::isNull);
    return out;
  }

  private static boolean isZero(Object v) {
    if (v instanceof BigDecimal) {
      return ((BigDecimal) v).signum() == 0;
    }
    if (v instanceof Double || v instanceof Float) {
      return ((Number) v).doubleValue() == 0.0;
    }
    return (isIntegral(v) && ((Number) v).longValue() == 0)
        || (v instanceof java.math.BigInteger && ((java.math.BigInteger) v).signum() == 0);
  }

  private static boolean isIntegral(Object v) {
    return v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte;
  }

  private static EvaluationException nullOperand(String symbol) {
    return new EvaluationException(symbol + " error caused by null operand", new JexlArithmetic.NullOperand());
  }

  private static EvaluationException failed(String what, RuntimeException e) {
    return new EvaluationException(what + " error: " + e.getMessage(), e);
  }
}
