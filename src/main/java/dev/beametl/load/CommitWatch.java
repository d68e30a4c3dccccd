package dev.beametl.load;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Asks the table, from a session of its own, whether a commit that has not answered has happened.
 * A commit whose answer the network lost waited forever (a trial: a proxy that swallowed the
 * answer; the driver has no read timeout, and one would also cut a long honest commit), the rows
 * already in the table, and an operator who killed the silent job and ran it again appended them
 * twice. Once the run's commit mark is visible to another session the transaction has committed:
 * the waiting connection is aborted, and the commit counts as done. A commit still at work is left
 * to work; the probe only reads, on a connection of its own with a network timeout.
 */
final class CommitWatch implements AutoCloseable {
  /** How long a commit runs before the table is first asked, and between askings. Tests shorten it. */
  static Duration every = Duration.ofSeconds(10);

  /** Whether the run's commit mark is visible from another session. */
  interface Probe {
    boolean committed() throws SQLException;
  }

  private final ScheduledExecutorService timer;
  private volatile boolean seenCommitted;

  private CommitWatch(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /** Watches the commit running on {@code committing} until closed. */
  static CommitWatch start(Connection committing, Probe probe) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "beam-etl-commit-watch");
      t.setDaemon(true);
      return t;
    });
    CommitWatch watch = new CommitWatch(timer);
    timer.scheduleWithFixedDelay(() -> watch.ask(committing, probe), every.toMillis(), every.toMillis(),
        TimeUnit.MILLISECONDS);
    return watch;
  }

  private void ask(Connection committing, Probe probe) {
    if (seenCommitted) {
      return;
    }
    try {
      if (probe.committed()) {
        seenCommitted = true;
        org.slf4j.LoggerFactory.getLogger(CommitWatch.class).warn("The commit has not answered, but another session"
            + " sees its mark in the table: it is done; closing the connection that waits for its answer");
        committing.abort(Runnable::run);
      }
    } catch (SQLException | RuntimeException e) {
      // The database away, or the mark not readable: the commit's own answer decides, as without the watch.
    }
  }

  /** Whether the commit was seen done from another session (its connection then aborted). */
  boolean sawCommitted() {
    return seenCommitted;
  }

  @Override
  public void close() {
    if (timer.isShutdown()) {
      return;
    }
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
