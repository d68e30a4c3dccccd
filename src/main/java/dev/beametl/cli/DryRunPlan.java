package dev.beametl.cli;

import dev.beametl.spec.DerivedFieldSpec;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.IncrementalSpec;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.MetricSpec;
import dev.beametl.spec.PipelineSpec;
import java.util.Locale;

/** The plan {@code --dryRun} prints: what would be read, checked, computed and written. */
final class DryRunPlan {
  private DryRunPlan() {}

  /** The plan; {@code files} is how many files the source matched (0 for a database source). */
  static String describe(PipelineSpec spec, String runner, int files) {
    StringBuilder b = new StringBuilder();
    b.append("pipeline ").append(spec.name()).append(" on ").append(runner).append('\n');
    b.append("  Extract    ").append(spec.source().format().name().toLowerCase(Locale.ROOT))
        .append(spec.source().jdbc() != null ? " " + spec.source().path()
            : String.format(Locale.ROOT, " files %s (%,d file%s, each read once)", spec.source().path(), files,
                files == 1 ? "" : "s"))
        .append('\n');
    if (spec.source().incremental() != null) {
      IncrementalSpec inc = spec.source().incremental();
      b.append("             incremental: ").append(inc.isFiles() ? "only files no successful run loaded"
          : "rows with " + inc.column() + " >= the last mark minus " + inc.overlapText())
          .append(" (state: ").append(spec.sink().path()).append('/').append(IncrementalState.FILE).append(")\n");
    }
    b.append("  Validate   ").append(spec.schema().size()).append(" fields:");
    for (FieldSpec f : spec.schema()) {
      b.append(' ').append(f.name()).append(f.column() == null ? "" : "(\"" + f.column() + "\")")
          .append(':').append(f.type()).append(f.nullable() ? "?" : "");
    }
    b.append('\n');
    for (LookupSpec l : spec.lookups()) {
      b.append("  Lookup     ").append(l.name()).append(": ").append(l.source().format().name().toLowerCase(Locale.ROOT))
          .append(' ').append(l.source().path()).append(", ").append(String.join(", ", l.on())).append(" = ")
          .append(String.join(", ", l.key())).append(" -> adds ")
          .append(l.fields().stream().map(f -> f.from().equals(f.name()) ? f.name() : f.from() + " as " + f.name())
              .collect(java.util.stream.Collectors.joining(", ")))
          .append(String.format(Locale.ROOT, "; no match: %s; a key twice: %s; at most %,d rows, %,d bytes%n",
              l.onMissing() == LookupSpec.OnMissing.NULLS ? "nulls" : "dead letter",
              l.onDuplicate() == LookupSpec.OnDuplicate.FIRST ? "first in source order" : "an error",
              l.maxRows(), l.maxBytes()));
    }
    for (DerivedFieldSpec d : spec.derived()) {
      b.append("  Derive     ").append(d.name()).append(':').append(d.type()).append(" = ").append(d.expression()).append('\n');
    }
    if (spec.filter() != null) {
      b.append("  Filter     ").append(spec.filter()).append('\n');
    }
    if (spec.aggregation() != null) {
      b.append("  Aggregate  by ").append(String.join(", ", spec.aggregation().groupBy())).append(':');
      for (MetricSpec m : spec.aggregation().metrics()) {
        b.append(' ').append(m.name()).append('=').append(m.op().specName())
            .append('(').append(m.field() == null ? "*" : m.field()).append(')');
      }
      b.append('\n');
    }
    b.append("  Load       ").append(spec.sink().format().name().toLowerCase(Locale.ROOT)).append(" -> ")
        .append(spec.sink().path()).append(" (if it exists: ").append(spec.sink().ifExists().name().toLowerCase(Locale.ROOT))
        .append(")\n");
    if (!spec.sink().partitionBy().isEmpty()) {
      b.append(String.format(Locale.ROOT, "             partitioned by %s: %s/%s/part-* (at most %,d partitions)%n",
          String.join(", ", spec.sink().partitionBy()), spec.sink().path(),
          spec.sink().partitionBy().stream().map(c -> c + "=...").collect(java.util.stream.Collectors.joining("/")),
          spec.sink().maxPartitions()));
    }
    b.append("  Dead letters -> ").append(spec.deadLetterPath())
        .append(String.format(Locale.ROOT, " (run fails above %.2f%% bad)%n", 100 * spec.maxBadRatio()));
    b.append("  Categories ").append(spec.encodeCategories() ? "encoded as integer codes" : "carried as strings").append('\n');
    return b.toString();
  }
}
