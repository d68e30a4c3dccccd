package dev.beametl.extract;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.beametl.record.BinaryFloat;
import dev.beametl.record.SourceRecord;
import java.math.BigDecimal;

/**
 * How a typed value from a Parquet file or a database becomes a field of the JSON text a
 * {@link SourceRecord} carries: decimals as exact plain text, numbers and booleans as JSON scalars,
 * everything else (dates, timestamps, strings) as its string form, which Validate parses.
 */
final class JsonText {
  private JsonText() {}

  static void put(ObjectNode node, String field, Object v) {
    put(node, field, v, false);
  }

  /**
   * {@code withZone}: the value is an instant (a database's timestamp with time zone), written with
   * its offset, so Validate reads the same instant whatever this JVM's time zone; a timestamp
   * without one is written as the wall-clock time it holds.
   */
  static void put(ObjectNode node, String field, Object v, boolean withZone) {
    String infinite = infinity(v);
    if (infinite != null) {
      node.put(field, infinite);
    } else if (withZone && v instanceof java.sql.Timestamp) {
      node.put(field, ((java.sql.Timestamp) v).toInstant().toString());
    } else if (withZone && v instanceof java.time.OffsetDateTime) {
      node.put(field, ((java.time.OffsetDateTime) v).toInstant().toString());
    } else if (v == null) {
      node.putNull(field);
    } else if (v instanceof BigDecimal) {
      node.put(field, ((BigDecimal) v).toPlainString());
    } else if (v instanceof Float && Float.isFinite((Float) v)) {
      // Its exact value, marked as a float's, as a Parquet FLOAT's (see BinaryFloat): a decimal field
      // takes the binary value, not digits its shortest text invents (a REAL 2^40 read 1099511630000).
      node.putRawValue(field, new RawValue(BinaryFloat.ofFloat((Float) v)));
    } else if (v instanceof Double && Double.isFinite((Double) v)) {
      node.put(field, (double) (Double) v); // Double.toString, BinaryFloat's text of a double
    } else if (v instanceof Number || v instanceof Boolean) {
      node.putPOJO(field, v);
    } else if (v instanceof java.sql.Timestamp) {
      node.put(field, ((java.sql.Timestamp) v).toLocalDateTime().toString());
    } else if (v instanceof java.sql.Date) {
      node.put(field, ((java.sql.Date) v).toLocalDate().toString());
    } else {
      node.put(field, v.toString());
    }
  }

  /**
   * PostgreSQL's infinite dates and timestamps as the word, as the Parquet reader gives DuckDB's: its
   * driver hands them over as the largest and smallest java.time values, which read as dates a
   * billion years away (a date of infinity was written to Parquet as the year 466210). Validate
   * refuses the word where a date or timestamp is wanted. Null for any other value.
   */
  static String infinity(Object v) {
    if (v == null) {
      return null;
    }
    if (v.equals(java.time.LocalDate.MAX) || v.equals(java.time.LocalDateTime.MAX)
        || v.equals(java.time.OffsetDateTime.MAX)) {
      return "infinity";
    }
    if (v.equals(java.time.LocalDate.MIN) || v.equals(java.time.LocalDateTime.MIN)
        || v.equals(java.time.OffsetDateTime.MIN)) {
      return "-infinity";
    }
    return null;
  }
}
