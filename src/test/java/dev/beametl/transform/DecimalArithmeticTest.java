package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.SplittableRandom;
import org.apache.commons.jexl3.JexlArithmetic;
import org.junit.Test;

/** The compiled decimal + - * against JEXL's own arithmetic: same value, same scale, or JEXL decides. */
public class DecimalArithmeticTest {
  private static final JexlArithmetic JEXL = ExpressionEngine.get().getArithmetic();
  private static final int PRECISION = JEXL.getMathContext().getPrecision();

  private static BigDecimal random(SplittableRandom rng) {
    switch (rng.nextInt(6)) {
      case 0:
        return BigDecimal.valueOf(0, rng.nextInt(-3, 8)); // zeros of any scale
      case 1: // a long's edge
        return BigDecimal.valueOf(rng.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE, rng.nextInt(0, 19));
      case 2: // many digits: rounding territory
        return new BigDecimal(new BigInteger(rng.nextInt(60, 130), new java.util.Random(rng.nextLong())), rng.nextInt(-5, 30))
            .multiply(BigDecimal.valueOf(rng.nextBoolean() ? 1 : -1));
      default: // the everyday decimal(15,2), decimal(18,4)...
        return BigDecimal.valueOf(rng.nextLong(-1_000_000_000_000_000L, 1_000_000_000_000_000L) >> rng.nextInt(0, 60),
            rng.nextInt(0, 7));
    }
  }

  @Test
  public void sameValueAndScaleAsJexl() {
    SplittableRandom rng = new SplittableRandom(16);
    int fast = 0;
    for (int i = 0; i < 200_000; i++) {
      BigDecimal a = random(rng);
      BigDecimal b = random(rng);
      for (BinaryOperator op : new BinaryOperator[] {BinaryOperator.ADD, BinaryOperator.SUBTRACT, BinaryOperator.MULTIPLY}) {
        BigDecimal mine = CompiledExpression.exactDecimal(op, a, b, PRECISION);
        if (mine != null) {
          fast++;
          Object jexl = op.call.apply(JEXL, a, b);
          assertThat(a + " " + op.symbol + " " + b, mine, equalTo(jexl)); // BigDecimal.equals: value and scale
        }
      }
    }
    assertThat(fast, greaterThan(300_000));
  }

  /** An Integer, Long, Short or Byte, near zero or at a long's or an int's edge. */
  private static Object integral(SplittableRandom rng) {
    long v = rng.nextBoolean() ? rng.nextLong(-3, 3)
        : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE}[rng.nextInt(4)] + rng.nextInt(-1, 1);
    switch (rng.nextInt(4)) {
      case 0:
        return (int) v;
      case 1:
        return (short) v;
      case 2:
        return (byte) v;
      default:
        return v;
    }
  }

  @Test
  public void comparisonsAsJexlMakesThem() {
    SplittableRandom rng = new SplittableRandom(17);
    BinaryOperator[] ops = {BinaryOperator.LT, BinaryOperator.LE, BinaryOperator.GT, BinaryOperator.GE};
    for (int i = 0; i < 50_000; i++) {
      Object[][] pairs = {
        {random(rng), random(rng)},
        {BigDecimal.valueOf(rng.nextInt(-3, 3), rng.nextInt(0, 3)), BigDecimal.valueOf(rng.nextInt(-3, 3), rng.nextInt(0, 3))},
        {java.time.LocalDate.ofEpochDay(rng.nextInt(-5, 5)), java.time.LocalDate.ofEpochDay(rng.nextInt(-5, 5))},
        {java.time.Instant.ofEpochSecond(rng.nextInt(-5, 5), rng.nextInt(0, 3)),
            java.time.Instant.ofEpochSecond(rng.nextInt(-5, 5), rng.nextInt(0, 3))},
        {integral(rng), integral(rng)}};
      for (Object[] p : pairs) {
        for (BinaryOperator op : ops) {
          assertThat(p[0] + " " + op.symbol + " " + p[1], CompiledExpression.ordering(op, p[0], p[1]),
              equalTo(op.call.apply(JEXL, p[0], p[1])));
        }
      }
    }
    assertThat(CompiledExpression.ordering(BinaryOperator.LT, 1L, 2), equalTo(true));
    assertThat(CompiledExpression.ordering(BinaryOperator.LT, 1L, 2.5), org.hamcrest.Matchers.nullValue());
    assertThat(CompiledExpression.ordering(BinaryOperator.LT, 1, BigDecimal.TEN), org.hamcrest.Matchers.nullValue());
    assertThat(CompiledExpression.ordering(BinaryOperator.EQ, BigDecimal.ONE, BigDecimal.ONE), org.hamcrest.Matchers.nullValue());
  }
}
