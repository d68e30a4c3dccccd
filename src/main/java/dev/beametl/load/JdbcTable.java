package dev.beametl.load;

import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.JdbcSinkSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.values.Row;

/**
 * The SQL of a table sink, per database: PostgreSQL {@code INSERT ... ON CONFLICT}, MariaDB/MySQL
 * {@code ON DUPLICATE KEY UPDATE}, H2 {@code MERGE}; the table's DDL from the output columns; the
 * staging table an overwrite writes first; and which errors are worth a retry. Names come from a
 * validated spec (plain identifiers only), so they are safe to put in SQL.
 */
public final class JdbcTable {
  private JdbcTable() {}

  enum Dialect { POSTGRESQL, MYSQL, H2, OTHER }

  static Dialect dialect(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return Dialect.POSTGRESQL;
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return Dialect.MYSQL;
    }
    return u.startsWith("jdbc:h2:") ? Dialect.H2 : Dialect.OTHER;
  }

  /** The table the pipeline writes: the target, or for an overwrite its staging table. */
  static String writtenTable(JdbcSinkSpec sink) {
    return sink.mode() == JdbcSinkSpec.Mode.OVERWRITE ? staging(sink) : sink.connection().table();
  }

  static String staging(JdbcSinkSpec sink) {
    return sink.connection().table() + "_beametl_staging";
  }

  static String statement(JdbcSinkSpec sink, OutputColumns columns) {
    List<String> names = columns.columns().stream().map(OutputColumns.Column::name).collect(Collectors.toList());
    String cols = String.join(", ", names);
    String params = names.stream().map(n -> "?").collect(Collectors.joining(", "));
    String table = writtenTable(sink);
    if (sink.mode() != JdbcSinkSpec.Mode.UPSERT) {
      return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ")";
    }
    List<String> others = names.stream().filter(n -> !sink.keys().contains(n)).collect(Collectors.toList());
    switch (dialect(sink.connection().url())) {
      case POSTGRESQL:
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT ("
            + String.join(", ", sink.keys()) + ") "
            + (others.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + others.stream().map(n -> n + " = EXCLUDED." + n).collect(Collectors.joining(", ")));
      case MYSQL:
        String update = others.isEmpty() ? sink.keys().get(0) + " = " + sink.keys().get(0)
            : others.stream().map(n -> n + " = VALUES(" + n + ")").collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON DUPLICATE KEY UPDATE " + update;
      default:
        return "MERGE INTO " + table + " (" + cols + ") KEY (" + String.join(", ", sink.keys()) + ") VALUES ("
            + params + ")";
    }
  }

  static String createTable(String table, JdbcSinkSpec sink, OutputColumns columns) {
    Dialect d = dialect(sink.connection().url());
    String body = columns.columns().stream()
        .map(c -> c.name() + " " + sqlType(c.type(), d, sink.keys().contains(c.name()))
            + (c.nullable() && !sink.keys().contains(c.name()) ? "" : " NOT NULL"))
        .collect(Collectors.joining(", "));
    String key = sink.keys().isEmpty() ? "" : ", PRIMARY KEY (" + String.join(", ", sink.keys()) + ")";
    return "CREATE TABLE " + table + " (" + body + key + ")";
  }

  private static String sqlType(FieldType t, Dialect d, boolean key) {
    switch (t.kind()) {
      case INT:
        return "INTEGER";
      case LONG:
        return "BIGINT";
      case DOUBLE:
        return d == Dialect.MYSQL ? "DOUBLE" : "DOUBLE PRECISION";
      case DECIMAL:
        return "DECIMAL(" + t.precision() + "," + t.scale() + ")";
      case BOOLEAN:
        return "BOOLEAN";
      case DATE:
        return "DATE";
      case TIMESTAMP:
        return d == Dialect.MYSQL ? "DATETIME(6)" : "TIMESTAMP WITH TIME ZONE";
      default:
        return d == Dialect.POSTGRESQL ? "TEXT" : (key ? "VARCHAR(255)" : "VARCHAR(4000)");
    }
  }

  /** Before the run: create the table when asked and absent; for an overwrite, a fresh staging table. */
  public static void prepare(JdbcSinkSpec sink, OutputColumns columns) throws SQLException {
    try (Connection c = JdbcConnections.open(sink.connection());
        Statement s = c.createStatement()) {
      String table = sink.connection().table();
      if (!exists(c, table)) {
        if (!sink.createTable()) {
          throw new SQLException("table " + table + " does not exist; create it or set sink.jdbc.createTable: true",
              "42P01");
        }
        s.execute(createTable(table, sink, columns));
      }
      if (sink.mode() == JdbcSinkSpec.Mode.OVERWRITE) {
        if (exists(c, staging(sink))) {
          s.execute("DROP TABLE " + staging(sink));
        }
        s.execute(createTable(staging(sink), JdbcSinkSpec.of(sink.connection(), sink.mode(), List.of(),
            sink.batchSize(), true, sink.attempts()), columns));
      }
    }
  }

  /** After a successful run of an overwrite: replace the table's rows with the staged ones in one transaction. */
  public static void commit(JdbcSinkSpec sink, OutputColumns columns) throws SQLException {
    if (sink.mode() != JdbcSinkSpec.Mode.OVERWRITE) {
      return;
    }
    try (Connection c = JdbcConnections.open(sink.connection())) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM " + sink.connection().table());
        String cols = columns.columns().stream().map(OutputColumns.Column::name).collect(Collectors.joining(", "));
        // Named columns: a table made by hand may order its columns differently from the result.
        s.executeUpdate("INSERT INTO " + sink.connection().table() + " (" + cols + ") SELECT " + cols + " FROM "
            + staging(sink));
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
      c.setAutoCommit(true);
      try (Statement s = c.createStatement()) {
        s.execute("DROP TABLE " + staging(sink));
      }
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    for (String name : new java.util.LinkedHashSet<>(List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT)))) {
      try (ResultSet rs = meta.getTables(null, null, name, null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /** Binds a result row to the statement's parameters, in column order. */
  static final class Binder implements JdbcIO.PreparedStatementSetter<Row> {
    @Override
    public void setParameters(Row row, PreparedStatement ps) throws SQLException {
      for (int i = 0; i < row.getFieldCount(); i++) {
        Object v = BeamTypes.plainValue(row, i);
        if (v == null) {
          ps.setNull(i + 1, Types.NULL);
        } else if (v instanceof BigDecimal) {
          ps.setBigDecimal(i + 1, (BigDecimal) v);
        } else if (v instanceof LocalDate) {
          ps.setDate(i + 1, java.sql.Date.valueOf((LocalDate) v));
        } else if (v instanceof Instant) {
          ps.setTimestamp(i + 1, java.sql.Timestamp.from((Instant) v));
        } else {
          ps.setObject(i + 1, v);
        }
      }
    }
  }

  /**
   * Retries what passes: lost or refused connections (SQL state class 08), serialization failures
   * (40001), deadlocks (40P01, MySQL 1213), lock timeouts (55P03, HYT00, MySQL 1205), a server shutting
   * down (57P01). JdbcIO's default covers only some of these.
   */
  static final class TransientErrors implements JdbcIO.RetryStrategy {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TransientErrors.class);
    /** Retries decided in this JVM; what an operator sees in the log, and what tests check. */
    static final java.util.concurrent.atomic.AtomicLong RETRIED = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public boolean apply(SQLException e) {
      for (SQLException x = e; x != null; x = x.getNextException()) {
        String state = x.getSQLState() == null ? "" : x.getSQLState();
        if (state.startsWith("08") || state.equals("40001") || state.equals("40P01") || state.equals("55P03")
            || state.equals("57P01") || state.equals("HYT00") || x.getErrorCode() == 1205 || x.getErrorCode() == 1213) {
          RETRIED.incrementAndGet();
          LOG.warn("Transient database error (SQL state {}), retrying the batch: {}", state,
              String.valueOf(x.getMessage()).split("\n")[0]);
          return true;
        }
      }
      return false;
    }
  }
}
