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

  private final @Nullable Connection connection;
  private final String key;

  private TableLock(@Nullable Connection connection, String key) {
    this.connection = connection;
    this.key = key;
  }

  /** Who is refused: a one-line reason naming the run that holds the table. */
  public static final class Held extends Exception {
    Held(String message) {
      super(message);
    }
  }

  /** Takes {@code table} of the database {@code spec} names for this run, described as {@code holder}. */
  public static TableLock take(JdbcSpec spec, String table, String holder) throws SQLException, Held {
    String url = spec.url().toLowerCase(Locale.ROOT);
    boolean postgres = url.startsWith("jdbc:postgresql:");
    if (!postgres && !url.startsWith("jdbc:mariadb:") && !url.startsWith("jdbc:mysql:")) {
      String key;
      try (Connection c = JdbcConnections.open(spec)) {
        key = key(spec, table, c);
      }
      String jvmKey = spec.url() + "\u0000" + key;
      String before = IN_THIS_JVM.putIfAbsent(jvmKey, holder);
      if (before != null) {
        throw held(table, before);
      }
      return new TableLock(null, jvmKey);
    }
    Connection c = JdbcConnections.open(spec);
    try {
      return postgres ? onPostgres(c, key(spec, table, c), table, holder) : onMariaDb(c, key(spec, table, c), table);
    } catch (SQLException | RuntimeException | Held e) { // the lock's connection lives only as long as the lock
      try {
        c.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private static TableLock onPostgres(Connection c, String key, String table, String holder)
      throws SQLException, Held {
    try (PreparedStatement ps = c.prepareStatement("SELECT set_config('application_name', ?, false)")) {
      ps.setString(1, holder.substring(0, Math.min(60, holder.length()))); // what the refused run is told
      ps.executeQuery().close();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
      ps.setString(1, key);
      if (held(ps)) {
        return new TableLock(c, key);
      }
    }
    throw held(table, describe(c, "SELECT a.application_name, a.client_addr, a.backend_start FROM pg_locks l "
        + "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
        + "AND l.objid = (hashtext(?)::bigint & 4294967295)::oid", key));
  }

  private static TableLock onMariaDb(Connection c, String key, String table) throws SQLException, Held {
    String name = key.length() <= 64 ? key // GET_LOCK's limit; a long name keeps its start and a hash of all
        : key.substring(0, 55) + "#" + String.format("%08x", key.hashCode());
    try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, 0)")) {
      ps.setString(1, name);
      if (held(ps)) {
        return new TableLock(c, name);
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
    if (connection == null) {
      IN_THIS_JVM.remove(key);
      return;
    }
    connection.close(); // ends the session, and with it the lock
  }
}
