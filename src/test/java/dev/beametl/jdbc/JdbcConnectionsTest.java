package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.beametl.cli.WarmRunnerMain;
import dev.beametl.spec.JdbcSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class JdbcConnectionsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final JdbcSpec UNSET = JdbcSpec.builder("jdbc:h2:mem:x").setUser("sa")
      .setPasswordEnv("BEAM_ETL_TEST_NEVER_SET_" + System.nanoTime()).setTable("t").build();

  /**
   * In the warm runner the environment is the runner's, not the caller's: "is not set" while the
   * caller had set it (a hostile trial). The message says so there, and only there.
   */
  @Test
  public void anUnsetPasswordVariableSaysWhoseEnvironmentWasRead() {
    String own = assertThrows(IllegalStateException.class, () -> JdbcConnections.password(UNSET)).getMessage();
    assertThat(own, containsString("(jdbc.passwordEnv) is not set"));
    assertThat(own, not(containsString("warm runner")));
    System.setProperty(WarmRunnerMain.WARM_RUNNER, "true");
    try {
      String warm = assertThrows(IllegalStateException.class, () -> JdbcConnections.password(UNSET)).getMessage();
      assertThat(warm, containsString("is not set in the warm runner, which has the environment it was started with"));
    } finally {
      System.clearProperty(WarmRunnerMain.WARM_RUNNER);
    }
  }

  /**
   * A warm runner's pools outlived the run: an embedded database stayed open (no other process
   * could open the file), and a run after the user deleted it wrote into the deleted file, exit 0.
   */
  @Test
  public void closeAllLetsGoOfTheDatabaseARunOpened() throws Exception {
    Path db = tmp.getRoot().toPath().resolve("db");
    JdbcSpec file = JdbcSpec.builder("jdbc:h2:file:" + db).setUser("sa").setTable("t").build();
    try (Connection c = JdbcConnections.to(file).apply(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("create table t (id int)");
    }
    JdbcConnections.closeAll(false);
    Files.delete(Path.of(db + ".mv.db")); // the user starts over
    try (Connection c = JdbcConnections.to(file).apply(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("create table t (id int)");
      s.execute("insert into t values (1)");
    }
    JdbcConnections.closeAll(false);
    assertThat("the second run's rows are in a file on disk", Files.exists(Path.of(db + ".mv.db")), is(true));
  }

  /**
   * In the warm runner a named in-memory database kept by DB_CLOSE_DELAY=-1 (the JDBC sample's) was
   * the next run's source: its seed script's table as it had made it, not the data as it is now.
   */
  @Test
  public void closeAllDropsTheInMemoryDatabasesARunOpenedWhenAsked() throws Exception {
    JdbcSpec kept = JdbcSpec.builder("jdbc:h2:mem:warm-kept;DB_CLOSE_DELAY=-1").setUser("sa").setTable("t").build();
    try (Connection c = JdbcConnections.to(kept).apply(null).getConnection(); Statement s = c.createStatement()) {
      s.execute("create table t (id int)");
    }
    JdbcConnections.closeAll(false); // a JVM that runs one job: its exit drops the database
    try (Connection c = JdbcConnections.open(kept); Statement s = c.createStatement()) {
      s.execute("insert into t values (1)"); // still there
    }
    JdbcConnections.closeAll(true);
    try (Connection c = JdbcConnections.open(kept); Statement s = c.createStatement()) {
      s.execute("create table t (id int)"); // a new database
    }
    JdbcConnections.closeAll(true);
  }

  /**
   * A trial: no password for a server that wants one was "exit 1: nothing ran; try again" (08004), and
   * an H2 file another process holds was exit 2 while the same moment seen through its lock file was
   * exit 1. The set-up's error is not transient; another process's hold is.
   */
  @Test
  public void aRefusedLoginIsNotTransientAndAHeldH2FileIs() {
    assertThat(JdbcConnections.isTransient(new java.sql.SQLException("The server requested SCRAM-based authentication,"
        + " but no password was provided.", "08004")), is(false));
    assertThat(JdbcConnections.isTransient(new java.sql.SQLException("Database may be already in use", "90020", 90020)),
        is(true));
    assertThat(JdbcConnections.isTransient(new java.sql.SQLException("Connection refused", "08001")), is(true));
    assertThat(JdbcConnections.isTransient(new java.sql.SQLException("Lock file recently modified", "08000")), is(true));
  }

  /**
   * A trial: a URL no bundled driver takes was echoed whole by DriverManager ("No suitable driver found
   * for jdbc:sqlite:file:x?key=S3cr3tPW"), in SQL state 08001: "nothing ran; try again", exit 1.
   */
  @Test
  public void aUrlNoDriverTakesIsNamedByItsSchemeAloneAndIsNotTransient() {
    for (String url : new String[] {"jdbc:sqlite:file:x?key=S3cr3tPW", "jdbc:clickhouse://h:8123/db?api_key=S3cr3tPW"}) {
      java.sql.SQLException e = assertThrows(java.sql.SQLException.class,
          () -> JdbcConnections.open(JdbcSpec.builder(url).setUser("etl").setTable("t").build()));
      String said = JdbcConnections.describe(e, JdbcSpec.builder(url).setTable("t").build());
      assertThat(said, containsString("no JDBC driver here takes " + url.substring(0, url.indexOf(':', 5) + 1) + " URLs"));
      assertThat(said, not(containsString("S3cr3tPW")));
      assertThat(JdbcConnections.isTransient(e), is(false));
    }
  }
}
