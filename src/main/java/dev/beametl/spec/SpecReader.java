package dev.beametl.spec;

import dev.beametl.transform.ExpressionChecker;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import javax.annotation.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a YAML pipeline spec into a validated {@link PipelineSpec}. Every mistake - unknown key,
 * wrong type, unknown field, an aggregate that does not fit its field, an expression that does not
 * type-check - is a {@link SpecException} naming the key path and line.
 */
public final class SpecReader {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Set<String> TOP_KEYS =
      Set.of("version", "name", "source", "schema", "derive", "filter", "aggregate", "sink",
          "deadLetter", "encodeCategories");
  private static final Set<String> SOURCE_KEYS =
      Set.of("path", "format", "charset", "compression", "csv", "jdbc", "maxRecordBytes");
  private static final Set<String> JDBC_KEYS =
      Set.of("url", "user", "passwordEnv", "passwordFile", "table", "query", "partitionColumn", "partitions",
          "rowsPerPartition", "lowerBound", "upperBound", "fetchSize");
  /** Table and column names: plain or schema-qualified identifiers, so a spec cannot inject SQL. */
  private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private static final Set<String> CSV_KEYS =
      Set.of("delimiter", "quote", "header", "nullValues", "trim", "multiline");
  private static final Set<String> FIELD_KEYS =
      Set.of("name", "type", "nullable", "min", "max", "pattern", "values", "maxLength", "format", "zone");
  private static final Set<String> DERIVE_KEYS = Set.of("name", "type", "expr");
  private static final Set<String> AGGREGATE_KEYS = Set.of("groupBy", "metrics");
  private static final Set<String> METRIC_KEYS = Set.of("name", "op", "field");
  private static final Set<String> SINK_KEYS =
      Set.of("path", "format", "ifExists", "shards", "rowGroupBytes", "compression", "jdbc");
  private static final Set<String> JDBC_SINK_KEYS =
      Set.of("url", "user", "passwordEnv", "passwordFile", "table", "mode", "keys", "batchSize", "createTable",
          "attempts");
  private static final Set<String> DEAD_LETTER_KEYS = Set.of("path", "maxBadRatio");

  private SpecReader() {}

  /** Reads a spec file, applies {@code key.path=value} overrides, and validates the result. */
  public static PipelineSpec read(Path file, List<String> overrides) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SpecException("--pipeline " + file + ": no such spec file; specs live in pipelines/");
    } catch (IOException e) {
      throw new SpecException("--pipeline " + file + ": cannot read the spec file (" + e + ")");
    }
    String defaultName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    return parse(text, defaultName, overrides);
  }

  /** Parses spec text; {@code defaultName} names the pipeline when the spec does not. */
  public static PipelineSpec parse(String yaml, String defaultName, List<String> overrides) {
    MappingNode root = compose(new StringReader(yaml));
    SpecOverrides.apply(root, overrides);
    return new SpecReader.Session().read(new SpecNode(root, ""), defaultName);
  }

  private static MappingNode compose(Reader reader) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Node node;
    try {
      node = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new SpecException("spec is not valid YAML (line " + line + "): " + e.getProblem());
    }
    if (!(node instanceof MappingNode)) {
      throw new SpecException("spec must be a YAML mapping with keys " + String.join(", ", TOP_KEYS));
    }
    return (MappingNode) node;
  }

  /** One read: remembers the declared fields so later sections can be checked against them. */
  private static final class Session {
    private final Map<String, FieldType> scope = new LinkedHashMap<>();
    private AggregationSpec aggregation;

    PipelineSpec read(SpecNode rootNode, String defaultName) {
      Map<String, SpecNode> root = rootNode.mapping(TOP_KEYS);
      SpecNode version = required(root, "version", rootNode);
      if (version.integer(1, Integer.MAX_VALUE) != PipelineSpec.CURRENT_VERSION) {
        throw version.error("unsupported version; this build reads version " + PipelineSpec.CURRENT_VERSION);
      }
      PipelineSpec.Builder spec = PipelineSpec.builder();
      spec.setName(root.containsKey("name") ? root.get("name").nonEmptyString() : defaultName);
      spec.setSource(source(required(root, "source", rootNode)));
      spec.setSchema(schema(required(root, "schema", rootNode)));
      if (root.containsKey("derive")) {
        spec.setDerived(derived(root.get("derive")));
      }
      if (root.containsKey("filter")) {
        SpecNode filter = root.get("filter");
        checkExpression(filter, filter.nonEmptyString(), FieldType.of(FieldType.Kind.BOOLEAN));
        spec.setFilter(filter.string());
      }
      if (root.containsKey("aggregate")) {
        aggregation = aggregation(root.get("aggregate"));
        spec.setAggregation(aggregation);
      }
      SinkSpec sink = sink(required(root, "sink", rootNode));
      spec.setSink(sink);
      String deadLetter = sink.path().replaceAll("/+$", "") + "-dead-letter";
      if (root.containsKey("deadLetter")) {
        Map<String, SpecNode> dl = root.get("deadLetter").mapping(DEAD_LETTER_KEYS);
        if (dl.containsKey("path")) {
          deadLetter = dl.get("path").nonEmptyString();
          if (normalize(deadLetter).equals(normalize(sink.path()))) {
            throw dl.get("path").error("must differ from sink.path, or bad records would mix with results");
          }
        }
        if (dl.containsKey("maxBadRatio")) {
          spec.setMaxBadRatio(dl.get("maxBadRatio").ratio());
        }
      }
      spec.setDeadLetterPath(deadLetter);
      if (root.containsKey("encodeCategories")) {
        spec.setEncodeCategories(root.get("encodeCategories").bool());
      }
      return spec.build();
    }

    private SourceSpec source(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(SOURCE_KEYS);
      SourceSpec.Format format = required(m, "format", node).enumValue(SourceSpec.Format.class);
      if (format == SourceSpec.Format.JDBC) {
        if (m.containsKey("path")) {
          throw m.get("path").error("a jdbc source reads the database in source.jdbc, not files; remove path");
        }
        JdbcSpec jdbc = jdbc(required(m, "jdbc", node));
        return SourceSpec.builder("jdbc:" + jdbc.displayName(), format).setJdbc(jdbc).build();
      }
      if (m.containsKey("jdbc")) {
        throw m.get("jdbc").error("jdbc settings apply only to format: jdbc");
      }
      SourceSpec.Builder b = SourceSpec.builder(required(m, "path", node).nonEmptyString(), format);
      if (m.containsKey("charset")) {
        SpecNode cs = m.get("charset");
        try {
          b.setCharset(java.nio.charset.Charset.forName(cs.string().trim()).name());
        } catch (IllegalArgumentException e) {
          throw cs.error("unknown charset \"" + cs.string() + "\"; e.g. UTF-8, ISO-8859-1, UTF-16");
        }
      }
      if (m.containsKey("compression")) {
        b.setCompression(m.get("compression").enumValue(SourceSpec.Compression.class));
      }
      if (m.containsKey("maxRecordBytes")) {
        b.setMaxRecordBytes(m.get("maxRecordBytes").integer(64, Integer.MAX_VALUE - 16));
      }
      if (m.containsKey("csv")) {
        SpecNode csvNode = m.get("csv");
        if (format != SourceSpec.Format.CSV) {
          throw csvNode.error("csv settings apply only to format: csv");
        }
        Map<String, SpecNode> csv = csvNode.mapping(CSV_KEYS);
        if (csv.containsKey("delimiter")) {
          b.setDelimiter(csv.get("delimiter").singleChar());
        }
        if (csv.containsKey("quote")) {
          b.setQuote(csv.get("quote").singleChar());
        }
        if (csv.containsKey("header")) {
          b.setHeader(csv.get("header").bool());
        }
        if (csv.containsKey("nullValues")) {
          b.setNullValues(List.copyOf(csv.get("nullValues").stringList()));
        }
        if (csv.containsKey("trim")) {
          b.setTrim(csv.get("trim").bool());
        }
        if (csv.containsKey("multiline")) {
          b.setMultiline(csv.get("multiline").bool());
        }
      }
      SourceSpec source = b.build();
      if (source.delimiter() == source.quote()) {
        throw node.error("csv.delimiter and csv.quote must differ");
      }
      return source;
    }

    /** The connection keys a database source and sink share: url, user, and where the password is. */
    private JdbcSpec.Builder connection(Map<String, SpecNode> m, SpecNode node) {
      String url = required(m, "url", node).nonEmptyString();
      if (!url.startsWith("jdbc:")) {
        throw m.get("url").error("a JDBC URL starts with jdbc:, e.g. jdbc:postgresql://host:5432/db");
      }
      if (url.toLowerCase(java.util.Locale.ROOT).contains("password=")) {
        throw m.get("url").error("put no password in the URL; use passwordEnv or passwordFile");
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

    private JdbcSpec jdbc(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(JDBC_KEYS);
      JdbcSpec.Builder b = connection(m, node);
      if (m.containsKey("table") == m.containsKey("query")) {
        throw node.error("give exactly one of table and query");
      }
      if (m.containsKey("table")) {
        b.setTable(sqlName(m.get("table")));
      } else {
        b.setQuery(m.get("query").nonEmptyString());
      }
      if (m.containsKey("partitionColumn")) {
        b.setPartitionColumn(sqlName(m.get("partitionColumn")));
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
        b.setLowerBound(m.get("lowerBound").decimal().longValueExact());
        b.setUpperBound(m.get("upperBound").decimal().longValueExact());
      }
      if (m.containsKey("fetchSize")) {
        b.setFetchSize(m.get("fetchSize").integer(1, 1_000_000));
      }
      return b.build();
    }

    private List<FieldSpec> schema(SpecNode node) {
      List<FieldSpec> fields = new ArrayList<>();
      for (SpecNode item : node.list()) {
        FieldSpec field = field(item);
        declare(item, field.name(), field.type());
        fields.add(field);
      }
      if (fields.isEmpty()) {
        throw node.error("declare at least one field");
      }
      return List.copyOf(fields);
    }

    private FieldSpec field(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(FIELD_KEYS);
      String name = identifier(required(m, "name", node));
      FieldType type = type(required(m, "type", node));
      FieldType.Kind kind = type.kind();
      FieldSpec.Builder b = FieldSpec.builder(name, type);
      if (m.containsKey("nullable")) {
        b.setNullable(m.get("nullable").bool());
      }
      boolean temporal = kind == FieldType.Kind.DATE || kind == FieldType.Kind.TIMESTAMP;
      if (m.containsKey("format")) {
        SpecNode f = onlyFor(m.get("format"), temporal, "date and timestamp fields");
        try {
          DateTimeFormatter.ofPattern(f.string());
        } catch (IllegalArgumentException e) {
          throw f.error("not a date-time pattern (" + e.getMessage() + "); e.g. yyyy-MM-dd");
        }
        b.setFormat(f.string());
      }
      if (m.containsKey("zone")) {
        SpecNode z = onlyFor(m.get("zone"), kind == FieldType.Kind.TIMESTAMP, "timestamp fields");
        try {
          ZoneId.of(z.string().trim());
        } catch (RuntimeException e) {
          throw z.error("unknown time zone \"" + z.string() + "\"; e.g. UTC, Europe/Paris, +02:00");
        }
        b.setZone(z.string().trim());
      }
      for (String bound : List.of("min", "max")) {
        if (!m.containsKey(bound)) {
          continue;
        }
        SpecNode v = onlyFor(m.get(bound), kind.isNumeric() || temporal, "numeric, date and timestamp fields");
        if (temporal) {
          String text = v.string().trim();
          FieldSpec probe = b.build();
          if (dev.beametl.validate.ValueParser.forField(probe).tryParse(text) == null) {
            throw v.error("\"" + text + "\" is not a " + kind.name().toLowerCase() + " in the field's format");
          }
          if (bound.equals("min")) {
            b.setMinText(text);
          } else {
            b.setMaxText(text);
          }
        } else if (bound.equals("min")) {
          b.setMin(v.decimal());
        } else {
          b.setMax(v.decimal());
        }
      }
      if (m.containsKey("pattern")) {
        SpecNode p = onlyFor(m.get("pattern"), kind == FieldType.Kind.STRING, "string fields");
        try {
          Pattern.compile(p.string());
        } catch (PatternSyntaxException e) {
          throw p.error("not a regular expression: " + e.getDescription());
        }
        b.setPattern(p.string());
      }
      if (m.containsKey("maxLength")) {
        b.setMaxLength(onlyFor(m.get("maxLength"), kind == FieldType.Kind.STRING, "string fields")
            .integer(1, Integer.MAX_VALUE));
      }
      if (m.containsKey("values")) {
        SpecNode v = onlyFor(m.get("values"), kind == FieldType.Kind.STRING || kind == FieldType.Kind.CATEGORY,
            "string and category fields");
        List<String> values = v.stringList();
        if (values.isEmpty() || new HashSet<>(values).size() != values.size()) {
          throw v.error("list at least one value, each once");
        }
        b.setValues(List.copyOf(values));
      } else if (kind == FieldType.Kind.CATEGORY) {
        throw node.error("a category field needs values: [its allowed values]");
      }
      FieldSpec field = b.build();
      if (field.min() != null && field.max() != null && field.min().compareTo(field.max()) > 0) {
        throw m.get("min").error("min is greater than max");
      }
      return field;
    }

    private List<DerivedFieldSpec> derived(SpecNode node) {
      List<DerivedFieldSpec> out = new ArrayList<>();
      for (SpecNode item : node.list()) {
        Map<String, SpecNode> m = item.mapping(DERIVE_KEYS);
        String name = identifier(required(m, "name", item));
        FieldType type = type(required(m, "type", item));
        if (type.kind() == FieldType.Kind.CATEGORY) {
          throw m.get("type").error("a derived field cannot be a category; use string");
        }
        SpecNode expr = required(m, "expr", item);
        checkExpression(expr, expr.nonEmptyString(), type);
        declare(item, name, type);
        out.add(DerivedFieldSpec.of(name, type, expr.string()));
      }
      return List.copyOf(out);
    }

    private AggregationSpec aggregation(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(AGGREGATE_KEYS);
      SpecNode groupNode = required(m, "groupBy", node);
      List<String> groupBy = groupNode.stringList();
      Set<String> outputNames = new HashSet<>();
      for (int i = 0; i < groupBy.size(); i++) {
        SpecNode key = groupNode.list().get(i);
        FieldType t = known(key, groupBy.get(i));
        if (t.kind() == FieldType.Kind.DOUBLE) {
          throw key.error("a double cannot be a group-by key (no deterministic encoding); use decimal or long");
        }
        if (!outputNames.add(groupBy.get(i))) {
          throw key.error("listed twice");
        }
      }
      List<MetricSpec> metrics = new ArrayList<>();
      for (SpecNode item : required(m, "metrics", node).list()) {
        Map<String, SpecNode> mm = item.mapping(METRIC_KEYS);
        String name = identifier(required(mm, "name", item));
        if (!outputNames.add(name)) {
          throw mm.get("name").error("\"" + name + "\" is already an output column");
        }
        MetricSpec.Op op = required(mm, "op", item).enumValue(MetricSpec.Op.class);
        String field = null;
        if (mm.containsKey("field")) {
          field = mm.get("field").nonEmptyString();
          checkMetricField(mm.get("field"), op, known(mm.get("field"), field));
        } else if (op != MetricSpec.Op.COUNT) {
          throw item.error(op.specName() + " needs a field");
        }
        metrics.add(MetricSpec.of(name, op, field));
      }
      if (metrics.isEmpty() && groupBy.isEmpty()) {
        throw node.error("give groupBy keys, metrics, or both");
      }
      return AggregationSpec.of(groupBy, metrics);
    }

    private void checkMetricField(SpecNode node, MetricSpec.Op op, FieldType type) {
      FieldType.Kind k = type.kind();
      boolean ok;
      switch (op) {
        case SUM:
        case MEAN:
          ok = k.isNumeric();
          break;
        case MIN:
        case MAX:
          ok = k.isNumeric() || k == FieldType.Kind.DATE || k == FieldType.Kind.TIMESTAMP || k == FieldType.Kind.STRING;
          break;
        case COUNT_DISTINCT:
          ok = k != FieldType.Kind.DOUBLE;
          break;
        default:
          ok = true;
      }
      if (!ok) {
        throw node.error(op.specName() + " does not apply to a " + type + " field"
            + (op == MetricSpec.Op.COUNT_DISTINCT ? " (doubles have no exact encoding)" : "; it needs a numeric field"));
      }
    }

    private SinkSpec sink(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(SINK_KEYS);
      SinkSpec.Format format = required(m, "format", node).enumValue(SinkSpec.Format.class);
      SinkSpec.Builder b = SinkSpec.builder(required(m, "path", node).nonEmptyString(), format);
      if (m.containsKey("ifExists")) {
        b.setIfExists(m.get("ifExists").enumValue(SinkSpec.IfExists.class));
      }
      if (m.containsKey("shards")) {
        b.setShards(m.get("shards").integer(0, 10_000));
      }
      if (m.containsKey("rowGroupBytes")) {
        b.setRowGroupBytes(onlyFor(m.get("rowGroupBytes"), format == SinkSpec.Format.PARQUET, "parquet sinks")
            .integer(64 * 1024, Integer.MAX_VALUE));
      }
      if (m.containsKey("compression")) {
        b.setCompression(onlyFor(m.get("compression"), format == SinkSpec.Format.PARQUET, "parquet sinks")
            .enumValue(SinkSpec.Compression.class));
      }
      if (format == SinkSpec.Format.JDBC) {
        b.setJdbc(jdbcSink(required(m, "jdbc", node)));
      } else if (m.containsKey("jdbc")) {
        throw m.get("jdbc").error("jdbc settings apply only to format: jdbc");
      }
      return b.build();
    }

    private JdbcSinkSpec jdbcSink(SpecNode node) {
      Map<String, SpecNode> m = node.mapping(JDBC_SINK_KEYS);
      JdbcSpec.Builder c = connection(m, node).setTable(sqlName(required(m, "table", node)));
      JdbcSinkSpec.Mode mode = m.containsKey("mode")
          ? m.get("mode").enumValue(JdbcSinkSpec.Mode.class) : JdbcSinkSpec.Mode.UPSERT;
      List<String> keys = new java.util.ArrayList<>();
      if (m.containsKey("keys")) {
        for (SpecNode k : m.get("keys").list()) {
          keys.add(sqlName(k));
        }
      } else if (aggregation != null && mode != JdbcSinkSpec.Mode.APPEND) {
        keys.addAll(aggregation.groupBy()); // appended rows repeat keys, so they get no key by default
      }
      Set<String> columns = new java.util.HashSet<>(scope.keySet());
      if (aggregation != null) {
        columns = new java.util.HashSet<>(aggregation.groupBy());
        for (MetricSpec metric : aggregation.metrics()) {
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
      int batch = m.containsKey("batchSize") ? m.get("batchSize").integer(1, 1_000_000) : JdbcSinkSpec.DEFAULT_BATCH_SIZE;
      int attempts = m.containsKey("attempts") ? m.get("attempts").integer(1, 100) : JdbcSinkSpec.DEFAULT_ATTEMPTS;
      boolean create = m.containsKey("createTable") && m.get("createTable").bool();
      return JdbcSinkSpec.of(c.build(), mode, keys, batch, create, attempts);
    }

    private void checkExpression(SpecNode node, String expression, FieldType expected) {
      String problem = ExpressionChecker.check(expression, scope, expected);
      if (problem != null) {
        throw node.error(problem);
      }
    }

    private void declare(SpecNode node, String name, FieldType type) {
      if (scope.put(name, type) != null) {
        throw node.error("field \"" + name + "\" is declared twice");
      }
    }

    private FieldType known(SpecNode node, String name) {
      FieldType t = scope.get(name);
      if (t == null) {
        throw node.error("unknown field \"" + name + "\"; declared: " + String.join(", ", scope.keySet()));
      }
      return t;
    }
  }

  private static SpecNode required(Map<String, SpecNode> m, String key, SpecNode parent) {
    SpecNode n = m.get(key);
    if (n == null) {
      String path = parent.path().isEmpty() ? key : parent.path() + "." + key;
      throw SpecException.at(path, parent.line(), "required key is missing");
    }
    return n;
  }

  private static SpecNode onlyFor(SpecNode node, boolean applies, String kinds) {
    if (!applies) {
      throw node.error("applies only to " + kinds);
    }
    return node;
  }

  private static String sqlName(SpecNode node) {
    String s = node.nonEmptyString().trim();
    if (!SQL_NAME.matcher(s).matches()) {
      throw node.error("\"" + s + "\" is not a plain table or column name (letters, digits, _, one optional schema.)");
    }
    return s;
  }

  private static String identifier(SpecNode node) {
    String s = node.nonEmptyString();
    if (!IDENTIFIER.matcher(s).matches()) {
      throw node.error("\"" + s + "\" is not a valid name; use letters, digits and _ (not first)");
    }
    return s;
  }

  private static FieldType type(SpecNode node) {
    try {
      return FieldType.parse(node.string());
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
  }

  private static String normalize(@Nullable String path) {
    return path == null ? "" : Path.of(path).toAbsolutePath().normalize().toString();
  }
}
