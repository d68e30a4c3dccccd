package dev.beametl.transform;

import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.commons.jexl3.JexlArithmetic;
import org.apache.commons.jexl3.JexlContext;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlScript;
import org.apache.commons.jexl3.MapContext;

/**
 * Checks an expression before the pipeline is built: it must stay within the limits, parse, name
 * only declared fields and known functions, and give a value of the declared type. Types are checked
 * by types, on the walk that compiles the expression ({@link CompiledExpression#typeCheck}): each
 * operation runs on a sample of each type its operands may have, so {@code region * 2} is refused
 * and {@code 100 / (quantity - 7)} is not - a division by zero is the data's business, and such a
 * row goes to the dead letters at run time.
 */
public final class ExpressionChecker {
  /** An expression longer than this is refused, before JEXL's recursive parser meets it. */
  public static final int MAX_LENGTH = 10_000;
  /** Parentheses, function calls and unary operators nested deeper than this are refused. */
  public static final int MAX_NESTING = 100;

  /** The ternary JEXL misreads: {@code c ? amount : coalesce(x, 0)} is parsed as a namespace call. */
  private static final Pattern NAMESPACE_CALL =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\s*:\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\(");

  private ExpressionChecker() {}

  /** Null when the expression is fine, else what is wrong with it. */
  public static @Nullable String check(String expression, Map<String, FieldType> scope, FieldType expected) {
    String quoted = "expression \"" + (expression.length() > 80 ? expression.substring(0, 77) + "..." : expression) + "\"";
    String limit = exceedsLimits(expression);
    if (limit != null) {
      return quoted + " " + limit;
    }
    String hidden = hiddenField(expression, scope.keySet());
    if (hidden != null) {
      return quoted + " " + hidden;
    }
    JexlScript script;
    try {
      script = ExpressionEngine.compile(expression);
    } catch (JexlException e) {
      String hint = NAMESPACE_CALL.matcher(expression).find()
          ? "; JEXL reads \"name : f(...)\" as a call of f in a namespace, so write \"(name) : f(...)\""
          : "";
      return quoted + " does not parse: " + clean(e)
          + " (allowed: fields, literals, + - * / %, comparisons, && || !, ?:, and functions "
          + ExpressionFunctions.NAMES + ")" + hint;
    } catch (StackOverflowError e) {
      return quoted + " is nested too deeply to parse (at most " + MAX_NESTING + " levels)";
    }
    String outside = ExpressionGrammar.outside(script);
    if (outside != null) {
      return quoted + " uses " + outside + ", which the expression language here does not have (allowed: fields, "
          + "literals, + - * / %, comparisons, && || !, ?:, ??, =~ =^ =$, and functions " + ExpressionFunctions.NAMES
          + ")";
    }
    for (List<String> variable : script.getVariables()) {
      String name = variable.get(0);
      if (!scope.containsKey(name)) {
        return quoted + " names unknown field \"" + name + "\"; known: " + String.join(", ", scope.keySet());
      }
    }
    List<Object> results;
    CompiledExpression.Types types;
    try {
      types = CompiledExpression.typeCheck(script, schemaOf(scope));
      if (types != null && types.problem != null) {
        return quoted + " does not type-check: " + types.problem;
      }
      results = types != null ? types.samples : interpreted(script, scope);
    } catch (JexlException e) {
      return quoted + " does not type-check: " + clean(e);
    } catch (IllegalArgumentException e) { // JEXL's interpreter passes its arithmetic's own errors on as they are
      return quoted + " does not type-check: " + e.getMessage();
    } catch (ArithmeticException e) { // 1e-999999999 added to a decimal: a number too far out
      return quoted + " cannot be computed: " + e.getMessage() + " (a number in it is too large or too small)";
    } catch (StackOverflowError e) {
      return quoted + " is nested too deeply (at most " + MAX_NESTING + " levels)";
    }
    if (results.stream().allMatch(java.util.Objects::isNull)) {
      return quoted + " gives null for non-null inputs (a function of a type it does not take, e.g. hour() of a "
          + "date, or null itself)";
    }
    if (types != null && types.constant != null) {
      try {
        TypeCoercion.to(expected, types.constant);
      } catch (IllegalArgumentException | ArithmeticException e) { // 1e300 * 1e300 as a double: every row's dead letter
        return quoted + " is " + types.constant + " whatever the row: " + e.getMessage();
      }
    }
    for (Object sample : results) {
      if (sample == null) {
        continue;
      }
      try {
        TypeCoercion.to(expected, TypeSamples.of(sample)); // a literal too large is the value's business
      } catch (TypeCoercion.OutOfRange e) {
        // the type fits; only some values would not
      } catch (IllegalArgumentException | ArithmeticException e) {
        return quoted + " " + e.getMessage();
      }
    }
    return null;
  }

  /** A name as JEXL reads one: letters, digits, _ and $, not starting with a digit. */
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

  /**
   * A field the expression names that JEXL reads as something else: one of its own words or
   * literals ({@code size}, {@code empty}, {@code div}, {@code true}, {@code NaN}), or a function the
   * expression calls. A hostile trial: with a field {@code size} = 3, {@code size + 1} was read as
   * {@code size(+1)} and gave 0 on every row; a field {@code true} = false made {@code true ? 1 : 0} 1.
   */
  static @Nullable String hiddenField(String expression, Collection<String> names) {
    String code = codeOnly(expression);
    for (String name : names) {
      if (!IDENTIFIER.matcher(name).matches()) {
        continue; // not a name to JEXL at all: the parse or the unknown-name check says so
      }
      Matcher mention = Pattern.compile(
          "(?<![\\w$.])" + Pattern.quote(name) + "(?![\\w$])").matcher(code);
      if (!mention.find()) {
        continue;
      }
      String rename = "rename the field (a schema field keeps its column with column: \"" + name
          + "\", a lookup's field takes as:)";
      if (!addressable(name)) {
        return "names the field \"" + name + "\", but JEXL reads " + name + " as a word of its own (an operator "
            + "or a literal), never as a field: " + rename;
      }
      if (FUNCTIONS.contains(name) && Pattern.compile(
          "(?<![\\w$.])" + Pattern.quote(name) + "\\s*\\(").matcher(code).find()) {
        return "calls " + name + "(), which the field \"" + name + "\" hides (JEXL calls the field's value): "
            + rename;
      }
    }
    return null;
  }

  private static final Set<String> FUNCTIONS = Set.of(ExpressionFunctions.NAMES.split(",\\s*"));

  /** Whether JEXL reads {@code name} alone as that variable. */
  private static boolean addressable(String name) {
    try {
      return ExpressionEngine.compile(name).getVariables().equals(Set.of(List.of(name)));
    } catch (JexlException e) {
      return false;
    }
  }

  /**
   * The expression with the text inside quotes and comments ({@code //}, {@code ##} to the line's
   * end, and between slash-star and star-slash) blanked: a name there is no mention.
   */
  private static String codeOnly(String expression) {
    StringBuilder out = new StringBuilder(expression);
    char quote = 0;
    for (int i = 0; i < out.length(); i++) {
      char c = out.charAt(i);
      char next = i + 1 < out.length() ? out.charAt(i + 1) : 0;
      if (quote != 0) {
        if (c == '\\' && next != 0) {
          out.setCharAt(i++, ' ');
        } else if (c == quote) {
          quote = 0;
          continue;
        }
        out.setCharAt(i, ' ');
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if ((c == '/' && next == '/') || (c == '#' && next == '#')) {
        for (; i < out.length() && out.charAt(i) != '\n'; i++) {
          out.setCharAt(i, ' ');
        }
      } else if (c == '/' && next == '*') {
        int end = out.indexOf("*/", i + 2);
        end = end < 0 ? out.length() : end + 2;
        for (; i < end; i++) {
          out.setCharAt(i, ' ');
        }
        i--;
      }
    }
    return out.toString();
  }

  /** The limits, checked on the text: its length and how deep its parentheses and calls nest. */
  private static @Nullable String exceedsLimits(String expression) {
    if (expression.length() > MAX_LENGTH) {
      return "is " + expression.length() + " characters long, more than the " + MAX_LENGTH + " allowed";
    }
    int depth = 0;
    int unary = 0;
    char quote = 0;
    for (int i = 0; i < expression.length(); i++) {
      char c = expression.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' && ++depth > MAX_NESTING) {
        return "nests parentheses more than " + MAX_NESTING + " deep";
      } else if (c == ')') {
        depth--;
      } else if ((c == '!' || c == '-') && ++unary > MAX_NESTING) {
        return "chains more than " + MAX_NESTING + " unary operators";
      } else if (c != ' ' && c != '!' && c != '-') {
        unary = 0;
      }
    }
    return null;
  }

  /** The fields in scope as the rows Transform reads (categories as strings). */
  private static Schema schemaOf(Map<String, FieldType> scope) {
    Schema.Builder b = Schema.builder();
    scope.forEach((name, type) -> b.addNullableField(name, type.kind() == FieldType.Kind.CATEGORY
        ? Schema.FieldType.STRING : BeamTypes.of(type)));
    return b.build();
  }

  /**
   * For the few forms the compiler leaves to JEXL (a regex match, say): JEXL's interpreter on a sample
   * of each field's type, where an error of the values (a null operand, a division by zero) is not a
   * type error.
   */
  private static List<Object> interpreted(JexlScript script, Map<String, FieldType> scope) {
    JexlContext sample = new MapContext();
    scope.forEach((name, type) -> sample.set(name, TypeSamples.of(type)));
    try {
      return java.util.Collections.singletonList(script.execute(sample));
    } catch (JexlException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ExpressionEngine.UnlikeValues) { // a type error, as the compiled walk reports it
        throw new IllegalArgumentException(cause.getMessage(), e);
      }
      if (cause instanceof JexlArithmetic.NullOperand || cause instanceof ArithmeticException) {
        return java.util.Collections.singletonList(null);
      }
      throw e;
    }
  }

  static String clean(JexlException e) {
    String m = e.getMessage();
    // JEXL prefixes messages with its own source position ("...@1:5 "); keep the part a user needs.
    int at = m.indexOf(' ', m.indexOf('@') + 1);
    return at > 0 && m.indexOf('@') >= 0 ? m.substring(at + 1).trim() : m;
  }
}
