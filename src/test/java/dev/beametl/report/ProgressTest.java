package dev.beametl.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import org.junit.Test;

public class ProgressTest {
  private static final int MB = 1 << 20;
  private static byte[] held;

  /** A count that stops moving is said, not left to a slowly falling average. */
  @Test
  public void aLineSaysWhenNoRecordWasReadForAWhile() {
    long[] read = {1000};
    Progress.Counts counts = new Progress.Counts() {
      @Override
      public long read() {
        return read[0];
      }

      @Override
      public long bad() {
        return 0;
      }
    };
    try (Progress p = Progress.start(System.err, 0, counts)) {
      long t = System.nanoTime();
      long second = 1_000_000_000L;
      assertThat(p.line(t + second), not(containsString("none more")));
      assertThat(p.line(t + 29 * second), not(containsString("none more")));
      assertThat(p.line(t + 41 * second),
          containsString("1,000 records read (24/s), 0 bad, none more in the last 40 s"));
      read[0] = 2000;
      assertThat(p.line(t + 42 * second), not(containsString("none more")));
    }
  }

  @Test
  public void theHeapAfterAFullCollectionIsTheLiveData() {
    held = new byte[64 * MB];
    long withArray = Progress.heapAfterFullCollection();
    held = null;
    long without = Progress.heapAfterFullCollection();
    assertThat(withArray, greaterThanOrEqualTo(64L * MB));
    assertThat(without, lessThan(withArray - 48L * MB));
  }
}
