package dev.beametl.transform;

import javax.annotation.Nullable;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.parser.ASTAddNode;
import org.apache.commons.jexl3.parser.ASTDivNode;
import org.apache.commons.jexl3.parser.ASTEQNode;
import org.apache.commons.jexl3.parser.ASTGENode;
import org.apache.commons.jexl3.parser.ASTGTNode;
import org.apache.commons.jexl3.parser.ASTLENode;
import org.apache.commons.jexl3.parser.ASTLTNode;
import org.apache.commons.jexl3.parser.ASTModNode;
import org.apache.commons.jexl3.parser.ASTMulNode;
import org.apache.commons.jexl3.parser.ASTNENode;
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
  GE(ASTGENode.class, ">=", false, JexlArithmetic::greaterThanOrEqual);

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
