package dev.beametl.load;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns of an existing table that every inserted row must give a value: NOT NULL, without a
 * default, not filled in by the database (an identity, auto-increment or generated column). A table
 * with such a column the job does not write refuses every row; found only at the end, a staged run
 * did all its work to fail its commit. Read from each database's catalog; where a catalog cannot be
 * read, or a column's type may bring a default of its own (a domain), nothing is said, and
 * the database refuses the rows as before.
 */
final class RequiredColumns {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequiredColumns.class);

  private RequiredColumns() {}

  /**
   * The required columns of {@code table} (a name as SQL takes it) as the catalog names them; empty if
   * unknown, or when the table has a BEFORE INSERT trigger, which may fill a column in (PostgreSQL,
   * MySQL 5.7+ and MariaDB 10.5+ check NOT NULL after such triggers: a review).
   */
  static List<String> of(Connection c, JdbcTable.Dialect dialect, String table) {
    try {
      switch (dialect) {
        case POSTGRESQL:
          return hasInsertTrigger(c, "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal"
              + " AND (tgtype & 7) = 7", table) ? List.of() : postgres(c, table);
        case MYSQL:
          if (mysqlInsertTrigger(c, table)) {
            return List.of();
          }
          return names(TableFit.mysqlTableQuery(c, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE ", table,
              " AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%'"
                  // an ENUM without a default takes its first value, in strict mode too (a trial); a SET does not
                  + " AND DATA_TYPE <> 'enum'"
                  + " AND COALESCE(GENERATION_EXPRESSION, '') = '' ORDER BY ORDINAL_POSITION"));
        case H2:
          return h2(c, table);
        default:
          return List.of();
      }
    } catch (SQLException e) {
      LOG.warn("Table {}: cannot read which of its columns need a value: {}", table, e.getMessage());
      return List.of();
    }
  }

  private static List<String> postgres(Connection c, String table) throws SQLException {
    PreparedStatement ps = c.prepareStatement("SELECT a.attname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
        + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull"
        + " AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' AND t.typtype <> 'd' ORDER BY a.attnum");
    ps.setString(1, table);
    return names(ps);
  }

  /** H2 resolves the name (schema, case) in a query; its result's metadata says which table it found. */
  private static List<String> h2(Connection c, String table) throws SQLException {
    String schema;
    String name;
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      schema = meta.getSchemaName(1);
      name = meta.getTableName(1);
    }
    try (PreparedStatement triggers = c.prepareStatement("SELECT count(*) FROM INFORMATION_SCHEMA.TRIGGERS WHERE"
        + " EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? AND ACTION_TIMING = 'BEFORE'"
        + " AND EVENT_MANIPULATION = 'INSERT'")) {
      triggers.setString(1, schema);
      triggers.setString(2, name);
      if (count(triggers) > 0) {
        return List.of();
      }
    }
    PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ?"
        + " AND TABLE_NAME = ? AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND IS_IDENTITY = 'NO'"
        + " AND IS_GENERATED = 'NEVER' AND DOMAIN_NAME IS NULL ORDER BY ORDINAL_POSITION");
    ps.setString(1, schema);
    ps.setString(2, name);
    return names(ps);
  }

  /** Whether the MariaDB/MySQL table ({@code `db`.`t`} or {@code `t`}) has a BEFORE INSERT trigger. */
  private static boolean mysqlInsertTrigger(Connection c, String table) throws SQLException {
    try (PreparedStatement ps = TableFit.mysqlObjectQuery(c, "SELECT count(*) FROM information_schema.TRIGGERS WHERE ",
        "EVENT_OBJECT_SCHEMA", "EVENT_OBJECT_TABLE", table,
        " AND ACTION_TIMING = 'BEFORE' AND EVENT_MANIPULATION = 'INSERT'")) {
      return count(ps) > 0;
    }
  }

  private static boolean hasInsertTrigger(Connection c, String sql, String table) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, table);
      return count(ps) > 0;
    }
  }

  private static long count(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /** The first column of each row {@code query} gives; closes it. */
  private static List<String> names(PreparedStatement query) throws SQLException {
    try (PreparedStatement ps = query; ResultSet rs = ps.executeQuery()) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      return names;
    }
  }
}
