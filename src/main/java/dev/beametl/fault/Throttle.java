package dev.beametl.fault;

import org.apache.beam.sdk.transforms.DoFn;

/**
 * Testing only: passes at most {@code perSecond} elements a second through each instance, so a test
 * can stop a cluster or kill a TaskManager while the job surely still reads (records.throttle) or
 * writes its results (results.throttle). 0: no limit.
 */
final class Throttle<T> extends DoFn<T, T> {
  private final long perSecond;
  private transient long start;
  private transient long passed;

  Throttle(long perSecond) {
    this.perSecond = perSecond;
  }

  @ProcessElement
  public void process(@Element T element, OutputReceiver<T> out) throws InterruptedException {
    if (perSecond > 0) {
      if (passed == 0) {
        start = System.nanoTime();
      }
      long due = start + passed * 1_000_000_000L / perSecond;
      long early = due - System.nanoTime();
      if (early > 1_000_000L) {
        Thread.sleep(early / 1_000_000L);
      }
      passed++;
    }
    out.output(element);
  }
}
