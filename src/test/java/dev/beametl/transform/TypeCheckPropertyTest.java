package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.schemas.Schema;
import org.junit.Test;

/**
 * The type check accepts exactly the expressions that raise no type error: random expressions over
 * fields of every type, each checked against a declared type and then run on random rows (with
 * nulls, texts that are dates and texts that are not).
 *
 * <ul>
 *   <li>Accepted: no row fails for its types; a row may fail only for its values (a division by
 *       zero, a value too large, a text that is no date).
 *   <li>Refused, for expressions without branches: some row fails for its types. With branches
 *       (a ternary, coalesce, {@code && ||} which skip their right side) the check refuses a type
 *       error in any branch, also in one these rows never take but other data may.
 * </ul>
 */
public class TypeCheckPropertyTest {
  private static final Map<String, FieldType> SCOPE = new LinkedHashMap<>();

  static {
    SCOPE.put("i", FieldType.of(FieldType.Kind.INT));
    SCOPE.put("l", FieldType.of(FieldType.Kind.LONG));
    SCOPE.put("d", FieldType.decimal(10, 2));
    SCOPE.put("x", FieldType.of(FieldType.Kind.DOUBLE));
    SCOPE.put("s", FieldType.of(FieldType.Kind.STRING));
    SCOPE.put("b", FieldType.of(FieldType.Kind.BOOLEAN));
    SCOPE.put("dt", FieldType.of(FieldType.Kind.DATE));
    SCOPE.put("ts", FieldType.of(FieldType.Kind.TIMESTAMP));
  }

  private static final List<FieldType> DECLARED = List.of(FieldType.of(FieldType.Kind.LONG),
      FieldType.of(FieldType.Kind.INT), FieldType.decimal(18, 2), FieldType.of(FieldType.Kind.DOUBLE),
      FieldType.of(FieldType.Kind.STRING), FieldType.of(FieldType.Kind.BOOLEAN), FieldType.of(FieldType.Kind.DATE),
      FieldType.of(FieldType.Kind.TIMESTAMP));
  private static final String[] BINARY = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||"};
  private static final String[] FUNCTIONS = {"year", "month", "day", "hour", "weekday", "date", "upper", "lower",
      "trim", "length", "abs"};
  /** Conditions whose value changes from row to row, so both branches of a ternary run. */
  private static final String[] CONDITIONS = {"b", "!b", "i > 4", "x < 0.5", "l % 2 == 0"};

  private final Random random = new Random(20261201);

  private String expression(int depth) {
    int pick = depth == 0 ? random.nextInt(2) : random.nextInt(7);
    switch (pick) {
      case 0:
        return new ArrayList<>(SCOPE.keySet()).get(random.nextInt(SCOPE.size()));
      case 1:
        return List.of("0", "3", "1.5", "2.25", "'ab'", "'2024-02-29'", "10000000000").get(random.nextInt(7));
      case 2:
      case 3:
        return "(" + expression(depth - 1) + " " + BINARY[random.nextInt(BINARY.length)] + " "
            + expression(depth - 1) + ")";
      case 4:
        return FUNCTIONS[random.nextInt(FUNCTIONS.length)] + "(" + expression(depth - 1) + ")";
      case 5:
        return random.nextBoolean() ? "-(" + expression(depth - 1) + ")" : "coalesce(" + expression(depth - 1) + ", "
            + expression(depth - 1) + ")";
      default:
        // Branches in parentheses: JEXL reads "c ? i : f(x)" as a call of f in a namespace "i".
        return "(" + CONDITIONS[random.nextInt(CONDITIONS.length)] + " ? (" + expression(depth - 1) + ") : ("
            + expression(depth - 1) + "))";
    }
  }

  /** A row with every field null now and then, and a text that is sometimes a date. */
  private Object[] row() {
    Object[] values = {random.nextInt(10), (long) random.nextInt(10), BigDecimal.valueOf(random.nextInt(2000), 2),
        random.nextDouble(), random.nextBoolean() ? "w" + Integer.toString(random.nextInt(1000), 36)
            : LocalDate.of(2024, 1, 1).plusDays(random.nextInt(400)).toString(), random.nextBoolean(),
        LocalDate.of(2024, 1, 1).plusDays(random.nextInt(400)),
        Instant.parse("2024-01-01T00:00:00Z").plusSeconds(random.nextInt(100_000_000))};
    for (int i = 0; i < values.length; i++) {
      if (random.nextInt(6) == 0) {
        values[i] = null;
      }
    }
    return values;
  }

  /** Whether an evaluation failed for its operands' types rather than their values. */
  private static boolean isTypeError(RuntimeException e) {
    if (e instanceof CompiledExpression.EvaluationException) {
      return !((CompiledExpression.EvaluationException) e).dataError();
    }
    return !(e instanceof TypeCoercion.OutOfRange || e instanceof ArithmeticException);
  }

  @Test
  public void acceptedExactlyWhenNoRowRaisesATypeError() {
    Schema.Builder sb = Schema.builder();
    SCOPE.forEach((name, type) -> sb.addNullableField(name, BeamTypes.of(type)));
    Schema schema = sb.build();
    List<Object[]> rows = new ArrayList<>();
    for (int r = 0; r < 40; r++) {
      rows.add(row());
    }
    List<String> wrong = new ArrayList<>();
    int accepted = 0;
    int refused = 0;
    for (int n = 0; n < 1500; n++) {
      String expression = expression(1 + random.nextInt(3));
      FieldType declared = DECLARED.get(random.nextInt(DECLARED.size()));
      String problem = ExpressionChecker.check(expression, SCOPE, declared);
      assertThat("the generator writes valid syntax: " + expression,
          problem != null && problem.contains("does not parse") ? problem : null, nullValue());
      if (problem != null && problem.contains("gives null")) {
        continue;
      }
      CompiledExpression.Eval eval = CompiledExpression.compile(ExpressionEngine.compile(expression), schema);
      assertThat("every generated form is compiled: " + expression, eval == null ? expression : null, nullValue());
      String typeError = null;
      boolean anyDecided = false; // a row that gave a value or a type error, not only a data error
      for (Object[] values : rows) {
        try {
          TypeCoercion.to(declared, eval.eval(values.clone()));
          anyDecided = true;
        } catch (RuntimeException e) {
          if (isTypeError(e)) {
            typeError = e.getMessage();
            break;
          }
        }
      }
      if (typeError == null && !anyDecided) {
        continue; // every row failed for its values first (a divisor of 0): the type is never reached
      }
      boolean branches = expression.contains("?") || expression.contains("coalesce") || expression.contains("&&")
          || expression.contains("||");
      if (problem == null) {
        accepted++;
        if (typeError != null) {
          wrong.add("accepted as " + declared + " but a row raised a type error: " + expression + " -> " + typeError);
        }
      } else if (!branches) {
        refused++;
        if (typeError == null) {
          wrong.add("refused as " + declared + " but no row raised a type error: " + expression + " -> " + problem);
        }
      }
    }
    assertThat(wrong, empty());
    assertThat("both verdicts were exercised", Math.min(accepted, refused), greaterThan(100));
  }

  @Test
  public void holdsForOtherSeedsToo() {
    for (long seed : new long[] {7, 42, 1234, 99}) {
      TypeCheckPropertyTest other = new TypeCheckPropertyTest();
      other.random.setSeed(seed);
      other.acceptedExactlyWhenNoRowRaisesATypeError();
    }
  }
}
