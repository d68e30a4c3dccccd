package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Sum;
import org.junit.Test;

/**
 * The composed CombineFn skips the compact pass per group only when no metric's CombineFn has one of
 * its own: a metric that compacts (none of today's do) must not lose its compaction to the shortcut.
 * The predicate that decides it is what is tested: a Metric is built from a spec, and no spec makes
 * one whose fn compacts.
 */
public class MetricsCombineFnTest {
  /** Keeps the largest value; compacts by dropping a spare slot, as a real fn would shrink a sketch. */
  private static final class Compacting extends CombineFn<Long, long[], Long> {
    @Override
    public long[] createAccumulator() {
      return new long[] {Long.MIN_VALUE, 0};
    }

    @Override
    public long[] addInput(long[] acc, Long input) {
      acc[0] = Math.max(acc[0], input);
      return acc;
    }

    @Override
    public long[] mergeAccumulators(Iterable<long[]> accs) {
      long[] out = createAccumulator();
      accs.forEach(a -> out[0] = Math.max(out[0], a[0]));
      return out;
    }

    @Override
    public long[] compact(long[] acc) {
      return new long[] {acc[0]};
    }

    @Override
    public Long extractOutput(long[] acc) {
      return acc[0];
    }
  }

  @Test
  public void onlyAFnThatOverridesCompactCountsAsCompacting() {
    assertThat(MetricsCombineFn.compacts(new Compacting()), is(true));
    assertThat(MetricsCombineFn.compacts(Sum.ofLongs()), is(false));
    assertThat(MetricsCombineFn.compacts(MeanFn.asDouble()), is(false));
    assertThat(MetricsCombineFn.compacts(ReduceFn.max(VarLongCoder.of())), is(false));
    assertThat(MetricsCombineFn.compacts(new LongSumFn("n", "x")), is(false));
  }
}
