package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.JdbcSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The final commit of a staged write whose answer the network loses (a trial: a proxy in front of
 * PostgreSQL swallowed the server's COMMIT reply) does not wait forever: the table, asked from
 * another session, shows the run's commit mark, and the commit counts as done - the rows in the
 * table once. Without the watch, this commit waited with no end (no read timeout in the driver).
 */
public class CommitAnswerLostIT {
  private static EmbeddedPostgres postgres;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterClass
  public static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static final OutputColumns COLUMNS = OutputColumns.derivedRows(List.of(
      FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build()), List.of(), false);

  /**
   * An append into a new table through the proxy, its run's rows staged: {@code g, bundle} for each
   * {@code rows} ("bundle-expression FROM ..."), and the bundles the runner kept.
   */
  private static JdbcSinkSpec staged(AnswerSwallowingProxy proxy, String table, String run, String rows, String kept)
      throws Exception {
    JdbcSpec db = JdbcSpec.builder("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?sslmode=disable"
        + "&gssEncMode=disable").setUser("postgres").setTable(table).build();
    JdbcSinkSpec sink = JdbcSinkSpec.of(db, JdbcSinkSpec.Mode.APPEND, List.of(), 100, true, 1);
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(db); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (id BIGINT)");
      JdbcTable.prepare(sink, COLUMNS, run);
      List<String> staging = JdbcTable.stagingTables(sink, run);
      s.execute("INSERT INTO " + staging.get(0) + " SELECT g, " + rows);
      s.execute("INSERT INTO " + staging.get(1) + " VALUES " + kept);
    }
    return sink;
  }

  @Test
  public void aCommitWhoseAnswerIsLostIsFoundDoneInTheTable() throws Exception {
    Duration before = CommitWatch.every;
    CommitWatch.every = Duration.ofSeconds(1);
    try (AnswerSwallowingProxy proxy = new AnswerSwallowingProxy(postgres.getPort())) {
      // Bundle b2 failed: its rows are left out.
      JdbcSinkSpec sink = staged(proxy, "lost_answer", "run1", "'b' || (g % 3) FROM generate_series(1, 1000) g",
          "('b0'), ('b1')");

      proxy.swallowNextCommitAnswer();
      CompletableFuture<Long> commit = CompletableFuture.supplyAsync(() -> {
        try {
          return JdbcTable.commit(sink, COLUMNS, "run1");
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException(e);
        }
      });
      long discarded = commit.get(60, TimeUnit.SECONDS); // without the watch: waits forever
      assertThat("the proxy swallowed a COMMIT's answer", proxy.swallowed.get(), is(true));
      assertThat(discarded, is(333L));
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM lost_answer")) {
        rs.next();
        assertThat("rows in the table, once", List.of(rs.getLong(1), rs.getLong(2)), is(List.of(667L, 667L)));
      }
      assertThat(JdbcTable.commitOf(sink, "run1"), is(JdbcTable.Commit.COMMITTED));
    } finally {
      CommitWatch.every = before;
    }
  }

  /**
   * A COMMIT whose connection breaks after the database made it durable (a trial: the server crashed
   * then) is not "the commit failed": the table, asked again, holds the run's mark, and the commit
   * counts as done - where the job said it failed, and the natural rerun appended every row again.
   */
  @Test
  public void aCommitWhoseConnectionBreaksAfterItIsDoneCountsAsDone() throws Exception {
    try (AnswerSwallowingProxy proxy = new AnswerSwallowingProxy(postgres.getPort())) {
      JdbcSinkSpec sink = staged(proxy, "broken_answer", "run2", "'b1' FROM generate_series(1, 500) g", "('b1')");
      proxy.breakAtNextCommitAnswer();
      assertThat(JdbcTable.commit(sink, COLUMNS, "run2"), is(0L)); // no SQLException: it is done
      assertThat("the proxy broke the connection at the COMMIT's answer", proxy.swallowed.get(), is(true));
      try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT id) FROM broken_answer")) {
        rs.next();
        assertThat(List.of(rs.getLong(1), rs.getLong(2)), is(List.of(500L, 500L)));
      }
    }
  }

  /**
   * Forwards PostgreSQL's protocol (no TLS) both ways; once armed, the first server reply that
   * completes a COMMIT is not forwarded, nor anything after it on that connection, and the client's
   * socket stays open: the answer is lost, as in a network partition.
   */
  private static final class AnswerSwallowingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final AtomicBoolean armed = new AtomicBoolean();
    /** Whether the client's socket is closed where the answer is held back: a connection that broke. */
    private volatile boolean breakClient;
    final AtomicBoolean swallowed = new AtomicBoolean();

    AnswerSwallowingProxy(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(this::accept, "proxy-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return server.getLocalPort();
    }

    void swallowNextCommitAnswer() {
      armed.set(true);
    }

    void breakAtNextCommitAnswer() {
      breakClient = true;
      armed.set(true);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket db = new Socket(InetAddress.getLoopbackAddress(), target);
          daemon(() -> copy(client, db));
          daemon(() -> replies(db, client));
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void daemon(Runnable r) {
      Thread t = new Thread(r, "proxy-copy");
      t.setDaemon(true);
      t.start();
    }

    private static void copy(Socket from, Socket to) {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // either side gone
      }
    }

    /** The server's typed messages (type byte, then a length that counts itself), one at a time. */
    private void replies(Socket db, Socket client) {
      try {
        InputStream in = db.getInputStream();
        OutputStream out = client.getOutputStream();
        while (true) {
          byte[] head = in.readNBytes(5);
          if (head.length < 5) {
            return;
          }
          byte[] body = in.readNBytes(ByteBuffer.wrap(head, 1, 4).getInt() - 4);
          boolean commitDone = head[0] == 'C' && new String(body, StandardCharsets.US_ASCII).startsWith("COMMIT");
          if (commitDone && armed.compareAndSet(true, false)) {
            swallowed.set(true);
            if (breakClient) {
              client.close();
            }
            in.transferTo(OutputStream.nullOutputStream()); // the rest of this connection's replies are lost too
            return;
          }
          out.write(head);
          out.write(body);
          out.flush();
        }
      } catch (IOException e) {
        // either side gone
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
