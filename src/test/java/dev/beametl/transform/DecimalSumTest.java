package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * The long-based decimal sum against BigDecimal's own addition: the same value and scale for random
 * values of every shape - everyday decimal(15,2), long edges, more than 18 digits, mixed and negative
 * scales - added one by one, merged from random parts through the accumulator's coder, and as means.
 */
public class DecimalSumTest {
  private static BigDecimal random(SplittableRandom rng, int scale) {
    switch (rng.nextInt(8)) {
      case 0: // near a long's edge, in units
        return BigDecimal.valueOf(rng.nextBoolean() ? Long.MAX_VALUE - rng.nextInt(3) : Long.MIN_VALUE + rng.nextInt(3), scale);
      case 1: // 18 digits: the widest a long always holds; sums of a few overflow
        return BigDecimal.valueOf((rng.nextBoolean() ? 1 : -1) * (999_999_999_999_999_999L - rng.nextInt(1000)), scale);
      case 2: // more digits than a long
        return new BigDecimal(new BigInteger(rng.nextInt(64, 130), new java.util.Random(rng.nextLong())), scale)
            .multiply(BigDecimal.valueOf(rng.nextBoolean() ? 1 : -1));
      case 3: // another scale, negative ones too
        return BigDecimal.valueOf(rng.nextLong(-1_000_000, 1_000_000), rng.nextInt(-3, 22));
      case 4:
        return BigDecimal.valueOf(0, rng.nextInt(-2, 8));
      default: // the everyday value
        return BigDecimal.valueOf(rng.nextLong(-10_000_000_000_000L, 10_000_000_000_000L), scale);
    }
  }

  @Test
  public void sameValueAndScaleAsBigDecimalAddition() throws Exception {
    SplittableRandom rng = new SplittableRandom(21);
    DecimalSumFn fn = new DecimalSumFn(v -> v);
    for (int round = 0; round < 20_000; round++) {
      int scale = rng.nextInt(0, 7);
      int n = rng.nextInt(0, 12);
      List<BigDecimal> values = new ArrayList<>();
      BigDecimal expected = null;
      for (int i = 0; i < n; i++) {
        BigDecimal v = rng.nextInt(10) == 0 ? null : random(rng, scale);
        values.add(v);
        if (v != null) {
          expected = expected == null ? v : expected.add(v);
        }
      }
      DecimalSum one = fn.createAccumulator();
      for (BigDecimal v : values) {
        fn.addInput(one, v);
      }
      assertThat(values.toString(), fn.extractOutput(one), equalTo(expected)); // BigDecimal.equals: value and scale

      // The same values in random parts, each part through the accumulator's coder, merged.
      List<DecimalSum> parts = new ArrayList<>();
      DecimalSum part = fn.createAccumulator();
      for (BigDecimal v : values) {
        fn.addInput(part, v);
        if (rng.nextInt(3) == 0) {
          parts.add(CoderUtils.clone(DecimalSumFn.SumCoder.INSTANCE, part));
          part = fn.createAccumulator();
        }
      }
      parts.add(part);
      assertThat("merged " + values, fn.extractOutput(fn.mergeAccumulators(parts)), equalTo(expected));
    }
  }

  @Test
  public void longsAddAsTheirDecimals() {
    SplittableRandom rng = new SplittableRandom(22);
    for (int round = 0; round < 20_000; round++) {
      DecimalSum sum = new DecimalSum();
      BigDecimal expected = null;
      for (int i = rng.nextInt(1, 6); i > 0; i--) {
        BigDecimal v;
        if (rng.nextBoolean()) {
          long l = rng.nextBoolean() ? rng.nextLong()
              : new long[] {Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE / 2, -1, 0}[rng.nextInt(5)];
          sum.add(l);
          v = BigDecimal.valueOf(l);
        } else {
          v = random(rng, rng.nextInt(0, 4));
          sum.add(v);
        }
        expected = expected == null ? v : expected.add(v);
      }
      assertThat(sum.value(), equalTo(expected)); // value and scale
    }
    DecimalSum halves = new DecimalSum(); // a long sum that would be exactly Long.MIN_VALUE units
    halves.add(Long.MIN_VALUE / 2);
    halves.add(Long.MIN_VALUE / 2);
    assertThat(halves.value(), equalTo(BigDecimal.valueOf(Long.MIN_VALUE)));
  }

  /** The accumulators travel as before: a sum as its nullable DecimalCoder value; a mean's sum, double sum and count. */
  @Test
  public void accumulatorsEncodeAsTheSumItself() throws Exception {
    SplittableRandom rng = new SplittableRandom(24);
    MeanFn mean = MeanFn.asDecimal(8, v -> v);
    for (int round = 0; round < 2_000; round++) {
      DecimalSum sum = new DecimalSum();
      MeanFn.Accum acc = mean.createAccumulator();
      BigDecimal expected = null;
      for (int i = rng.nextInt(0, 5); i > 0; i--) {
        BigDecimal v = random(rng, 2);
        sum.add(v);
        mean.addInput(acc, v);
        expected = expected == null ? v : expected.add(v);
      }
      assertThat(CoderUtils.encodeToByteArray(DecimalSumFn.SumCoder.INSTANCE, sum), equalTo(CoderUtils.encodeToByteArray(
          org.apache.beam.sdk.coders.NullableCoder.of(DecimalCoder.of()), expected)));
      MeanFn.Accum decoded = CoderUtils.clone(MeanFn.AccumCoder.INSTANCE, acc);
      assertThat(decoded.count, equalTo(acc.count));
      assertThat(mean.extractOutput(decoded), equalTo(mean.extractOutput(acc)));
      assertThat(mean.extractOutput(mean.mergeAccumulators(List.of(decoded, mean.createAccumulator()))),
          equalTo(mean.extractOutput(acc)));
    }
  }

  @Test
  public void anEmptySumIsNull() {
    DecimalSumFn fn = new DecimalSumFn(v -> v);
    DecimalSum empty = fn.addInput(fn.createAccumulator(), null);
    assertThat(fn.extractOutput(empty), nullValue());
    assertThat(fn.extractOutput(fn.mergeAccumulators(List.of(empty, fn.createAccumulator()))), nullValue());
  }

  @Test
  public void decimalMeansRoundHalfEvenFromTheExactSum() {
    SplittableRandom rng = new SplittableRandom(23);
    for (int round = 0; round < 20_000; round++) {
      int scale = rng.nextInt(0, 5);
      int meanScale = scale + 6;
      MeanFn fn = MeanFn.asDecimal(meanScale, v -> v);
      MeanFn.Accum acc = fn.createAccumulator();
      BigDecimal sum = BigDecimal.ZERO;
      int n = rng.nextInt(1, 9);
      for (int i = 0; i < n; i++) {
        BigDecimal v = random(rng, scale);
        fn.addInput(acc, v);
        sum = sum.add(v);
      }
      assertThat(fn.extractOutput(acc), equalTo(sum.divide(BigDecimal.valueOf(n), meanScale, RoundingMode.HALF_EVEN)));
    }
    // Ties go to the even neighbour: 1.5 and 2.5 are both 2 at scale 0, -1.5 and -2.5 both -2.
    MeanFn whole = MeanFn.asDecimal(0, v -> v);
    long[][] pairs = {{1, 2}, {2, 3}, {-1, -2}, {-2, -3}, {Long.MAX_VALUE, Long.MAX_VALUE - 1}};
    String[] means = {"2", "2", "-2", "-2", "9223372036854775806"};
    for (int i = 0; i < pairs.length; i++) {
      MeanFn.Accum acc = whole.createAccumulator();
      whole.addInput(acc, BigDecimal.valueOf(pairs[i][0]));
      whole.addInput(acc, BigDecimal.valueOf(pairs[i][1]));
      assertThat(whole.extractOutput(acc), equalTo(new BigDecimal(means[i])));
    }
  }
}
