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

  /** Prints {@code before}, the seconds waited so far, then {@code after}. */
  static WaitNotice start(PrintStream out, Duration first, Duration every, String before, String after) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "beam-etl-wait-notice");
      t.setDaemon(true);
      return t;
    });
    long started = System.nanoTime();
    timer.scheduleAtFixedRate(() -> out.println(before + String.format(Locale.ROOT, "%,d",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)) + after),
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
