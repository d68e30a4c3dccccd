package dev.beametl.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SharedSnapshot;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.JdbcSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.DateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a table or query with Beam's {@link JdbcIO}: split into partitions over an integer, date or
 * timestamp column
 * ({@code readWithPartitions}, each partition its own bounded query) plus one query for the rows
 * whose partition column is NULL, which range queries never return. Without a partition column it
 * is one query. Rows become {@link SourceRecord}s holding the row as a JSON object (columns matched
 * to schema fields by name, ignoring case), so they pass the same Validate stage as files; the
 * origin names the table and the row's partition key.
 */
final class JdbcRecords extends PTransform<PBegin, PCollection<SourceRecord>> {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcRecords.class);
  private final JdbcSpec spec;
  private final List<String> fields;
  private final Map<String, TemporalText> temporalTexts;

  JdbcRecords(JdbcSpec spec, List<String> fields) {
    this(spec, fields, Map.of());
  }

  /** {@code temporalTexts}: by field name, how a typed date or timestamp is written for a field with a format. */
  JdbcRecords(JdbcSpec spec, List<String> fields, Map<String, TemporalText> temporalTexts) {
    this.spec = spec;
    this.fields = List.copyOf(fields);
    this.temporalTexts = Map.copyOf(temporalTexts);
  }

  /** The whole relation in one query, by one reader. */
  private JdbcIO.Read<SourceRecord> oneQuery(RowToRecord mapper) {
    return JdbcIO.<SourceRecord>read()
        .withDataSourceProviderFn(JdbcConnections.to(spec))
        .withQuery("SELECT * FROM " + SqlNames.relation(spec))
        .withFetchSize(spec.fetchSize())
        .withRowMapper(mapper)
        .withCoder(SourceRecord.RecordCoder.of())
        // One query is one reader; a reshuffle of every row would not make it parallel, only slower.
        .withOutputParallelization(false);
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    RowToRecord mapper = new RowToRecord(spec, fields, temporalTexts);
    if (spec.partitionColumn() == null) {
      return input.apply("Read " + spec.displayName(), oneQuery(mapper));
    }
    Plan plan = plan(spec);
    if (plan.rows == 0 || plan.lower >= plan.upper) {
      // Nothing or one key to split (an incremental run with few new rows): one query reads it all,
      // NULL keys included; Beam's partitioned read refuses a range without width.
      return input.apply("Read " + spec.displayName(), oneQuery(mapper));
    }
    LOG.info("Reading {} in {} partitions over {} in [{}, {}] ({} rows with a key, {} with NULL; keys outside the "
        + "range by one more query)", spec.displayName(), plan.partitions, spec.partitionColumn(),
        plan.wallClock ? wallClock(plan.lower) : plan.temporal ? java.time.Instant.ofEpochMilli(plan.lower) : plan.lower,
        plan.wallClock ? wallClock(plan.upper) : plan.temporal ? java.time.Instant.ofEpochMilli(plan.upper) : plan.upper,
        plan.rows, plan.nullRows);
    // The ranges and the rest query are separate queries: on PostgreSQL they share one snapshot, so
    // together they read the table as it was at one instant whoever writes it meanwhile (SharedSnapshot).
    SerializableFunction<Void, DataSource> connections = SharedSnapshot.forReading(spec);
    if (!SharedSnapshot.shares(spec)) {
      LOG.warn("Table {}: its {} partitions are separate queries, each reading the table as it is then: a row written"
          + " meanwhile (a key moved from one partition to another) can be read twice or not at all; read a table"
          + " nobody writes during the run, or without partitionColumn (one query); on PostgreSQL they share one"
          + " snapshot unless source.jdbc.snapshot is false or the URL names several hosts", spec.displayName(),
          plan.partitions + 1);
    }
    String step = "Read " + spec.displayName() + " by " + spec.partitionColumn();
    String partitionColumn = SqlNames.of(spec).name(spec.partitionColumn());
    // Beam's ranges cover [lower, upper] in the statement's own terms: [lower, upper + 1) bound as
    // longs, or as timestamps, which a database compares after its own conversion (PostgreSQL casts
    // the timestamp upper + 1 ms to a DATE column's type: the last day was left out). The rest query
    // binds the same two bounds the same way and takes what the ranges do not: NULL keys, keys below
    // the range and keys from its end on (user bounds narrower than the data, a key range wider than
    // a long, keys written since the plan). Together the two read every row once.
    PCollection<SourceRecord> ranges = plan.wallClock
        ? input.apply(step, JdbcIO.<SourceRecord, Long>readWithPartitions(new WallClockRanges())
            .withDataSourceProviderFn(connections)
            .withTable(SqlNames.relation(spec))
            .withPartitionColumn(partitionColumn)
            .withNumPartitions(plan.partitions)
            .withLowerBound(plan.lower)
            .withUpperBound(plan.upper)
            .withFetchSize(spec.fetchSize())
            .withRowMapper(mapper)
            .withCoder(SourceRecord.RecordCoder.of()))
        : plan.temporal
        ? input.apply(step, JdbcIO.<SourceRecord, DateTime>readWithPartitions(TypeDescriptor.of(DateTime.class))
            .withDataSourceProviderFn(connections)
            .withTable(SqlNames.relation(spec))
            .withPartitionColumn(partitionColumn)
            .withNumPartitions(plan.partitions)
            .withLowerBound(new DateTime(plan.lower))
            .withUpperBound(new DateTime(plan.upper)) // Beam ends the last range at upper + 1 ms
            .withFetchSize(spec.fetchSize())
            .withRowMapper(mapper)
            .withCoder(SourceRecord.RecordCoder.of()))
        : input.apply(step, JdbcIO.<SourceRecord, Long>readWithPartitions(TypeDescriptors.longs())
            .withDataSourceProviderFn(connections)
            .withTable(SqlNames.relation(spec))
            .withPartitionColumn(partitionColumn)
            .withNumPartitions(plan.partitions)
            .withLowerBound(plan.lower)
            .withUpperBound(plan.upper) // Beam ends the last range at upper + 1
            .withFetchSize(spec.fetchSize())
            .withRowMapper(mapper)
            .withCoder(SourceRecord.RecordCoder.of()));
    boolean temporal = plan.temporal;
    boolean wallClock = plan.wallClock;
    long lower = plan.lower;
    long end = plan.upper + 1; // no overflow: plan keeps upper below Long.MAX_VALUE
    PCollection<SourceRecord> rest = input.apply("Read " + spec.displayName() + " where " + spec.partitionColumn()
        + " is NULL or outside the ranges", JdbcIO.<SourceRecord>read()
        .withDataSourceProviderFn(connections)
        .withQuery("SELECT * FROM " + SqlNames.relation(spec) + " WHERE " + partitionColumn + " IS NULL OR "
            + partitionColumn + " < ? OR " + partitionColumn + " >= ?")
        .withStatementPreparator(ps -> {
          if (wallClock) { // as WallClockRanges binds them
            ps.setObject(1, wallClock(lower));
            ps.setObject(2, wallClock(end));
          } else if (temporal) { // as Beam binds a DateTime range's bounds
            ps.setTimestamp(1, new java.sql.Timestamp(lower));
            ps.setTimestamp(2, new java.sql.Timestamp(end));
          } else {
            ps.setLong(1, lower);
            ps.setLong(2, end);
          }
        })
        .withFetchSize(spec.fetchSize())
        .withRowMapper(mapper)
        .withCoder(SourceRecord.RecordCoder.of())
        .withOutputParallelization(false));
    return PCollectionList.of(ranges).and(rest).apply("All partitions", Flatten.pCollections());
  }

  private static final long FIRST_INSTANT_MILLIS = java.time.Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
  /**
   * The last range ends at this plus 1 ms, which every database can still hold: ending at year 10000
   * (from 23:59:59.999, MariaDB's DATETIME maximum) MariaDB matched nearly every row with the rest
   * query's {@code >= ?}, and a table whose open-ended rows say 9999-12-31 23:59:59.999999 was read
   * twice, exit 0 (a trial). Keys from 23:59:59.999 on are the rest query's.
   */
  private static final long LAST_INSTANT_MILLIS = java.time.Instant.parse("9999-12-31T23:59:59.998Z").toEpochMilli();

  /** Bounds and partition count, from the spec or from one MIN/MAX/COUNT query before the run. */
  static final class Plan {
    /** A date or timestamp column: bounds are epoch milliseconds. */
    boolean temporal;
    /**
     * A date or a timestamp without time zone: bounds are its wall-clock times as if in UTC, bound
     * as LocalDateTime; else (timestamp with time zone) instants, bound as Beam binds them.
     */
    boolean wallClock;
    long lower;
    long upper;
    long rows;
    long nullRows;
    int partitions;
  }

  static Plan plan(JdbcSpec spec) {
    String col = spec.partitionColumn();
    String q = SqlNames.of(spec).name(col);
    String sql = "SELECT MIN(" + q + "), MAX(" + q + "), COUNT(" + q + "), COUNT(*) FROM " + SqlNames.relation(spec);
    try (Connection c = JdbcConnections.open(spec);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int type = rs.getMetaData().getColumnType(1);
      Plan plan = new Plan();
      plan.temporal = isTemporal(type);
      if (!isInteger(type) && !plan.temporal) {
        throw new IllegalArgumentException("source.jdbc.partitionColumn: " + col + " is of SQL type "
            + rs.getMetaData().getColumnTypeName(1) + "; partitioned reads need an integer, date or timestamp column");
      }
      if (plan.temporal && spec.lowerBound() != null) {
        throw new IllegalArgumentException("source.jdbc.lowerBound/upperBound: " + col
            + " is a date or timestamp column; its bounds are read from the table, remove them");
      }
      rs.next();
      plan.rows = rs.getLong(3);
      plan.nullRows = rs.getLong(4) - plan.rows;
      if (plan.rows == 0) {
        plan.partitions = 1;
        return plan;
      }
      plan.wallClock = plan.temporal && !hasTimeZone(type, rs.getMetaData().getColumnTypeName(1));
      if (plan.wallClock) {
        plan.lower = wallClockMillis(rs, 1);
        plan.upper = wallClockMillis(rs, 2);
      } else if (plan.temporal) { // a NULL here is MariaDB's zero date, below the first day: the rest query reads it
        plan.lower = rs.getTimestamp(1) == null ? FIRST_INSTANT_MILLIS : rs.getTimestamp(1).getTime();
        plan.upper = rs.getTimestamp(2) == null ? LAST_INSTANT_MILLIS : rs.getTimestamp(2).getTime();
      } else {
        plan.lower = spec.lowerBound() != null ? spec.lowerBound() : rs.getLong(1);
        plan.upper = spec.upperBound() != null ? spec.upperBound() : rs.getLong(2);
      }
      if (plan.temporal) {
        // PostgreSQL's 'infinity' came as a date 292 million years away, and Beam's date ranges over
        // it filled the heap: ranges cover years 1 to 9999, the rest query reads what lies beyond.
        plan.lower = Math.max(plan.lower, FIRST_INSTANT_MILLIS);
        plan.upper = Math.min(plan.upper, LAST_INSTANT_MILLIS);
      } else {
        // Beam's range arithmetic must stay within a long (Long.MAX_VALUE as a key failed the plan, a
        // span wider than a long filled the heap with ranges): it computes upper + 1, and upper minus
        // a stride, which comes to lower - 2 at most. So the ranges start no lower than MIN + 2, end
        // below MAX and span at most half the long range from the lowest key; the rest query reads
        // the keys beyond.
        plan.lower = Math.max(plan.lower, Long.MIN_VALUE + 2);
        plan.upper = Math.min(plan.upper, Long.MAX_VALUE - 1);
        long width = plan.upper - plan.lower; // negative when upper > lower: wrapped round
        if (plan.upper > plan.lower && (width < 0 || width > Long.MAX_VALUE / 2)) {
          plan.upper = plan.lower + Long.MAX_VALUE / 2;
        }
      }
      long span = Math.max(1, plan.upper - plan.lower + 1);
      if (spec.partitions() > 0) {
        plan.partitions = spec.partitions();
      } else if (spec.rowsPerPartition() > 0) {
        plan.partitions = (int) Math.max(1, Math.min(100_000, (plan.rows + spec.rowsPerPartition() - 1)
            / spec.rowsPerPartition()));
      } else {
        plan.partitions = Math.max(1, Runtime.getRuntime().availableProcessors() * 4);
      }
      if (!plan.temporal) {
        plan.partitions = (int) Math.min(plan.partitions, span);
      }
      return plan;
    } catch (SQLException e) {
      String message = "source.jdbc: cannot plan the read of " + spec.displayName() + ": " + JdbcConnections.describe(e,
          spec);
      // A database restarting is no fault of the spec's (a trial: exit 2, "fix the spec", for 57P01)
      throw JdbcConnections.isTransient(e) ? new JdbcConnections.Unreachable(message)
          : new IllegalArgumentException(message);
    }
  }

  /** A DATE or TIMESTAMP value's wall-clock time as milliseconds since 1970-01-01T00:00, as if in UTC. */
  private static long wallClockMillis(ResultSet rs, int column) throws SQLException {
    java.time.LocalDateTime v;
    if (rs.getMetaData().getColumnType(column) == Types.DATE) {
      java.time.LocalDate day = rs.getObject(column, java.time.LocalDate.class); // PostgreSQL gives a DATE no time
      v = day == null ? null : day.atStartOfDay();
    } else {
      v = rs.getObject(column, java.time.LocalDateTime.class);
    }
    if (v == null) { // MariaDB's zero date (MIN and MAX are NULL only when every key is): below the first day
      return column == 1 ? FIRST_INSTANT_MILLIS : LAST_INSTANT_MILLIS;
    }
    if (v.getYear() < 1 || v.getYear() > 9999) { // PostgreSQL's 'infinity' is LocalDate.MAX: the plan clamps
      return v.getYear() < 1 ? FIRST_INSTANT_MILLIS : LAST_INSTANT_MILLIS;
    }
    return v.toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
  }

  private static java.time.LocalDateTime wallClock(long millis) {
    return java.time.LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(millis), java.time.ZoneOffset.UTC);
  }

  /**
   * Ranges over a date or timestamp column without time zone, bound as LocalDateTime: Beam's own
   * date-time ranges bind this JVM's wall-clock times for instants, which run backwards in the hour
   * clocks go back, and ranges in that hour overlapped (rows read twice with the JVM in
   * Europe/Berlin). Ranges of {@code (upper - lower) / partitions} milliseconds, the last one ending
   * at {@code upper + 1}, as Beam's.
   */
  static final class WallClockRanges implements org.apache.beam.sdk.io.jdbc.JdbcReadWithPartitionsHelper<Long> {
    @Override
    public Iterable<org.apache.beam.sdk.values.KV<Long, Long>> calculateRanges(Long lower, Long upper, Long partitions) {
      List<org.apache.beam.sdk.values.KV<Long, Long>> ranges = new java.util.ArrayList<>();
      long stride = Math.max(1, (upper - lower) / partitions);
      for (long from = lower; from <= upper; from += stride) {
        long to = upper - from < stride ? upper + 1 : from + stride;
        ranges.add(org.apache.beam.sdk.values.KV.of(from, to));
        if (to > upper) {
          break;
        }
      }
      return ranges;
    }

    @Override
    public void setParameters(org.apache.beam.sdk.values.KV<Long, Long> range, java.sql.PreparedStatement ps) {
      try {
        ps.setObject(1, wallClock(range.getKey()));
        ps.setObject(2, wallClock(range.getValue()));
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public org.apache.beam.sdk.values.KV<Long, org.apache.beam.sdk.values.KV<Long, Long>> mapRow(ResultSet rs)
        throws Exception {
      // Beam asks for MIN and MAX only when no bounds are given; the plan always gives them.
      return org.apache.beam.sdk.values.KV.of(rs.getMetaData().getColumnCount() == 3 ? rs.getLong(3) : 0L,
          org.apache.beam.sdk.values.KV.of(wallClockMillis(rs, 1), wallClockMillis(rs, 2)));
    }
  }

  private static boolean isTemporal(int type) {
    return type == Types.DATE || type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE;
  }

  /** A timestamp with time zone (PostgreSQL's driver reports timestamptz as TIMESTAMP; its type name tells). */
  public static boolean hasTimeZone(int type, String typeName) {
    String name = String.valueOf(typeName).toLowerCase(Locale.ROOT);
    return type == Types.TIMESTAMP_WITH_TIMEZONE
        || (type == Types.TIMESTAMP && (name.contains("tz") || name.contains("time zone")));
  }

  private static boolean isInteger(int type) {
    return type == Types.INTEGER || type == Types.BIGINT || type == Types.SMALLINT || type == Types.TINYINT;
  }

  /**
   * DATE and TIMESTAMP columns are read as java.time values (JDBC 4.2), the proleptic Gregorian
   * calendar SQL and the schema use: java.sql.Date and Timestamp switch to the Julian calendar before
   * 1582-10-15, and moved such days (0001-01-01 came out as 0001-01-03, 1582-10-10 as 1582-09-30).
   */
  private static Class<?> timeClass(int type, boolean withZone) {
    if (type == Types.DATE) {
      return java.time.LocalDate.class;
    }
    if (type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE) {
      return withZone ? java.time.OffsetDateTime.class : java.time.LocalDateTime.class;
    }
    return null;
  }

  /** A column's java.time value; a driver that cannot convert it gives its own object, read as before. */
  private static Object timeValue(ResultSet rs, int column, Class<?> type) throws SQLException {
    try {
      return rs.getObject(column, type);
    } catch (SQLException | UnsupportedOperationException | ClassCastException e) {
      return rs.getObject(column);
    }
  }

  /** One result row as a JSON object keyed by schema field names. */
  static final class RowToRecord implements JdbcIO.RowMapper<SourceRecord> {
    private final JdbcSpec spec;
    private final List<String> fields;
    /** By field name, how a typed date or timestamp is written for a field with a format. */
    private final Map<String, TemporalText> temporalTexts;
    private transient ObjectMapper json;
    private transient String[] fieldOfColumn;
    private transient boolean[] withZone;
    /** Per column, the java.time class a DATE or TIMESTAMP column is read as; null for others. */
    private transient Class<?>[] timeClass;
    /** Per column, whether it is read as its driver's text (see {@link JdbcColumns#readAsText}). */
    private transient boolean[] asText;
    /** Per column, whether it is read as an integer (see {@link JdbcColumns#readAsInteger}). */
    private transient boolean[] asInteger;

    RowToRecord(JdbcSpec spec, List<String> fields, Map<String, TemporalText> temporalTexts) {
      this.spec = spec;
      this.fields = fields;
      this.temporalTexts = temporalTexts;
    }

    /**
     * The key a column's value is kept under: the field's name when column and field match one to one
     * ignoring case (H2's ID for id), else the column's own name, which Validate matches as a JSON key
     * (exactly, else ignoring case, a key two fields match so being neither's): mapped to a field name
     * here, the last of the fields id and ID took a column "id", and columns id and ID one field.
     * Null for a column no field names.
     */
    private String key(String label, List<String> labels) {
      List<String> named = fields.stream().filter(f -> f.equalsIgnoreCase(label)).collect(Collectors.toList());
      if (named.isEmpty()) {
        return null;
      }
      boolean oneToOne = named.size() == 1 && labels.stream().filter(l -> l.equalsIgnoreCase(named.get(0))).count() == 1;
      return oneToOne ? named.get(0) : label;
    }

    @Override
    public SourceRecord mapRow(ResultSet rs) throws Exception {
      ResultSetMetaData meta = rs.getMetaData();
      if (fieldOfColumn == null) {
        json = new ObjectMapper();
        fieldOfColumn = new String[meta.getColumnCount() + 1];
        withZone = new boolean[meta.getColumnCount() + 1];
        timeClass = new Class<?>[meta.getColumnCount() + 1];
        asText = new boolean[meta.getColumnCount() + 1];
        asInteger = new boolean[meta.getColumnCount() + 1];
        List<String> labels = new java.util.ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          withZone[i] = hasTimeZone(meta.getColumnType(i), meta.getColumnTypeName(i));
          asText[i] = JdbcColumns.readAsText(meta, i);
          asInteger[i] = JdbcColumns.readAsInteger(meta, i, spec.url());
          timeClass[i] = asText[i] ? null : timeClass(meta.getColumnType(i), withZone[i]);
          labels.add(meta.getColumnLabel(i));
        }
        String problem = JdbcColumns.twoOfOneName(meta, fields); // checked before the run; a query may change since
        if (problem != null) {
          throw new IllegalStateException(spec.displayName() + ": " + problem);
        }
        for (int i = 1; i <= labels.size(); i++) {
          fieldOfColumn[i] = key(labels.get(i - 1), labels);
        }
      }
      ObjectNode node = json.createObjectNode();
      String key = null;
      String unreadable = null;
      for (int i = 1; i < fieldOfColumn.length; i++) {
        boolean partition = spec.partitionColumn() != null
            && meta.getColumnLabel(i).equalsIgnoreCase(spec.partitionColumn());
        String field = fieldOfColumn[i];
        if (field == null && !partition) {
          continue; // a column no field names is not read: a value its driver cannot convert fails nothing
        }
        Object v;
        try {
          try {
            v = asText[i] ? rs.getString(i) : asInteger[i] ? integerOrNull(rs, i)
                : JdbcColumns.value(rs, i, timeClass[i] == null ? rs.getObject(i) : timeValue(rs, i, timeClass[i]),
                    timeClass[i] != null);
          } catch (java.time.DateTimeException e) {
            // A date no calendar has (MariaDB's 2024-00-10, stored without a strict SQL mode): its
            // driver threw, as text too, failing the whole read with no column named (a trial).
            if (field == null) { // only the partition column, for the origin
              key = "(unreadable)";
              continue;
            }
            unreadable = unreadable != null ? unreadable : "column " + meta.getColumnLabel(i) + " ("
                + meta.getColumnTypeName(i) + "): a value its database driver cannot read (" + e.getMessage()
                + "); read it as text in a query (a CAST of " + meta.getColumnLabel(i) + " to a text type)";
            continue;
          }
        } catch (JdbcColumns.Unreadable e) {
          unreadable = unreadable != null ? unreadable : "column " + meta.getColumnLabel(i) + " ("
              + meta.getColumnTypeName(i) + "): " + e.getMessage() + "; read it as text in a query";
          continue;
        } catch (SQLException e) {
          if (!isDataException(e)) {
            throw e; // a lost connection: the runner retries the read
          }
          if (field == null) { // only the partition column, for the origin: the row itself is readable
            key = "(unreadable)";
            continue;
          }
          // The driver cannot convert this row's value (PostgreSQL's money of 1,000 or more): the row
          // is a bad record naming the column, with its other values to find it by; the read goes on.
          unreadable = unreadable != null ? unreadable : "column " + meta.getColumnLabel(i)
              + ": a value the database driver cannot read (" + e.getMessage() + ")";
          continue;
        }
        if (partition) {
          key = String.valueOf(v);
        }
        if (field != null) {
          TemporalText temporal = timeClass[i] == null || v instanceof String ? null : temporalTexts.get(field);
          String text = temporal == null || v == null || JsonText.infinity(v) != null ? null
              : temporal.text(javaTime(v, withZone[i]));
          if (text != null) {
            node.put(field, text);
          } else {
            JsonText.put(node, field, v, withZone[i]);
          }
        }
      }
      String origin = spec.displayName() + (key == null ? "" : "[" + spec.partitionColumn().toLowerCase(Locale.ROOT)
          + "=" + key + "]");
      if (unreadable != null) {
        String values = json.writeValueAsString(node);
        return SourceRecord.unreadable(origin, -1, 0, unreadable + "; the row's other values: "
            + (values.length() > 500 ? values.substring(0, 497) + "..." : values));
      }
      return SourceRecord.of(origin, -1, 0, json.writeValueAsString(node), null, false);
    }

    private static Long integerOrNull(ResultSet rs, int column) throws SQLException {
      long v = rs.getLong(column);
      return rs.wasNull() ? null : v;
    }

    /** A driver's java.sql date or timestamp (where it gave no java.time value) as java.time's. */
    private static Object javaTime(Object v, boolean withZone) {
      if (v instanceof java.sql.Timestamp) {
        return withZone ? ((java.sql.Timestamp) v).toInstant() : ((java.sql.Timestamp) v).toLocalDateTime();
      }
      return v instanceof java.sql.Date ? ((java.sql.Date) v).toLocalDate() : v;
    }

    /** SQL state class 22, a data exception: this value, not the connection or the query. */
    private static boolean isDataException(SQLException e) {
      return e.getSQLState() != null && e.getSQLState().startsWith("22");
    }
  }
}
