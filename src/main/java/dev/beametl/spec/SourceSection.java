package dev.beametl.spec;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code source} section: where records come from and how files are read. */
final class SourceSection {
  private static final Set<String> KEYS =
      Set.of("path", "format", "charset", "compression", "csv", "jdbc", "maxRecordBytes", "incremental");
  private static final Set<String> CSV_KEYS =
      Set.of("delimiter", "quote", "header", "nullValues", "trim", "multiline");

  private SourceSection() {}

  /** The {@code incremental} key of a source section, read with the schema (see IncrementalSection), or null. */
  static SpecNode incrementalNode(SpecNode node) {
    return node.mapping(KEYS).get("incremental");
  }

  static SourceSpec read(SpecNode node) {
    Map<String, SpecNode> m = node.mapping(KEYS);
    SourceSpec.Format format = SpecNode.required(m, "format", node).enumValue(SourceSpec.Format.class);
    if (format == SourceSpec.Format.JDBC) {
      if (m.containsKey("path")) {
        throw m.get("path").error("a jdbc source reads the database in source.jdbc, not files; remove path");
      }
      JdbcSpec jdbc = DatabaseSection.source(SpecNode.required(m, "jdbc", node));
      return SourceSpec.builder("jdbc:" + jdbc.displayName(), format).setJdbc(jdbc).build();
    }
    if (m.containsKey("jdbc")) {
      throw m.get("jdbc").error("jdbc settings apply only to format: jdbc");
    }
    SourceSpec.Builder b = SourceSpec.builder(SpecNode.required(m, "path", node).nonEmptyString(), format);
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
        b.setDelimiter(notLineBreak(csv.get("delimiter")));
      }
      if (csv.containsKey("quote")) {
        b.setQuote(notLineBreak(csv.get("quote")));
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

  /**
   * A delimiter or quote that is no line break, which ends a record: a trial's "\n" passed here and
   * failed the run in the CSV parser, after an overwrite had removed the previous output.
   */
  private static char notLineBreak(SpecNode node) {
    char c = node.singleChar();
    if (c == '\n' || c == '\r') {
      throw node.error("a line break ends a record, so it cannot be a delimiter or quote; give another character"
          + " (a tab is \"\\t\")");
    }
    return c;
  }
}
