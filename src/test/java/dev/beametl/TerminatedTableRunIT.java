package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A run into a PostgreSQL table ended by SIGTERM (what {@code kill} and a service manager send), in
 * a JVM of its own started by {@code bin/beam-etl}: the exit's hook, not a test calling it, with
 * Flink's and the JDBC driver's own hooks and threads beside it. Ended while it reads, the table is
 * as it was and the staging tables are gone; ended during the commit (held open by a trigger that
 * sleeps), the commit is rolled back, the run says so, and the table is as it was.
 */
public class TerminatedTableRunIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final int OLD_ROWS = 10;
  private static EmbeddedPostgres postgres;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterClass
  public static void stop() throws Exception {
    postgres.close();
  }

  @Test
  public void terminatedWhileReadingLeavesTheTableAsItWasWithoutStagingTables() throws Exception {
    table("reading");
    Process run = launch("reading", 20_000, "--fault=records.throttle(perSecond=1000)");
    waitFor(() -> !stagingTables("reading").isEmpty(), "the run's staging tables", run);
    Thread.sleep(1_000); // reading
    String output = terminate(run, "reading");
    assertThat(output, containsString("the JVM is exiting before the run ended"));
    assertThat(output, rows("reading"), is((long) OLD_ROWS));
    assertThat(output, stagingTables("reading"), is(empty()));
  }

  @Test
  public void terminatedDuringTheCommitIsRolledBackAndSaysSo() throws Exception {
    table("committing");
    sql("CREATE FUNCTION slowly() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(120); RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER slowly AFTER INSERT ON committing FOR EACH STATEMENT EXECUTE FUNCTION slowly()");
    Process run = launch("committing", 1_000);
    waitFor(() -> activeQueries("INSERT INTO %committing%SELECT%") > 0, "the commit's INSERT", run);
    String output = terminate(run, "committing");
    assertThat(output, containsString("stopped during the commit, which was rolled back: committing is as the run "
        + "found it"));
    assertThat(output, not(containsString("had finished")));
    assertThat(output, rows("committing"), is((long) OLD_ROWS));
    assertThat(output, stagingTables("committing"), is(empty()));
    assertThat(output, activeQueries("INSERT INTO %committing%SELECT%"), is(0L));
  }

  /**
   * A commit whose connection breaks before its COMMIT (the server restarting while the rows move in)
   * is rolled back, and the run says so even when the database cannot be asked afterwards: a trial
   * restarted PostgreSQL there, and the summary and counts.jsonl said every row written, because the
   * run asked the table, which was away. Here the commit's session is ended and the database takes
   * no connections until the run has ended.
   */
  @Test
  public void aCommitWhoseConnectionBreaksIsNotCountedAsWrittenWhileTheDatabaseIsAway() throws Exception {
    table("broken");
    sql("CREATE FUNCTION slowly_too() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(120); RETURN NULL; END $$"
        + " LANGUAGE plpgsql", "CREATE TRIGGER slowly AFTER INSERT ON broken FOR EACH STATEMENT EXECUTE FUNCTION "
        + "slowly_too()");
    Process run = launch("broken", 1_000);
    waitFor(() -> activeQueries("INSERT INTO %broken%SELECT%") > 0, "the commit's INSERT", run);
    try (Connection c = postgres.getDatabase("postgres", "template1").getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS false");
      s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'INSERT INTO %broken%SELECT%'");
      boolean exited = run.waitFor(90, TimeUnit.SECONDS);
      s.execute("ALTER DATABASE postgres ALLOW_CONNECTIONS true");
      assertThat("exited within 90 s", exited, is(true));
    }
    Path dir = TMP.getRoot().toPath().resolve("broken");
    String output = Files.readString(dir.resolve("output.txt"));
    assertThat(output, run.exitValue(), is(1));
    assertThat(output, allOf(containsString("rows not committed"), containsString("the commit failed"),
        not(containsString("went into the table after all"))));
    assertThat(output, dev.beametl.pipeline.RunCounts.read(dir.resolve("run/_run").toString()),
        allOf(hasEntry("written", 0L), hasEntry("jdbc.not_committed", 1_000L)));
    assertThat(output, rows("broken"), is((long) OLD_ROWS));
  }

  /**
   * A database going away while the read is planned is no fault of the spec: exit 1, "try again"
   * (a trial restarted PostgreSQL then: exit 2, which a scheduler takes for "fix the spec").
   */
  @Test
  public void aDatabaseGoingAwayWhileTheReadIsPlannedIsExit1() throws Exception {
    table("planned");
    Path dir = TMP.newFolder("planned").toPath();
    Files.writeString(dir.resolve("spec.yaml"), String.join("\n",
        "version: 1",
        "source:",
        "  format: jdbc",
        "  jdbc: {url: '" + postgres.getJdbcUrl("postgres", "postgres") + "', user: postgres, query: 'SELECT id, amount"
            + " FROM planned WHERE pg_sleep(10) IS NOT NULL', partitionColumn: id, partitions: 2}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)'}]",
        "sink: {format: csv, path: out}", ""));
    ProcessBuilder launcher = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(),
        "--pipeline=" + dir.resolve("spec.yaml"), "--progressSeconds=0").redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.txt").toFile());
    launcher.environment().put("BEAM_ETL_WARM", "0");
    launcher.environment().put("BEAM_ETL_CDS", "0");
    Process run = launcher.start();
    // The planning query itself (MIN, MAX, COUNT over the query), while it runs: the preflight's look at
    // the query's columns (WHERE 1 = 0) matches the query's text too, and a CI run once ended that
    // one's connection instead, after which the planning query slept through the test's minute.
    String planning = "%MIN(%FROM planned WHERE pg_sleep%";
    waitFor(() -> activeQueries(planning) > 0, "the read's planning query", run);
    sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND query ILIKE '" + planning
        + "' AND pid <> pg_backend_pid()");
    assertThat("exited within 60 s", run.waitFor(60, TimeUnit.SECONDS), is(true));
    String output = Files.readString(dir.resolve("output.txt"));
    assertThat(output, run.exitValue(), is(1));
    assertThat(output, allOf(containsString("source.jdbc: cannot plan the read of"), containsString("57P01"),
        containsString("(exit 1: nothing ran; try again)")));
  }

  private static void table(String name) throws Exception {
    StringBuilder values = new StringBuilder();
    for (int i = 1; i <= OLD_ROWS; i++) {
      values.append(i == 1 ? "" : ", ").append("(").append(-i).append(", 1.00)");
    }
    sql("CREATE TABLE " + name + " (id BIGINT, amount NUMERIC(10,2))", "INSERT INTO " + name + " VALUES " + values);
  }

  /** bin/beam-etl appending {@code rows} rows to {@code table}, in a process of its own. */
  private static Process launch(String table, int rows, String... flags) throws Exception {
    return launch(table, postgres.getJdbcUrl("postgres", "postgres"), "postgres", rows, flags);
  }

  private static Process launch(String table, String url, String user, int rows, String... flags) throws Exception {
    Path dir = TMP.newFolder(table).toPath();
    StringBuilder csv = new StringBuilder("id,amount\n");
    for (int i = 1; i <= rows; i++) {
      csv.append(i).append(',').append(i % 100).append(".50\n");
    }
    Files.writeString(dir.resolve("in.csv"), csv);
    Files.writeString(dir.resolve("spec.yaml"), String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)'}]",
        "sink:",
        "  format: jdbc",
        "  path: run",
        "  jdbc: {url: '" + url + "', user: " + user + ", table: " + table
            + ", mode: append}", ""));
    List<String> command = new ArrayList<>(List.of(Path.of("bin/beam-etl").toAbsolutePath().toString(),
        "--pipeline=" + dir.resolve("spec.yaml"), "--parallelism=2", "--progressSeconds=0"));
    command.addAll(List.of(flags));
    ProcessBuilder launcher = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("output.txt").toFile());
    launcher.environment().put("BEAM_ETL_WARM", "0");
    launcher.environment().put("BEAM_ETL_CDS", "0");
    return launcher.start();
  }

  /** SIGTERM (Process.destroy on Linux), then the run's output once its JVM has exited. */
  private static String terminate(Process run, String table) throws Exception {
    run.destroy();
    boolean exited = run.waitFor(60, TimeUnit.SECONDS);
    String output = Files.readString(TMP.getRoot().toPath().resolve(table).resolve("output.txt"));
    assertThat("exited within 60 s of SIGTERM:\n" + output, exited, is(true));
    assertThat(output, run.exitValue(), is(143)); // 128 + SIGTERM: the JVM ran its hooks and exited
    return output;
  }

  private static void waitFor(BooleanSupplier condition, String what, Process run) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!condition.getAsBoolean()) {
      if (!run.isAlive() || System.nanoTime() > deadline) {
        run.destroyForcibly();
        throw new AssertionError("never saw " + what + (run.isAlive() ? "" : "; the run ended, exit "
            + run.exitValue()));
      }
      Thread.sleep(100);
    }
  }

  private static long rows(String table) {
    return number("SELECT COUNT(*) FROM " + table);
  }

  private static long activeQueries(String like) {
    return number("SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()"
        + " AND query ILIKE '" + like + "'");
  }

  private static List<String> stagingTables(String table) {
    List<String> names = new ArrayList<>();
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '"
            + table + "\\_beametl\\_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return names;
  }

  private static long number(String query) {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void sql(String... statements) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }
}
