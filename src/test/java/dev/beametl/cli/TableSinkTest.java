package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TableSinkTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /**
   * A trial: the database was down when the run ended, so its staging tables could not be dropped,
   * and only the job's log said so. The user is told which tables are left.
   */
  @Test
  public void stagingTablesThatCannotBeDroppedAreNamedToTheUser() throws Exception {
    Path db = tmp.getRoot().toPath().resolve("shop");
    try (Connection c = DriverManager.getConnection("jdbc:h2:" + db, "sa", "")) {
      c.createStatement().execute("CREATE TABLE totals (region VARCHAR(10), n BIGINT)");
    }
    Path input = tmp.newFile("in.csv").toPath();
    Files.writeString(input, "region,n\nEU,1\n");
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: '" + input + "', format: csv}",
        "schema: [{name: region, type: string}, {name: n, type: long}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: 'jdbc:h2:" + db + ";IFEXISTS=TRUE', user: sa,"
            + " table: totals, mode: overwrite}}", ""), "test", List.of());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (TableSink sink = TableSink.prepare(spec, "run1", new PrintStream(err, true, StandardCharsets.UTF_8))) {
      try (Connection c = DriverManager.getConnection("jdbc:h2:" + db + ";IFEXISTS=TRUE", "sa", "")) {
        c.createStatement().execute("SHUTDOWN"); // the database goes away...
      }
      Files.delete(Path.of(db + ".mv.db")); // ...for good: IFEXISTS makes a new connection fail
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(said, containsString("beam-etl: sink.jdbc: the staging tables "
        + String.join(" and ", dev.beametl.load.JdbcTable.stagingTables(spec.sink().jdbc(), "run1"))
        + " are left in the database (dropping them failed: "));
    assertThat(said, containsString("nothing depends on them, drop them"));
  }
  /** A table {@code totals} with one row ('OLD', 1), and an overwrite spec into it; its JDBC URL. */
  private PipelineSpec overwriteSpec(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE totals (region VARCHAR(10), n BIGINT)");
      c.createStatement().execute("INSERT INTO totals VALUES ('OLD', 1)");
    }
    Path input = tmp.newFile("in.csv").toPath();
    return Specs.parse(String.join("\n", "version: 1",
        "source: {path: '" + input + "', format: csv}",
        "schema: [{name: region, type: string}, {name: n, type: long}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: '" + url + "', user: sa,"
            + " table: totals, mode: overwrite}}", ""), "test", List.of());
  }

  /** Stages {@code rows} rows for {@code run}, as the pipeline's writers do, in a kept bundle. */
  private static void stage(PipelineSpec spec, String url, String run, int rows) throws Exception {
    List<String> staging = dev.beametl.load.JdbcTable.stagingTables(spec.sink().jdbc(), run);
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      for (int i = 0; i < rows; i++) {
        c.createStatement().execute("INSERT INTO " + staging.get(0) + " (region, n, beametl_bundle) VALUES ('R" + i
            + "', " + i + ", 'b')");
      }
      c.createStatement().execute("INSERT INTO " + staging.get(1) + " VALUES ('b')");
    }
  }

  /**
   * A trial: a run the job stopped itself (collecting garbage) left its staging tables, and the next
   * run called it killed. At the JVM's exit a run that did not begin its commit drops them, and can
   * no longer begin it; a run whose state file needs them keeps them; a closed sink's hook is gone.
   */
  @Test
  public void anExitBeforeTheCommitDropsTheStagingTablesUnlessAStateFileNeedsThem() throws Exception {
    String url = "jdbc:h2:" + tmp.getRoot().toPath().resolve("shop");
    PipelineSpec spec = overwriteSpec(url);
    PrintStream notes = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Thread hook;
    try (TableSink stopped = TableSink.prepare(spec, "run1", notes)) {
      assertThat(stagingTables(url), is(2L));
      hook = stopped.exitHook().hook();
      stopped.exitHook().atExit(); // what the JVM's exit runs
      assertThat(stagingTables(url), is(0L));
      TableSink.CommitFailed late = org.junit.Assert.assertThrows(TableSink.CommitFailed.class, () -> stopped.commit(null));
      assertThat(late.getMessage(), containsString("the run is stopping (its JVM exits): nothing was committed"));
    }
    assertThat("closed, its hook is gone", Runtime.getRuntime().removeShutdownHook(hook), is(false));
    assertThat(rows(url), is(1L));
    try (TableSink kept = TableSink.prepare(spec, "run2", notes)) {
      kept.keepStagingUntilConfirmed();
      kept.exitHook().atExit();
      assertThat("a state file names them", stagingTables(url), is(2L));
    }
    dev.beametl.load.JdbcTable.dropStaged(spec.sink().jdbc(), "run2");
  }

  /** Holds each row an INSERT puts into the table it is on, counting the rows in. */
  public static final class SlowInsert implements org.h2.api.Trigger {
    static volatile java.util.concurrent.CountDownLatch rowsIn = new java.util.concurrent.CountDownLatch(1);
    static volatile long millisPerRow = 1000;

    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) {
      rowsIn.countDown();
      try {
        Thread.sleep(millisPerRow);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void slowInserts(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TRIGGER slow BEFORE INSERT ON totals FOR EACH ROW CALL '"
          + SlowInsert.class.getName() + "'");
    }
  }

  /** The commit of {@code sink} on another thread, once the trigger on totals holds its first row. */
  private static java.util.concurrent.CompletableFuture<Object> commitUnderWay(TableSink sink) throws Exception {
    SlowInsert.rowsIn = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CompletableFuture<Object> commit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return sink.commit(null);
      } catch (Exception e) {
        return e;
      }
    });
    assertThat(SlowInsert.rowsIn.await(30, java.util.concurrent.TimeUnit.SECONDS), is(true));
    return commit;
  }

  /**
   * A trial: Ctrl-C during a long commit said "the table stays as it was", and the rows went in. The
   * JVM's exit now stops the commit and says how it ended; one that ended already is said too.
   */
  @Test
  public void anExitDuringTheCommitRollsItBackAndSaysSo() throws Exception {
    String url = "jdbc:h2:" + tmp.getRoot().toPath().resolve("shop");
    PipelineSpec spec = overwriteSpec(url);
    slowInserts(url);
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    SlowInsert.millisPerRow = 300;
    try (TableSink sink = TableSink.prepare(spec, "run1", new PrintStream(said, true, StandardCharsets.UTF_8))) {
      stage(spec, url, "run1", 10);
      java.util.concurrent.CompletableFuture<Object> commit = commitUnderWay(sink);
      sink.exitHook().atExit(); // what the JVM's exit (Ctrl-C) runs
      assertThat(commit.get(30, java.util.concurrent.TimeUnit.SECONDS), org.hamcrest.Matchers.instanceOf(Exception.class));
    }
    assertThat(said.toString(StandardCharsets.UTF_8),
        containsString("beam-etl: stopped during the commit, which was rolled back: totals is as the run found it"));
    assertThat(rows(url), is(1L));
    assertThat(stagingTables(url), is(0L));

    said.reset();
    SlowInsert.millisPerRow = 0;
    try (TableSink sink = TableSink.prepare(spec, "run2", new PrintStream(said, true, StandardCharsets.UTF_8))) {
      stage(spec, url, "run2", 3);
      sink.commit(null);
      sink.exitHook().atExit(); // Ctrl-C after the commit, before the run's summary
    }
    assertThat(said.toString(StandardCharsets.UTF_8), containsString("beam-etl: stopped at the commit, which had "
        + "finished: this run's rows are in totals; do not run it again for them"));
    assertThat(rows(url), is(3L));
  }

  /** A commit whose answer does not come within the exit's wait is said to be unknown, and its tables stay. */
  @Test
  public void aCommitThatDoesNotAnswerInTimeIsSaidUnknownAndItsTablesStay() throws Exception {
    String url = "jdbc:h2:" + tmp.getRoot().toPath().resolve("shop");
    PipelineSpec spec = overwriteSpec(url);
    slowInserts(url);
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    java.time.Duration before = CommitAtExit.wait;
    CommitAtExit.wait = java.time.Duration.ofSeconds(1);
    SlowInsert.millisPerRow = 3000; // one row outlasts the wait; the stop takes effect after it
    try (TableSink sink = TableSink.prepare(spec, "run1", new PrintStream(said, true, StandardCharsets.UTF_8))) {
      stage(spec, url, "run1", 2);
      java.util.concurrent.CompletableFuture<Object> commit = commitUnderWay(sink);
      sink.exitHook().atExit();
      assertThat(said.toString(StandardCharsets.UTF_8), containsString("beam-etl: stopped during the commit into "
          + "totals, whose answer had not come within 1 s: it is rolled back unless the database had finished it"));
      assertThat(stagingTables(url), is(2L));
      commit.get(30, java.util.concurrent.TimeUnit.SECONDS);
    } finally {
      CommitAtExit.wait = before;
      SlowInsert.millisPerRow = 1000;
    }
    assertThat(rows(url), is(1L));
  }

  private static long rows(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        java.sql.ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM totals")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long stagingTables(String url) throws Exception {
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        java.sql.ResultSet r = c.createStatement().executeQuery(
            "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) LIKE 'TOTALS_BEAMETL%'")) {
      r.next();
      return r.getLong(1);
    }
  }
}
