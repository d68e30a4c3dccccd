package dev.beametl.jdbc;

import dev.beametl.record.DataError;
import dev.beametl.spec.JdbcSpec;
import dev.beametl.spec.JdbcUrls;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One snapshot of a PostgreSQL database that every query of a partitioned read sees. Each range
 * query runs on a connection of its own, in a transaction of its own: a row whose key an UPDATE moved
 * from a range not yet read into one already read was read by neither, and one moved the other way
 * twice (a trial: 8,000 rows read as 7,999 - 200 twice, 201 not at all - exit 0). Before the run the
 * job opens a transaction that exports its snapshot ({@code pg_export_snapshot()}) and holds it until
 * the run ends ({@link #releaseAll}); each reading transaction starts in that snapshot ({@code SET
 * TRANSACTION SNAPSHOT}), so the partitions together read the table as it was at one instant, whoever
 * writes it meanwhile. Other databases have no snapshot to share: their partitions are separate reads.
 */
public final class SharedSnapshot implements SerializableFunction<Void, DataSource> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SharedSnapshot.class);
  /** The exporting transactions, held open while their snapshots are read. */
  private static final List<Connection> HELD = new CopyOnWriteArrayList<>();
  private final JdbcSpec spec;
  private final String id;

  private SharedSnapshot(JdbcSpec spec, String id) {
    this.spec = spec;
    this.id = id;
  }

  /**
   * Whether the partitions of a read of {@code spec} share one snapshot: on PostgreSQL, unless the
   * spec turns it off or the URL names several hosts (a worker's session may reach another server,
   * which cannot import the snapshot).
   */
  public static boolean shares(JdbcSpec spec) {
    String url = JdbcUrls.forDriver(spec.url());
    if (!spec.snapshot() || !url.startsWith("jdbc:postgresql:")) {
      return false;
    }
    String rest = url.substring("jdbc:postgresql:".length());
    String hosts = rest.startsWith("//") ? rest.substring(2).split("[/?]", 2)[0] : "";
    return !hosts.contains(",");
  }

  /**
   * Connections to {@code spec}'s database whose transactions read one snapshot, exported now and
   * held until {@link #releaseAll}; plain connections where the database cannot share one (a
   * warning says why).
   */
  public static SerializableFunction<Void, DataSource> forReading(JdbcSpec spec) {
    if (!shares(spec)) {
      return JdbcConnections.to(spec);
    }
    Connection c = null;
    try {
      c = JdbcConnections.open(spec);
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        try {
          // Idle in its transaction by design: a server that ends such sessions would end the snapshot.
          s.execute("SET SESSION idle_in_transaction_session_timeout = 0");
        } catch (SQLException e) {
          c.rollback(); // an older server without the setting: its transactions are not ended so
        }
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        try (ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
          rs.next();
          String id = rs.getString(1);
          if (id == null || !id.matches("[0-9A-Fa-f-]+")) {
            throw new SQLException("an unexpected snapshot name: " + id);
          }
          HELD.add(c);
          return new SharedSnapshot(spec, id);
        }
      }
    } catch (SQLException e) {
      LOG.warn("Table {}: cannot export a snapshot for its partitions to share ({}); each partition reads the table as"
          + " it is when that partition is read", spec.displayName(), JdbcConnections.describe(e, spec));
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // gone either way
        }
      }
      return JdbcConnections.to(spec);
    }
  }

  /** Ends the transactions that hold exported snapshots: at the end of a run. */
  public static void releaseAll() {
    for (Connection c : HELD) {
      HELD.remove(c);
      try {
        c.close();
      } catch (SQLException e) {
        // its transaction ends with the connection either way
      }
    }
  }

  @Override
  public DataSource apply(Void ignored) {
    return new InSnapshot(JdbcConnections.to(spec).apply(null), id);
  }

  /** The pool's connections, each transaction starting in the snapshot before its first statement. */
  private static final class InSnapshot implements DataSource {
    private final DataSource pool;
    private final String id;

    InSnapshot(DataSource pool, String id) {
      this.pool = pool;
      this.id = id;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return inSnapshot(pool.getConnection());
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return inSnapshot(pool.getConnection(user, password));
    }

    private Connection inSnapshot(Connection c) {
      return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
          (proxy, method, args) -> {
            if (method.getName().startsWith("prepare") || method.getName().equals("createStatement")) {
              enter(c);
            }
            try {
              return method.invoke(c, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
    }

    /** Before a transaction's first statement (JdbcIO reads with autocommit off): the snapshot. */
    private void enter(Connection c) throws SQLException {
      if (c.getAutoCommit() || c.unwrap(BaseConnection.class).getTransactionState() != TransactionState.IDLE) {
        return;
      }
      try (Statement s = c.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        s.execute("SET TRANSACTION SNAPSHOT '" + id + "'");
      } catch (SQLException e) {
        // Not retried: no restart brings the snapshot back (a trial: only "invalid snapshot identifier"
        // reached the terminal, after the restarts).
        throw new DataError("source.jdbc: the partitions cannot be read from the one snapshot the"
            + " run exported any more (" + e.getMessage() + "): the database session that held it ended (a restart?)."
            + " Run again; or set source.jdbc.snapshot: false to read each partition on its own, which rides a"
            + " restart out but may read rows written meanwhile twice or not at all", e);
      }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
      return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
      pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
      pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
      return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      return pool.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
      return pool.isWrapperFor(iface);
    }
  }
}
