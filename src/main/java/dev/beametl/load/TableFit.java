package dev.beametl.load;

import dev.beametl.jdbc.SqlNames;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Whether a table that already exists holds the run's output as it is, asked before the run. The
 * database converts what it is given to its column's type: an integer column rounded the decimals
 * 1.55 and 2.50 to 2 and 3, a date column cut timestamps to their day, and a key column that compares
 * looser than the job (PostgreSQL's {@code char(n)} and {@code citext}, a MariaDB collation that
 * ignores case) made the groups {@code b} and {@code B}, or {@code a} and {@code a }, one row - each
 * time exit 0. A column that cannot hold every value of its output column exactly, or is missing,
 * fails the run before it starts, naming the column, its type and what would hold the values.
 */
final class TableFit {
  private TableFit() {}

  /** What the table says of one of its columns. */
  static final class TableColumn {
    final String name;
    final int type;
    final String typeName;
    final int precision;
    final int scale;
    /** Whether equal values of it may differ as the job's do (case, trailing spaces); null: not known. */
    @Nullable Boolean exactKeys;

    TableColumn(String name, int type, String typeName, int precision, int scale) {
      this.name = name;
      this.type = type;
      this.typeName = typeName.toLowerCase(Locale.ROOT);
      this.precision = precision;
      this.scale = scale;
    }
  }

  /** Throws an SQLException (state 42804, a data type mismatch) naming each column that does not fit. */
  static void check(Connection c, JdbcTable.Dialect dialect, String table, SqlNames sql, OutputColumns columns,
      List<String> keys) throws SQLException {
    Map<String, TableColumn> found = columnsOf(c, dialect, sql.name(table));
    List<String> problems = new ArrayList<>();
    for (OutputColumns.Column column : columns.columns()) {
      TableColumn target = find(found, column.name());
      if (target == null) {
        problems.add("it has no column " + column.name() + " (" + column.type() + "); add it");
        continue;
      }
      String why = holds(column.type(), target, dialect);
      if (why == null && keys.contains(column.name()) && isText(column.type())) {
        why = comparesAsTheJob(c, dialect, sql.name(table), target);
      }
      if (why != null) {
        problems.add("column " + target.name + " (" + target.typeName + describeSize(target) + ") " + why);
      }
    }
    if (!problems.isEmpty()) {
      throw new SQLException("table " + table + " cannot hold this job's output as it is: " + String.join("; ", problems)
          + " (or load into a new table with createTable: true)", "42804");
    }
  }

  private static String describeSize(TableColumn t) {
    if (t.type == Types.NUMERIC || t.type == Types.DECIMAL) {
      return t.precision > 0 ? "(" + t.precision + "," + t.scale + ")" : "";
    }
    return "";
  }

  private static @Nullable TableColumn find(Map<String, TableColumn> found, String name) {
    TableColumn exact = found.get(name);
    if (exact != null) {
      return exact;
    }
    TableColumn match = null;
    for (TableColumn t : found.values()) {
      if (t.name.equalsIgnoreCase(name)) {
        match = t; // the database folds names written without quotes, as the job writes them
      }
    }
    return match;
  }

  /** The table's columns as the database resolves its name (schema, search path, case). */
  private static Map<String, TableColumn> columnsOf(Connection c, JdbcTable.Dialect dialect, String table)
      throws SQLException {
    Map<String, TableColumn> columns = new HashMap<>();
    boolean transaction = dialect == JdbcTable.Dialect.POSTGRESQL && c.getAutoCommit();
    if (transaction) {
      // A table another session holds locked (ALTER TABLE) would make the probe wait: ask briefly.
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL lock_timeout = '10s'");
      }
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        TableColumn t = new TableColumn(meta.getColumnName(i), meta.getColumnType(i),
            String.valueOf(meta.getColumnTypeName(i)), meta.getPrecision(i), meta.getScale(i));
        columns.put(t.name, t);
      }
    } finally {
      if (transaction) {
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    return columns;
  }

  private static boolean isText(FieldType type) {
    return type.kind() == FieldType.Kind.STRING || type.kind() == FieldType.Kind.CATEGORY;
  }

  private static boolean isNumeric(int type) {
    return type == Types.NUMERIC || type == Types.DECIMAL;
  }

  /**
   * Null when a column of the table's type {@code t} holds every value of {@code output} exactly,
   * else what would. PostgreSQL's {@code numeric} without a precision holds any decimal; MariaDB's
   * {@code DATETIME} needs its 6 fractional digits for microseconds.
   */
  static @Nullable String holds(FieldType output, TableColumn t, JdbcTable.Dialect dialect) {
    boolean anyNumeric = isNumeric(t.type) && t.precision <= 0 && t.scale <= 0;
    switch (output.kind()) {
      case INT:
        return t.type == Types.INTEGER || t.type == Types.BIGINT || t.type == Types.DOUBLE && !isMoney(t)
            || isNumeric(t.type) && (anyNumeric || t.scale >= 0 && t.precision - t.scale >= 10)
            ? null : "cannot hold every int; use INTEGER or BIGINT";
      case LONG:
        return t.type == Types.BIGINT || isNumeric(t.type) && (anyNumeric || t.scale >= 0 && t.precision - t.scale >= 19)
            ? null : "cannot hold every long; use BIGINT";
      case DECIMAL:
        if (isNumeric(t.type) && !isMoney(t)
            && (anyNumeric || t.scale >= output.scale() && t.precision - t.scale >= output.precision() - output.scale())) {
          return null;
        }
        if (output.scale() == 0 && (t.type == Types.BIGINT && output.precision() <= 18
            || t.type == Types.INTEGER && output.precision() <= 9)) {
          return null;
        }
        return "would round or cut " + output + " values; use DECIMAL(" + output.precision() + "," + output.scale()
            + ") or wider in both parts";
      case DOUBLE:
        return (t.type == Types.DOUBLE || t.type == Types.FLOAT && (t.precision <= 0 || t.precision >= 53))
            && !isMoney(t) ? null : "would round doubles; use DOUBLE PRECISION";
      case BOOLEAN:
        return t.type == Types.BOOLEAN || t.type == Types.BIT || t.type == Types.TINYINT
            ? null : "does not hold booleans; use BOOLEAN";
      case DATE:
        return t.type == Types.DATE || isTimestamp(t) ? null : "does not hold dates; use DATE";
      case TIMESTAMP:
        if (!isTimestamp(t)) {
          return "would cut timestamps" + (t.type == Types.DATE ? " to their day" : "")
              + "; use TIMESTAMP WITH TIME ZONE (DATETIME(6) on MariaDB/MySQL)";
        }
        if (fractionalDigits(t, dialect) < 6) {
          return "would round timestamps to " + fractionalDigits(t, dialect) + " fractional digits; use "
              + (dialect == JdbcTable.Dialect.MYSQL ? "DATETIME(6)" : "TIMESTAMP(6)");
        }
        return null;
      default: // STRING, CATEGORY
        boolean text = t.type == Types.VARCHAR || t.type == Types.LONGVARCHAR || t.type == Types.NVARCHAR
            || t.type == Types.LONGNVARCHAR || t.type == Types.CLOB || t.type == Types.NCLOB || t.type == Types.CHAR
            || t.type == Types.NCHAR || t.typeName.equals("citext");
        return text ? null : "does not hold text; use VARCHAR or TEXT";
    }
  }

  private static boolean isMoney(TableColumn t) {
    return t.typeName.equals("money");
  }

  private static boolean isTimestamp(TableColumn t) {
    return t.type == Types.TIMESTAMP || t.type == Types.TIMESTAMP_WITH_TIMEZONE;
  }

  /** A timestamp column's fractional digits: MariaDB/MySQL give them as the display size's, others as its scale. */
  private static int fractionalDigits(TableColumn t, JdbcTable.Dialect dialect) {
    if (dialect == JdbcTable.Dialect.MYSQL) {
      return t.precision > 20 ? t.precision - 20 : 0; // DATETIME is 19 characters, DATETIME(6) 26
    }
    return t.scale;
  }

  /**
   * Null when the text key column {@code t} tells apart every two values the job does, else why not:
   * a padded {@code char(n)} (equal with trailing spaces), PostgreSQL's {@code citext} or a
   * nondeterministic collation, a MariaDB/MySQL collation other than a binary one (its default
   * ignores case; a binary one still pads, as documented for the tables the job creates on servers
   * without a non-padding one).
   */
  private static @Nullable String comparesAsTheJob(Connection c, JdbcTable.Dialect dialect, String table,
      TableColumn t) throws SQLException {
    if (t.type == Types.CHAR || t.type == Types.NCHAR || t.typeName.equals("bpchar")) {
      return "is a key of fixed width: values that differ in trailing spaces would be one row; use VARCHAR or TEXT";
    }
    if (t.typeName.equals("citext")) {
      return "is a key that ignores case: b and B would be one row; use TEXT";
    }
    String collation = collationOf(c, dialect, table, t.name);
    if (collation != null && dialect == JdbcTable.Dialect.MYSQL && !collation.toLowerCase(Locale.ROOT).contains("_bin")) {
      return "is a key compared by the collation " + collation + ", which can make two of the job's keys one row"
          + " (b and B); use a binary one: ALTER TABLE ... MODIFY " + t.name + " ... COLLATE utf8mb4_bin"
          + " (utf8mb4_nopad_bin on MariaDB 10.2+, utf8mb4_0900_bin on MySQL 8+)";
    }
    if ("nondeterministic".equals(collation)) {
      return "is a key with a nondeterministic collation, which can make two of the job's keys one row; use one "
          + "that is deterministic (the default)";
    }
    return null;
  }

  /**
   * A MariaDB/MySQL column's collation; on PostgreSQL "nondeterministic" for such a collation (12+),
   * else null. Null when the database cannot say.
   */
  private static @Nullable String collationOf(Connection c, JdbcTable.Dialect dialect, String table, String column) {
    try {
      if (dialect == JdbcTable.Dialect.MYSQL) {
        String unquoted = table.replace("`", "");
        int dot = unquoted.indexOf('.');
        try (PreparedStatement ps = c.prepareStatement("SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE "
            + "TABLE_SCHEMA = " + (dot < 0 ? "DATABASE()" : "?") + " AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
          int p = 1;
          if (dot >= 0) {
            ps.setString(p++, unquoted.substring(0, dot));
          }
          ps.setString(p++, dot < 0 ? unquoted : unquoted.substring(dot + 1));
          ps.setString(p, column);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
          }
        }
      }
      if (dialect == JdbcTable.Dialect.POSTGRESQL) {
        try (PreparedStatement ps = c.prepareStatement("SELECT NOT co.collisdeterministic FROM pg_attribute a JOIN "
            + "pg_collation co ON co.oid = a.attcollation WHERE a.attrelid = to_regclass(?) AND a.attname = ?")) {
          ps.setString(1, table);
          ps.setString(2, column);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getBoolean(1) ? "nondeterministic" : null;
          }
        }
      }
    } catch (SQLException e) {
      org.slf4j.LoggerFactory.getLogger(TableFit.class).warn("cannot read the collation of {}.{}: {}", table, column,
          e.getMessage());
    }
    return null;
  }
}
