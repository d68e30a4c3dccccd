package dev.beametl.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;

import org.junit.Test;

public class ProgressTest {
  private static final int MB = 1 << 20;
  private static byte[] held;

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
