package dev.beametl.pipeline;

import com.google.auto.value.AutoValue;
import dev.beametl.extract.DeadLetterRecords;
import dev.beametl.extract.Extract;
import dev.beametl.fault.Faults;
import dev.beametl.load.DeadLetters;
import dev.beametl.load.Load;
import dev.beametl.lookup.Lookup;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.OutputColumns;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.IncrementalSpec;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.transform.Transform;
import dev.beametl.validate.Validate;
import java.util.List;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
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

  abstract boolean append();

  abstract boolean deadLettersAfterOutput();

  abstract @Nullable List<MatchResult.Metadata> inputFiles();

  abstract @Nullable List<String> replayFiles();

  abstract @Nullable java.util.Set<String> replayedBefore();

  /** Files listing more such identities, one a line. */
  abstract @Nullable List<String> replayedBeforeLists();

  abstract Builder toBuilder();

  public static EtlPipeline of(PipelineSpec spec) {
    return new AutoValue_EtlPipeline.Builder().setSpec(spec).setMaxSplitBytes(0).setRunnerMetrics(true)
        .setNaiveAggregation(false).setFaults(Faults.none()).setAppend(false)
        .setDeadLettersAfterOutput(false).build();
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

  /**
   * Adds to the output of earlier runs instead of replacing it (an incremental load, a replay): part
   * files and dead letters carry the run ({@link #withRun}) in their names.
   */
  public EtlPipeline withAppend(boolean append) {
    return toBuilder().setAppend(append).build();
  }

  /** Reads exactly these files of the source instead of what its path matches (an incremental run's new files). */
  public EtlPipeline withInputFiles(List<MatchResult.Metadata> files) {
    return toBuilder().setInputFiles(List.copyOf(files)).build();
  }

  /** Reads the records of these dead-letter files instead of the source (a replay), see {@link DeadLetterRecords}. */
  public EtlPipeline withReplay(List<String> deadLetterFiles) {
    return withReplay(deadLetterFiles, java.util.Set.of());
  }

  /**
   * As {@link #withReplay(List)}, leaving out the dead letters whose records earlier replays wrote
   * (their {@link DeadLetterRecords#identity}). The identities of the records this replay writes
   * (taken, and not bad again) go to {@link #REPLAYED_PREFIX} files in the run folder.
   */
  public EtlPipeline withReplay(List<String> deadLetterFiles, java.util.Set<String> replayedBefore) {
    return withReplay(deadLetterFiles, replayedBefore, List.of());
  }

  /**
   * As {@link #withReplay(List, java.util.Set)}, with the identities also read from these files (one
   * a line, as {@link #REPLAYED_PREFIX} files hold them): the pipeline reads them, so they cost no memory.
   */
  public EtlPipeline withReplay(List<String> deadLetterFiles, java.util.Set<String> replayedBefore,
      List<String> replayedBeforeLists) {
    return toBuilder().setReplayFiles(List.copyOf(deadLetterFiles)).setReplayedBefore(java.util.Set.copyOf(
        replayedBefore)).setReplayedBeforeLists(List.copyOf(replayedBeforeLists)).build();
  }

  /** The files prefix, in the run folder, of the identities of the records a replay wrote (one a line). */
  public static final String REPLAYED_PREFIX = "replayed-records";

  /**
   * Whether the dead letters are put in place only after the output's rows went to its writer: for a
   * streaming (resumable) run, whose file sinks rename their files when their own input ends. The
   * dead letters' input ends with the reading, often long before an aggregation's rows come, and a
   * run stopped in between had its dead letters in place already: no checkpoint resumes onto
   * renamed files (refused; a trial stopped one in a count_distinct's end). In a batch run every
   * sink renames at the end anyway.
   */
  public EtlPipeline withDeadLettersAfterOutput(boolean after) {
    return toBuilder().setDeadLettersAfterOutput(after).build();
  }

  /** Testing only: the faults to inject, see {@link Faults}. */
  public EtlPipeline withFaults(Faults faults) {
    return toBuilder().setFaults(faults).build();
  }

  /** Where a run keeps its counts: beside the results, in a folder readers of part files ignore. */
  public static String runDir(PipelineSpec spec) {
    return spec.sink().path().replaceAll("/+$", "") + "/" + RUN_FOLDER;
  }

  /** The run folder under the output: the run's counts, log and report, never output. */
  public static final String RUN_FOLDER = "_run";

  /** Adds the whole job to {@code p}. */
  public void buildOn(Pipeline p) {
    PipelineSpec spec = spec();
    List<String> sourceNames = spec.schema().stream().map(FieldSpec::sourceName).collect(Collectors.toList());
    PCollectionList<KV<String, Long>> counts = PCollectionList.empty(p);
    PCollection<SourceRecord> records;
    PCollection<String> replayedRecords = null;
    if (replayFiles() != null) {
      PCollectionTuple replayed = p.apply("Extract dead letters", DeadLetterRecords.from(replayFiles(), sourceNames)
          .withReplayedBefore(replayedBefore() == null ? java.util.Set.of() : replayedBefore())
          .withReplayedBeforeIn(replayedBeforeLists() == null ? List.of() : replayedBeforeLists()));
      records = replayed.get(DeadLetterRecords.RECORDS);
      replayedRecords = replayed.get(DeadLetterRecords.REPLAYED);
      counts = counts.and(replayed.get(BundleCounts.TAG));
    } else {
      Extract extract = Extract.from(spec.source()).withSchema(spec.schema()).withMaxSplitBytes(maxSplitBytes());
      records = p.apply("Extract", inputFiles() == null ? extract : extract.withFiles(inputFiles()));
    }
    records = faults().atRecords(records);

    PCollectionTuple validated = records.apply("Validate",
        Validate.against(spec.source(), spec.schema()).withCategoryEncoding(spec.encodeCategories())
            .withRunnerMetrics(runnerMetrics()).withOrigins(needsOrigins(spec)));

    PCollection<Row> rows = validated.get(Validate.VALID);
    PCollectionList<BadRecord> bad = PCollectionList.of(validated.get(Validate.BAD));
    counts = counts.and(validated.get(BundleCounts.TAG));
    IncrementalSpec incremental = spec.source().incremental();
    if (incremental != null && !incremental.isFiles() && replayFiles() == null) {
      counts = counts.and(rows.apply("High-water mark", HighWaterMark.of(incremental.column())));
    }
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

    Load load = Load.to(spec.sink(), OutputColumns.of(spec)).withNullMarkers(spec.source().nullValues(), spec.source().trim())
        .withFaults(faults())
        .withKeysUnique(spec.aggregation() != null && spec.sink().jdbc() != null
            && spec.sink().jdbc().keys().containsAll(spec.aggregation().groupBy())); // one row per group
    PCollection<KV<String, Long>> written = faults().atResults(transformed.get(Transform.RESULT))
        .apply("Load", run() == null ? load : load.withRun(run()).withAppend(append()));

    if (deadLettersAfterOutput()) {
      // Flattened with nothing from the output's count of rows sent to its writer, the dead letters'
      // watermark follows the output's (see withDeadLettersAfterOutput); their records still go to
      // their files as they come.
      bad = bad.and(written.apply("Dead letters wait for the output", ParDo.of(new NoBadRecords()))
          .setCoder(validated.get(Validate.BAD).getCoder()));
    }
    PCollection<BadRecord> allBad = bad.and(transformed.get(Transform.BAD))
        .apply("All bad records", Flatten.<BadRecord>pCollections());
    if (replayedRecords != null) {
      PCollectionTuple.of(ReplayedRecords.TAKEN, replayedRecords).and(ReplayedRecords.BAD, allBad)
          .apply("Replayed records", new ReplayedRecords(runDir(spec)));
    }
    PCollection<KV<String, Long>> deadLetters = allBad
        .apply("Dead letters", append() ? DeadLetters.to(spec.deadLetterPath()).withRunNamedFiles(run())
            : DeadLetters.to(spec.deadLetterPath()));

    counts.and(transformed.get(BundleCounts.TAG))
        .and(written)
        .and(deadLetters)
        .apply("Run counts", RunCounts.writeTo(runDir(spec)));
  }

  /** Outputs nothing: its output's watermark is its input's. */
  private static final class NoBadRecords extends DoFn<KV<String, Long>, BadRecord> {
    @ProcessElement
    public void process() {}
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

    abstract Builder setAppend(boolean append);

    abstract Builder setDeadLettersAfterOutput(boolean after);

    abstract Builder setInputFiles(@Nullable List<MatchResult.Metadata> files);

    abstract Builder setReplayFiles(@Nullable List<String> files);

    abstract Builder setReplayedBefore(@Nullable java.util.Set<String> identities);

    abstract Builder setReplayedBeforeLists(@Nullable List<String> files);

    abstract EtlPipeline build();
  }
}
