package dev.beametl.record;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Counts kept inside one bundle and emitted as data when the bundle finishes: one small record per
 * count per bundle instead of a metric update per element. Because the counts are outputs of the
 * bundle, a retried bundle discards them with the rest of its output, so totals stay exact after a
 * failure - unlike accumulators, which a restart resets.
 */
public final class BundleCounts {
  /** The tag stages use for their count outputs. */
  public static final TupleTag<KV<String, Long>> TAG = new TupleTag<>("counts") {};

  private final Map<String, long[]> counts = new HashMap<>();

  public void add(String name, long n) {
    cell(name)[0] += n;
  }

  /** The counter itself, for a hot path: {@code cell("read")[0]++} costs no map lookup per element. */
  public long[] cell(String name) {
    return counts.computeIfAbsent(name, k -> new long[1]);
  }

  public void increment(String name) {
    add(name, 1);
  }

  /** Emits every count to {@link #TAG} and starts over. */
  public void flush(DoFn<?, ?>.FinishBundleContext context) {
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      if (e.getValue()[0] != 0) {
        context.output(TAG, KV.of(e.getKey(), e.getValue()[0]), GlobalWindow.INSTANCE.maxTimestamp(),
            GlobalWindow.INSTANCE);
      }
      e.getValue()[0] = 0;
    }
  }
}
