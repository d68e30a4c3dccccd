package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * A double sum near a double's limits is never NaN, and once a step overflows it is the exact sum
 * rounded once, whatever partial sums the runner adds and merges: against BigDecimal over random
 * values near 1.8e308 of both signs, split into random partial sums merged in random order (a
 * trial: +Infinity and -Infinity partial sums merged into NaN for a total of 1.6e308).
 */
public class DoubleSumFnTest {
  private final DoubleSumFn fn = new DoubleSumFn();

  @Test
  public void aSumNearTheLimitsIsTheExactOneRoundedWhateverPartialSumsOverflow() throws Exception {
    Random random = new Random(7);
    int finite = 0;
    int infinite = 0;
    for (int round = 0; round < 2_000; round++) {
      List<Double> values = new ArrayList<>();
      BigDecimal exact = BigDecimal.ZERO;
      for (int i = random.nextInt(12); i >= 0; i--) {
        double v = random.nextInt(4) == 0 ? random.nextGaussian() * 1e6
            : (random.nextBoolean() ? 1 : -1) * Double.MAX_VALUE * (0.5 + random.nextDouble() / 2);
        values.add(v);
        exact = exact.add(new BigDecimal(v));
      }
      DoubleSumFn.Sum merged = inRandomPartialSums(values, random, 3);
      double sum = fn.extractOutput(merged);
      assertThat(values.toString(), Double.isNaN(sum), is(false));
      if (merged.overflowed()) {
        assertThat(values.toString(), sum, is(exact.doubleValue()));
      } else { // no step left the range: the compensated sum, off by roundings of the roundings at most
        double magnitudes = values.stream().mapToDouble(Math::abs).sum();
        assertThat(values.toString(), Math.abs(sum - exact.doubleValue()) <= 1e-28 * magnitudes, is(true));
      }
      if (Double.isInfinite(sum)) {
        assertThat("infinite only beyond a double's range", exact.abs().compareTo(new BigDecimal(Double.MAX_VALUE))
            > 0, is(true));
        infinite++;
      } else {
        finite++;
      }
    }
    assertThat("both outcomes were tried", finite > 100 && infinite > 100, is(true));
  }

  @Test
  public void theTrialsGroupSumsToItsExactTotalAndAMeanOfItIsFinite() throws Exception {
    double[] values = {Double.MAX_VALUE, Double.MAX_VALUE, 1e308, 1e308, -1e308, -1e308, -1e308, -1e308, 3.5};
    DoubleSumFn.Sum first = fn.createAccumulator();
    DoubleSumFn.Sum second = fn.createAccumulator();
    for (int i = 0; i < values.length; i++) { // +Infinity in one partial sum, -Infinity in the other, before
      fn.addInput(i % 2 == 0 ? first : second, values[i]);
    }
    BigDecimal exact = BigDecimal.ZERO;
    for (double v : values) {
      exact = exact.add(new BigDecimal(v));
    }
    assertThat(fn.extractOutput(fn.mergeAccumulators(List.of(first, second))), is(exact.doubleValue()));
    MeanFn mean = MeanFn.asDouble();
    MeanFn.Accum a = mean.createAccumulator();
    mean.addInput(a, Double.MAX_VALUE);
    mean.addInput(a, Double.MAX_VALUE);
    assertThat("the mean of two maxima", mean.extractOutput(mean.mergeAccumulators(List.of(
        CoderUtils.clone(MeanFn.AccumCoder.INSTANCE, a)))), is(Double.MAX_VALUE));
    assertThat(fn.extractOutput(fn.createAccumulator()), is(nullValue()));
    assertThat(exact.round(MathContext.DECIMAL64).toString(), is("1.595386269724631E+308"));
  }

  /**
   * Below the range the sum is compensated: what each addition rounds away is kept, so values
   * absorbed by a huge one that later cancels still count (a trial: 1e308, 233 ordinary values and
   * -1e308 summed to 2,480,499.37 where the exact total is 1,646,466.21; DuckDB gave 0.0), in any
   * split into encoded partial sums.
   */
  @Test
  public void valuesAHugeOneAbsorbsStillCountWhenItCancels() throws Exception {
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      List<Double> values = new ArrayList<>(List.of(1e308, -1e308));
      BigDecimal exact = BigDecimal.ZERO;
      for (int i = 0; i < 233; i++) {
        double v = Math.round(random.nextGaussian() * 1e6) / 100.0;
        values.add(v);
        exact = exact.add(new BigDecimal(v));
      }
      double sum = fn.extractOutput(inRandomPartialSums(values, random, 20));
      assertThat(values.toString(), Math.abs(sum - exact.doubleValue()) <= 1e-6, is(true));
    }
  }

  /**
   * {@code values} shuffled, added into partial sums cut after about one value in {@code oneIn}, each
   * encoded as it crosses the shuffle, then merged in random order.
   */
  private DoubleSumFn.Sum inRandomPartialSums(List<Double> values, Random random, int oneIn) throws Exception {
    Collections.shuffle(values, random);
    List<DoubleSumFn.Sum> partials = new ArrayList<>();
    DoubleSumFn.Sum current = fn.createAccumulator();
    for (Double v : values) {
      fn.addInput(current, v);
      if (random.nextInt(oneIn) == 0) {
        partials.add(roundTrip(current));
        current = fn.createAccumulator();
      }
    }
    partials.add(roundTrip(current));
    Collections.shuffle(partials, random);
    return fn.mergeAccumulators(partials);
  }

  private static DoubleSumFn.Sum roundTrip(DoubleSumFn.Sum s) throws Exception {
    return CoderUtils.clone(DoubleSumFn.SumCoder.INSTANCE, s);
  }
}
