package dev.beametl.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.is;

import org.junit.Test;

/** A JVM collecting garbage nearly all of a whole window is thrashing; a burst, or less than a window, is not. */
public class GcThrashTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long WINDOW = GcThrash.WINDOW_SECONDS * SECOND;

  /** Samples every 200 ms for {@code nanos} after {@code clock} (time, collecting ms), collecting {@code share} of the time; returns the last share. */
  private static double feed(GcThrash gc, long[] clock, long nanos, double share) {
    double last = -1;
    for (long t = 0; t < nanos; t += SECOND / 5) {
      clock[0] += SECOND / 5;
      clock[1] += Math.round(200 * share);
      last = gc.sample(clock[0], clock[1]);
    }
    return last;
  }

  @Test
  public void aWholeWindowOfCollectingIsThrashing() {
    GcThrash gc = new GcThrash();
    long[] clock = {0, 0};
    assertThat(gc.sample(0, 0), is(-1.0));
    assertThat(feed(gc, clock, WINDOW - SECOND, 0.97), is(-1.0)); // younger than the window: never
    double share = feed(gc, clock, SECOND, 0.97);
    assertThat(share, closeTo(0.97, 0.01));
    assertThat(GcThrash.thrashing(share), is(true));
  }

  @Test
  public void aBusyButWorkingJvmOrABurstIsNot() {
    GcThrash busy = new GcThrash();
    long[] clock = {0, 0};
    busy.sample(0, 0);
    double share = feed(busy, clock, 3 * WINDOW, 0.8);
    assertThat(share, closeTo(0.8, 0.01));
    assertThat(GcThrash.thrashing(share), is(false));

    GcThrash burst = new GcThrash();
    long[] again = {0, 0};
    burst.sample(0, 0);
    feed(burst, again, 2 * WINDOW, 0.1);
    feed(burst, again, WINDOW * 2 / 3, 1.0); // two thirds of a window of collections, then work again
    double after = feed(burst, again, WINDOW / 3, 0.1);
    assertThat(after, closeTo(0.7, 0.01));
    assertThat(GcThrash.thrashing(after), is(false));
  }

  /** Under a full heap the sampling thread itself runs late: the share is of the time between the samples. */
  @Test
  public void samplesFarApartCountTheTimeBetweenThem() {
    GcThrash gc = new GcThrash();
    gc.sample(0, 0);
    gc.sample(WINDOW / 2, WINDOW / 2 / 1_000_000 * 95 / 100);
    double share = gc.sample(2 * WINDOW, 2 * WINDOW / 1_000_000 * 95 / 100);
    assertThat(share, closeTo(0.95, 0.001)); // since the last sample a window or more before (W/2)
    assertThat(gc.sample(2 * WINDOW + SECOND, 2 * WINDOW / 1_000_000 * 95 / 100 + 1000), closeTo(0.95, 0.01));
  }
}
