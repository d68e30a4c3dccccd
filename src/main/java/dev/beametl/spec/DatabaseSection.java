package dev.beametl.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The database keys of a spec: {@code source.jdbc} (a table or query, partitioned or not) and
 * {@code sink.jdbc} (a table and how rows meet it), with the connection keys both share. Table and
 * column names must be plain identifiers, and no password may be in the spec.
 */
final class DatabaseSection {
  private static final Set<String> SOURCE_KEYS =
      Set.of("url", "user", "passwordEnv", "passwordFile", "table", "query", "partitionColumn", "partitions",
          "rowsPerPartition", "lowerBound", "upperBound", "fetchSize", "snapshot");
  private static final Set<String> SINK_KEYS =
      Set.of("url", "user", "passwordEnv", "passwordFile", "table", "mode", "keys", "batchSize", "createTable",
          "attempts");

  private DatabaseSection() {}


  /** The connection keys a database source and sink share: url, user, and where the password is. */
  private static JdbcSpec.Builder connection(Map<String, SpecNode> m, SpecNode node) {
    String url = SpecNode.required(m, "url", node).nonEmptyString();
    if (!url.startsWith("jdbc:")) {
      throw m.get("url").error("a JDBC URL starts with jdbc:, e.g. jdbc:postgresql://host:5432/db");
    }
    if (JdbcUrls.hasPassword(url)) { // the URL itself is not repeated: it holds the secret
      throw m.get("url").error("put no password in the URL (user:password@host, password=..., sslpassword=..., "
          + "secret=..., token=..., user/password@, an H2 INIT that sets, creates or links with a password); "
          + "use passwordEnv or passwordFile (an @ in a path after //host:port/ reads as user:password@ too)");
    }
    JdbcSpec.Builder b = JdbcSpec.builder(url);
    if (m.containsKey("user")) {
      b.setUser(m.get("user").nonEmptyString());
    }
    if (m.containsKey("passwordEnv") && m.containsKey("passwordFile")) {
      throw m.get("passwordFile").error("give passwordEnv or passwordFile, not both");
    }
    if (m.containsKey("passwordEnv")) {
      b.setPasswordEnv(m.get("passwordEnv").nonEmptyString());
    }
    if (m.containsKey("passwordFile")) {
      b.setPasswordFile(m.get("passwordFile").nonEmptyString());
    }
    return b;
  }

  static JdbcSpec source(SpecNode node) {
    Map<String, SpecNode> m = node.mapping(SOURCE_KEYS);
    JdbcSpec.Builder b = connection(m, node);
    if (m.containsKey("table") == m.containsKey("query")) {
      throw node.error("give exactly one of table and query");
    }
    if (m.containsKey("table")) {
      b.setTable(m.get("table").sqlName());
    } else {
      b.setQuery(m.get("query").nonEmptyString());
    }
    if (m.containsKey("partitionColumn")) {
      b.setPartitionColumn(m.get("partitionColumn").sqlName());
    }
    if (m.containsKey("partitions") && m.containsKey("rowsPerPartition")) {
      throw m.get("rowsPerPartition").error("give partitions or rowsPerPartition, not both");
    }
    for (String key : List.of("partitions", "rowsPerPartition", "lowerBound", "upperBound")) {
      if (m.containsKey(key) && !m.containsKey("partitionColumn")) {
        throw m.get(key).error("applies only with a partitionColumn");
      }
    }
    if (m.containsKey("partitions")) {
      b.setPartitions(m.get("partitions").integer(1, 100_000));
    }
    if (m.containsKey("rowsPerPartition")) {
      b.setRowsPerPartition(m.get("rowsPerPartition").integer(1, Integer.MAX_VALUE));
    }
    if (m.containsKey("lowerBound") != m.containsKey("upperBound")) {
      throw node.error("give both lowerBound and upperBound, or neither (they are then read from the table)");
    }
    if (m.containsKey("lowerBound")) {
      long lower = m.get("lowerBound").decimal().longValueExact();
      long upper = m.get("upperBound").decimal().longValueExact();
      if (lower > upper) {
        throw m.get("lowerBound").error("is more than upperBound (" + upper + "); swap them");
      }
      b.setLowerBound(lower);
      b.setUpperBound(upper);
    }
    if (m.containsKey("fetchSize")) {
      b.setFetchSize(m.get("fetchSize").integer(1, 1_000_000));
    }
    if (m.containsKey("snapshot")) {
      b.setSnapshot(m.get("snapshot").bool());
    }
    return b.build();
  }

  static JdbcSinkSpec sink(SpecNode node, Scope scope) {
    Map<String, SpecNode> m = node.mapping(SINK_KEYS);
    JdbcSpec.Builder c = connection(m, node).setTable(SpecNode.required(m, "table", node).sqlName());
    JdbcSinkSpec.Mode mode = m.containsKey("mode")
        ? m.get("mode").enumValue(JdbcSinkSpec.Mode.class) : JdbcSinkSpec.Mode.UPSERT;
    List<String> keys = new java.util.ArrayList<>();
    if (m.containsKey("keys")) {
      for (SpecNode k : m.get("keys").list()) {
        keys.add(k.sqlName());
      }
    } else if (scope.aggregation != null && mode != JdbcSinkSpec.Mode.APPEND) {
      keys.addAll(scope.aggregation.groupBy()); // appended rows repeat keys, so they get no key by default
    }
    Set<String> columns = new java.util.HashSet<>(scope.fields.keySet());
    if (scope.aggregation != null) {
      columns = new java.util.HashSet<>(scope.aggregation.groupBy());
      for (MetricSpec metric : scope.aggregation.metrics()) {
        columns.add(metric.name());
      }
    }
    for (String key : keys) {
      if (!columns.contains(key)) {
        throw node.error("key \"" + key + "\" is not an output column; output columns: " + String.join(", ", columns));
      }
    }
    if (mode == JdbcSinkSpec.Mode.UPSERT && keys.isEmpty()) {
      throw node.error("upsert needs keys: list the key columns, or aggregate with groupBy keys");
    }
    for (String key : mode == JdbcSinkSpec.Mode.UPSERT ? keys : List.<String>of()) {
      if (scope.nullable.contains(key)) {
        // NULL equals nothing in SQL, not even NULL: the row a run wrote for a NULL key is never the
        // one the next run matches, and every run added it again.
        throw node.error("upsert key \"" + key + "\" is a nullable field, and an upsert never matches a NULL "
            + "key (each run would add its row again): make the field required (its NULLs become dead letters), "
            + "or key by a derived field such as coalesce(" + key + ", ...)");
      }
    }
    int batch = m.containsKey("batchSize") ? m.get("batchSize").integer(1, 1_000_000) : JdbcSinkSpec.DEFAULT_BATCH_SIZE;
    int attempts = m.containsKey("attempts") ? m.get("attempts").integer(1, 100) : JdbcSinkSpec.DEFAULT_ATTEMPTS;
    boolean create = m.containsKey("createTable") && m.get("createTable").bool();
    return JdbcSinkSpec.of(c.build(), mode, keys, batch, create, attempts);
  }
}
