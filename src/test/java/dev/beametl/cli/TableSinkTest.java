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
      stopped.dropWithinWait(); // what the JVM's exit runs
      assertThat(stagingTables(url), is(0L));
    }
    try (TableSink committing = TableSink.prepare(spec, "run2", notes)) {
      assertThat(stagingTables(url), is(2L));
      committing.commit(null);
      committing.dropWithinWait();
      assertThat("the commit began: they stay until the run's own end", stagingTables(url), is(2L));
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
