package dev.beametl.record;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Records read and bad so far in this JVM, for the progress line: process-wide counters that
 * Validate adds to as it goes. Only runners in this JVM (embedded Flink, the DirectRunner) feed them;
 * the exact totals are the counts that travel as data ({@link BundleCounts}).
 */
public final class LiveCounts {
  private static final AtomicLong READ = new AtomicLong();
  private static final AtomicLong BAD = new AtomicLong();

  private LiveCounts() {}

  public static void add(long read, long bad) {
    READ.addAndGet(read);
    BAD.addAndGet(bad);
  }

  public static long read() {
    return READ.get();
  }

  public static long bad() {
    return BAD.get();
  }

  /** A new run starts counting from zero. */
  public static void reset() {
    READ.set(0);
    BAD.set(0);
  }
}
