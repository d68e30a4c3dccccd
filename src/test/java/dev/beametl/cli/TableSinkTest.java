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
  /**
   * A trial: a run the job stopped itself (collecting garbage) left its staging tables, and the next
   * run called it killed. At the JVM's exit a run that did not begin its commit drops them; one that
   * began it leaves them to its own end, since they tell whether the commit went in.
   */
  @Test
  public void anExitBeforeTheCommitDropsTheStagingTablesAndOneAfterItLeavesThem() throws Exception {
    Path db = tmp.getRoot().toPath().resolve("shop");
    String url = "jdbc:h2:" + db;
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE totals (region VARCHAR(10), n BIGINT)");
    }
    Path input = tmp.newFile("in.csv").toPath();
    Files.writeString(input, "region,n\nEU,1\n");
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: '" + input + "', format: csv}",
        "schema: [{name: region, type: string}, {name: n, type: long}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: '" + url + "', user: sa,"
            + " table: totals, mode: overwrite}}", ""), "test", List.of());
    PrintStream notes = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    try (TableSink stopped = TableSink.prepare(spec, "run1", notes)) {
      assertThat(stagingTables(url), is(2L));
      stopped.atExit(); // what the JVM's exit runs
      assertThat(stagingTables(url), is(0L));
    }
    try (TableSink committing = TableSink.prepare(spec, "run2", notes)) {
      assertThat(stagingTables(url), is(2L));
      committing.commit(null);
      committing.atExit();
      assertThat("the commit began: they stay until the run's own end", stagingTables(url), is(2L));
      assertThat(committing.exitDuringCommit(dev.beametl.load.JdbcTable.Commit.COMMITTED),
          is("beam-etl: stopped during the commit, which had finished: this run's rows are in totals; do not run it "
              + "again for them"));
      assertThat("its outcome known, they go", stagingTables(url), is(0L));
    }
    assertThat(stagingTables(url), is(0L));
  }

  /** Sleeps a second for each row an INSERT puts into the table it is on: a commit that takes its time. */
  public static final class SlowInsert implements org.h2.api.Trigger {
    @Override
    public void fire(Connection conn, Object[] oldRow, Object[] newRow) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A trial: Ctrl-C during a long commit said "the table stays as it was", and the rows went in. The
   * JVM's exit now cancels the commit and says how it ended, as the table's commit mark tells.
   */
  @Test
  public void anExitDuringTheCommitCancelsItAndSaysHowItEnded() throws Exception {
    Path db = tmp.getRoot().toPath().resolve("shop");
    String url = "jdbc:h2:" + db;
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE totals (region VARCHAR(10), n BIGINT)");
      c.createStatement().execute("INSERT INTO totals VALUES ('OLD', 1)");
      c.createStatement().execute("CREATE TRIGGER slow BEFORE INSERT ON totals FOR EACH ROW CALL '"
          + SlowInsert.class.getName() + "'");
    }
    Path input = tmp.newFile("in.csv").toPath();
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: '" + input + "', format: csv}",
        "schema: [{name: region, type: string}, {name: n, type: long}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: '" + url + "', user: sa,"
            + " table: totals, mode: overwrite}}", ""), "test", List.of());
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    try (TableSink sink = TableSink.prepare(spec, "run1", new PrintStream(said, true, StandardCharsets.UTF_8))) {
      String staging = dev.beametl.load.JdbcTable.stagingTables(spec.sink().jdbc(), "run1").get(0);
      try (Connection c = DriverManager.getConnection(url, "sa", "")) {
        for (int i = 0; i < 10; i++) {
          c.createStatement().execute("INSERT INTO " + staging + " (region, n, beametl_bundle) VALUES ('R" + i + "', " + i + ", 'b')");
        }
        c.createStatement().execute("INSERT INTO " + dev.beametl.load.JdbcTable.stagingTables(spec.sink().jdbc(), "run1")
            .get(1) + " VALUES ('b')");
      }
      java.util.concurrent.CompletableFuture<Object> commit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return sink.commit(null);
        } catch (Exception e) {
          return e;
        }
      });
      Thread.sleep(2500); // two rows in, eight to go
      sink.atExit(); // what the JVM's exit (Ctrl-C) runs
      assertThat(commit.get(30, java.util.concurrent.TimeUnit.SECONDS), org.hamcrest.Matchers.instanceOf(Exception.class));
    }
    assertThat(said.toString(StandardCharsets.UTF_8),
        containsString("beam-etl: stopped during the commit, which was rolled back: totals is as the run found it"));
    try (Connection c = DriverManager.getConnection(url, "sa", "");
        java.sql.ResultSet r = c.createStatement().executeQuery("SELECT region FROM totals")) {
      r.next();
      assertThat(r.getString(1), is("OLD"));
      assertThat(r.next(), is(false));
    }
    assertThat(stagingTables(url), is(0L));
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
