package dev.beametl.cli;

import dev.beametl.load.JdbcTable;
import dev.beametl.spec.JdbcSinkSpec;
import java.io.PrintStream;
import java.time.Duration;
import javax.annotation.Nullable;

/**
 * What the JVM's exit before a run's end does to its table (stopped for collecting garbage, ended
 * by Flink on a task's fatal error, Ctrl-C), in a shutdown hook. Before the commit, the staging
 * tables go, as a failed run's end drops them (a trial: the stop for collecting garbage left them,
 * and the next run called that run killed), and the commit can no longer begin. During the commit,
 * it is stopped - rolled back, unless the database had finished it - and the hook says which, from
 * what the commit itself answered (a trial: "Ctrl-C stops the run, and the table stays as it was",
 * exit 130, and the 3M rows of an overwrite were in). The whole hook waits for the database at most
 * {@link #wait}: an answer not come by then is said to be unknown, with how to tell, and the tables
 * that tell stay.
 */
final class CommitAtExit {
  /** How long the exit waits for the database, all steps together (tests shorten it). */
  static Duration wait = Duration.ofSeconds(5);

  /** How a commit ended, as the commit answered. */
  enum Outcome { COMMITTED, ROLLED_BACK, UNKNOWN }

  private final JdbcSinkSpec sink;
  private final String run;
  private final PrintStream notes;
  /** The sink's drop of its staging tables, unless a state file keeps them; never throws. */
  private final Runnable dropUnlessKept;
  final JdbcTable.Stop stop = new JdbcTable.Stop();
  private final @Nullable Thread hook;
  private boolean exiting;
  private boolean began;
  private boolean ended;
  private boolean closed;
  private Outcome outcome;

  CommitAtExit(JdbcSinkSpec sink, String run, PrintStream notes, Runnable dropUnlessKept) {
    this.sink = sink;
    this.run = run;
    this.notes = notes;
    this.dropUnlessKept = dropUnlessKept;
    Thread thread = new Thread(this::atExit, "beam-etl-table-at-exit");
    try {
      Runtime.getRuntime().addShutdownHook(thread);
    } catch (IllegalStateException shuttingDown) { // the run sets up as the JVM exits: it commits nothing
      thread = null;
      exiting = true;
    }
    this.hook = thread;
  }

  /** The registered hook, null when the JVM was exiting already (for tests). */
  @Nullable Thread hook() {
    return hook;
  }

  /** Whether the commit may begin (not once the JVM is exiting); from now on the hook stops it. */
  synchronized boolean begin() {
    began = !exiting;
    return began;
  }

  /** The commit returned or failed, with {@code how}. */
  synchronized void ended(Outcome how) {
    ended = true;
    outcome = how;
    notifyAll();
  }

  /** The run ends its sink: the hook goes (the warm runner's JVM runs many). */
  void close() {
    synchronized (this) {
      closed = true;
    }
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) { // the hook runs, and finds the sink closed
      }
    }
  }

  /** The hook's work; package-private for tests. */
  void atExit() {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean commitBegan;
    boolean commitEnded;
    synchronized (this) {
      exiting = true;
      if (closed) {
        return; // the run said how it ended
      }
      commitBegan = began;
      commitEnded = ended;
    }
    if (!commitBegan) {
      within(dropUnlessKept, deadline); // the next run names the tables a failed drop leaves
      return;
    }
    if (!commitEnded) {
      within(() -> {
        try {
          stop.request();
        } catch (java.sql.SQLException e) { // the flag is set: the commit stops at its next step
        }
      }, deadline);
    }
    Outcome how = awaitEnd(deadline);
    if (how == Outcome.COMMITTED || how == Outcome.ROLLED_BACK) {
      within(dropUnlessKept, deadline);
    }
    notes.println(line(how));
  }

  private synchronized Outcome awaitEnd(long deadline) {
    while (!ended) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Outcome.UNKNOWN;
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Outcome.UNKNOWN;
      }
    }
    return outcome;
  }

  /** What the exit says of a commit that ended {@code how}. */
  String line(Outcome how) {
    String table = sink.connection().table();
    switch (how) {
      case COMMITTED:
        return "beam-etl: stopped at the commit, which had finished: this run's rows are in " + table
            + "; do not run it again for them";
      case ROLLED_BACK:
        return "beam-etl: stopped during the commit, which was rolled back: " + table + " is as the run found it";
      default:
        return "beam-etl: stopped during the commit into " + table + ", whose answer had not come within "
            + wait.toSeconds() + " s: it is rolled back unless the database had finished it, and the staging table "
            + JdbcTable.stagingTables(sink, run).get(1) + " holds the row '" + JdbcTable.ROWS_COMMITTED + "' if it "
            + "did; look before running it again, then drop " + String.join(" and ", JdbcTable.stagingTables(sink, run));
    }
  }

  /** Runs {@code step} on a thread of its own until {@code deadline} at most; a failure is the next run's to name. */
  private static void within(Runnable step, long deadline) {
    Runnable quiet = () -> {
      try {
        step.run();
      } catch (Throwable e) { // the JVM is exiting
      }
    };
    Thread thread;
    try {
      thread = new Thread(quiet, "beam-etl-table-at-exit-step");
      thread.setDaemon(true);
      thread.start();
    } catch (Throwable noThread) { // out of memory: run it here, unbounded but better than not at all
      quiet.run();
      return;
    }
    try {
      thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
