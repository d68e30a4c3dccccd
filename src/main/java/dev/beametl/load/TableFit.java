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
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Whether a table that already exists holds the run's output as it is, asked before the run. The
 * database converts what it is given to its column's type: an integer column rounded the decimals
 * 1.55 and 2.50 to 2 and 3, a date column cut timestamps to their day, and a key column that compares
 * looser than the job (PostgreSQL's {@code char(n)} and {@code citext}, a MariaDB collation that
 * ignores case) made the groups {@code b} and {@code B}, or {@code a} and {@code a }, one row - each
 * time exit 0. A column that is missing, or where the database would change a value without a word,
 * fails the run before it starts (exit 2), naming the column, its type and what would hold the
 * values. A value too large for its column is left to the database where that fails the statement.
 */
final class TableFit {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TableFit.class);

  private TableFit() {}

  /** What the table says of one of its columns. */
  static final class TableColumn {
    final String name;
    final int type;
    final String typeName;
    final int precision;
    final int scale;

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
    if (found == null) {
      LOG.warn("Cannot read the columns of table {} (no SELECT right): its column types are not checked", table);
      return;
    }
    if (dialect == JdbcTable.Dialect.OTHER) {
      LOG.warn("Table {}: only its columns' presence is checked; the rules for types and key comparisons are known "
          + "for PostgreSQL, MariaDB/MySQL and H2", table);
    }
    List<String> problems = new ArrayList<>();
    if (dialect == JdbcTable.Dialect.MYSQL && !strict(c)) {
      problems.add("the connection's SQL mode is not strict, so MariaDB/MySQL would cut a value that does not fit"
          + " its column (a number, a text too long, a character its charset lacks) with a warning only; keep"
          + " STRICT_TRANS_TABLES in sql_mode (the driver's default: do not set jdbcCompliantTruncation=false)");
    }
    if (dialect == JdbcTable.Dialect.MYSQL) {
      String engine = nonTransactionalEngine(c, sql.name(table));
      if (engine != null) {
        problems.add("its storage engine " + engine + " is not transactional: a statement that fails keeps the rows"
            + " it wrote before (an overwrite's DELETE too), and the strict SQL mode cuts an out-of-range number or"
            + " a character the column lacks in every row after a statement's first with a warning only; make it"
            + " InnoDB (ALTER TABLE ... ENGINE=InnoDB)");
      }
    }
    if (dialect == JdbcTable.Dialect.MYSQL && !keys.isEmpty()) {
      String other = otherUniqueIndex(c, sql.name(table), keys);
      if (other != null) {
        problems.add(other);
      }
    }
    if (dialect == JdbcTable.Dialect.H2 && keys.stream().map(columns::indexOf)
        .anyMatch(i -> i >= 0 && isText(columns.columns().get(i).type()))) {
      String collation = h2Collation(c);
      if (collation != null) {
        problems.add("the database compares text by the collation " + collation + ", which can make two of the job's"
            + " text keys one row (b and B); use a database without SET COLLATION");
      }
    }
    Set<String> written = new HashSet<>();
    for (OutputColumns.Column column : columns.columns()) {
      TableColumn target = find(found, column.name(), sql, dialect);
      if (target == null) {
        problems.add("it has no column " + column.name() + " (" + column.type() + "); add it");
        continue;
      }
      written.add(target.name);
      if (dialect == JdbcTable.Dialect.OTHER) {
        continue;
      }
      if (target.type == Types.DISTINCT || target.type == Types.OTHER && !target.typeName.equals("citext")) {
        // A PostgreSQL domain or a type of an extension: the driver does not say what it holds.
        LOG.warn("Table {}: column {} is of type {}, which the check cannot judge; make sure it holds {} values as"
            + " they are", table, target.name, target.typeName, column.type());
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
    for (String required : RequiredColumns.of(c, dialect, sql.name(table))) {
      if (written.stream().noneMatch(w -> dialect == JdbcTable.Dialect.MYSQL ? w.equalsIgnoreCase(required)
          : w.equals(required))) {
        problems.add("column " + required + " is NOT NULL without a default, and the job writes no value to it, so the"
            + " table would refuse every row; give it a default, allow NULL in it, or add a field " + required
            + " to the output");
      }
    }
    if (!problems.isEmpty()) {
      throw new SQLException("table " + table + " cannot hold this job's output as it is: " + String.join("; ", problems)
          + " (or load into a new table with createTable: true)", "42804");
    }
  }

  /**
   * Whether a value too large for its column fails the statement: always on PostgreSQL and H2; on
   * MariaDB/MySQL only in a strict SQL mode (the default since MariaDB 10.2.4 and MySQL 5.7), where
   * otherwise it is cut to the column's largest value with a warning.
   */
  private static boolean strict(Connection c) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
      return rs.next() && String.valueOf(rs.getString(1)).toUpperCase(Locale.ROOT).contains("STRICT_");
    } catch (SQLException e) {
      return false;
    }
  }

  private static String describeSize(TableColumn t) {
    if (t.type == Types.NUMERIC || t.type == Types.DECIMAL) {
      return t.precision > 0 ? "(" + t.precision + "," + t.scale + ")" : "";
    }
    return "";
  }

  /**
   * The column the job's SQL names: the name folded as the database folds it unquoted (lower case on
   * PostgreSQL, upper on H2), exactly; MariaDB/MySQL compare column names without case, and for
   * other databases the job knows no more than their drivers say.
   */
  private static @Nullable TableColumn find(Map<String, TableColumn> found, String name, SqlNames sql,
      JdbcTable.Dialect dialect) {
    TableColumn exact = found.get(sql.folded(name));
    if (exact != null || dialect == JdbcTable.Dialect.POSTGRESQL || dialect == JdbcTable.Dialect.H2) {
      return exact;
    }
    return found.values().stream().filter(t -> t.name.equalsIgnoreCase(name)).findFirst().orElse(null);
  }

  /**
   * The table's columns as the database resolves its name (schema, search path, case); null when the
   * user may not read it. PostgreSQL's come from its catalog, which takes no lock on the table: a
   * table another session holds (ALTER TABLE, LOCK TABLE) stopped the run at its start, where its
   * writes would have waited and retried.
   */
  private static @Nullable Map<String, TableColumn> columnsOf(Connection c, JdbcTable.Dialect dialect, String table)
      throws SQLException {
    if (dialect == JdbcTable.Dialect.POSTGRESQL) {
      return postgresColumnsOf(c, table);
    }
    Map<String, TableColumn> columns = new HashMap<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData meta = rs.getMetaData();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        TableColumn t = new TableColumn(meta.getColumnName(i), meta.getColumnType(i),
            String.valueOf(meta.getColumnTypeName(i)), meta.getPrecision(i), meta.getScale(i));
        columns.put(t.name, t);
      }
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState()) || e.getErrorCode() == 1142) {
        return null; // a loader that may only insert, as JdbcTable.exists allows
      }
      throw e;
    }
    return columns;
  }

  /** The columns of the PostgreSQL table {@code table} (a name as SQL takes it), as its driver's metadata gives them. */
  private static Map<String, TableColumn> postgresColumnsOf(Connection c, String table) throws SQLException {
    String schema;
    String relation;
    try (PreparedStatement ps = c.prepareStatement("SELECT n.nspname, r.relname FROM pg_class r JOIN pg_namespace n"
        + " ON n.oid = r.relnamespace WHERE r.oid = to_regclass(?)")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("table " + table + " does not exist", "42P01");
        }
        schema = rs.getString(1);
        relation = rs.getString(2);
      }
    }
    Map<String, TableColumn> columns = new HashMap<>();
    java.sql.DatabaseMetaData meta = c.getMetaData();
    String escape = meta.getSearchStringEscape();
    try (ResultSet rs = meta.getColumns(null, pattern(schema, escape), pattern(relation, escape), "%")) {
      while (rs.next()) {
        if (!schema.equals(rs.getString("TABLE_SCHEM")) || !relation.equals(rs.getString("TABLE_NAME"))) {
          continue;
        }
        TableColumn t = new TableColumn(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"),
            String.valueOf(rs.getString("TYPE_NAME")), rs.getInt("COLUMN_SIZE"), rs.getInt("DECIMAL_DIGITS"));
        columns.put(t.name, t);
      }
    }
    for (Map.Entry<String, TableColumn> e : columns.entrySet()) {
      if (e.getValue().type == Types.DISTINCT) {
        TableColumn base = postgresDomainBase(c, table, e.getKey());
        if (base != null) {
          e.setValue(base);
        }
      }
    }
    return columns;
  }

  /**
   * A PostgreSQL domain column as the type under it (through domains over domains), with the
   * innermost size a domain gives, or null when it cannot be read. The driver calls a domain
   * DISTINCT and says nothing of what it holds; judged as "cannot judge", a domain over varchar(2)
   * cut and merged two keys, one over numeric(12,2) rounded a decimal(12,4), exit 0 (a trial). Its
   * collation stays the column's, which the key check reads.
   */
  private static @Nullable TableColumn postgresDomainBase(Connection c, String table, String column) {
    try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE d(oid, typmod, depth) AS ("
        + " SELECT a.atttypid, a.atttypmod, 0 FROM pg_attribute a WHERE a.attrelid = to_regclass(?) AND a.attname = ?"
        + " UNION ALL SELECT t.typbasetype, CASE WHEN d.typmod <> -1 THEN d.typmod ELSE t.typtypmod END, d.depth + 1"
        + " FROM d JOIN pg_type t ON t.oid = d.oid WHERE t.typtype = 'd' AND d.depth < 32)"
        + " SELECT format_type(d.oid, d.typmod) FROM d ORDER BY d.depth DESC LIMIT 1")) {
      ps.setString(1, table);
      ps.setString(2, column);
      String base;
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || rs.getString(1) == null) {
          return null;
        }
        base = rs.getString(1);
      }
      // The driver describes the base type as it describes a column of it
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CAST(NULL AS " + base + ")")) {
        ResultSetMetaData meta = rs.getMetaData();
        return new TableColumn(column, meta.getColumnType(1), String.valueOf(meta.getColumnTypeName(1)),
            meta.getPrecision(1), meta.getScale(1));
      }
    } catch (SQLException e) {
      LOG.warn("Table {}: the type under the domain of column {} cannot be read: {}", table, column, e.getMessage());
      return null;
    }
  }

  /**
   * What the binders hold each of {@code fields} to, by field position, from one read of the
   * table's columns; nothing where the user may not read them.
   * <ul>
   *   <li>Text: a {@code varchar(n)}'s width, on PostgreSQL and MariaDB/MySQL. They store a value
   *       longer than such a column whose excess is all spaces cut to its width, without an error (a
   *       trial: "abcde  " stored as "abcde", exit 0); the binders refuse it as they refuse any longer
   *       value. H2 refuses any longer value itself.
   *   <li>Numbers, on PostgreSQL: a {@code smallint}'s or {@code integer}'s range, a
   *       {@code numeric(p,s)}'s integer digits (p - s). A value beyond them fails the statement, but
   *       PostgreSQL's error ("integer out of range", "numeric field overflow") names neither the
   *       column nor the row (a trial); the binders refuse it first, naming both. MariaDB/MySQL and H2
   *       name the column themselves.
   * </ul>
   */
  static Bounds bounds(Connection c, JdbcTable.Dialect dialect, String table, SqlNames sql, List<String> fields)
      throws SQLException {
    Bounds bounds = new Bounds(fields.size());
    if (dialect != JdbcTable.Dialect.POSTGRESQL && dialect != JdbcTable.Dialect.MYSQL) {
      return bounds; // others get the missing-column check only
    }
    Map<String, TableColumn> found = columnsOf(c, dialect, sql.name(table));
    for (int i = 0; found != null && i < fields.size(); i++) {
      TableColumn t = find(found, fields.get(i), sql, dialect);
      if (t == null) {
        continue;
      }
      // By its name: MariaDB's driver calls TINYTEXT and TEXT VARCHAR too, whose sizes are bytes
      boolean varchar = t.typeName.equals("varchar") || t.typeName.equals("nvarchar");
      if (varchar && t.precision > 0 && t.precision < Integer.MAX_VALUE) {
        bounds.widths[i] = t.precision;
      } else if (dialect != JdbcTable.Dialect.POSTGRESQL) {
        continue;
      } else if (t.type == Types.SMALLINT) {
        bounds.range(i, t.typeName, Short.MIN_VALUE, Short.MAX_VALUE);
      } else if (t.type == Types.INTEGER) {
        bounds.range(i, t.typeName, Integer.MIN_VALUE, Integer.MAX_VALUE);
      } else if (isNumeric(t.type) && t.precision > 0 && t.precision <= 1000 && t.scale >= 0 && t.scale <= t.precision) {
        bounds.integerDigits[i] = t.precision - t.scale; // numeric without a precision (0 here) holds any
        bounds.types[i] = t.typeName + "(" + t.precision + "," + t.scale + ")";
      }
    }
    return bounds;
  }

  /** See {@link #bounds}: per field, a text width, an integer range, a decimal's integer digits, or none. */
  static final class Bounds implements java.io.Serializable {
    /** 0: no width the job knows of. */
    final int[] widths;
    final long[] min;
    final long[] max;
    /** 0: no bound on the digits. */
    final int[] integerDigits;
    /** A number column's type as the table names it, for the message; null: no number bound. */
    final String[] types;

    Bounds(int fields) {
      widths = new int[fields];
      min = new long[fields];
      max = new long[fields];
      integerDigits = new int[fields];
      types = new String[fields];
      java.util.Arrays.fill(min, Long.MIN_VALUE);
      java.util.Arrays.fill(max, Long.MAX_VALUE);
    }

    private void range(int i, String type, long least, long most) {
      min[i] = least;
      max[i] = most;
      types[i] = type;
    }

    /** Why {@code v}, the value of field {@code i}, a number, does not fit its column; null when it does. */
    @Nullable String misfit(int i, Object v) {
      if (i >= types.length || types[i] == null) {
        return null;
      }
      if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        long n = ((Number) v).longValue();
        return n < min[i] || n > max[i] ? n + " is beyond the range of its column's type " + types[i] + " (" + min[i]
            + " to " + max[i] + ")" : null;
      }
      if (v instanceof java.math.BigDecimal && integerDigits[i] > 0) {
        java.math.BigDecimal d = (java.math.BigDecimal) v;
        int digits = d.signum() == 0 ? 0 : d.precision() - d.scale();
        return digits > integerDigits[i] ? d.toPlainString() + " has " + digits + " digits before the point, more than the "
            + integerDigits[i] + " of its column's type " + types[i] : null;
      }
      return null;
    }
  }

  /** {@code name} as a metadata search pattern that matches it alone. */
  private static String pattern(String name, String escape) {
    return name.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
  }

  private static boolean isText(FieldType type) {
    return type.kind() == FieldType.Kind.STRING || type.kind() == FieldType.Kind.CATEGORY;
  }

  private static boolean isNumeric(int type) {
    return type == Types.NUMERIC || type == Types.DECIMAL;
  }

  /**
   * Null when a column of the table's type {@code t} holds every value of {@code output} as it is,
   * else what would. What the database would round or cut without a word is refused: decimal places,
   * fractional seconds, a date for a timestamp, a float for a long. A value with more integer digits
   * than the column has fails its statement (MariaDB/MySQL only in a strict SQL mode, which
   * {@link #check} requires), so a narrower column is the table's owner's choice. PostgreSQL's
   * {@code numeric} without a precision holds any decimal.
   */
  static @Nullable String holds(FieldType output, TableColumn t, JdbcTable.Dialect dialect) {
    if (t.typeName.startsWith("decfloat") && output.kind() != FieldType.Kind.DOUBLE) {
      return "is a decimal floating point, which rounds to its precision without an error; use DECIMAL or BIGINT";
    }
    boolean anyNumeric = isNumeric(t.type) && t.precision <= 0 && t.scale <= 0;
    boolean integer = t.type == Types.TINYINT || t.type == Types.SMALLINT || t.type == Types.INTEGER
        || t.type == Types.BIGINT;
    switch (output.kind()) {
      case INT:
        return integer || isNumeric(t.type) && t.scale >= 0 || t.type == Types.DOUBLE && !isMoney(t)
            && !fixedPlaces(t, dialect) ? null : "cannot hold ints exactly; use INTEGER or BIGINT";
      case LONG:
        return integer || isNumeric(t.type) && t.scale >= 0 ? null : "cannot hold longs exactly; use BIGINT";
      case DECIMAL:
        boolean places = isNumeric(t.type) && !isMoney(t) && (anyNumeric || t.scale >= output.scale())
            || integer && output.scale() == 0;
        return places ? null : "would round or cut " + output + " values; use DECIMAL(" + output.precision() + ","
            + output.scale() + ") or one with more digits on either side of the point";
      case DOUBLE:
        return (t.type == Types.DOUBLE || t.type == Types.FLOAT && (t.precision <= 0 || t.precision >= 53))
            && !isMoney(t) && !fixedPlaces(t, dialect) ? null : "would round doubles; use DOUBLE PRECISION (DOUBLE on MariaDB/MySQL)";
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
        int digits = fractionalDigits(t, dialect);
        return digits >= 6 ? null : "would round timestamps to " + digits + " fractional digits; use TIMESTAMP(6) "
            + "(DATETIME(6) on MariaDB/MySQL)";
      default: // STRING, CATEGORY
        if (isFixedWidth(t)) {
          return "is of fixed width: values would be padded with spaces (or trailing ones dropped); use VARCHAR or TEXT";
        }
        if (dialect == JdbcTable.Dialect.POSTGRESQL && t.typeName.equals("name")) {
          // The driver calls it VARCHAR; PostgreSQL cuts a longer value to 63 bytes without an error
          // (a trial: five distinct 72-character keys became one row, exit 0).
          return "is PostgreSQL's name type, which cuts text to 63 bytes without an error; use VARCHAR or TEXT";
        }
        boolean text = t.type == Types.VARCHAR || t.type == Types.LONGVARCHAR || t.type == Types.NVARCHAR
            || t.type == Types.LONGNVARCHAR || t.type == Types.CLOB || t.type == Types.NCLOB
            || t.typeName.equals("citext");
        return text ? null : "does not hold text; use VARCHAR or TEXT";
    }
  }

  /**
   * MariaDB/MySQL's {@code DOUBLE(M,D)}, which rounds to D places; its driver gives a plain DOUBLE's
   * decimals as 31, "not fixed".
   */
  private static boolean fixedPlaces(TableColumn t, JdbcTable.Dialect dialect) {
    return dialect == JdbcTable.Dialect.MYSQL && t.scale > 0 && t.scale < 31;
  }

  private static boolean isFixedWidth(TableColumn t) {
    return t.type == Types.CHAR || t.type == Types.NCHAR || t.typeName.equals("bpchar");
  }

  /**
   * On MariaDB/MySQL an upsert ({@code ON DUPLICATE KEY UPDATE}) updates the row any unique index
   * finds: a second unique index, or one over a prefix of the keys, made two of the job's rows one
   * (a row gone, another overwritten). Null when the only unique indexes are exactly on the keys.
   */
  private static @Nullable String otherUniqueIndex(Connection c, String table, List<String> keys) {
    Map<String, List<String>> unique = new HashMap<>();
    Map<String, Boolean> prefix = new HashMap<>();
    try (PreparedStatement ps = mysqlTableQuery(c, "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM "
        + "information_schema.STATISTICS WHERE ", table, " AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          unique.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2).toLowerCase(Locale.ROOT));
          if (rs.getObject(3) != null) {
            prefix.put(rs.getString(1), true);
          }
        }
      }
    } catch (SQLException e) {
      LOG.warn("cannot read the unique indexes of {}: {}", table, e.getMessage());
      return null;
    }
    Set<String> wanted = new HashSet<>();
    keys.forEach(k -> wanted.add(k.toLowerCase(Locale.ROOT)));
    for (Map.Entry<String, List<String>> index : unique.entrySet()) {
      if (prefix.containsKey(index.getKey()) || !new HashSet<>(index.getValue()).equals(wanted)) {
        return "its unique index " + index.getKey() + " on " + index.getValue()
            + (prefix.containsKey(index.getKey()) ? " (over a prefix of a column)" : "") + " is not exactly the keys "
            + keys + ": an upsert there updates the row any unique index finds, so two of the job's rows could be"
            + " one; drop it, or make the keys its columns";
      }
    }
    return null;
  }

  /**
   * The engine of the MariaDB/MySQL table, when it does not do transactions (MyISAM, Aria, MEMORY,
   * CSV...). Into such a table a trial's overwrite whose commit failed left 100 of 101 new rows and
   * none of the 500 old ones, said "rolled back", and an append stored 3000000000 as 2147483647 and
   * an emoji as '?', exit 0. Null for a transactional engine, a view, or when it cannot be read.
   */
  private static @Nullable String nonTransactionalEngine(Connection c, String table) {
    return nonTransactionalEngine(c, table, 0);
  }

  /** A table the server names in a view's definition: {@code `db`.`t`}, not a column's {@code `db`.`t`.`c`}. */
  private static final java.util.regex.Pattern VIEW_TABLE =
      java.util.regex.Pattern.compile("`([^`]+)`\\.`([^`]+)`(?!\\.)");

  private static @Nullable String nonTransactionalEngine(Connection c, String table, int depth) {
    try (PreparedStatement ps = mysqlTableQuery(c, "SELECT t.ENGINE, (SELECT e.TRANSACTIONS FROM"
        + " information_schema.ENGINES e WHERE e.ENGINE = t.ENGINE), t.TABLE_TYPE FROM information_schema.TABLES t"
        + " WHERE t.", table, "");
        ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return null;
      }
      if ("VIEW".equalsIgnoreCase(rs.getString(3))) {
        // A view has no engine: the tables its definition names have (a trial: a view over MyISAM cut
        // values, exit 0). The server writes the definition out with every name qualified.
        return depth < 8 ? underView(c, table, depth) : null;
      }
      return rs.getString(1) != null && !"YES".equalsIgnoreCase(rs.getString(2)) ? rs.getString(1) : null;
    } catch (SQLException e) {
      LOG.warn("cannot read the storage engine of {}: {}", table, e.getMessage());
      return null;
    }
  }

  private static @Nullable String underView(Connection c, String view, int depth) throws SQLException {
    String definition;
    try (PreparedStatement ps = mysqlTableQuery(c, "SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE ",
        view, "");
        ResultSet rs = ps.executeQuery()) {
      definition = rs.next() ? rs.getString(1) : null;
    }
    if (definition == null) {
      LOG.warn("Table {} is a view whose definition cannot be read: the storage engine of the table under it is not"
          + " checked; it must do transactions (InnoDB)", view);
      return null;
    }
    java.util.regex.Matcher m = VIEW_TABLE.matcher(definition);
    while (m.find()) {
      String engine = nonTransactionalEngine(c, "`" + m.group(1) + "`.`" + m.group(2) + "`", depth + 1);
      if (engine != null) { // named for the table at the bottom, under views over views
        return engine.contains(" (of ") ? engine : engine + " (of " + m.group(1) + "." + m.group(2) + ", under the view)";
      }
    }
    return null;
  }

  /**
   * {@code select} + the condition naming the MariaDB/MySQL table {@code table} (as SQL takes it,
   * {@code `db`.`t`} or {@code `t`}: the current database's) in information_schema + {@code rest},
   * its parameters set: the table's, then {@code restParameters}.
   */
  static PreparedStatement mysqlTableQuery(Connection c, String select, String table, String rest,
      String... restParameters) throws SQLException {
    return mysqlObjectQuery(c, select, "TABLE_SCHEMA", "TABLE_NAME", table, rest, restParameters);
  }

  /** As above, for a view of information_schema whose columns naming the table are called otherwise. */
  static PreparedStatement mysqlObjectQuery(Connection c, String select, String schemaColumn, String tableColumn,
      String table, String rest, String... restParameters) throws SQLException {
    String unquoted = table.replace("`", "");
    int dot = unquoted.indexOf('.');
    PreparedStatement ps = c.prepareStatement(select + schemaColumn + " = " + (dot < 0 ? "DATABASE()" : "?")
        + " AND " + tableColumn + " = ?" + rest);
    try {
      int p = 1;
      if (dot >= 0) {
        ps.setString(p++, unquoted.substring(0, dot));
      }
      ps.setString(p++, dot < 0 ? unquoted : unquoted.substring(dot + 1));
      for (String parameter : restParameters) {
        ps.setString(p++, parameter);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }

  /** H2's database collation, when one is set (SET COLLATION); null for the default, which compares by code. */
  private static @Nullable String h2Collation(Connection c) {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM "
        + "INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'COLLATION'")) {
      String v = rs.next() ? rs.getString(1) : null;
      return v == null || v.isEmpty() || v.equalsIgnoreCase("OFF") ? null : v;
    } catch (SQLException e) {
      return null;
    }
  }

  private static boolean isMoney(TableColumn t) {
    return t.typeName.equals("money");
  }

  private static boolean isTimestamp(TableColumn t) {
    return t.type == Types.TIMESTAMP || t.type == Types.TIMESTAMP_WITH_TIMEZONE;
  }

  /**
   * A timestamp column's fractional digits: its scale, where MariaDB/MySQL's driver gives its display
   * size instead (DATETIME is 19 characters, DATETIME(6) 26).
   */
  private static int fractionalDigits(TableColumn t, JdbcTable.Dialect dialect) {
    if (dialect == JdbcTable.Dialect.MYSQL && t.scale == 0) {
      return t.precision > 20 ? t.precision - 20 : 0;
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
    if (t.typeName.equals("citext") || t.typeName.contains("ignorecase")) {
      return "is a key that ignores case: b and B would be one row; use TEXT or VARCHAR";
    }
    String collation = collationOf(c, dialect, table, t.name);
    if (dialect == JdbcTable.Dialect.MYSQL) {
      String binary = JdbcTable.binaryCollation(c);
      boolean noPadServer = !binary.equals("utf8mb4_bin");
      String name = collation == null ? "" : collation.toLowerCase(Locale.ROOT);
      boolean exact = noPadServer ? name.contains("nopad_bin") || name.contains("0900_bin") : name.endsWith("_bin");
      if (!exact) {
        return "is a key compared by " + (collation == null ? "a collation that cannot be read"
            : "the collation " + collation) + ", which can make two of the job's keys one row (b and B"
            + (noPadServer ? ", a and 'a '" : "") + "); ALTER TABLE ... MODIFY " + t.name + " ... COLLATE " + binary;
      }
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
        try (PreparedStatement ps = mysqlTableQuery(c, "SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE ",
            table, " AND COLUMN_NAME = ?", column)) {
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
      LOG.warn("cannot read the collation of {}.{}: {}", table, column,
          e.getMessage());
    }
    return null;
  }
}
