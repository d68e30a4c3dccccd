package dev.beametl.jdbc;

import dev.beametl.spec.JdbcSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * A run's hold on the table it writes, for the run's whole life: on PostgreSQL an advisory lock,
 * on MariaDB/MySQL a named lock ({@code GET_LOCK}), both held by a connection the run keeps open, so
 * the database itself lets go when the run's process dies. A second run fails at once and names the
 * holder. Other databases (H2 runs in the job's own JVM) are held within this JVM only.
 *
 * <p>The lock is named for the table the database resolves the name to: {@code orders},
 * {@code public.orders} and {@code PUBLIC.Orders} are one table on PostgreSQL, so they are one lock.
 * An unqualified name is qualified with the schema it resolves in (PostgreSQL's search path) or the
 * connection's schema or database, where the table would be created.
 */
public final class TableLock implements AutoCloseable {
  private static final Map<String, String> IN_THIS_JVM = new ConcurrentHashMap<>();
  /** How often the lock's session is asked whether it is still there. Tests shorten it. */
  static java.time.Duration watchEvery = java.time.Duration.ofSeconds(2);

  private @Nullable Connection connection;
  private final String key;
  private final @Nullable Retake retake;
  private final @Nullable java.util.concurrent.ScheduledExecutorService watch;
  /** Who took the table while this run's session was gone; null while the run holds it. */
  private volatile @Nullable String lostTo;

  /** How to take the lock again on a new session: the database, the table's name and this run. */
  private static final class Retake {
    final JdbcSpec spec;
    final String table;
    final String holder;
    final boolean postgres;

    Retake(JdbcSpec spec, String table, String holder, boolean postgres) {
      this.spec = spec;
      this.table = table;
      this.holder = holder;
      this.postgres = postgres;
    }
  }

  private TableLock(@Nullable Connection connection, String key, @Nullable Retake retake) {
    this.connection = connection;
    this.key = key;
    this.retake = retake;
    if (retake == null) {
      watch = null;
      return;
    }
    watch = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "beam-etl-table-lock");
      t.setDaemon(true);
      return t;
    });
    watch.scheduleWithFixedDelay(this::keep, watchEvery.toMillis(), watchEvery.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** Who is refused: a one-line reason naming the run that holds the table. */
  public static final class Held extends Exception {
    Held(String message) {
      super(message);
    }
  }

  /**
   * Whether the database at {@code url} holds the lock for every process (PostgreSQL, MariaDB/MySQL);
   * else it is held within this JVM only, and another process's run may be writing the same table.
   */
  public static boolean seenByOtherProcesses(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    return u.startsWith("jdbc:postgresql:") || u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:");
  }

  /** Takes {@code table} of the database {@code spec} names for this run, described as {@code holder}. */
  public static TableLock take(JdbcSpec spec, String table, String holder) throws SQLException, Held {
    boolean postgres = spec.url().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:");
    if (!seenByOtherProcesses(spec.url())) {
      String key;
      try (Connection c = JdbcConnections.open(spec)) {
        key = key(spec, table, c);
      }
      String jvmKey = spec.url() + "\u0000" + key;
      String before = IN_THIS_JVM.putIfAbsent(jvmKey, holder);
      if (before != null) {
        throw held(table, before);
      }
      return new TableLock(null, jvmKey, null);
    }
    Connection c = JdbcConnections.open(spec);
    try {
      String key = key(spec, table, c);
      lockOn(c, key, table, holder, postgres);
      return new TableLock(c, key, new Retake(spec, table, holder, postgres));
    } catch (SQLException | RuntimeException | Held e) { // the lock's connection lives only as long as the lock
      try {
        c.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /**
   * Keeps the table held: the lock lives as long as its session, and a database restart ends the
   * session (a trial: run A rode a MariaDB restart out, run B was let in after it, and the table
   * ended with 3,332 rows of A's and 16,668 of B's, both exit 0). A session gone is replaced and
   * the lock taken again; when another run has taken the table meanwhile, this run has lost it
   * ({@link #check}).
   */
  private synchronized void keep() {
    if (lostTo != null || connection == null || retake == null) {
      return;
    }
    try (java.sql.Statement s = connection.createStatement()) {
      s.execute("SELECT 1");
      return;
    } catch (SQLException e) {
      // the session is gone, and the lock with it
    }
    Connection c;
    try {
      c = JdbcConnections.open(retake.spec);
    } catch (SQLException | RuntimeException e) { // a password file unreadable now, too: asked again next time
      return; // the database still away: no one else can take the table either
    }
    try {
      lockOn(c, key, retake.table, retake.holder, retake.postgres);
      closeQuietly(connection);
      connection = c;
      org.slf4j.LoggerFactory.getLogger(TableLock.class).warn("The session holding table {} for this run ended (a"
          + " database restart?); the table is held again", retake.table);
    } catch (Held h) {
      if (!heldByThisRun(c, key, retake.holder, retake.postgres)) {
        lostTo = h.getMessage();
      } // else this run's old session holds it still, until the database notices it is gone
      closeQuietly(c);
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c); // asked again next time
    }
  }

  /**
   * Throws when this run lost the table to another run while its session was gone: what it wrote
   * since may be mixed with that run's rows. Asks the session at once first.
   */
  public void check() throws Held {
    keep();
    String other = lostTo;
    if (other != null) {
      throw new Held("sink.jdbc: this run lost its hold on table " + (retake == null ? key : retake.table) + " (the"
          + " database session that held it ended: a restart?), and another run took the table meanwhile ("
          + other.replaceFirst("^sink\\.jdbc: ", "") + ")");
    }
  }

  private static void closeQuietly(@Nullable Connection c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (SQLException e) {
      // gone either way
    }
  }

  /**
   * Takes the lock named {@code key} on the session {@code c}, or says who holds it; and a lock of
   * this run's own beside it, which tells this run's earlier session - one the database has not yet
   * noticed is gone - from another run's.
   */
  private static void lockOn(Connection c, String key, String table, String holder, boolean postgres)
      throws SQLException, Held {
    c.setNetworkTimeout(Runnable::run, 15_000); // a session that stopped answering is gone, not waited for
    if (postgres) {
      onPostgres(c, key, table, holder);
    } else {
      onMariaDb(c, key, table);
    }
    try (PreparedStatement ps = c.prepareStatement(postgres ? "SELECT pg_try_advisory_lock(hashtext(?))"
        : "SELECT GET_LOCK(?, 0)")) {
      ps.setString(1, runLock(holder));
      held(ps);
    }
    if (!postgres) {
      // Before MySQL 5.7 (and MariaDB 10.0.2) a session held one named lock: the second let go of the first.
      try (PreparedStatement ps = c.prepareStatement("SELECT IS_USED_LOCK(?) = CONNECTION_ID()")) {
        ps.setString(1, mariaDbName(key));
        if (!held(ps)) {
          onMariaDb(c, key, table); // the table's lock again, alone: its own session is not told apart then
        }
      }
    }
  }

  private static String runLock(String holder) {
    return "beam-etl-run:" + Integer.toHexString(holder.hashCode()) + Integer.toHexString(holder.length());
  }

  /** Whether the session that holds the table is one of this run's (the one before a lost connection). */
  private static boolean heldByThisRun(Connection c, String key, String holder, boolean postgres) {
    String sql = postgres
        ? "SELECT count(*) > 0 FROM pg_locks a JOIN pg_locks b ON a.pid = b.pid WHERE a.locktype = 'advisory'"
            + " AND a.granted AND a.objid = (hashtext(?)::bigint & 4294967295)::oid AND b.locktype = 'advisory'"
            + " AND b.granted AND b.objid = (hashtext(?)::bigint & 4294967295)::oid"
            + " AND a.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        : "SELECT IS_USED_LOCK(?) = IS_USED_LOCK(?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, postgres ? key : mariaDbName(key));
      ps.setString(2, runLock(holder));
      return held(ps);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void onPostgres(Connection c, String key, String table, String holder)
      throws SQLException, Held {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
      ps.setString(1, holder.substring(0, Math.min(60, holder.length()))); // what the refused run is told
      ps.executeQuery().close();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
      ps.setString(1, key);
      if (held(ps)) {
        return;
      }
    }
    throw held(table, describe(c, "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
        + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        + "AND l.objid = (hashtext(?)::bigint & 4294967295)::oid", key));
  }

  private static String mariaDbName(String key) {
    return key.length() <= 64 ? key // GET_LOCK's limit; a long name keeps its start and a hash of all
        : key.substring(0, 55) + "#" + String.format("%08x", key.hashCode());
  }

  private static void onMariaDb(Connection c, String key, String table) throws SQLException, Held {
    String name = mariaDbName(key);
    try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      ps.setString(1, name);
      if (held(ps)) {
        return;
      }
    }
    throw held(table, describe(c, "SELECT p.USER, p.HOST, p.TIME FROM information_schema.PROCESSLIST p "
        + "WHERE p.ID = IS_USED_LOCK(?)", name));
  }

  /**
   * {@code table} qualified with the schema it resolves in, lower-cased: names are plain identifiers,
   * and a lock that also holds a table differing only in case is the safe side.
   */
  static String key(JdbcSpec spec, String table, Connection c) throws SQLException {
    String qualified = table;
    if (!table.contains(".")) {
      String schema = spec.url().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")
          ? postgresSchema(spec, table, c) : null;
      schema = schema != null ? schema : connectionSchema(c);
      qualified = schema == null ? table : schema + "." + table;
    }
    return "beam-etl:" + qualified.toLowerCase(Locale.ROOT);
  }

  /** The schema of the search path a table is found in, or null for one not there yet. */
  private static @Nullable String postgresSchema(JdbcSpec spec, String table, Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname FROM pg_class t JOIN pg_namespace n "
        + "ON n.oid = t.relnamespace WHERE t.oid = to_regclass(?)")) {
      ps.setString(1, SqlNames.of(spec, c).name(table));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /**
   * Where the connection creates a table named without a schema: its schema, or its catalog (MariaDB
   * and MySQL call the database so); null when the driver cannot say, and the name is taken as written.
   */
  private static @Nullable String connectionSchema(Connection c) {
    try {
      String schema = c.getSchema();
      schema = schema == null || schema.isBlank() ? c.getCatalog() : schema;
      return schema == null || schema.isBlank() ? null : schema;
    } catch (SQLException | AbstractMethodError e) { // a driver without these (JDBC 3) or one that refuses them
      return null;
    }
  }

  private static boolean held(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static String describe(Connection c, String sql, String key) {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          return rs.getString(1) + " from " + rs.getString(2) + ", since " + rs.getString(3);
        }
      }
    } catch (SQLException e) {
      // who holds it is a courtesy; that it is held is what counts
    }
    return "a run on another connection";
  }

  private static Held held(String table, String who) {
    return new Held("sink.jdbc: table " + table + " is being written by another run (" + who + "); wait for it to "
        + "end, or write another table");
  }

  @Override
  public void close() throws SQLException {
    if (watch != null) {
      watch.shutdownNow();
    }
    synchronized (this) {
      if (retake == null) {
        IN_THIS_JVM.remove(key);
        return;
      }
      if (connection != null) {
        connection.close(); // ends the session, and with it the lock
        connection = null;
      }
    }
  }
}
