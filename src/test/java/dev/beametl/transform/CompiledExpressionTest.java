package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlScript;
import org.junit.Test;

/**
 * The compiled form must give what JEXL's interpreter gives: the same value of the same class, or
 * an error where JEXL fails. Every expression below runs on every row below, both ways.
 */
public class CompiledExpressionTest {
  private static final EnumerationType REGIONS = EnumerationType.create("EU", "NA", "APAC");
  private static final Schema SCHEMA = Schema.builder()
      .addNullableField("i", Schema.FieldType.INT32)
      .addNullableField("l", Schema.FieldType.INT64)
      .addNullableField("d", BeamTypes.of(FieldType.decimal(10, 2)))
      .addNullableField("d3", BeamTypes.of(FieldType.decimal(4, 3)))
      .addNullableField("x", Schema.FieldType.DOUBLE)
      .addNullableField("s", Schema.FieldType.STRING)
      .addNullableField("b", Schema.FieldType.BOOLEAN)
      .addNullableField("ts", BeamTypes.of(FieldType.of(FieldType.Kind.TIMESTAMP)))
      .addNullableField("dt", BeamTypes.of(FieldType.of(FieldType.Kind.DATE)))
      .addNullableField("region", Schema.FieldType.logicalType(REGIONS))
      .build();

  private static final List<Object[]> ROWS = List.of(
      row(3, 7L, "12.50", "0.125", 1.5, "eu", true, "2024-03-01T10:00:00Z", "2024-02-29", "EU"),
      row(0, 0L, "0.00", "0.000", 0.0, "", false, "2023-12-31T23:59:59Z", "2023-01-01", "APAC"),
      row(-4, -9L, "-3.10", null, -2.25, " Na ", null, "2024-01-01T00:00:00Z", null, "NA"),
      row(Integer.MAX_VALUE, Long.MAX_VALUE, "99999999.99", "0.500", 1e300, "x", true, null, "2024-12-31", null),
      row(null, null, null, null, null, null, null, null, null, null),
      row(1000, 2L, "0.01", "0.001", 3.0, "2024-05-06", false, "2024-07-04T12:30:00Z", "2024-07-04", "EU"),
      row(1, 1L, "1.00", "0.100", 1.0, "\uD83D\uDE00", true, "2024-07-04T12:30:00Z", "2024-07-04", "NA")); // U+1F600

  private static final List<String> EXPRESSIONS = List.of(
      // the sample spec's
      "i * d * (1 - coalesce(d3, 0))", "year(ts) >= 2024",
      // arithmetic over every pair of numeric kinds, overflow and division by zero included
      "i + l", "i - l", "i * l", "i / l", "i % l", "l * l", "i * i", "i + 1", "l + 1",
      "d + i", "d - l", "d * x", "d / i", "d % i", "d / d3", "i / d", "l - d", "d * d3",
      "x + i", "x / i", "x * x", "-i", "-d", "-x", "-5", "-2.5", "1 - -2", "10 / 4", "10 / 4.0", "7 % 3",
      "2.5B * d", "1e3 + i", "10000000000 + i",
      // strings
      "s + '!'", "s + i", "'a' + 'b'", "upper(s)", "lower(s)", "trim(s)", "length(s)", "upper(i)",
      // comparisons and logic
      "i == l", "i != l", "i < l", "i <= d", "i > x", "i >= 0", "d > 10", "s == 'eu'", "s != null", "i == null",
      "region == 'EU'", "region != 'NA'", "b && i > 0", "b || i > 0", "!b", "!(i > 0)", "i > 0 && d > 0",
      "i > 0 || s == 'x'", "ts == null", "dt == null", "s < 'x'", "s > '\uFFFD'", "s <= s", "s >= 'eu'",
      // null handling: ternary, elvis, ??, coalesce
      "i > 0 ? d : 0", "i ?: 5", "b ?: (i > 0)", "i && b", "s || b", "i ?? -1", "d ?? 0", "(i + 1) ?? 0",
      "(i > 2) ? 'big' : 'small'",
      "coalesce(i, l, 0)", "coalesce(d3, d)", "coalesce()", "coalesce(s, '-')", "-(i)", "(i) + 1",
      "(i + 1) > 0 ? 1 : 2", "(-i) ?? 5", "!b ? 1 : 2", "b ? 1 : 2", "(s == null) ? 0 : length(s)",
      // functions on dates
      "month(ts)", "day(ts)", "hour(ts)", "weekday(ts)", "date(ts)", "year(dt)", "date(s)", "date('2024-01-31')",
      "abs(i)", "abs(d)", "abs(x)", "abs(s)", "year(s)",
      "true", "false", "null", "i", "d3", "region",
      // the string matches, of text, numbers (as + joins them) and categories; a regex literal stays with JEXL
      "s =~ 'e.*'", "s !~ 'e.*'", "s =^ 'e'", "s !^ 'e'", "s =$ 'u'", "s !$ 'u'", "region =~ 'E.*'", "region =^ 'N'",
      "d3 =~ '0\\\\.1.*'", "d =$ '0'", "i =^ '1'", "l =~ '-?9'", "x =~ '1\\\\..*'", "i == 1 ? upper(s) : s =^ 'x'",
      "s =~ s", "(s =~ 'x') ? 1 : 2", "s =~ ~/e.*/", "region !~ ~/N.*/");

  /** Not covered by the compiler: it must decline them (TransformTest runs one on JEXL's interpreter). */
  private static final List<String> LEFT_TO_JEXL = List.of("size(s)", "unknown + 1", "coalesce(s)", "coalesce(s) =~ 'e.*'");

  private static Object[] row(Integer i, Long l, String d, String d3, Double x, String s, Boolean b, String ts,
      String day, String region) {
    return new Object[] {i, l, d == null ? null : new BigDecimal(d), d3 == null ? null : new BigDecimal(d3), x, s, b,
        ts == null ? null : Instant.parse(ts), day == null ? null : LocalDate.parse(day),
        region == null ? null : REGIONS.valueOf(region)};
  }

  /** The value of the class JEXL gives, or "error" when it fails. */
  private static Object jexl(JexlScript script, Object[] values) {
    RowContext context = new RowContext(SCHEMA);
    context.reset(values);
    try {
      return script.execute(context);
    } catch (JexlException | IllegalArgumentException | ArithmeticException e) {
      return "error";
    }
  }

  private static Object compiled(CompiledExpression.Eval eval, Object[] values) {
    try {
      return eval.eval(values.clone());
    } catch (IllegalArgumentException | ArithmeticException e) {
      return "error";
    }
  }

  @Test
  public void everyExpressionGivesJexlsValueOnEveryRow() {
    List<String> mismatches = new ArrayList<>();
    for (String expression : EXPRESSIONS) {
      JexlScript script = ExpressionEngine.compile(expression);
      CompiledExpression.Eval eval = CompiledExpression.compile(script, SCHEMA);
      assertThat("compiles: " + expression, eval, notNullValue());
      for (Object[] values : ROWS) {
        Object want = jexl(script, values);
        Object got = compiled(eval, values);
        boolean same = want == null ? got == null
            : got != null && want.getClass() == got.getClass() && want.equals(got);
        if (!same) {
          mismatches.add(expression + " on " + Arrays.toString(values) + ": JEXL " + describe(want)
              + ", compiled " + describe(got));
        }
      }
    }
    assertThat(String.join("\n", mismatches), mismatches.size(), is(0));
  }

  private static String describe(Object v) {
    return v == null ? "null" : v + " (" + v.getClass().getSimpleName() + ")";
  }

  /** Strings order by code point both ways, as min/max and SQL do: U+1F600 is above U+FFFD. */
  @Test
  public void stringsCompareByCodePoint() {
    Object[] emoji = ROWS.get(ROWS.size() - 1);
    JexlScript script = ExpressionEngine.compile("s > '\uFFFD'");
    assertThat(jexl(script, emoji), is(true));
    assertThat(compiled(CompiledExpression.compile(script, SCHEMA), emoji), is(true));
    assertThat(jexl(ExpressionEngine.compile("s =~ '.*' && s > '\uFFFD'"), emoji), is(true)); // JEXL's interpreter
  }

  /**
   * A number with a point is a decimal, not a double (a hostile trial: amt * (0.1 * 3) gave
   * 0.030000000000000004, a literal of 20 digits lost its last ones); meeting a double it is a
   * double, as in SQL.
   */
  @Test
  public void numbersWithAPointAreExactDecimals() {
    Object[] row = ROWS.get(0); // d = 12.50, x = 1.5, i = 3
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("d * (0.1 * 3)"), SCHEMA), row),
        equalTo(new java.math.BigDecimal("3.750")));
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("d + 12345678901234567.89"), SCHEMA), row),
        equalTo(new java.math.BigDecimal("12345678901234580.39")));
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("i / 4.0"), SCHEMA), row),
        equalTo(new java.math.BigDecimal("0.75")));
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("x * 0.5"), SCHEMA), row), equalTo(0.75));
    assertThat(jexl(ExpressionEngine.compile("s =~ '.*' ? x * 0.5 : 0"), row), equalTo(0.75)); // JEXL's interpreter
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("-0.1 * 3 == -0.3"), SCHEMA), row),
        equalTo(true)); // JEXL made a negated decimal literal a double
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile(
        "d + 1234567890123456789012345678901234.56"), SCHEMA), row), // 36 digits: DECIMAL128 kept 34
        equalTo(new java.math.BigDecimal("1234567890123456789012345678901247.06")));
    assertThat(new ExpressionFunctions().abs(java.math.BigInteger.TEN.pow(19).negate()),
        equalTo(java.math.BigInteger.TEN.pow(19)));
    assertThat(ExpressionEngine.exactLiterals("'0.5' + 1.5e-2 + 2.5d + x1.5 + `r ${i} 2.5` + (s =~ ~/1.5/)"),
        equalTo("'0.5' + (1.5e-2B) + 2.5d + x1.5 + `r ${i} 2.5` + (s =~ ~/1.5/)"));
  }

  /** -x of the smallest int or long widens, as + - * do, rather than wrapping to itself; compiled and by JEXL. */
  @Test
  public void negatingTheSmallestIntegerWidens() {
    Object[] row = row(Integer.MIN_VALUE, Long.MIN_VALUE, "1", "1", 1.0, "s", true, "2024-01-01T00:00:00Z",
        "2024-01-01", "EU");
    for (String expression : List.of("-i > 0", "-l > 0", "-i == 2147483648", "-(i + 0) > 0", "-l - 1 > 0")) {
      JexlScript script = ExpressionEngine.compile(expression);
      assertThat(expression, compiled(CompiledExpression.compile(script, SCHEMA), row), equalTo(true));
      assertThat(expression, jexl(script, row), equalTo(true));
    }
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("-i"), SCHEMA), row), equalTo(2147483648L));
    assertThat(compiled(CompiledExpression.compile(ExpressionEngine.compile("-l"), SCHEMA), row),
        equalTo(java.math.BigInteger.ONE.shiftLeft(63)));
  }

  /**
   * A hostile trial's silent wrongs, each compiled and by JEXL alike: the smallest long divided by -1
   * wrapped to itself; a decimal compared with a double compared exactly (unequal), where arithmetic
   * makes it a double; a decimal joined to text was 1.000E-7; 010 was octal eight; a boolean equalled
   * 2 and 'abc' (a number is 1 or 0 to it, a string 'true' or 'false', as in SQL).
   */
  @Test
  public void divisionComparisonJoiningAndLiteralsFollowTheDocumentedRules() {
    Object[] row = row(Integer.MIN_VALUE, Long.MIN_VALUE, "0.123456789012345678", "0.0000001000", 0.12345678901234568,
        "s", true, "2024-01-01T00:00:00Z", "2024-01-01", "EU");
    Object[][] cases = {
        {"l / -1", java.math.BigInteger.ONE.shiftLeft(63)}, {"l / -1 > 0", true}, {"l % -1", 0L},
        {"i / -1", 2147483648L},
        {"d == x", true}, {"d != x", false}, {"d < x", false}, {"d >= x", true}, {"x == d", true},
        {"'a=' + d3", "a=0.0000001000"}, {"d3 + '!'", "0.0000001000!"}, {"'d=' + (d3 * 0)", "d=0.0000000000"},
        {"010 == 10", true}, {"i < 010", true}, {"09 + 0", 9}, {"-010", -10},
        {"b == 1", true}, {"b == 2", false}, {"b != 2", true}, {"b == 1.0", true}, {"b == 0", false},
        {"b == 'true'", true}, {"b == 'FALSE'", false}, {"'True' == b", true}, {"b == 's'", "error"},
        {"b == true", true}, {"b == null", false}, {"b == x * 0 + 1.0d", true}, {"b == x * 1e308d * 10", false}};
    for (Object[] c : cases) {
      JexlScript script = ExpressionEngine.compile((String) c[0]);
      assertThat((String) c[0], compiled(CompiledExpression.compile(script, SCHEMA), row), equalTo(c[1]));
      assertThat((String) c[0], jexl(script, row), equalTo(c[1]));
    }
    assertThat(ExpressionEngine.exactLiterals("a >= 010 && b == 007.5 && c == 0x10 && d == 0 && e == 00 && f1 == 010L"),
        equalTo("a >= 10 && b == (7.5B) && c == 0x10 && d == 0 && e == 0 && f1 == 10L"));
  }

  /**
   * A trial's silent wrongs: -0.0 compared below 0.0 (so {@code x == 0} was false for a cell "-0.0"),
   * and a null text did not match {@code =~}, so {@code s !~ 'a.*'} kept the rows whose s is null;
   * a null operand of a match is an error now, as of {@code =^}.
   */
  @Test
  public void negativeZeroIsZeroAndAMatchOfNullIsAnError() {
    Object[] negativeZero = row(1, 1L, "1", "0.0000001000", -0.0, null, true, "2024-01-01T00:00:00Z", "2024-01-01", "EU");
    Object[][] cases = {
        {"x == 0", true}, {"x != 0", false}, {"x >= 0", true}, {"x < 0", false}, {"x == 0.0d", true},
        {"0 <= x", true}, {"x == d * 0", true}, {"x > -0.5d", true},
        {"s =~ 'a.*'", "error"}, {"s !~ 'a.*'", "error"}, {"s =^ 'a'", "error"}, {"s == null || s !~ 'a.*'", true},
        {"d3 =~ '0\\\\.0000001.*'", true}, {"d3 =^ '0.00000'", true}, {"d3 =$ '1000'", true}};
    for (Object[] c : cases) {
      JexlScript script = ExpressionEngine.compile((String) c[0]);
      CompiledExpression.Eval eval = CompiledExpression.compile(script, SCHEMA);
      if (eval != null) {
        assertThat((String) c[0], compiled(eval, negativeZero), equalTo(c[1]));
      }
      assertThat((String) c[0], jexl(script, negativeZero), equalTo(c[1]));
    }
  }

  @Test
  public void whatTheCompilerDoesNotCoverStaysWithJexl() {
    for (String expression : LEFT_TO_JEXL) {
      assertThat(expression, CompiledExpression.compile(ExpressionEngine.compile(expression), SCHEMA), nullValue());
    }
  }

  private static CompiledExpression.EvaluationException failure(String expression, Object[] values) {
    try {
      CompiledExpression.compile(ExpressionEngine.compile(expression), SCHEMA).eval(values);
    } catch (CompiledExpression.EvaluationException e) {
      return e;
    }
    throw new AssertionError(expression + ": expected an error");
  }

  @Test
  public void nullErrorsReadAsJexlsAndOnlyNullOperandsAreCaughtByATernary() {
    Object[] nulls = ROWS.get(4);
    CompiledExpression.EvaluationException field = failure("2 / i", nulls);
    assertThat(field.getMessage(), equalTo("variable 'i' is null"));
    assertThat(field.nullOperand(), is(false));
    CompiledExpression.EvaluationException operand = failure("abs(i) / 2", nulls);
    assertThat(operand.getMessage(), equalTo("/ error caused by null operand"));
    assertThat(operand.nullOperand(), is(true));
  }

  @Test
  public void aFunctionGivenTheWrongTypeFailsAsAnEvaluationError() {
    CompiledExpression.Eval eval = CompiledExpression.compile(ExpressionEngine.compile("date(s)"), SCHEMA);
    try {
      eval.eval(ROWS.get(0).clone()); // "eu" is no date
      throw new AssertionError("expected an error");
    } catch (RuntimeException e) {
      assertThat(e, instanceOf(CompiledExpression.EvaluationException.class));
      assertThat(e.getMessage(), startsWith("date(a string): "));
    }
  }
}
