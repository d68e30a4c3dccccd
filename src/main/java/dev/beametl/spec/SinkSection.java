package dev.beametl.spec;

import java.util.Map;
import java.util.Set;

/** The {@code sink} section: where results go, as files or a database table. */
final class SinkSection {
  private static final Set<String> KEYS =
      Set.of("path", "format", "ifExists", "shards", "rowGroupBytes", "compression", "jdbc", "partitionBy",
          "maxPartitions");

  private SinkSection() {}

  static SinkSpec read(SpecNode node, Scope scope) {
    Map<String, SpecNode> m = node.mapping(KEYS);
    SinkSpec.Format format = SpecNode.required(m, "format", node).enumValue(SinkSpec.Format.class);
    SinkSpec.Builder b = SinkSpec.builder(SpecNode.required(m, "path", node).localDirectory(), format);
    if (m.containsKey("ifExists")) {
      b.setIfExists(m.get("ifExists").enumValue(SinkSpec.IfExists.class));
    }
    if (m.containsKey("shards")) {
      b.setShards(m.get("shards").integer(0, 10_000));
    }
    if (m.containsKey("rowGroupBytes")) {
      b.setRowGroupBytes(m.get("rowGroupBytes").onlyFor(format == SinkSpec.Format.PARQUET, "parquet sinks")
          .integer(64 * 1024, Integer.MAX_VALUE));
    }
    if (m.containsKey("compression")) {
      b.setCompression(m.get("compression").onlyFor(format == SinkSpec.Format.PARQUET, "parquet sinks")
          .enumValue(SinkSpec.Compression.class));
    }
    if (m.containsKey("partitionBy")) {
      b.setPartitionBy(partitionBy(m.get("partitionBy").onlyFor(format != SinkSpec.Format.JDBC, "file sinks"), scope));
    }
    if (m.containsKey("maxPartitions")) {
      b.setMaxPartitions(m.get("maxPartitions").onlyFor(m.containsKey("partitionBy"), "a sink with partitionBy")
          .integer(1, 1_000_000));
    }
    if (format == SinkSpec.Format.JDBC) {
      b.setJdbc(DatabaseSection.sink(SpecNode.required(m, "jdbc", node), scope));
    } else if (m.containsKey("jdbc")) {
      throw m.get("jdbc").error("jdbc settings apply only to format: jdbc");
    }
    return b.build();
  }

  /** Output columns to lay the files out by, Hive-style; each once, none a double, and not all of them. */
  private static java.util.List<String> partitionBy(SpecNode node, Scope scope) {
    Map<String, FieldType> columns = outputColumns(scope);
    java.util.List<String> names = new java.util.ArrayList<>();
    java.util.List<SpecNode> items = node.list();
    for (SpecNode item : items) {
      String name = item.nonEmptyString().trim();
      FieldType type = columns.get(name);
      if (type == null) {
        throw item.error("\"" + name + "\" is not an output column; output columns: " + String.join(", ", columns.keySet()));
      }
      if (type.kind() == FieldType.Kind.DOUBLE) {
        throw item.error("a double cannot name a directory exactly; partition by a decimal, long or string");
      }
      if (names.contains(name)) {
        throw item.error("listed twice");
      }
      if (name.startsWith("_") || name.startsWith(".")) {
        // Its directories would be _x=1/...: Hive and Trino take such names as hidden, and read no rows.
        throw item.error("\"" + name + "\" would name every partition directory \"" + name + "=...\", which Hive and "
            + "Trino take as hidden (they skip names starting with _ or .); derive a column with another name to "
            + "partition by");
      }
      names.add(name);
    }
    if (names.isEmpty()) {
      throw node.error("list at least one output column");
    }
    if (names.size() == columns.size()) {
      throw node.error("leave at least one output column for the files");
    }
    return java.util.List.copyOf(names);
  }

  /** The columns the sink receives, with the type a partition value would have (a metric's roughly). */
  private static Map<String, FieldType> outputColumns(Scope scope) {
    if (scope.aggregation == null) {
      return scope.fields;
    }
    Map<String, FieldType> out = new java.util.LinkedHashMap<>();
    for (String key : scope.aggregation.groupBy()) {
      out.put(key, scope.fields.get(key));
    }
    for (MetricSpec metric : scope.aggregation.metrics()) {
      FieldType input = metric.field() == null ? null : scope.fields.get(metric.field());
      boolean fractional = input != null && (input.kind() == FieldType.Kind.DOUBLE
          || (metric.op() == MetricSpec.Op.MEAN && input.kind() != FieldType.Kind.DECIMAL));
      out.put(metric.name(), fractional ? FieldType.of(FieldType.Kind.DOUBLE) : FieldType.of(FieldType.Kind.LONG));
    }
    return out;
  }
}
