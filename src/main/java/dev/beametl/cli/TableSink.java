package dev.beametl.cli;

import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.TableLock;
import dev.beametl.load.JdbcTable;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.sql.SQLException;
import javax.annotation.Nullable;
import org.slf4j.LoggerFactory;

/**
 * The client's side of a JDBC sink. Before the run: the table is held for this run
 * ({@link TableLock}) and prepared - created if asked, and for overwrite and append the run's staging
 * tables. After it: the staged rows are committed in one transaction, only when the run succeeded
 * within its bad-record limit, and the table stays as it was otherwise; the staging tables are
 * dropped either way, except after a run's state was written unconfirmed and not confirmed: then the
 * next run needs them ({@link StateFile}). A mistake in
 * the sink's settings is a {@link SpecException} (exit 2); a database that cannot be reached is
 * {@link Unavailable} (exit 1: the same run may work later).
 */
final class TableSink implements AutoCloseable {
  private final @Nullable JdbcSinkSpec sink;
  private final OutputColumns columns;
  private final String run;
  private final @Nullable TableLock lock;
  /** Where a note for the user goes (the terminal's error stream). */
  private final java.io.PrintStream notes;
  /** Whether the staging tables may go when the run ends: nothing committed, or committed and the state confirmed. */
  private boolean dropStaged = true;
  /** Whether this run's commit was tried and did not say it succeeded: its committed-bundles table tells. */
  private boolean commitUnconfirmed;
  /** Whether the commit failed and its transaction was rolled back, as the commit itself knows. */
  private boolean rolledBack;
  /** Whether the commit's connection failed at its COMMIT and the database never said how it ended. */
  private boolean inDoubt;
  /** Whether the staging tables were dropped, or left on purpose, once and for all. */
  private boolean settled;
  /** What the JVM's exit before the run's end does to the table (a shutdown hook); null without staging. */
  private final @Nullable CommitAtExit atExit;

  private TableSink(@Nullable JdbcSinkSpec sink, OutputColumns columns, String run, @Nullable TableLock lock,
      java.io.PrintStream notes) {
    this.notes = notes;
    this.sink = sink;
    this.columns = columns;
    this.run = run;
    this.lock = lock;
    this.atExit = commitsAfterRun() ? new CommitAtExit(sink, run, notes, this::dropQuietly) : null;
  }

  /** The commit's failure, worded for the user, with the database's own error as its cause. */
  static final class CommitFailed extends SQLException {
    CommitFailed(String message, SQLException cause) {
      super(message, cause.getSQLState(), cause);
    }
  }

  /** The database could not be reached or was busy: worth running again as it is. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  /** Holds and prepares the spec's table, if it has one, for the run {@code run}; nothing is written to it yet. */
  static TableSink prepare(PipelineSpec spec, String run, java.io.PrintStream notes) throws Unavailable {
    JdbcSinkSpec sink = spec.sink().jdbc();
    if (sink == null) {
      return new TableSink(null, OutputColumns.of(spec), run, null, notes);
    }
    TableLock lock = null;
    try {
      lock = TableLock.take(sink.connection(), sink.connection().table(), "beam-etl " + spec.name() + " run " + run
          + ", pid " + ProcessHandle.current().pid());
      JdbcTable.prepare(sink, OutputColumns.of(spec), run);
      String leftovers = JdbcTable.leftoverStagingNotice(sink, run);
      if (leftovers != null) {
        notes.println("beam-etl: " + leftovers);
      }
      return new TableSink(sink, OutputColumns.of(spec), run, lock, notes);
    } catch (TableLock.Held e) {
      throw new SpecException(e.getMessage());
    } catch (SQLException e) {
      release(lock);
      String message = "sink.jdbc: " + JdbcConnections.describe(e, sink.connection());
      if (JdbcConnections.isTransient(e)) {
        throw new Unavailable(message);
      }
      throw new SpecException(message);
    }
  }

  /** Whether the rows are committed into the table only after the run (overwrite and append stage them). */
  boolean commitsAfterRun() {
    return sink != null && sink.mode() != JdbcSinkSpec.Mode.UPSERT;
  }

  /** When a commit that has not finished says so, and says so again. */
  static final java.time.Duration COMMIT_NOTICE_AFTER = java.time.Duration.ofSeconds(10);
  static final java.time.Duration COMMIT_NOTICE_EVERY = java.time.Duration.ofSeconds(60);

  /** What follows the table's commit: the run's state file is confirmed. */
  interface Confirmation {
    void confirm() throws IOException;
  }

  /**
   * Before the run's state is written unconfirmed: from now until {@link #commit} has confirmed it,
   * the staging tables stay whatever happens, since they are what tells the next run whether the
   * rows were committed ({@link StateFile}; that run drops them).
   */
  synchronized void keepStagingUntilConfirmed() { // the exit's hook reads it on its own thread
    dropStaged = false;
  }

  /**
   * After a successful run: what was staged becomes the table's, then {@code confirmation} runs (null:
   * the run keeps no state). Returns the rows of failed attempts left out.
   */
  long commit(@Nullable Confirmation confirmation) throws SQLException, IOException {
    long discarded = 0;
    if (lock != null) {
      try {
        lock.check();
      } catch (TableLock.Held e) {
        // Nothing staged is committed; an upsert's rows went in as the run wrote them.
        throw new CommitFailed(e.getMessage() + (commitsAfterRun() ? ": this run's rows are not committed; run it again"
            + " when the other has ended" : ": the rows each run upserted since may be mixed in the table; run the one"
            + " whose rows you want again when the other has ended"), new SQLException(e.getMessage(), "55P03"));
      }
    }
    if (commitsAfterRun()) {
      // Neutral: a commit of many rows takes time with no lock at all. In the warm runner Ctrl-C
      // stops the client only, and the commit goes on (a review).
      try (WaitNotice waiting = WaitNotice.start(notes, COMMIT_NOTICE_AFTER, COMMIT_NOTICE_EVERY, "beam-etl: the commit "
          + "into " + sink.connection().table() + " is still running after ", " s (moving the staged rows in, or waiting"
          + " for a lock another session holds on the table); " + (Boolean.getBoolean(WarmRunnerMain.WARM_RUNNER)
              ? "Ctrl-C stops this client only: the warm runner's commit goes on"
              : "Ctrl-C stops it: rolled back unless it has finished, and the run says which"))) {
        if (!atExit.begin()) {
          throw new CommitFailed("sink table " + sink.connection().table() + ": the run is stopping (its JVM exits): "
              + "nothing was committed", new SQLException("the run is stopping", "57014"));
        }
        commitUnconfirmed = true;
        try {
          discarded = JdbcTable.commit(sink, columns, run, atExit.stop);
          atExit.ended(CommitAtExit.Outcome.COMMITTED);
        } catch (JdbcTable.CommitInDoubt e) {
          atExit.ended(CommitAtExit.Outcome.UNKNOWN);
          synchronized (this) {
            inDoubt = true;
          }
          throw e;
        } catch (SQLException e) {
          atExit.ended(CommitAtExit.Outcome.ROLLED_BACK);
          rolledBack(); // JdbcTable.commit's word: any error but CommitInDoubt leaves the table as it was
          throw e;
        }
        commitUnconfirmed = false;
      } catch (SQLException e) {
        // The database's detail names the row (a trial: the bare "duplicate key value violates unique
        // constraint" of a large load said nothing of which, where the upsert path said "Key (big)=(10)")
        throw new CommitFailed("sink table " + sink.connection().table() + ": the commit failed: "
            + JdbcConnections.describeWithDetail(e, sink.connection()), e);
      }
    }
    if (confirmation != null) {
      confirmation.confirm();
    }
    synchronized (this) {
      dropStaged = true;
    }
    return discarded;
  }

  /**
   * After {@link #commit} failed: whether the table says the run's rows are not in it (its
   * transaction was rolled back), rather than in it or unknown (the database went away at its commit).
   */
  boolean surelyNotCommitted() {
    synchronized (this) {
      if (rolledBack) { // without asking: the database may be away (a trial restarted it during the commit)
        return true;
      }
    }
    try {
      return commitsAfterRun() && JdbcTable.commitOf(sink, run) == JdbcTable.Commit.NOT_COMMITTED;
    } catch (SQLException e) {
      return false;
    }
  }

  /** After {@link #commit} failed: whether the database never said whether the rows went in. */
  synchronized boolean commitInDoubt() {
    return inDoubt;
  }

  private synchronized void rolledBack() {
    rolledBack = true;
    commitUnconfirmed = false; // nothing to look for in the staging tables: they can go
  }

  /** The exit's hook (for tests). */
  CommitAtExit exitHook() {
    return atExit;
  }

  /** Drops the staging tables unless a state file keeps them, once; a failure is the next run's to name. */
  private synchronized void dropQuietly() {
    if (settled || !dropStaged) {
      return;
    }
    settled = true;
    try {
      JdbcTable.dropStaged(sink, run);
    } catch (SQLException e) {
      // the JVM is exiting: the next run names the tables left
    }
  }

  /** Drops the staging tables (see the class comment) and lets the next run write the table. */
  @Override
  public void close() {
    if (atExit != null) {
      atExit.close(); // the warm runner's JVM runs many jobs
    }
    try {
      synchronized (this) {
        if (commitsAfterRun() && dropStaged && !settled) {
          settled = true;
          dropStagedRetrying();
        }
      }
    } catch (SQLException e) {
      // The run's outcome stands; what is left is two tables nothing depends on - said where the user
      // looks, not in the log alone (a trial: the database was down at the run's end).
      String left = "sink.jdbc: the staging tables " + String.join(" and ", JdbcTable.stagingTables(sink, run))
          + " are left in the database (dropping them failed: " + JdbcConnections.describe(e, sink.connection())
          + (commitUnconfirmed ? "); the second holds the row '" + JdbcTable.ROWS_COMMITTED + "' if this run's rows"
              + " went into the table after all: look before running it again, then drop them"
              : "); nothing depends on them, drop them");
      LoggerFactory.getLogger(TableSink.class).warn(left);
      notes.println("beam-etl: " + left);
    } finally {
      release(lock);
    }
  }

  /**
   * Drops the staging tables, asking again over about 7 s while the database is away: a restart that
   * failed the commit was over 2 s later, the tables left behind (a trial).
   */
  private void dropStagedRetrying() throws SQLException {
    for (long pause = 1_000; ; pause *= 2) {
      try {
        JdbcTable.dropStaged(sink, run);
        return;
      } catch (SQLException e) {
        if (pause > 4_000 || !JdbcConnections.isTransient(e)) {
          throw e;
        }
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static void release(@Nullable TableLock lock) {
    try {
      if (lock != null) {
        lock.close();
      }
    } catch (SQLException e) {
      // the session ends with the process anyway
    }
  }
}
