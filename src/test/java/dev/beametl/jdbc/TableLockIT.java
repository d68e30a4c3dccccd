package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.beametl.load.EmbeddedMariaDb;
import dev.beametl.spec.JdbcSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A table lock outlives the database session that holds it: on PostgreSQL and MariaDB, a session
 * ended under a run (as a database restart ends it) is replaced and the table taken again, so a
 * second run is still refused; when the second run took the table first, the first run learns it
 * has lost it (a trial: both runs upserted the same table after a restart, exit 0, the table a mix).
 */
public class TableLockIT {
  private static EmbeddedPostgres postgres;
  private static EmbeddedMariaDb mariadb;
  private static Duration before;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    mariadb = EmbeddedMariaDb.start("locks");
    before = TableLock.watchEvery;
    TableLock.watchEvery = Duration.ofMillis(200);
  }

  @AfterClass
  public static void stop() throws Exception {
    TableLock.watchEvery = before;
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  private static List<JdbcSpec> databases() {
    return List.of(
        JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("t").build(),
        JdbcSpec.builder(mariadb.url).setUser("root").setTable("t").build());
  }

  /** Ends every other session of the database that holds a lock, as a restart would (this test's own stays). */
  private static void endLockSessions(JdbcSpec db) throws Exception {
    try (Connection c = JdbcConnections.open(db); Statement s = c.createStatement()) {
      if (db.url().startsWith("jdbc:postgresql:")) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()");
        return;
      }
      List<Long> ids = new java.util.ArrayList<>();
      try (ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID()")) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      for (long id : ids) {
        s.execute("KILL CONNECTION " + id);
      }
      for (int i = 0; i < 100; i++) { // a killed session lets go of its locks when its thread has ended
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID <>"
            + " CONNECTION_ID()")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  public void aRunWhoseSessionEndedTakesTheTableAgainAndAnotherRunIsRefused() throws Exception {
    for (JdbcSpec db : databases()) {
      try (TableLock a = TableLock.take(db, "kept", "run A")) {
        endLockSessions(db);
        Thread.sleep(1_500); // the watch notices, and takes the table again
        TableLock.Held refused = assertThrows(db.url(), TableLock.Held.class, () -> TableLock.take(db, "kept", "run B"));
        assertThat(refused.getMessage(), containsString("is being written by another run"));
        a.check(); // still held: no throw
      }
      TableLock.take(db, "kept", "run C").close(); // released with A's close
    }
  }

  @Test
  public void aRunThatLostTheTableToAnotherRunIsToldSo() throws Exception {
    for (JdbcSpec db : databases()) {
      TableLock.watchEvery = Duration.ofHours(1); // no watch between: B comes in first
      try {
        TableLock b;
        try (TableLock watched = TableLock.take(db, "lost", "run A")) {
          endLockSessions(db);
          b = TableLock.take(db, "lost", "run B");
          TableLock.Held lost = assertThrows(db.url(), TableLock.Held.class, watched::check);
          assertThat(lost.getMessage(), containsString("this run lost its hold on table lost"));
          assertThat(lost.getMessage(), containsString("another run took the table meanwhile"));
        }
        b.close();
      } finally {
        TableLock.watchEvery = Duration.ofMillis(200);
      }
    }
  }
}
