package dev.beametl;

import dev.beametl.extract.JdbcConnections;
import dev.beametl.load.JdbcTable;
import dev.beametl.report.Progress;
import dev.beametl.report.RunReport;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.JdbcSpec;
import dev.beametl.transform.OutputColumns;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import dev.beametl.spec.SpecException;
import dev.beametl.spec.SpecReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
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

  /** When {@link #main(String[], PrintStream, PrintStream)} was entered, in seconds of JVM uptime. */
  private static double mainEntered = -1;

  /** Whether a run in this JVM already reported the JVM's start-up as its own. */
  private static boolean jvmStartReported;

  /** For a JVM that outlives its runs (WarmRunner): no run waited for it to start. */
  static void jvmStartedEarlier() {
    jvmStartReported = true;
  }

  /** Seconds since the JVM started. */
  private static double jvmStartSeconds() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
  }

  /** Runs the job from command-line arguments and returns its exit code. */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    mainEntered = jvmStartSeconds();
    if (args.length > 0 && args[0].equals("profile")) {
      return dev.beametl.profile.Profile.main(Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (Arrays.asList(args).contains("--help")) {
      out.println("Usage: bin/beam-etl --pipeline=SPEC.yaml [flags]   (exit codes: 0 ok, 1 job failed,"
          + " 2 usage or spec error, 3 too many bad records)");
      out.println("Runs on the embedded Flink runner unless --runner is given (e.g. --runner=DirectRunner).");
      out.println("Start on a new data set: bin/beam-etl profile --input=GLOB --out=SPEC.yaml (writes a starter spec).");
      out.println();
      PipelineOptionsFactory.printHelp(out, EtlOptions.class);
      out.println("Runner flags: --help=FlinkPipelineOptions (--parallelism, --objectReuse, ...), --help=PipelineOptions");
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
    if (Arrays.stream(args).noneMatch(a -> a.startsWith("--runner"))) {
      options.setRunner(FlinkRunner.class); // the embedded Flink runner is the default; DirectRunner is for tests
    }
    if (options.getRunner() == FlinkRunner.class) {
      try {
        FlinkSettings.applyDefaults(options, givenFlags(args));
      } catch (SpecException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      }
    }
    return run(options, out, err, Arrays.asList(args));
  }

  /** The names of the flags on the command line, e.g. "objectReuse" for --objectReuse=false. */
  static List<String> givenFlags(String[] args) {
    return Arrays.stream(args).filter(a -> a.startsWith("--"))
        .map(a -> a.substring(2).split("=", 2)[0]).collect(java.util.stream.Collectors.toList());
  }

  /**
   * How long the Flink job itself ran, or null on other runners. {@code FlinkRunnerResult} keeps the
   * runtime Flink reports but only shows it in {@code toString()}.
   */
  static Double flinkJobSeconds(PipelineResult result) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("runtime=(\\d+)").matcher(String.valueOf(result));
    return result.getClass().getSimpleName().equals("FlinkRunnerResult") && m.find()
        ? Long.parseLong(m.group(1)) / 1e3 : null;
  }

  public static int run(EtlOptions options, PrintStream out, PrintStream err) {
    return run(options, out, err, List.of());
  }

  /** Runs the job; {@code args} go into the run report (secrets removed). */
  public static int run(EtlOptions options, PrintStream out, PrintStream err, List<String> args) {
    Map<String, Double> phases = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    double now = jvmStartSeconds();
    if (mainEntered >= 0) {
      if (!jvmStartReported) { // only the first run in a JVM waited for it to start
        phases.put("jvm_start", mainEntered);
        jvmStartReported = true;
      }
      phases.put("options", now - mainEntered); // flag parsing scans the classpath for option registrars
      mainEntered = -1; // a later run() from Java code in this JVM did not start with the JVM
    }
    PipelineSpec spec;
    try {
      spec = loadSpec(options);
      preflight(spec);
      if (options.getRunner() == FlinkRunner.class) {
        FlinkSettings.applySpec(options, spec);
      }
    } catch (SpecException e) {
      err.println("beam-etl: " + e.getMessage());
      return USAGE;
    }
    String runner = options.getRunner().getSimpleName();
    if (options.isDryRun()) {
      out.print(Plan.describe(spec, runner));
      return OK;
    }
    long start = System.nanoTime();
    long peakHeap;
    long maxHeap;
    long liveHeap;
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
      prepareOutputs(spec);
      long t1 = System.nanoTime();
      phases.put("setup", (t1 - t0) / 1e9);
      if (EmbeddedFlink.applies(options)) {
        embedded = EmbeddedFlink.start(options); // starts while the pipeline is built and translated
      }
      Pipeline p = Pipeline.create(options);
      try {
        EtlPipeline.build(p, spec);
      } catch (IllegalArgumentException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      }
      long t2 = System.nanoTime();
      phases.put("build", (t2 - t1) / 1e9);
      PipelineResult.State state;
      Double jobSeconds;
      try (Progress progress = Progress.start(err, 1000L * options.getProgressSeconds())) {
        PipelineResult result = p.run();
        state = result.waitUntilFinish();
        jobSeconds = flinkJobSeconds(result);
        peakHeap = progress.peakHeapBytes();
        maxHeap = progress.maxHeapBytes();
        liveHeap = progress.liveHeapBytes();
      }
      long t3 = System.nanoTime();
      phases.put("run", (t3 - t2) / 1e9);
      if (jobSeconds != null) {
        phases.put("job", jobSeconds); // part of run: the rest is translation, runner start and shutdown
      }
      if (state != PipelineResult.State.DONE) {
        err.println("beam-etl: the pipeline ended in state " + state);
        return JOB_FAILED;
      }
      RunSummary summary = new RunSummary(spec, RunCounts.read(EtlPipeline.runDir(spec)),
          (System.nanoTime() - start) / 1e9, runner);
      out.print(summary.render());
      boolean withinLimit = summary.withinBadRatio();
      phases.put("report", (System.nanoTime() - t3) / 1e9);
      Path report = writeReport(spec, summary, runner, withinLimit ? OK : TOO_MANY_BAD, peakHeap, maxHeap, args,
          phases, liveHeap);
      out.println("  report                                      -> " + report);
      out.println("  time       " + phases.entrySet().stream()
          .map(e -> String.format(Locale.ROOT, e.getKey().equals("job") ? "(%s %.1f s)" : "%s %.1f s",
              e.getKey().replace('_', ' '), e.getValue()))
          .collect(java.util.stream.Collectors.joining(", ")).replace(", (", " (")
          + "  (run: translation, runner start, job and the runner's shutdown)");
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
    return SpecReader.read(Path.of(options.getPipeline()), overrides);
  }

  private static void addIfSet(List<String> overrides, String key, Object value) {
    if (value != null) {
      overrides.add(key + "=" + value);
    }
  }

  /** What can be checked before any worker starts: the input exists, the outputs may be written. */
  static void preflight(PipelineSpec spec) {
    if (spec.source().jdbc() != null) {
      checkDatabase(spec.source().jdbc());
    } else {
      checkFilesMatch(spec);
    }
    checkOutputs(spec);
  }

  private static void checkDatabase(JdbcSpec jdbc) {
    try (Connection c = JdbcConnections.open(jdbc);
        Statement s = c.createStatement()) {
      s.executeQuery("SELECT * FROM " + jdbc.relation() + " WHERE 1 = 0").close();
    } catch (SQLException e) {
      throw new SpecException("source.jdbc: " + JdbcConnections.describe(e, jdbc));
    } catch (IllegalStateException e) {
      throw new SpecException(e.getMessage());
    }
  }

  private static void checkFilesMatch(PipelineSpec spec) {
    try {
      MatchResult match = FileSystems.match(spec.source().path(), EmptyMatchTreatment.ALLOW);
      if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
        throw new SpecException("source.path: no file matches \"" + spec.source().path()
            + "\"; check the path or glob (--input overrides it)");
      }
      for (MatchResult.Metadata file : match.metadata()) {
        checkReadable(file);
      }
    } catch (IOException e) {
      throw new SpecException("source.path: cannot list \"" + spec.source().path() + "\": " + e.getMessage());
    }
  }

  /** Opens each input once, so a file the job may not read stops it before any worker starts. */
  private static void checkReadable(MatchResult.Metadata file) {
    try (java.nio.channels.ReadableByteChannel c = FileSystems.open(file.resourceId())) {
      c.read(java.nio.ByteBuffer.allocate(1));
    } catch (IOException e) {
      String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NoSuchFileException ? "it is gone" : e.getMessage();
      throw new SpecException("source.path: cannot read \"" + file.resourceId() + "\" (" + why
          + "); check its permissions, or narrow the glob to the files the job may read");
    }
  }

  private static void checkOutputs(PipelineSpec spec) {
    for (String dir : List.of(spec.sink().path(), spec.deadLetterPath())) {
      if (isNonEmptyDir(dir) && spec.sink().ifExists() == SinkSpec.IfExists.FAIL) {
        throw new SpecException("sink.ifExists: output \"" + dir + "\" already holds files; remove it, "
            + "choose another --output, or pass --ifExists=overwrite");
      }
      String foreign = foreignEntry(Path.of(dir));
      if (foreign != null) {
        throw new SpecException("sink.ifExists: output \"" + dir + "\" holds " + foreign
            + ", which this job did not write; overwrite only replaces a previous run's output, so "
            + "choose an empty or new directory");
      }
      Path p = Path.of(dir).toAbsolutePath();
      Path existing = p;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
        throw new SpecException("cannot write output \"" + dir + "\": " + existing + " is not a writable directory");
      }
    }
  }

  private static void prepareOutputs(PipelineSpec spec) throws IOException {
    for (String dir : List.of(spec.sink().path(), spec.deadLetterPath())) {
      Path p = Path.of(dir);
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          for (Path entry : entries.filter(f -> writtenByARun(f.getFileName().toString())).toArray(Path[]::new)) {
            deleteTree(entry);
          }
        }
      }
      Files.createDirectories(p);
    }
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path f : walk.sorted(Comparator.reverseOrder()).toArray(Path[]::new)) {
        Files.delete(f);
      }
    }
  }

  /** What a run writes in its directories; an overwrite deletes these and nothing else. */
  private static boolean writtenByARun(String name) {
    return name.startsWith("part-") || name.startsWith("bad-records-") || name.equals("_run")
        || name.equals("_SUCCESS") || name.startsWith(".temp-beam");
  }

  /** A file or folder in {@code dir} that no run of this job writes, or null. */
  private static String foreignEntry(Path dir) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).filter(n -> !writtenByARun(n)).findFirst()
          .map(n -> "\"" + n + "\"").orElse(null);
    } catch (IOException e) {
      return "entries that cannot be listed (" + e.getMessage() + ")";
    }
  }

  private static boolean isNonEmptyDir(String dir) {
    Path p = Path.of(dir);
    if (!Files.isDirectory(p)) {
      return Files.exists(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
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
