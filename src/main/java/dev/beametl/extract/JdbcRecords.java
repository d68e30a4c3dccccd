package dev.beametl.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.JdbcSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
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

  JdbcRecords(JdbcSpec spec, List<String> fields) {
    this.spec = spec;
    this.fields = List.copyOf(fields);
  }

  /** The whole relation in one query, by one reader. */
  private JdbcIO.Read<SourceRecord> oneQuery(RowToRecord mapper) {
    return JdbcIO.<SourceRecord>read()
        .withDataSourceProviderFn(JdbcConnections.to(spec))
        .withQuery("SELECT * FROM " + spec.relation())
        .withFetchSize(spec.fetchSize())
        .withRowMapper(mapper)
        .withCoder(SourceRecord.RecordCoder.of())
        // One query is one reader; a reshuffle of every row would not make it parallel, only slower.
        .withOutputParallelization(false);
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    RowToRecord mapper = new RowToRecord(spec, fields);
    if (spec.partitionColumn() == null) {
      return input.apply("Read " + spec.displayName(), oneQuery(mapper));
    }
    Plan plan = plan(spec);
    if (plan.rows == 0 || (plan.temporal && plan.lower >= plan.upper)) {
      // Nothing or one instant to split (an incremental run with few new rows): one query reads it all,
      // NULL keys included; Beam's partitioned read refuses a range without width.
      return input.apply("Read " + spec.displayName(), oneQuery(mapper));
    }
    LOG.info("Reading {} in {} partitions over {} in [{}, {}] ({} rows with a key, {} with NULL)",
        spec.displayName(), plan.partitions, spec.partitionColumn(),
        plan.temporal ? java.time.Instant.ofEpochMilli(plan.lower) : plan.lower,
        plan.temporal ? java.time.Instant.ofEpochMilli(plan.upper) : plan.upper, plan.rows, plan.nullRows);
    String step = "Read " + spec.displayName() + " by " + spec.partitionColumn();
    PCollection<SourceRecord> ranges = plan.temporal
        ? input.apply(step, JdbcIO.<SourceRecord, DateTime>readWithPartitions(TypeDescriptor.of(DateTime.class))
            .withDataSourceProviderFn(JdbcConnections.to(spec))
            .withTable(spec.relation())
            .withPartitionColumn(spec.partitionColumn())
            .withNumPartitions(plan.partitions)
            .withLowerBound(new DateTime(plan.lower))
            .withUpperBound(new DateTime(plan.upper)) // Beam's date-time ranges already include the upper bound
            .withFetchSize(spec.fetchSize())
            .withRowMapper(mapper)
            .withCoder(SourceRecord.RecordCoder.of()))
        : input.apply(step, JdbcIO.<SourceRecord, Long>readWithPartitions(TypeDescriptors.longs())
            .withDataSourceProviderFn(JdbcConnections.to(spec))
            .withTable(spec.relation())
            .withPartitionColumn(spec.partitionColumn())
            .withNumPartitions(plan.partitions)
            .withLowerBound(plan.lower)
            .withUpperBound(plan.upper + 1) // partitions are [lo, hi): include the largest key
            .withFetchSize(spec.fetchSize())
            .withRowMapper(mapper)
            .withCoder(SourceRecord.RecordCoder.of()));
    PCollection<SourceRecord> nulls = input.apply("Read " + spec.displayName() + " where " + spec.partitionColumn()
        + " is NULL", JdbcIO.<SourceRecord>read()
        .withDataSourceProviderFn(JdbcConnections.to(spec))
        .withQuery("SELECT * FROM " + spec.relation() + " WHERE " + spec.partitionColumn() + " IS NULL")
        .withFetchSize(spec.fetchSize())
        .withRowMapper(mapper)
        .withCoder(SourceRecord.RecordCoder.of())
        .withOutputParallelization(false));
    return PCollectionList.of(ranges).and(nulls).apply("All partitions", Flatten.pCollections());
  }

  /** Bounds and partition count, from the spec or from one MIN/MAX/COUNT query before the run. */
  static final class Plan {
    /** A date or timestamp column: bounds are epoch milliseconds. */
    boolean temporal;
    long lower;
    long upper;
    long rows;
    long nullRows;
    int partitions;
  }

  static Plan plan(JdbcSpec spec) {
    String col = spec.partitionColumn();
    String sql = "SELECT MIN(" + col + "), MAX(" + col + "), COUNT(" + col + "), COUNT(*) FROM " + spec.relation();
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
      if (plan.temporal) {
        plan.lower = rs.getTimestamp(1).getTime();
        plan.upper = rs.getTimestamp(2).getTime();
      } else {
        plan.lower = spec.lowerBound() != null ? spec.lowerBound() : rs.getLong(1);
        plan.upper = spec.upperBound() != null ? spec.upperBound() : rs.getLong(2);
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
      throw new IllegalArgumentException("source.jdbc: cannot plan the read of " + spec.displayName() + ": "
          + JdbcConnections.describe(e, spec));
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

  /** One result row as a JSON object keyed by schema field names. */
  static final class RowToRecord implements JdbcIO.RowMapper<SourceRecord> {
    private final JdbcSpec spec;
    private final List<String> fields;
    private transient ObjectMapper json;
    private transient String[] fieldOfColumn;
    private transient boolean[] withZone;

    RowToRecord(JdbcSpec spec, List<String> fields) {
      this.spec = spec;
      this.fields = fields;
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
        List<String> labels = new java.util.ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          withZone[i] = hasTimeZone(meta.getColumnType(i), meta.getColumnTypeName(i));
          labels.add(meta.getColumnLabel(i));
        }
        for (int i = 1; i <= labels.size(); i++) {
          fieldOfColumn[i] = key(labels.get(i - 1), labels);
        }
      }
      ObjectNode node = json.createObjectNode();
      String key = null;
      for (int i = 1; i < fieldOfColumn.length; i++) {
        Object v = rs.getObject(i);
        if (spec.partitionColumn() != null && meta.getColumnLabel(i).equalsIgnoreCase(spec.partitionColumn())) {
          key = String.valueOf(v);
        }
        String field = fieldOfColumn[i];
        if (field == null) {
          continue;
        }
        JsonText.put(node, field, v, withZone[i]);
      }
      String origin = spec.displayName() + (key == null ? "" : "[" + spec.partitionColumn().toLowerCase(Locale.ROOT)
          + "=" + key + "]");
      return SourceRecord.of(origin, -1, 0, json.writeValueAsString(node), null, false);
    }
  }
}
