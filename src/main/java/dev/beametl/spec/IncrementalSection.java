package dev.beametl.spec;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code source.incremental}: {@code files}, or {@code {column: updated_at, overlap: 10m}} for a
 * database source. Read after the schema (the column is a declared field) and checked against the
 * sink, which must take rows read twice without duplicating them.
 */
final class IncrementalSection {
  private static final Set<String> KEYS = Set.of("column", "overlap");
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(us|ms|s|m|h|d)?");

  private IncrementalSection() {}

  static IncrementalSpec read(SpecNode node, SourceSpec source, Scope scope) {
    if (node.isScalar()) {
      String v = node.string().trim();
      if (!v.equals("files")) {
        throw node.error("\"" + v + "\" is not allowed; use files, or {column: NAME, overlap: ...} for a database");
      }
      if (source.jdbc() != null) {
        throw node.error("a database source loads new rows by a column: {column: updated_at, overlap: 10m}");
      }
      return IncrementalSpec.files();
    }
    if (source.jdbc() == null) {
      throw node.error("a file source loads new files: incremental: files");
    }
    Map<String, SpecNode> m = node.mapping(KEYS);
    SpecNode columnNode = SpecNode.required(m, "column", node);
    String column = columnNode.identifier();
    FieldType type = scope.known(columnNode, column);
    FieldType.Kind kind = type.kind();
    if (kind != FieldType.Kind.INT && kind != FieldType.Kind.LONG && kind != FieldType.Kind.DATE
        && kind != FieldType.Kind.TIMESTAMP) {
      throw columnNode.error("\"" + column + "\" is a " + type + "; the mark needs an integer, date or timestamp column");
    }
    if (!m.containsKey("overlap")) {
      return IncrementalSpec.column(column, 0, "0");
    }
    SpecNode o = m.get("overlap");
    String text = o.string().trim();
    Matcher d = DURATION.matcher(text);
    if (!d.matches() || (d.group(2) != null && (kind == FieldType.Kind.INT || kind == FieldType.Kind.LONG))) {
      throw o.error("\"" + text + "\" is not an overlap for a " + type + " column; write "
          + (kind == FieldType.Kind.TIMESTAMP ? "a duration, e.g. 10m, 2h, 1d (us, ms, s, m, h, d)"
              : kind == FieldType.Kind.DATE ? "whole days, e.g. 1d" : "a number, e.g. 100"));
    }
    long n = Long.parseLong(d.group(1));
    String unit = d.group(2);
    long overlap;
    if (kind == FieldType.Kind.DATE) {
      if (unit != null && !unit.equals("d")) {
        throw o.error("a date column's overlap is whole days, e.g. 1d");
      }
      overlap = n;
    } else if (kind == FieldType.Kind.TIMESTAMP) {
      long micros = unit == null || unit.equals("us") ? 1 : unit.equals("ms") ? 1_000 : unit.equals("s") ? 1_000_000
          : unit.equals("m") ? 60_000_000L : unit.equals("h") ? 3_600_000_000L : 86_400_000_000L;
      overlap = Math.multiplyExact(n, micros);
    } else {
      overlap = n;
    }
    return IncrementalSpec.column(column, overlap, text);
  }

  /**
   * A sink that would lose or duplicate what an incremental run reads is refused, naming the fix. An
   * aggregation sees only the new rows or files, so its groups are partial: a partial group can
   * neither replace a stored one (an upsert would lose the earlier rows) nor be added to it (the rows
   * an overlap or a changed file reads again would count twice). Except a database source's groups
   * by the incremental column itself: a run reads every row of each value it reads at all, so each
   * group it writes is whole, and its upsert replaces a stale group with the full one.
   */
  static void checkSink(SpecNode node, IncrementalSpec incremental, SinkSpec sink, AggregationSpec aggregation) {
    JdbcSinkSpec table = sink.jdbc();
    boolean upsert = table != null && table.mode() == JdbcSinkSpec.Mode.UPSERT;
    if (aggregation != null && !(upsert && !incremental.isFiles()
        && aggregation.groupBy().contains(incremental.column()))) {
      throw node.error("an incremental run aggregates only the " + (incremental.isFiles() ? "new files" : "rows at and "
          + "above the last mark") + ", so its groups are partial: an upsert would replace the stored groups with "
          + "them, files or an append table would hold them beside the earlier ones; drop incremental (each run then "
          + "aggregates every row), or drop aggregate and load the rows incrementally into a jdbc table to aggregate "
          + "there" + (incremental.isFiles() ? "" : ", or group by " + incremental.column() + " itself into an upsert "
          + "table (each run reads the groups it writes whole)"));
    }
    if (!incremental.isFiles() && !upsert) {
      throw node.error("each run reads the rows at and above the last mark (minus the overlap) again, so the sink must "
          + "de-duplicate them: write to a jdbc sink with mode: upsert and keys");
    }
    if (incremental.isFiles() && table != null && table.mode() == JdbcSinkSpec.Mode.OVERWRITE) {
      throw node.error("mode overwrite would replace the table with the new files' rows only; use mode append or upsert");
    }
  }
}
