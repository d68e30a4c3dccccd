package dev.beametl.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Says that a step is still waiting, after {@code first} and then every {@code every}, until closed.
 * A commit behind another session's lock on the table waited in silence, for as long as the lock was
 * held (a trial); the wait itself is right - the holder may be about to finish - the silence was not.
 */
final class WaitNotice implements AutoCloseable {
  private final ScheduledExecutorService timer;

  private WaitNotice(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** {@code message} is a format with one {@code %d}, the seconds waited so far. */
  static WaitNotice start(PrintStream out, Duration first, Duration every, String message) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "beam-etl-wait-notice");
      t.setDaemon(true);
      return t;
    });
    long started = System.nanoTime();
    timer.scheduleAtFixedRate(() -> out.println(String.format(Locale.ROOT, message,
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))),
        first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    return new WaitNotice(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(1, TimeUnit.SECONDS); // a notice being printed is not printed after the step's end
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
