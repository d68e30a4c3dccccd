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
 * read, or a column's type may bring a default of its own (a PostgreSQL domain), nothing is said, and
 * the database refuses the rows as before.
 */
final class RequiredColumns {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RequiredColumns.class);

  private RequiredColumns() {}

  /** The required columns of {@code table} (a name as SQL takes it) as the catalog names them; empty if unknown. */
  static List<String> of(Connection c, JdbcTable.Dialect dialect, String table) {
    try {
      switch (dialect) {
        case POSTGRESQL:
          return postgres(c, table);
        case MYSQL:
          return names(TableFit.mysqlTableQuery(c, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE ", table,
              " AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%'"
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
    PreparedStatement ps = c.prepareStatement("SELECT COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ?"
        + " AND TABLE_NAME = ? AND IS_NULLABLE = 'NO' AND COLUMN_DEFAULT IS NULL AND IS_IDENTITY = 'NO'"
        + " AND IS_GENERATED = 'NEVER' ORDER BY ORDINAL_POSITION");
    ps.setString(1, schema);
    ps.setString(2, name);
    return names(ps);
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
