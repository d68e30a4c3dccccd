package dev.beametl.cli;

import dev.beametl.fault.Faults;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.load.JdbcTable;
import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.pipeline.RunCounts;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.OutputColumns;
import dev.beametl.report.Progress;
import dev.beametl.report.RunReport;
import dev.beametl.runner.EmbeddedFlink;
import dev.beametl.runner.FlinkJobTime;
import dev.beametl.runner.FlinkSettings;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The job's entry point: reads and checks the spec on the client, builds Extract -> Validate ->
 * Transform -> Load, runs it (embedded Flink by default), and prints what happened.
 *
 * <p>Exit codes: {@value #OK} success; {@value #JOB_FAILED} the pipeline failed; {@value #USAGE}
 * a bad flag or spec (nothing ran); {@value #TOO_MANY_BAD} the bad-record ratio was exceeded (outputs
 * are written, but no {@code _SUCCESS} marker).
 */
public final class EtlJob {
  public static final int OK = 0;
  public static final int JOB_FAILED = 1;
  public static final int USAGE = 2;
  public static final int TOO_MANY_BAD = 3;

  private EtlJob() {}

  public static void main(String[] args) {
    System.exit(main(args, System.out, System.err));
  }

  /** For a JVM that outlives its runs (the warm runner): no run waited for it to start. */
  static void jvmStartedEarlier() {
    RunTimeline.jvmStartedEarlier();
  }

  /** Runs the job from command-line arguments and returns its exit code. */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    RunTimeline.mainEntered();
    if (args.length > 0 && args[0].equals("profile")) {
      return dev.beametl.profile.Profile.main(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (Arrays.asList(args).contains("--help")) {
      printHelp(out);
      return OK;
    }
    EtlOptions options;
    try {
      PipelineOptionsFactory.register(EtlOptions.class);
      options = PipelineOptionsFactory.fromArgs(args).withValidation().as(EtlOptions.class);
    } catch (IllegalArgumentException e) {
      err.println("beam-etl: " + firstLine(e.getMessage()) + " (see --help)");
      return USAGE;
    }
    FlinkSettings.useFlinkUnlessGiven(options, givenFlags(args));
    if (FlinkSettings.isFlink(options)) {
      try {
        FlinkSettings.applyDefaults(options, givenFlags(args));
      } catch (SpecException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      }
    }
    return run(options, out, err, Arrays.asList(args));
  }

  private static void printHelp(PrintStream out) {
    out.println("Usage: bin/beam-etl --pipeline=SPEC.yaml [flags]   (exit codes: 0 ok, 1 job failed,"
        + " 2 usage or spec error, 3 too many bad records)");
    out.println("Runs on the embedded Flink runner unless --runner is given (e.g. --runner=DirectRunner).");
    out.println("Start on a new data set: bin/beam-etl profile --input=GLOB --out=SPEC.yaml (writes a starter spec).");
    out.println();
    PipelineOptionsFactory.printHelp(out, EtlOptions.class);
    out.println("Runner flags: --help=FlinkPipelineOptions (--parallelism, --objectReuse, ...), --help=PipelineOptions");
  }

  /** The names of the flags on the command line, e.g. "objectReuse" for --objectReuse=false. */
  public static List<String> givenFlags(String[] args) {
    return Arrays.stream(args).filter(a -> a.startsWith("--"))
        .map(a -> a.substring(2).split("=", 2)[0]).collect(Collectors.toList());
  }

  public static int run(EtlOptions options, PrintStream out, PrintStream err) {
    return run(options, out, err, List.of());
  }

  /** Runs the job; {@code args} go into the run report (secrets removed). */
  public static int run(EtlOptions options, PrintStream out, PrintStream err, List<String> args) {
    RunTimeline timeline = new RunTimeline();
    PipelineSpec spec;
    EtlPipeline job;
    try {
      spec = loadSpec(options);
      Preflight.checkInput(spec);
      OutputDirectories.check(spec);
      if (FlinkSettings.isFlink(options)) {
        FlinkSettings.applySpec(options, spec);
      }
      job = pipelineOf(spec, options);
    } catch (SpecException | IllegalArgumentException e) {
      err.println("beam-etl: " + e.getMessage());
      return USAGE;
    }
    String runner = options.getRunner().getSimpleName();
    if (options.isDryRun()) {
      out.print(DryRunPlan.describe(spec, runner));
      return OK;
    }
    long start = System.nanoTime();
    JdbcSinkSpec table = spec.sink().jdbc();
    if (table != null) {
      try {
        JdbcTable.prepare(table, OutputColumns.of(spec));
      } catch (SQLException e) {
        err.println("beam-etl: sink.jdbc: " + JdbcConnections.describe(e, table.connection()));
        return USAGE;
      }
    }
    EmbeddedFlink embedded = null;
    try {
      OutputDirectories.prepare(spec);
      timeline.phaseEnded("setup");
      if (EmbeddedFlink.applies(options)) {
        embedded = EmbeddedFlink.start(options); // starts while the pipeline is built and translated
      }
      Pipeline p = Pipeline.create(options);
      try {
        job.buildOn(p);
      } catch (IllegalArgumentException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      }
      timeline.phaseEnded("build");
      PipelineResult.State state;
      Double jobSeconds;
      long peakHeap;
      long maxHeap;
      long liveHeap;
      try (Progress progress = Progress.start(err, 1000L * options.getProgressSeconds())) {
        PipelineResult result = p.run();
        state = result.waitUntilFinish();
        jobSeconds = FlinkJobTime.seconds(result);
        peakHeap = progress.peakHeapBytes();
        maxHeap = progress.maxHeapBytes();
        liveHeap = progress.liveHeapBytes();
      }
      timeline.phaseEnded("run");
      if (jobSeconds != null) {
        timeline.part("job", jobSeconds); // part of run: the rest is translation, runner start and shutdown
      }
      if (state != PipelineResult.State.DONE) {
        err.println("beam-etl: the pipeline ended in state " + state);
        return JOB_FAILED;
      }
      RunSummary summary = new RunSummary(spec, RunCounts.read(EtlPipeline.runDir(spec)),
          (System.nanoTime() - start) / 1e9, runner);
      out.print(summary.render());
      boolean withinLimit = summary.withinBadRatio();
      timeline.phaseEnded("report");
      Path report = writeReport(spec, summary, runner, withinLimit ? OK : TOO_MANY_BAD, peakHeap, maxHeap, args,
          timeline.phases(), liveHeap);
      out.println("  report                                      -> " + report);
      out.println(timeline.render());
      if (!withinLimit) {
        err.printf(Locale.ROOT, "beam-etl: %.2f%% of records were bad, more than deadLetter.maxBadRatio %.2f%%; "
            + "see %s. Results were written without a _SUCCESS marker.%n",
            100 * summary.badRatio(), 100 * spec.maxBadRatio(), spec.deadLetterPath());
        return TOO_MANY_BAD;
      }
      if (table != null) {
        JdbcTable.commit(table, OutputColumns.of(spec)); // an overwrite swaps the staged rows in only now
      }
      Files.writeString(Path.of(spec.sink().path(), "_SUCCESS"), "");
      if (options.isResumable()) {
        FlinkSettings.removeResumedCheckpoints(options);
      }
      return OK;
    } catch (Exception e) {
      err.println("beam-etl: the job failed: " + rootMessage(e));
      return JOB_FAILED;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** The pipeline a spec and the flags describe; a flag that makes no sense is an IllegalArgumentException. */
  private static EtlPipeline pipelineOf(PipelineSpec spec, EtlOptions options) {
    if (!List.of("combine", "groupByKey").contains(options.getAggregation())) {
      throw new IllegalArgumentException("--aggregation must be combine or groupByKey, not \""
          + options.getAggregation() + "\"");
    }
    return EtlPipeline.of(spec)
        .withMaxSplitBytes(options.getMaxSplitBytes())
        .withRunnerMetrics(FlinkSettings.runnerMetrics(options))
        .withNaiveAggregation(options.getAggregation().equals("groupByKey"))
        .withFaults(Faults.parse(options.getFault()));
  }

  /** Writes report.json and report.html beside the run's counts; returns the HTML file. */
  private static Path writeReport(PipelineSpec spec, RunSummary summary, String runner, int exitCode, long peakHeap,
      long maxHeap, List<String> args, Map<String, Double> phases, long liveHeap) throws IOException {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("results", spec.sink().path() + " (" + spec.sink().format().name().toLowerCase(Locale.ROOT) + ")");
    outputs.put("dead_letters", spec.deadLetterPath());
    outputs.put("counts", EtlPipeline.runDir(spec) + "/counts.jsonl");
    return new RunReport(spec.name(), runner, exitCode == OK, exitCode, summary.counts(), summary.seconds(),
        peakHeap, maxHeap, outputs, args)
        .withPhases(phases)
        .withLiveHeap(liveHeap)
        .withExamplesFrom(Path.of(spec.deadLetterPath()))
        .writeTo(Path.of(EtlPipeline.runDir(spec)));
  }

  /** The spec with overrides applied: --set first, then the named flags, which win. */
  public static PipelineSpec loadSpec(EtlOptions options) {
    if (options.getPipeline() == null) {
      throw new SpecException("--pipeline is required: the spec file to run, e.g. --pipeline=pipelines/sales-by-product.yaml");
    }
    List<String> overrides = new ArrayList<>();
    if (options.getSet() != null) {
      overrides.addAll(options.getSet());
    }
    addIfSet(overrides, "source.path", options.getInput());
    addIfSet(overrides, "sink.path", options.getOutput());
    addIfSet(overrides, "deadLetter.path", options.getDeadLetter());
    addIfSet(overrides, "deadLetter.maxBadRatio", options.getMaxBadRatio());
    addIfSet(overrides, "sink.ifExists", options.getIfExists());
    addIfSet(overrides, "encodeCategories", options.getEncodeCategories());
    return Specs.read(Path.of(options.getPipeline()), overrides);
  }

  private static void addIfSet(List<String> overrides, String key, Object value) {
    if (value != null) {
      overrides.add(key + "=" + value);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
