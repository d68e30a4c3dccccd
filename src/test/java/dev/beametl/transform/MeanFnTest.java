package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.Random;
import org.junit.Test;

/** The mean of integers as a double is the double nearest the exact mean, as DuckDB's avg gives it. */
public class MeanFnTest {
  @Test
  public void theMeanOfIntegersIsTheNearestDouble() {
    MeanFn fn = MeanFn.asDouble();
    MeanFn.Accum thirds = fn.createAccumulator();
    for (int v : new int[] {-5, -5, 5}) {
      fn.addInput(thirds, v);
    }
    assertThat(fn.extractOutput(thirds), is(-5 / 3.0)); // -1.6666666666666667; 16 digits gave ...667 short
    Random random = new Random(11);
    for (int round = 0; round < 10_000; round++) {
      MeanFn.Accum acc = fn.createAccumulator();
      long sum = 0;
      int n = 1 + random.nextInt(9);
      for (int i = 0; i < n; i++) {
        long v = random.nextInt();
        fn.addInput(acc, v);
        sum += v;
      }
      assertThat(sum + "/" + n, fn.extractOutput(acc), is((double) sum / n)); // exact operands, one rounding
    }
  }
}
