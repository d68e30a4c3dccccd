package dev.beametl.extract;

import dev.beametl.spec.JdbcUrls;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * How each column of a result set is read into a record's text: what a driver's own objects would
 * have made of it otherwise. A trial found, all valid rows and exit 0: a {@code bytea} or BLOB as a
 * Java object name ({@code [B@d33835}), a TIME without its fraction or offset, MariaDB's TIME of
 * -01:00 as 23:00, its zero date as NULL, a TINYINT(1) of 2 as {@code true}, and of a query's two
 * columns of one name only the last.
 */
public final class JdbcColumns {
  private JdbcColumns() {}

  /**
   * What keeps a result set's columns from being read as a schema's fields, or null: two columns of
   * one name that a field names (which one the field meant is unknowable; names that differ in case
   * only are told apart, see JdbcRecords), a field no column has, or a field's column of binary data
   * (no field type reads bytes). Asked before the run.
   */
  public static @Nullable String problem(ResultSetMetaData meta, List<String> fields) throws SQLException {
    String twice = twoOfOneName(meta, fields);
    if (twice != null) {
      return twice;
    }
    List<String> labels = new java.util.ArrayList<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      labels.add(meta.getColumnLabel(i));
    }
    for (String field : fields) {
      if (labels.stream().noneMatch(field::equalsIgnoreCase)) { // a trial's field was NULL in every row, exit 0
        return "no column is named " + field + " (the columns: " + String.join(", ", labels) + "); rename the field,"
            + " or select the column AS " + field + " in a query";
      }
    }
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String label = meta.getColumnLabel(i);
      if (isBinary(meta.getColumnType(i)) && !readAsText(meta, i) && fields.stream().anyMatch(label::equalsIgnoreCase)) {
        return "column " + label + " holds binary data (" + meta.getColumnTypeName(i) + "), which no field type reads; "
            + "read it as text in a query (PostgreSQL: encode(" + label + ", 'hex'), MariaDB/MySQL: hex(" + label + "))";
      }
    }
    return null;
  }

  /** Two columns of the same name that a field names, or null; also asked by the reader of each query. */
  static @Nullable String twoOfOneName(ResultSetMetaData meta, List<String> fields) throws SQLException {
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String label = meta.getColumnLabel(i);
      Integer before = fields.stream().anyMatch(label::equalsIgnoreCase) ? seen.putIfAbsent(label, i) : null;
      if (before != null) {
        return "the result has two columns named " + label + " (columns " + before + " and " + i + "), and field "
            + label + " could be either; name one otherwise in the query (... AS other_" + label + ")";
      }
    }
    return null;
  }

  private static boolean isBinary(int type) {
    return type == Types.BINARY || type == Types.VARBINARY || type == Types.LONGVARBINARY || type == Types.BLOB;
  }

  /**
   * Whether a column is read as the text its driver gives: times (no field type holds one), MariaDB's
   * YEAR (not the date of its January 1st), and JSON and UUID columns, which H2 reports as binary and
   * gives as bytes (every JSON value was an unreadable record, a UUID column refused with a hint to
   * hex it; their text is {"a":1} and the UUID's).
   */
  static boolean readAsText(ResultSetMetaData meta, int column) throws SQLException {
    int type = meta.getColumnType(column);
    String name = meta.getColumnTypeName(column);
    return type == Types.TIME || type == Types.TIME_WITH_TIMEZONE
        || "year".equalsIgnoreCase(name) || "json".equalsIgnoreCase(name) || "uuid".equalsIgnoreCase(name);
  }

  /**
   * Whether a column is MariaDB's or MySQL's TINYINT(1), which their driver reports as BOOLEAN and
   * reads as true for any value but 0: read as the integer it holds (2 stays 2; a boolean field reads
   * 1 and 0). Decided once per column, from the result's types.
   */
  static boolean readAsInteger(ResultSetMetaData meta, int column, String url) throws SQLException {
    return JdbcUrls.isMariaDb(url) && "boolean".equalsIgnoreCase(meta.getColumnTypeName(column));
  }

  /**
   * The value of a column as the record holds it, given what {@code getObject} gave: a driver's own
   * object as its text, and a NULL date that is none (MariaDB's zero date) as its text, which the
   * schema gate refuses.
   *
   * @throws Unreadable for binary data
   */
  static @Nullable Object value(ResultSet rs, int column, @Nullable Object v, boolean temporal)
      throws SQLException, Unreadable {
    if (v == null) {
      return temporal ? rs.getString(column) : null; // a real NULL's text is null too
    }
    if (v instanceof byte[] || v instanceof java.sql.Blob) {
      throw new Unreadable("binary data, which no field type reads");
    }
    if (v instanceof String || v instanceof Number || v instanceof Boolean || v instanceof java.time.temporal.Temporal
        || v instanceof java.util.Date || v instanceof java.util.UUID) {
      return v;
    }
    return rs.getString(column); // a CLOB, an array, JSON, an interval: the driver's text, not the object's name
  }

  /** A value no field can read. */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }
}
