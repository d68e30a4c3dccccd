package dev.beametl.cli;

import dev.beametl.load.HivePartitions;
import dev.beametl.spec.PipelineSpec;
import java.util.Locale;
import java.util.Map;

/**
 * What a finished run did, from its counts: records read, valid, bad by reason, filtered, kept,
 * rows written, and whether the bad-record ratio was within the spec's limit.
 */
public final class RunSummary {
  private final PipelineSpec spec;
  private final Map<String, Long> counts;
  private final double seconds;
  private final String runner;

  public RunSummary(PipelineSpec spec, Map<String, Long> counts, double seconds, String runner) {
    this.spec = spec;
    this.counts = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(counts));
    this.seconds = seconds;
    this.runner = runner;
  }

  /** This summary with one more count (a commit's, say, which comes after the pipeline). */
  public RunSummary with(String name, long count) {
    java.util.Map<String, Long> more = new java.util.TreeMap<>(counts);
    more.put(name, count);
    return new RunSummary(spec, more, seconds, runner);
  }

  /** This summary timed to now from {@code startNanos}: a table's commit comes after the pipeline, and counts. */
  public RunSummary timedFrom(long startNanos) {
    return new RunSummary(spec, counts, (System.nanoTime() - startNanos) / 1e9, runner);
  }

  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  public double seconds() {
    return seconds;
  }

  public Map<String, Long> counts() {
    return counts;
  }

  /** Bad records of both stages (schema failures and expression failures) over records read. */
  public double badRatio() {
    long read = count("read");
    return read == 0 ? 0 : (double) (count("bad") + count("failed")) / read;
  }

  public boolean withinBadRatio() {
    return badRatio() <= spec.maxBadRatio() && exceededLimits().isEmpty();
  }

  /**
   * The limits besides the run's own ratio that this run went over, each as one sentence: the
   * per-reason limits ({@code deadLetter.maxBad}), and {@code maxBadRatio} within each lookup's
   * reference table. The table's bad rows are no record of the input, yet every row that would have
   * matched one gets nulls or becomes a miss: a table whose column was renamed made all its rows
   * bad, and with {@code onMissing: nulls} the run succeeded with nulls in every row.
   */
  public java.util.List<String> exceededLimits() {
    java.util.List<String> out = new java.util.ArrayList<>();
    long read = count("read");
    for (dev.beametl.spec.BadLimit limit : spec.maxBad()) {
      long n = counts.entrySet().stream()
          .filter(e -> e.getKey().startsWith("bad.") || e.getKey().startsWith("failed."))
          .filter(e -> limit.covers(e.getKey().substring(e.getKey().indexOf('.') + 1)))
          .mapToLong(Map.Entry::getValue).sum();
      if (limit.exceededBy(n, read)) {
        out.add(String.format(Locale.ROOT, "%,d records were bad for %s, more than deadLetter.maxBad allows (%s)",
            n, limit.key(), limit.ratio() ? String.format(Locale.ROOT, "%.2f%% of %,d read", 100 * limit.value(), read)
                : String.format(Locale.ROOT, "%,d", (long) limit.value())));
      }
    }
    for (dev.beametl.spec.LookupSpec lookup : spec.lookups()) {
      long rows = count("lookup." + lookup.name() + ".read");
      long bad = count("lookup." + lookup.name() + ".bad");
      if (rows > 0 && (double) bad / rows > spec.maxBadRatio()) {
        out.add(String.format(Locale.ROOT, "%,d of the %,d rows of lookup %s's reference table were bad (%.2f%%), "
            + "more than deadLetter.maxBadRatio %.2f%%", bad, rows, lookup.name(), 100.0 * bad / rows,
            100 * spec.maxBadRatio()));
      }
      boolean nulls = lookup.onMissing() == dev.beametl.spec.LookupSpec.OnMissing.NULLS;
      if (nulls && !lookup.allowEmpty() && count("lookup." + lookup.name() + ".rows") == 0
          && count("lookup." + lookup.name() + ".missed") > 0) {
        // A trial: an empty export gave every row nulls, exit 0 and _SUCCESS.
        out.add("lookup " + lookup.name() + "'s reference table has no rows, so every row got nulls: check its source ("
            + (lookup.source().jdbc() != null ? lookup.source().jdbc().displayName() : lookup.source().path())
            + "), or say allowEmpty: true");
      }
      for (dev.beametl.spec.LookupSpec.AddedField added : lookup.fields()) {
        long absent = count("lookup." + lookup.name() + ".absent." + added.from());
        if (absent > 0) { // a trial: a renamed column gave every row a NULL brand, exit 0
          out.add(String.format(Locale.ROOT, "%,d rows of lookup %s's reference table have no column for %s, a field"
              + " it adds, so the rows matching them got NULL; check the table's header or the field's column",
              absent, lookup.name(), added.from()));
        }
      }
    }
    return out;
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    long read = count("read");
    b.append(String.format(Locale.ROOT, "beam-etl: %s finished in %.1f s on %s%n", spec.name(), seconds, runner));
    line(b, "records read", read, String.format(Locale.ROOT, "%,.0f records/s", read / Math.max(seconds, 1e-3)));
    if (counts.keySet().stream().anyMatch(k -> k.equals("replay.replayed") || k.startsWith("replay.skipped."))) {
      long skipped = counts.entrySet().stream().filter(e -> e.getKey().startsWith("replay.skipped."))
          .mapToLong(Map.Entry::getValue).sum();
      line(b, "dead letters replayed", count("replay.replayed"),
          String.format(Locale.ROOT, "not replayed: %,d%s", skipped, skipped == 0 ? "" : ", why:"));
      details(b, "replay.skipped.");
    }
    line(b, "valid", count("valid"), null);
    if (counts.keySet().stream().anyMatch(k -> k.startsWith("absent."))) {
      b.append("    NULL for want of a column (files whose header or schema lacks a nullable field's column), rows:\n");
      details(b, "absent.");
    }
    // The ratio the limit takes counts the records failed after validation too: say so when there are some.
    line(b, "bad", count("bad"), String.format(Locale.ROOT, "%.2f%%%s (max %.2f%%) -> %s",
        100 * badRatio(), count("failed") > 0 ? " with those failed after validation" : "", 100 * spec.maxBadRatio(),
        spec.deadLetterPath()));
    details(b, "bad.");
    for (dev.beametl.spec.LookupSpec lookup : spec.lookups()) {
      String p = "lookup." + lookup.name() + ".";
      line(b, "lookup " + lookup.name(), count(p + "rows"), String.format(Locale.ROOT,
          "reference rows (%,d read, %,d bad%s); rows matched %,d, missed %,d (%s)", count(p + "read"),
          count(p + "bad"), count(p + "bad") > 0 ? " -> " + spec.deadLetterPath() : "", count(p + "matched"),
          count(p + "missed"), lookup.onMissing() == dev.beametl.spec.LookupSpec.OnMissing.NULLS ? "given nulls"
              : "dead letters"));
      if (count(p + "rows") == 0) {
        b.append("    the reference table is empty: check its source (" + lookup.source().path() + ")\n");
      }
    }
    line(b, "filtered", count("filtered"), null);
    if (count("failed") > 0) {
      line(b, "failed after validation", count("failed"), "-> " + spec.deadLetterPath());
      details(b, "failed.");
    }
    line(b, "kept", count("kept"), null);
    line(b, spec.aggregation() == null ? "rows written" : "groups written", count("written"),
        "-> " + spec.sink().path() + " (" + spec.sink().format().name().toLowerCase(Locale.ROOT) + ")");
    if (!spec.sink().partitionBy().isEmpty()) {
      line(b, "partitions", count("partitions"), "by " + String.join(", ", spec.sink().partitionBy())
          + String.format(Locale.ROOT, " (max %,d)", spec.sink().maxPartitions()));
      for (String column : spec.sink().partitionBy()) {
        long asNull = count(HivePartitions.AS_NULL + column);
        if (asNull > 0) { // Hive's convention, not the value: say so where the run ends
          line(b, "  " + column + " empty", asNull, "warning: written to " + HivePartitions.DEFAULT_PARTITION
              + " with the nulls (Hive's rule); Spark and Hive read these rows back as null");
        }
      }
    }
    return b.toString();
  }

  /** The counts under {@code prefix}, largest first: bad records by reason and field. */
  private void details(StringBuilder b, String prefix) {
    counts.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> b.append(String.format(Locale.ROOT, "    %-28s %,10d%n", e.getKey().substring(prefix.length()),
            e.getValue())));
  }

  private static void line(StringBuilder b, String label, long n, String note) {
    b.append(String.format(Locale.ROOT, "  %-30s %,10d%s%n", label, n, note == null ? "" : "   " + note));
  }
}
