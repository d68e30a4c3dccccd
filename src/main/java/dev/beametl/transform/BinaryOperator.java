package dev.beametl.transform;

import javax.annotation.Nullable;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.parser.ASTAddNode;
import org.apache.commons.jexl3.parser.ASTDivNode;
import org.apache.commons.jexl3.parser.ASTEQNode;
import org.apache.commons.jexl3.parser.ASTERNode;
import org.apache.commons.jexl3.parser.ASTEWNode;
import org.apache.commons.jexl3.parser.ASTGENode;
import org.apache.commons.jexl3.parser.ASTGTNode;
import org.apache.commons.jexl3.parser.ASTLENode;
import org.apache.commons.jexl3.parser.ASTLTNode;
import org.apache.commons.jexl3.parser.ASTModNode;
import org.apache.commons.jexl3.parser.ASTMulNode;
import org.apache.commons.jexl3.parser.ASTNENode;
import org.apache.commons.jexl3.parser.ASTNEWNode;
import org.apache.commons.jexl3.parser.ASTNRNode;
import org.apache.commons.jexl3.parser.ASTNSWNode;
import org.apache.commons.jexl3.parser.ASTSWNode;
import org.apache.commons.jexl3.parser.ASTSubNode;
import org.apache.commons.jexl3.parser.JexlNode;

/** JEXL's binary operators: the node, its symbol, and the JexlArithmetic call JEXL makes for it. */
enum BinaryOperator {
  ADD(ASTAddNode.class, "+", true, JexlArithmetic::add),
  SUBTRACT(ASTSubNode.class, "-", true, JexlArithmetic::subtract),
  MULTIPLY(ASTMulNode.class, "*", true, JexlArithmetic::multiply),
  DIVIDE(ASTDivNode.class, "/", true, JexlArithmetic::divide),
  MOD(ASTModNode.class, "%", true, JexlArithmetic::mod),
  EQ(ASTEQNode.class, "==", false, JexlArithmetic::equals),
  NE(ASTNENode.class, "!=", false, (a, l, r) -> !a.equals(l, r)),
  LT(ASTLTNode.class, "<", false, JexlArithmetic::lessThan),
  LE(ASTLENode.class, "<=", false, JexlArithmetic::lessThanOrEqual),
  GT(ASTGTNode.class, ">", false, JexlArithmetic::greaterThan),
  GE(ASTGENode.class, ">=", false, JexlArithmetic::greaterThanOrEqual),
  // The string matches, as JEXL's interpreter runs them: a =~ b asks b whether it contains a; what the
  // arithmetic does not answer (null) JEXL decides by ==. Compiled, they get the type walk's checks.
  MATCHES(ASTERNode.class, "=~", false, (a, l, r) -> or(a.contains(r, l), a, r, l)),
  NOT_MATCHES(ASTNRNode.class, "!~", false, (a, l, r) -> !or(a.contains(r, l), a, r, l)),
  STARTS_WITH(ASTSWNode.class, "=^", false, (a, l, r) -> or(a.startsWith(l, r), a, l, r)),
  NOT_STARTS_WITH(ASTNSWNode.class, "!^", false, (a, l, r) -> !or(a.startsWith(l, r), a, l, r)),
  ENDS_WITH(ASTEWNode.class, "=$", false, (a, l, r) -> or(a.endsWith(l, r), a, l, r)),
  NOT_ENDS_WITH(ASTNEWNode.class, "!$", false, (a, l, r) -> !or(a.endsWith(l, r), a, l, r));

  private static boolean or(Boolean matched, JexlArithmetic a, Object l, Object r) {
    return matched != null ? matched : a.equals(l, r);
  }

  /** An operator applied to its two operands' values. */
  interface Operands {
    Object apply(Object left, Object right);
  }

  interface Call {
    Object apply(JexlArithmetic arithmetic, Object left, Object right);
  }

  final Class<? extends JexlNode> node;
  final String symbol;
  /** + - * / %: an integer meeting a decimal is made a decimal first (see the class comment). */
  final boolean arithmetic;
  final Call call;

  BinaryOperator(Class<? extends JexlNode> node, String symbol, boolean arithmetic, Call call) {
    this.node = node;
    this.symbol = symbol;
    this.arithmetic = arithmetic;
    this.call = call;
  }

  static @Nullable BinaryOperator of(JexlNode n) {
    for (BinaryOperator op : values()) {
      if (op.node.isInstance(n)) {
        return op;
      }
    }
    return null;
  }
}
