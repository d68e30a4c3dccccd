package dev.beametl.transform;

import dev.beametl.spec.BeamTypes;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
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
 * DECIMAL128), and nulls follow JEXL's strict interpreter: a field that is null where a strict
 * operator (arithmetic, ordering, {@code !}) reads it is an error no ternary catches; any other null
 * operand of such an operator is a "null operand" error, which the condition of a ternary and the
 * left side of {@code ??} read as null. The one shortcut: an integer meeting a decimal is made a decimal with
 * {@link BigDecimal#valueOf(long)} before the call, which is the value JEXL would make of it by
 * parsing its text. The parse tree is JEXL's own; an expression using anything not covered here
 * (a namespace, a property, a regex match, ...) returns null from {@link #compile} and stays with
 * JEXL. {@code CompiledExpressionTest} compares both on many expressions and rows.
 */
final class CompiledExpression {
  /** Evaluates against a row's values, positions as in the schema given to {@link #compile}. */
  interface Eval {
    Object eval(Object[] values);
  }

  /** A failed evaluation: a null operand, a division by zero, a function given the wrong type. */
  static final class EvaluationException extends IllegalArgumentException {
    EvaluationException(String message, Throwable cause) {
      super(message, cause);
    }

    boolean nullOperand() {
      return getCause() instanceof JexlArithmetic.NullOperand;
    }
  }

  private static final Method GET_TREE = treeAccessor();

  private final Schema schema;
  private final JexlArithmetic arithmetic;

  private CompiledExpression(Schema schema, JexlArithmetic arithmetic) {
    this.schema = schema;
    this.arithmetic = arithmetic;
  }

  /** The compiled form of {@code script} over rows of {@code schema}, or null to stay with JEXL. */
  static @Nullable Eval compile(JexlScript script, Schema schema) {
    if (GET_TREE == null) {
      return null;
    }
    try {
      ASTJexlScript tree = (ASTJexlScript) GET_TREE.invoke(script);
      if (tree.jjtGetNumChildren() != 1) {
        return null;
      }
      return new CompiledExpression(schema, ExpressionEngine.get().getArithmetic()).node(tree.jjtGetChild(0));
    } catch (Unsupported | ReflectiveOperationException | ClassCastException e) {
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

  private Eval node(JexlNode n) throws Unsupported {
    if (n instanceof ASTReferenceExpression && n.jjtGetNumChildren() == 1) {
      return node(n.jjtGetChild(0)); // parentheses
    }
    if (n instanceof ASTIdentifier) {
      return field((ASTIdentifier) n);
    }
    if (n instanceof ASTNumberLiteral) {
      Object v = ((ASTNumberLiteral) n).getLiteral();
      return values -> v;
    }
    if (n instanceof ASTStringLiteral) {
      Object v = ((ASTStringLiteral) n).getLiteral();
      return values -> v;
    }
    if (n instanceof ASTNullLiteral) {
      return values -> null;
    }
    if (n instanceof ASTTrueNode) {
      return values -> Boolean.TRUE;
    }
    if (n instanceof ASTFalseNode) {
      return values -> Boolean.FALSE;
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
      Eval left = node(n.jjtGetChild(0));
      Eval right = node(n.jjtGetChild(1));
      return values -> {
        Object l = nullOnNullOperand(left, values);
        return l != null ? l : right.eval(values);
      };
    }
    BinaryOperator op = BinaryOperator.of(n);
    if (op != null && n.jjtGetNumChildren() == 2) {
      return binary(n, op);
    }
    throw new Unsupported();
  }

  /** A field's value; categories read as their strings, as in {@link RowContext}. */
  private Eval field(ASTIdentifier id) throws Unsupported {
    if (id.getSymbol() >= 0 || !schema.hasField(id.getName())) {
      throw new Unsupported(); // a local variable, or a name JEXL would report as unknown
    }
    int i = schema.indexOf(id.getName());
    EnumerationType categories = BeamTypes.categories(schema.getField(i).getType());
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
      return read;
    }
    Eval value = read;
    String error = "variable '" + id.getName() + "' is null";
    return values -> {
      Object v = value.eval(values);
      if (v == null) {
        throw new EvaluationException(error, null);
      }
      return v;
    };
  }

  private Eval negate(JexlNode operand) throws Unsupported {
    if (operand instanceof ASTNumberLiteral) { // as JEXL: the negated literal keeps its class
      ASTNumberLiteral literal = (ASTNumberLiteral) operand;
      Object v = arithmetic.narrowNumber((Number) arithmetic.negate(literal.getLiteral()), literal.getLiteralClass());
      return values -> v;
    }
    return unary(node(operand), JexlOperator.NEGATE, "-", arithmetic::negate);
  }

  /** {@code !} and {@code -} on a computed value: JEXL's null-operand rule, then its arithmetic. */
  private Eval unary(Eval operand, JexlOperator operator, String symbol,
      java.util.function.UnaryOperator<Object> op) {
    boolean strict = arithmetic.isStrict(operator);
    return values -> {
      Object x = operand.eval(values);
      if (x == null && strict) {
        throw nullOperand(symbol);
      }
      try {
        return op.apply(x);
      } catch (RuntimeException e) {
        throw failed(symbol, e);
      }
    };
  }

  private Eval logical(JexlNode n, boolean and) throws Unsupported {
    if (n.jjtGetNumChildren() != 2) {
      throw new Unsupported();
    }
    Eval left = node(n.jjtGetChild(0));
    Eval right = node(n.jjtGetChild(1));
    return values -> {
      if (truth(left.eval(values)) != and) {
        return !and;
      }
      return truth(right.eval(values));
    };
  }

  private boolean truth(Object v) {
    try {
      return arithmetic.toBoolean(v);
    } catch (RuntimeException e) {
      throw failed("boolean coercion", e);
    }
  }

  private Eval ternary(JexlNode n) throws Unsupported {
    Eval condition = node(n.jjtGetChild(0));
    if (n.jjtGetNumChildren() == 3) {
      Eval then = node(n.jjtGetChild(1));
      Eval otherwise = node(n.jjtGetChild(2));
      return values -> {
        Object c = nullOnNullOperand(condition, values);
        return c != null && truth(c) ? then.eval(values) : otherwise.eval(values);
      };
    }
    if (n.jjtGetNumChildren() != 2) {
      throw new Unsupported();
    }
    Eval otherwise = node(n.jjtGetChild(1));
    return values -> { // a ?: b
      Object c = nullOnNullOperand(condition, values);
      return c != null && truth(c) ? c : otherwise.eval(values);
    };
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

  private Eval function(JexlNode n) throws Unsupported {
    if (n.jjtGetNumChildren() != 2 || !(n.jjtGetChild(0) instanceof ASTIdentifier)
        || !(n.jjtGetChild(1) instanceof ASTArguments)) {
      throw new Unsupported(); // e.g. a namespace
    }
    String name = ((ASTIdentifier) n.jjtGetChild(0)).getName();
    if (schema.hasField(name)) {
      throw new Unsupported(); // JEXL would try to call the field
    }
    JexlNode arguments = n.jjtGetChild(1);
    List<Eval> args = new ArrayList<>();
    for (int i = 0; i < arguments.jjtGetNumChildren(); i++) {
      args.add(node(arguments.jjtGetChild(i)));
    }
    if (name.equals("coalesce") && args.size() != 1) { // JEXL passes one null argument as a null array
      Eval[] all = args.toArray(new Eval[0]);
      return values -> {
        for (Eval a : all) {
          Object v = a.eval(values);
          if (v != null) {
            return v;
          }
        }
        return null;
      };
    }
    if (args.size() != 1) {
      throw new Unsupported();
    }
    Eval arg = args.get(0);
    java.util.function.Function<Object, Object> f = OneArgumentFunctions.of(name);
    if (f == null) {
      throw new Unsupported();
    }
    return values -> {
      Object v = arg.eval(values);
      try {
        return f.apply(v);
      } catch (RuntimeException e) {
        throw new EvaluationException(name + "(" + TypeCoercion.describe(v) + "): " + e.getMessage(), e);
      }
    };
  }

  private Eval binary(JexlNode n, BinaryOperator op) throws Unsupported {
    Eval left = node(n.jjtGetChild(0));
    Eval right = node(n.jjtGetChild(1));
    boolean strict = n.isStrictOperator(arithmetic);
    String symbol = op.symbol;
    return values -> {
      Object l = left.eval(values);
      Object r = right.eval(values);
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
      try {
        return op.call.apply(arithmetic, l, r);
      } catch (RuntimeException e) {
        throw failed(symbol, e);
      }
    };
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
