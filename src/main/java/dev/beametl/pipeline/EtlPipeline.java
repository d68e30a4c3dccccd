package dev.beametl.pipeline;

import com.google.auto.value.AutoValue;
import dev.beametl.extract.Extract;
import dev.beametl.fault.Faults;
import dev.beametl.load.DeadLetters;
import dev.beametl.lookup.Lookup;
import dev.beametl.load.Load;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.OutputColumns;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.transform.Transform;
import dev.beametl.validate.Validate;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * Assembles Extract -> Validate -> Lookup (one per reference table, each read by its own Extract
 * and Validate) -> Transform -> Load from a spec, plus the dead letters and the counts. The settings that are not the spec's (split size, runner metrics, the benchmark's naive
 * aggregation, test faults) come through {@code withX} methods, so this layer reads no flags and
 * knows no runner.
 *
 * <pre>{@code
 * EtlPipeline.of(spec).withMaxSplitBytes(8 << 20).buildOn(pipeline);
 * }</pre>
 */
@AutoValue
public abstract class EtlPipeline {
  abstract PipelineSpec spec();

  abstract long maxSplitBytes();

  abstract boolean runnerMetrics();

  abstract boolean naiveAggregation();

  abstract Faults faults();

  abstract @Nullable String run();

  abstract Builder toBuilder();

  public static EtlPipeline of(PipelineSpec spec) {
    return new AutoValue_EtlPipeline.Builder().setSpec(spec).setMaxSplitBytes(0).setRunnerMetrics(true)
        .setNaiveAggregation(false).setFaults(Faults.none()).build();
  }

  /** Largest file split in bytes (0: no cap), see {@link Extract#withMaxSplitBytes}. */
  public EtlPipeline withMaxSplitBytes(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("maxSplitBytes must be 0 (no cap) or more, not " + bytes);
    }
    return toBuilder().setMaxSplitBytes(bytes).build();
  }

  /** Whether stages report Beam metrics to the runner, see {@link Validate#withRunnerMetrics}. */
  public EtlPipeline withRunnerMetrics(boolean report) {
    return toBuilder().setRunnerMetrics(report).build();
  }

  /** Benchmark only: aggregate with GroupByKey and a loop, see {@link Transform#withNaiveGrouping}. */
  public EtlPipeline withNaiveAggregation(boolean naive) {
    return toBuilder().setNaiveAggregation(naive).build();
  }

  /** The run's id, which names a JDBC sink's staging tables (see {@link Load#withRun}). */
  public EtlPipeline withRun(String run) {
    return toBuilder().setRun(run).build();
  }

  /** Testing only: the faults to inject, see {@link Faults}. */
  public EtlPipeline withFaults(Faults faults) {
    return toBuilder().setFaults(faults).build();
  }

  /** Where a run keeps its counts: beside the results, in a folder readers of part files ignore. */
  public static String runDir(PipelineSpec spec) {
    return spec.sink().path().replaceAll("/+$", "") + "/_run";
  }

  /** Adds the whole job to {@code p}. */
  public void buildOn(Pipeline p) {
    PipelineSpec spec = spec();
    PCollection<SourceRecord> records = p.apply("Extract",
        Extract.from(spec.source())
            .withSchemaFields(spec.schema().stream().map(FieldSpec::name).collect(Collectors.toList()))
            .withMaxSplitBytes(maxSplitBytes()));
    records = faults().atRecords(records);

    PCollectionTuple validated = records.apply("Validate",
        Validate.against(spec.source(), spec.schema()).withCategoryEncoding(spec.encodeCategories())
            .withRunnerMetrics(runnerMetrics()).withOrigins(needsOrigins(spec)));

    PCollection<Row> rows = validated.get(Validate.VALID);
    PCollectionList<BadRecord> bad = PCollectionList.of(validated.get(Validate.BAD));
    PCollectionList<KV<String, Long>> counts = PCollectionList.of(validated.get(BundleCounts.TAG));
    for (LookupSpec lookup : spec.lookups()) {
      PCollectionTuple reference = p.apply("Read lookup " + lookup.name(), new ReferenceRows(lookup, spec,
          maxSplitBytes()));
      PCollectionTuple joined = rows.apply("Lookup " + lookup.name(), Lookup.of(lookup)
          .withReference(reference.get(Validate.VALID)).withCategoryEncoding(spec.encodeCategories()));
      rows = joined.get(Lookup.JOINED);
      bad = bad.and(reference.get(Validate.BAD)).and(joined.get(Lookup.BAD));
      counts = counts.and(reference.get(BundleCounts.TAG)).and(joined.get(BundleCounts.TAG));
    }

    PCollectionTuple transformed = rows.apply("Transform",
        Transform.fromSpec(spec).withNaiveGrouping(naiveAggregation()));

    PCollection<KV<String, Long>> written = transformed.get(Transform.RESULT)
        .apply("Load", run() == null ? Load.to(spec.sink(), OutputColumns.of(spec)).withFaults(faults())
            : Load.to(spec.sink(), OutputColumns.of(spec)).withRun(run()).withFaults(faults()));

    bad.and(transformed.get(Transform.BAD))
        .apply("All bad records", Flatten.<BadRecord>pCollections())
        .apply("Dead letters", DeadLetters.to(spec.deadLetterPath()));

    counts.and(transformed.get(BundleCounts.TAG))
        .and(written)
        .apply("Run counts", RunCounts.writeTo(runDir(spec)));
  }

  /**
   * Whether valid rows carry their origin: when a later stage (a lookup, an expression) can still
   * reject them, so their dead letters name the source record.
   */
  static boolean needsOrigins(PipelineSpec spec) {
    return !spec.lookups().isEmpty() || !spec.derived().isEmpty() || spec.filter() != null;
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setSpec(PipelineSpec spec);

    abstract Builder setMaxSplitBytes(long bytes);

    abstract Builder setRunnerMetrics(boolean report);

    abstract Builder setNaiveAggregation(boolean naive);

    abstract Builder setFaults(Faults faults);

    abstract Builder setRun(@Nullable String run);

    abstract EtlPipeline build();
  }
}
