package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A held lock makes the first write attempts fail with a lock timeout (55P03); the sink retries
 * with backoff, the lock is released once a retry happened, and the final table is the same as
 * without the fault.
 */
public class JdbcRetryIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
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
  public void lockTimeoutsAreRetriedAndTheResultIsExact() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    String data = "EU,1.50\nEU,2.25\nNA,10.00\n";
    JdbcSinkTest.runInto(tmp, url, "postgres", null, "locked_totals", "upsert", data);

    Connection holder = DriverManager.getConnection(url);
    holder.setAutoCommit(false);
    try (Statement s = holder.createStatement()) {
      s.execute("LOCK TABLE locked_totals IN ACCESS EXCLUSIVE MODE");
    }
    long before = JdbcTable.TransientErrors.RETRIED.get();
    Thread releaser = new Thread(() -> {
      long deadline = System.currentTimeMillis() + 60_000;
      while (JdbcTable.TransientErrors.RETRIED.get() == before && System.currentTimeMillis() < deadline) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        holder.rollback();
        holder.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    releaser.start();
    // Writers give up waiting for a lock after 500 ms: the error a retry must absorb.
    assertThat(JdbcSinkTest.runInto(tmp, url + "&options=-c%20lock_timeout=500", "postgres", null, "locked_totals",
        "upsert", data), contains("EU 3.75 2", "NA 10.00 1"));
    releaser.join();
    assertThat(JdbcTable.TransientErrors.RETRIED.get(), greaterThan(before));
  }
}
