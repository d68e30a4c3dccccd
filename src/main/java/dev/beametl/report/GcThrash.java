package dev.beametl.report;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;

/**
 * Tells a JVM that collects garbage nearly all the time from one that works. Near the heap's end a
 * run can collect for minutes without an OutOfMemoryError: the parallel collector's overhead limit
 * needs each full collection to free under 2% of the heap, and a collection that frees a big
 * buffer about to be asked for again frees far more (trials: a 44 MB lookup table at -Xmx256m spent
 * 95% of four minutes collecting; 2,000 wide Parquet columns at -Xmx256m minutes more). A run that
 * spent {@link #SHARE} of the last {@link #WINDOW_SECONDS} in collections is such a run; a shorter
 * burst, or a run younger than the window, never is.
 */
public final class GcThrash {
  /** The window, in seconds: {@code -Dbeametl.gcStopSeconds=N} (0: never stop a run for it). */
  public static final int WINDOW_SECONDS = Integer.getInteger("beametl.gcStopSeconds", 60);
  public static final double SHARE = 0.9;
  private static final long WINDOW_NANOS = Math.max(1, WINDOW_SECONDS) * 1_000_000_000L;

  /** Samples of the last window: the time taken (nanoTime) and the collectors' time until then, in ms. */
  private final ArrayDeque<long[]> samples = new ArrayDeque<>();
  /** The newest sample a window or more old: the share is of the time since; null while none is. */
  private long[] anchor;

  /**
   * Adds a sample (at {@code nanos}, the collections so far took {@code collectingMillis}) and
   * returns the share of the last window spent collecting, or -1 while less than a window is sampled.
   */
  public double sample(long nanos, long collectingMillis) {
    samples.addLast(new long[] {nanos, collectingMillis});
    while (nanos - samples.getFirst()[0] >= WINDOW_NANOS) { // ends at the sample just added
      anchor = samples.removeFirst();
    }
    return anchor == null ? -1 : (collectingMillis - anchor[1]) * 1_000_000.0 / (nanos - anchor[0]);
  }

  /** Whether {@code share}, from {@link #sample}, is a JVM collecting nearly all the time. */
  public static boolean thrashing(double share) {
    return WINDOW_SECONDS > 0 && share >= SHARE;
  }

  /**
   * This JVM's collectors' pauses so far, in ms. Not ZGC's, Shenandoah's or G1's concurrent cycles
   * ("... Cycles", "G1 Concurrent GC"): they run beside the program, and a healthy run spends most of
   * its time in one.
   */
  public static long collectingMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (!gc.getName().contains("Cycles") && !gc.getName().contains("Concurrent")) {
        total += Math.max(0, gc.getCollectionTime());
      }
    }
    return total;
  }
}
