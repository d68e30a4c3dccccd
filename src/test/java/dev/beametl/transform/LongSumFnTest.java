package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

/**
 * The long sum is exact whatever order the runner adds and merges in: against BigInteger over
 * random values near a long's limits, each split into random partial sums merged in random order.
 */
public class LongSumFnTest {
  private final LongSumFn fn = new LongSumFn("total", "n");

  @Test
  public void aTotalThatFitsIsExactWhateverPartialSumsOverflow() throws Exception {
    Random random = new Random(42);
    int fits = 0;
    int beyond = 0;
    for (int round = 0; round < 2_000; round++) {
      List<Long> values = new ArrayList<>();
      BigInteger exact = BigInteger.ZERO;
      for (int i = random.nextInt(12); i >= 0; i--) {
        long v = random.nextInt(4) == 0 ? random.nextLong() % 1000
            : (random.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE) - random.nextInt(3) * (random.nextLong() >>> 40);
        values.add(v);
        exact = exact.add(BigInteger.valueOf(v));
      }
      Collections.shuffle(values, random);
      List<LongSumFn.Sum> partials = new ArrayList<>();
      LongSumFn.Sum current = fn.createAccumulator();
      for (Long v : values) {
        fn.addInput(current, v);
        if (random.nextInt(3) == 0) { // a partial sum crosses the shuffle, encoded
          partials.add(roundTrip(current));
          current = fn.createAccumulator();
        }
      }
      partials.add(roundTrip(current));
      Collections.shuffle(partials, random);
      LongSumFn.Sum merged = fn.mergeAccumulators(partials);
      if (exact.bitLength() < 64) {
        assertThat(values.toString(), fn.extractOutput(merged), is(exact.longValueExact()));
        fits++;
      } else {
        ArithmeticException e = assertThrows(values.toString(), ArithmeticException.class, () -> fn.extractOutput(merged));
        assertThat(e.getMessage(), containsString("metric total (sum of n) is beyond a long's range"));
        beyond++;
      }
    }
    assertThat("both outcomes were tried", fits > 100 && beyond > 100, is(true));
  }

  @Test
  public void anOverflowThatComesBackIsNoError() {
    LongSumFn.Sum s = fn.createAccumulator();
    fn.addInput(s, Long.MAX_VALUE);
    fn.addInput(s, 1L); // wraps: Math.addExact failed here
    fn.addInput(s, -2L);
    assertThat(fn.extractOutput(s), is(Long.MAX_VALUE - 1));
  }

  @Test
  public void noValueIsNullAndNullsAreSkipped() throws Exception {
    LongSumFn.Sum s = fn.addInput(fn.createAccumulator(), null);
    assertThat(fn.extractOutput(s), is(nullValue()));
    assertThat(fn.extractOutput(fn.mergeAccumulators(List.of(s, fn.addInput(fn.createAccumulator(), 7L)))), is(7L));
    assertThat(fn.extractOutput(roundTrip(s)), is(nullValue()));
  }

  /** Encodes and decodes an accumulator, as the shuffle does. */
  private static LongSumFn.Sum roundTrip(LongSumFn.Sum s) throws Exception {
    return CoderUtils.clone(LongSumFn.SumCoder.INSTANCE, s);
  }
}
