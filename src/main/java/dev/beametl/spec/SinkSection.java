package dev.beametl.spec;

import java.util.Map;
import java.util.Set;

/** The {@code sink} section: where results go, as files or a database table. */
final class SinkSection {
  private static final Set<String> KEYS =
      Set.of("path", "format", "ifExists", "shards", "rowGroupBytes", "compression", "jdbc");

  private SinkSection() {}

  static SinkSpec read(SpecNode node, Scope scope) {
    Map<String, SpecNode> m = node.mapping(KEYS);
    SinkSpec.Format format = SpecNode.required(m, "format", node).enumValue(SinkSpec.Format.class);
    SinkSpec.Builder b = SinkSpec.builder(SpecNode.required(m, "path", node).nonEmptyString(), format);
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
    if (format == SinkSpec.Format.JDBC) {
      b.setJdbc(DatabaseSection.sink(SpecNode.required(m, "jdbc", node), scope));
    } else if (m.containsKey("jdbc")) {
      throw m.get("jdbc").error("jdbc settings apply only to format: jdbc");
    }
    return b.build();
  }
}
