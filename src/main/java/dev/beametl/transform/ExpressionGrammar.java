package dev.beametl.transform;

import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.parser.ASTNumberLiteral;
import org.apache.commons.jexl3.parser.JexlNode;

/**
 * The expression language the README documents, held against JEXL's parse tree: JEXL parses more
 * (strict equality, shifts, bit operators, {@code size()}, templates, float literals), and a hostile
 * trial found each giving silently wrong rows - {@code qty === 7} false for a long 7, {@code qty << 64}
 * the value itself, a template turning a null into "", {@code size()} counting UTF-16 units.
 */
final class ExpressionGrammar {
  /** Parse-tree nodes of the documented forms (by simple name: JEXL's parser classes). */
  private static final Set<String> ALLOWED = Set.of(
      "ASTJexlScript", "ASTReferenceExpression", "ASTIdentifier", "ASTNumberLiteral", "ASTStringLiteral",
      "ASTNullLiteral", "ASTTrueNode", "ASTFalseNode", "ASTFunctionNode", "ASTArguments",
      "ASTAddNode", "ASTSubNode", "ASTMulNode", "ASTDivNode", "ASTModNode", "ASTUnaryMinusNode",
      "ASTEQNode", "ASTNENode", "ASTLTNode", "ASTLENode", "ASTGTNode", "ASTGENode",
      "ASTAndNode", "ASTOrNode", "ASTNotNode", "ASTTernaryNode", "ASTNullpNode",
      "ASTERNode", "ASTNRNode", "ASTSWNode", "ASTNSWNode", "ASTEWNode", "ASTNEWNode", "ASTRegexLiteral");

  /** How a refused node is written, for the message. */
  private static final Map<String, String> WRITTEN = Map.ofEntries(
      Map.entry("ASTEQSNode", "==="), Map.entry("ASTNESNode", "!=="),
      Map.entry("ASTShiftLeftNode", "<<"), Map.entry("ASTShiftRightNode", ">>"),
      Map.entry("ASTShiftRightUnsignedNode", ">>>"), Map.entry("ASTBitwiseAndNode", "&"),
      Map.entry("ASTBitwiseOrNode", "|"), Map.entry("ASTBitwiseXorNode", "^"),
      Map.entry("ASTBitwiseComplNode", "~"), Map.entry("ASTSizeFunction", "size() (write length())"),
      Map.entry("ASTEmptyFunction", "empty() (write x == null || x == '')"),
      Map.entry("ASTJxltLiteral", "a template literal `...` (join with +)"),
      Map.entry("ASTUnaryPlusNode", "unary +"), Map.entry("ASTRangeNode", ".."),
      Map.entry("ASTReference", "a property or index (a.b, a[i])"),
      Map.entry("ASTNamespaceIdentifier", "a namespace (ns:f())"),
      Map.entry("ASTInstanceOf", "instanceof"), Map.entry("ASTNotInstanceOf", "!instanceof"));

  private ExpressionGrammar() {}

  /** What the expression uses beyond the documented language, or null. */
  static @Nullable String outside(JexlScript script) {
    JexlNode tree = CompiledExpression.tree(script);
    return tree == null ? null : outside(tree); // another JEXL version: the tree is not ours to read
  }

  private static @Nullable String outside(JexlNode n) {
    String name = n.getClass().getSimpleName();
    if (!ALLOWED.contains(name)) {
      return WRITTEN.getOrDefault(name, name.replaceFirst("^AST", "").replaceFirst("Node$", ""));
    }
    if (n instanceof ASTNumberLiteral) {
      Class<?> kind = ((ASTNumberLiteral) n).getLiteralClass();
      if (kind == Float.class) { // 1.1f is 1.100000023841858 in a double field
        return "a float literal (write 1.5 for a decimal, 1.5d for a double)";
      }
    }
    for (int i = 0; i < n.jjtGetNumChildren(); i++) {
      String child = outside(n.jjtGetChild(i));
      if (child != null) {
        return child;
      }
    }
    return null;
  }
}
