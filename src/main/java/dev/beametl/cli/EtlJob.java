package dev.beametl.cli;

import dev.beametl.extract.InputFiles;
import dev.beametl.fault.Faults;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.load.DeadLetters;
import dev.beametl.load.Load;
import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.pipeline.RunCounts;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.DataError;
import dev.beametl.record.OutputColumns;
import dev.beametl.report.Progress;
import dev.beametl.report.RunReport;
import dev.beametl.runner.ClusterParallelism;
import dev.beametl.runner.EmbeddedFlink;
import dev.beametl.runner.FlinkJobTime;
import dev.beametl.runner.FlinkRestCounts;
import dev.beametl.runner.FlinkSettings;
import dev.beametl.runner.ScratchDir;
import dev.beametl.spec.JdbcUrls;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import dev.beametl.spec.SpecPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import javax.annotation.Nullable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Throwables;

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
    // Before anything logs: a log line or a stack trace that quotes the data reaches the terminal too.
    System.setOut(terminal(System.out, "stdout"));
    System.setErr(terminal(System.err, "stderr"));
    StartupWarmUp.start();
    fromCommandLine = true;
    System.exit(main(args, System.out, System.err));
  }

  /**
   * {@code stream} (System.out or System.err) with control characters escaped (ControlCharacters), in
   * the charset Java gave it: {@code stdout.encoding} (Java 18+) or {@code sun.stdout.encoding} where
   * set, else the default.
   */
  private static PrintStream terminal(PrintStream stream, String name) {
    String named = System.getProperty(name + ".encoding", System.getProperty("sun." + name + ".encoding"));
    java.nio.charset.Charset charset = named != null ? java.nio.charset.Charset.forName(named)
        : java.nio.charset.Charset.defaultCharset();
    return new PrintStream(dev.beametl.runner.ControlCharacters.escaping(stream, charset), true, charset);
  }

  /** For a JVM that outlives its runs (the warm runner): no run waited for it to start. */
  static void jvmStartedEarlier() {
    RunTimeline.jvmStartedEarlier();
  }

  /** Runs the job from command-line arguments and returns its exit code. */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    return main(Path.of("").toAbsolutePath(), args, out, err);
  }

  /**
   * Runs the job from command-line arguments given in {@code callerDir}: relative paths on the
   * command line mean it (the warm runner runs in a directory of its own).
   */
  public static int main(Path callerDir, String[] args, PrintStream out, PrintStream err) {
    try {
      return mainOnce(callerDir, args, out, err);
    } finally {
      // A warm runner's JVM outlives the run: its pools held an embedded database open (no other
      // process could open the file), and wrote a run into one the user had deleted since, exit 0;
      // and an in-memory database of one run was the next run's source.
      JdbcConnections.closeAll(Boolean.getBoolean(WarmRunnerMain.WARM_RUNNER));
    }
  }

  private static int mainOnce(Path callerDir, String[] args, PrintStream out, PrintStream err) {
    RunTimeline.mainEntered();
    if (args.length > 0 && args[0].equals("profile")) {
      return dev.beametl.profile.Profile.main(callerDir, Arrays.copyOfRange(args, 1, args.length), out, err);
    }
    if (Arrays.asList(args).contains("replay")) { // a bare word is no flag: wherever it stands (submit.sh adds flags first)
      List<String> rest = new ArrayList<>(Arrays.asList(args));
      rest.remove("replay");
      args = replayArgs(rest.toArray(new String[0]));
      if (args == null) {
        err.println("beam-etl: replay needs --from=DEAD_LETTER_DIR: bin/beam-etl replay --pipeline=SPEC.yaml "
            + "--from=DIR [flags]");
        return USAGE;
      }
    }
    if (Arrays.asList(args).contains("--help")) {
      printHelp(out);
      return OK;
    }
    for (String arg : args) {
      if (arg.startsWith("--help=")) {
        return printOptionsHelp(arg.substring("--help=".length()), out, err);
      }
    }
    CommandLine line = CommandLine.of(args);
    EtlOptions options;
    try {
      PipelineOptionsFactory.register(EtlOptions.class);
      checkValuesGiven(line.beamArgs);
      options = PipelineOptionsFactory.fromArgs(line.beamArgs).withValidation().as(EtlOptions.class);
    } catch (IllegalArgumentException e) {
      err.println("beam-etl: " + flagProblem(firstLine(e.getMessage()), line.beamArgs) + " (see --help)");
      return USAGE;
    }
    FlinkSettings.useFlinkUnlessGiven(options, line.flagNames());
    if (FlinkSettings.isFlink(options)) {
      try {
        FlinkSettings.applyDefaults(options, line.flagNames());
      } catch (SpecException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      }
    }
    return run(options, out, err, line.all, line.sets, callerDir);
  }

  /**
   * A flag without a value is a switch to Beam, and any flag's value is then "true": a trial's bare
   * {@code --deadLetter} (its value lost in a script) wrote the dead letters to ./true, exit 0. Only
   * boolean flags go without one.
   */
  static void checkValuesGiven(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        continue;
      }
      String[] nameAndValue = arg.substring(2).split("=", 2);
      String name = nameAndValue[0];
      Class<?> type = flagType(name);
      if (type == null) {
        continue; // not a flag: Beam says so, naming it
      }
      if (nameAndValue.length == 1 && type != boolean.class && type != Boolean.class) {
        throw new IllegalArgumentException("--" + name + " needs a value: --" + name + "=...");
      }
      if (nameAndValue.length == 2 && Number.class.isAssignableFrom(boxed(type))) {
        // Beam's parser said "Cannot deserialize value of type `java.lang.Double` from String", naming no flag
        try {
          new java.math.BigDecimal(nameAndValue[1].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(arg + ": not a number");
        }
      }
    }
  }

  /** The type of the flag {@code name} in any registered options interface, or null. */
  private static @Nullable Class<?> flagType(String name) {
    String getter = name.isEmpty() ? "" : "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    for (Class<? extends PipelineOptions> options : PipelineOptionsFactory.getRegisteredOptions()) {
      for (java.lang.reflect.Method m : options.getMethods()) {
        if (m.getParameterCount() == 0 && m.getName().equals(getter)) {
          return m.getReturnType();
        }
      }
    }
    return null;
  }

  private static Class<?> boxed(Class<?> type) {
    return type == int.class ? Integer.class : type == long.class ? Long.class : type == double.class ? Double.class
        : type;
  }

  /**
   * Beam's words for a bad flag, in the command line's: "Class interface ...EtlOptions missing a
   * property named 'outptu'. Did you mean 'output'?" names a Java class, and "expected one element
   * but was: <a, b>" no flag at all (a hostile trial).
   */
  static String flagProblem(String message, String[] args) {
    Matcher unknown = Pattern.compile("missing a property named '([^']*)'\\.?(.*)").matcher(message);
    if (unknown.find()) {
      if (unknown.group(1).isEmpty()) {
        return "a bare '--' is no flag: give flags as --name=value";
      }
      String hint = unknown.group(2).replaceAll("'([^']+)'", "--$1"); // Did you mean 'output'?
      Matcher list = Pattern.compile("\\[([^\\]]*)\\]").matcher(hint); // Did you mean one of [a, b]?
      if (list.find()) {
        hint = hint.substring(0, list.start()) + "--" + list.group(1).replace(", ", ", --")
            + hint.substring(list.end());
      }
      return "unknown flag --" + unknown.group(1) + "." + hint;
    }
    Matcher repeated = Pattern.compile("expected one element but was: <(.*)>").matcher(message);
    if (repeated.find()) {
      Map<String, List<String>> given = new LinkedHashMap<>();
      for (String a : args) {
        if (a.startsWith("--")) {
          String[] nameValue = a.substring(2).split("=", 2);
          given.computeIfAbsent(nameValue[0], k -> new ArrayList<>())
              .add(nameValue.length > 1 ? nameValue[1] : "true");
        }
      }
      for (Map.Entry<String, List<String>> flag : given.entrySet()) { // the one whose values Beam lists
        if (flag.getValue().size() > 1 && String.join(", ", flag.getValue()).equals(repeated.group(1))) {
          return "--" + flag.getKey() + " given more than once: give it once";
        }
      }
    }
    // A value of the wrong type: Jackson's words name the type, not the flag (a trial). The first flag
    // that fails alone is the one.
    Matcher type = Pattern.compile("Cannot deserialize value of type `([^`]+)`").matcher(message);
    if (type.find()) {
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) {
          continue;
        }
        try {
          PipelineOptionsFactory.fromArgs(a).as(EtlOptions.class);
        } catch (RuntimeException e) {
          String wanted = type.group(1).replaceFirst("^java\\.lang\\.", "").toLowerCase(java.util.Locale.ROOT);
          return a + ": not " + (wanted.equals("boolean") ? "true or false"
              : wanted.equals("int") || wanted.equals("integer") || wanted.equals("long") ? "a whole number"
              : "a valid " + wanted);
        }
      }
    }
    return message;
  }

  /** {@code replay}'s arguments as the job's: {@code --from=DIR} is {@code --replayFrom=DIR}; null without it. */
  private static String[] replayArgs(String[] args) {
    List<String> out = new ArrayList<>();
    boolean from = false;
    for (String a : args) {
      if (a.startsWith("--from=")) {
        out.add("--replayFrom=" + a.substring("--from=".length()));
        from = true;
      } else {
        out.add(a);
      }
    }
    return from || out.stream().anyMatch(a -> a.startsWith("--replayFrom=")) ? out.toArray(new String[0]) : null;
  }

  private static void printHelp(PrintStream out) {
    out.println("Usage: bin/beam-etl --pipeline=SPEC.yaml [flags]   (exit codes: 0 ok, 1 job failed,"
        + " 2 usage or spec error, 3 too many bad records)");
    out.println("Runs on the embedded Flink runner unless --runner is given (e.g. --runner=DirectRunner).");
    out.println("Start on a new data set: bin/beam-etl profile --input=GLOB --out=SPEC.yaml (writes a starter spec).");
    out.println("Run fixed dead letters again: bin/beam-etl replay --pipeline=SPEC.yaml --from=DEAD_LETTER_DIR.");
    out.println();
    ByteArrayOutputStream help = new ByteArrayOutputStream();
    PipelineOptionsFactory.printHelp(new PrintStream(help, true, StandardCharsets.UTF_8), EtlOptions.class);
    // Beam prints its own default runner; this job's is the embedded Flink runner.
    out.print(help.toString(StandardCharsets.UTF_8).replace("--runner=<Class>\n    Default: DirectRunner",
        "--runner=<Class>\n    Default: FlinkRunner (embedded Flink; this job's default)"));
    out.println("Runner flags: --help=FlinkPipelineOptions (--parallelism, --objectReuse, ...), --help=PipelineOptions");
  }

  /** The names of the flags on the command line, e.g. "objectReuse" for --objectReuse=false. */
  public static List<String> givenFlags(String[] args) {
    return CommandLine.names(args);
  }

  /**
   * {@code --help=FlinkPipelineOptions}: one options interface's flags. Answered here, not by Beam's
   * parser, which ends the JVM when it has printed them: in the warm runner that was the runner itself.
   */
  private static int printOptionsHelp(String name, PrintStream out, PrintStream err) {
    PipelineOptionsFactory.register(EtlOptions.class);
    List<Class<? extends PipelineOptions>> matching = new ArrayList<>();
    for (Class<? extends PipelineOptions> options : PipelineOptionsFactory.getRegisteredOptions()) {
      if (options.getName().equals(name) || options.getSimpleName().equals(name)) {
        matching.add(options);
      }
    }
    if (matching.size() != 1) {
      err.println("beam-etl: --help=" + name + ": " + (matching.isEmpty() ? "no options interface of that name"
          : "more than one options interface of that name; give the full class name") + ", e.g. "
          + "--help=FlinkPipelineOptions, --help=EtlOptions, --help=PipelineOptions");
      return USAGE;
    }
    PipelineOptionsFactory.printHelp(out, matching.get(0));
    return OK;
  }

  /** Runs the job configured by {@code options} (its {@code --set} overrides included) from Java code. */
  public static int run(EtlOptions options, PrintStream out, PrintStream err) {
    return run(options, out, err, List.of(), List.of(), Path.of("").toAbsolutePath());
  }

  /** A run's id: 8 hex digits, as the job's file names and states spell it. */
  static String newRunId() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Runs the job; {@code args} go into the run report (secrets removed), {@code sets} are the
   * {@code --set} overrides as given, and relative paths among the flags mean {@code callerDir}.
   * Everything that can refuse the run (exit 2) is checked before anything is deleted or written.
   */
  static int run(EtlOptions options, PrintStream out, PrintStream err, List<String> args, List<String> sets,
      Path callerDir) {
    RunTimeline timeline = new RunTimeline();
    PipelineSpec spec;
    EtlPipeline job;
    RunPlan plan;
    List<List<MatchResult.Metadata>> inputFiles;
    String runId = newRunId();
    SqlNames.startRun(!options.isDryRun()); // a warm runner's JVM runs many jobs; a dry run creates no database
    try {
      if (options.getProgressSeconds() < 0) {
        throw new SpecException("--progressSeconds=" + options.getProgressSeconds() + ": give the seconds between "
            + "progress lines, or 0 for none");
      }
      resolveRunnerPaths(options, callerDir);
      spec = loadSpec(options, sets, callerDir);
      FlinkSettings.refuseEmbeddedDatabases(spec, options); // before anything opens one (Preflight, incremental)
      if (!options.isDryRun()) { // a dry run never connects to the sink, and needs none of its secrets
        Preflight.checkSink(spec);
        if (FlinkSettings.isFlink(options)) {
          Preflight.checkCluster(FlinkSettings.clusterAddress(options));
          int parallelism = ClusterParallelism.apply(options);
          if (parallelism > 0) {
            err.println("beam-etl: parallelism " + parallelism + ", the cluster's (--parallelism=N sets another)");
          } else if (parallelism < 0) {
            err.println("beam-etl: parallelism 1: the cluster's REST API gave no parallelism.default (--parallelism=N "
                + "sets one)");
          }
        }
      }
      inputFiles = options.getReplayFrom() == null ? Preflight.checkInput(spec) : List.of(List.of());
      Preflight.emptyFiles(spec, inputFiles).forEach(n -> err.println("beam-etl: " + n));
      plan = RunPlan.of(spec, options, callerDir);
      spec = plan.spec;
      OutputDirectories.check(spec, plan.append, options.getResumeFrom() != null);
      while (plan.append && OutputDirectories.heldRun(spec, runId)) {
        runId = newRunId();
      }
      refuseResumeAfterRenames(spec, options);
      if (FlinkSettings.isFlink(options)) {
        if (options.isResumable()) {
          FlinkSettings.refuseFilesReadWhole(spec, inputFiles);
        }
        FlinkSettings.applySpec(options, spec, options.isResumable() ? resumeKey(spec, inputFiles) : null);
        if (!options.isDryRun()) {
          FlinkSettings.createCheckpointDir(options);
        }
      }
      job = plan.applyTo(pipelineOf(spec, options)).withRun(runId);
    } catch (SpecException | IllegalArgumentException e) {
      err.println("beam-etl: " + e.getMessage() + fileNameHint(e));
      return USAGE;
    } catch (RuntimeException e) { // a spec this job failed to foresee: still one line, and nothing ran
      err.println("beam-etl: internal error while reading the spec and flags (" + rootMessage(e)
          + "); nothing ran. Please report it with the spec.");
      return USAGE;
    } catch (Preflight.Unavailable e) {
      err.println("beam-etl: " + e.getMessage() + " (exit 1: nothing ran; try again)");
      return JOB_FAILED;
    } catch (IOException e) {
      err.println("beam-etl: " + e.getMessage() + " (exit 1: nothing ran; try again)");
      return JOB_FAILED;
    }
    String runner = options.getRunner().getSimpleName();
    plan.notes.forEach(n -> err.println("beam-etl: " + n));
    if (plan.nothingToDo != null) {
      out.println("beam-etl: " + spec.name() + ": " + plan.nothingToDo);
      try {
        String finished = options.isDryRun() ? null : OutputDirectories.finishStoppedRun(spec);
        if (finished != null) {
          out.println("beam-etl: " + finished);
        }
      } catch (SpecException e) {
        // held by a run that is still going (it finishes its output itself), or refused: nothing to do here
      } catch (IOException e) {
        err.println("beam-etl: " + e.getMessage() + " (exit 1: try again)");
        return JOB_FAILED;
      }
      return OK;
    }
    if (options.isDryRun()) {
      try {
        job.buildOn(Pipeline.create(options)); // built, not run: what construction refuses, a dry run refuses
      } catch (IllegalArgumentException | SpecException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      } catch (JdbcConnections.Unreachable e) {
        err.println("beam-etl: " + e.getMessage() + " (exit 1: nothing ran; try again)");
        return JOB_FAILED;
      }
      out.print(DryRunPlan.describe(spec, runner, inputFiles.get(0).size()));
      return OK;
    }
    timeline.phaseEnded("setup");
    Path log = Path.of(EtlPipeline.runDir(spec), "job.log");
    EmbeddedFlink embedded = null;
    try (ScratchDir scratch = ScratchDir.create(); JobLog jobLog = JobLog.capture(options.isVerbose())) {
      int distinctCounts = spec.aggregation() == null ? 0 : (int) spec.aggregation().metrics().stream()
          .filter(m -> m.op() == dev.beametl.spec.MetricSpec.Op.COUNT_DISTINCT).count();
      FlinkSettings.useEmbeddedConfig(options, scratch.path(), distinctCounts);
      if (EmbeddedFlink.applies(options)) {
        embedded = EmbeddedFlink.start(options); // starts while the pipeline is built and translated
      }
      Pipeline p = Pipeline.create(options);
      try {
        job.buildOn(p); // construction errors (a JDBC read plan, say) come before anything is touched
      } catch (IllegalArgumentException | SpecException e) {
        err.println("beam-etl: " + e.getMessage());
        return USAGE;
      } catch (JdbcConnections.Unreachable e) {
        err.println("beam-etl: " + e.getMessage() + " (exit 1: nothing ran; try again)");
        return JOB_FAILED;
      }
      timeline.phaseEnded("build");
      try (OutputDirectories outputs = OutputDirectories.take(spec, runId, plan.append, options.getResumeFrom() != null)
              .keepingTemporaryFolders(options.isResumable());
          OutputLock input = plan.heldInput() == null || OutputDirectories.holds(spec, plan.heldInput()) ? null
              : OutputLock.take(plan.heldInput(), spec.name(), "replayed directory", "--from");
          TableSink table = TableSink.prepare(spec, runId, err)) {
        plan.checkStateUnchanged();
        if (dev.beametl.runner.RunCancel.requested()) { // the warm runner's client stopped while the run set up
          err.println("beam-etl: cancelled: its client stopped (Ctrl-C) before the run began; nothing was written");
          return JOB_FAILED;
        }
        int code = JOB_FAILED;
        try {
          // A resumed run's log goes on from the stopped run's, which the preparation deletes.
          byte[] stoppedLog = options.getResumeFrom() == null ? null : JobLog.stoppedRun(log, 4 << 20);
          // Before anything is deleted: a replacing run (--full) that dies deleting the old output must
          // leave no state for the next run to append to what is left (a review).
          plan.started();
          outputs.prepare();
          jobLog.writeTo(log, stoppedLog);
          if (options.isResumable()) {
            FlinkSettings.markResumed(options);
          }
          timeline.phaseEnded("outputs");
          code = runPipeline(p, spec, options, table, out, err, args, timeline, runner, log, plan, runId);
          return code;
        } finally {
          outputs.finish(code == OK).forEach(err::println);
        }
      }
    } catch (SpecException e) {
      err.println("beam-etl: " + e.getMessage());
      return USAGE;
    } catch (TableSink.Unavailable e) {
      err.println("beam-etl: " + e.getMessage() + " (exit 1: nothing ran; try again)");
      return JOB_FAILED;
    } catch (Exception | Error e) {
      if (options.getResumeFrom() != null && checkpointDoesNotFit(e)) { // the job had begun: not exit 2
        err.println("beam-etl: --resumeFrom=" + options.getResumeFrom() + ": the checkpoint holds steps this job does "
            + "not have (it was taken by another build of beam-etl, or with other flags such as --parallelism, "
            + "--aggregation or --fault); resume with the build and flags of the run that took it, or run without --resumeFrom "
            + "to start from the beginning. No record was read; the checkpoint is kept; its log: " + log);
        return JOB_FAILED;
      }
      String root = rootMessage(e);
      // As when Flink ends the JVM for it: how much heap, and why. Not for a cluster's job, whose
      // TaskManagers have heaps of their own.
      if (root.startsWith("OutOfMemoryError: ") && FlinkSettings.clusterAddress(options) == null) {
        String error = root.substring("OutOfMemoryError: ".length());
        err.println(new ExitDuringRun(log, spec, Runtime.getRuntime().maxMemory())
            .outOfMemory(error.equals("null") ? "no message" : error));
        return JOB_FAILED;
      }
      err.println("beam-etl: the job failed: " + root + FlinkSettings.clusterLost(options, e)
          + (Files.exists(log) ? "; its log: " + log : ""));
      return JOB_FAILED;
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /** Whether this JVM is the command line's own (main(String[])), which a run may end; not a test's or a caller's. */
  private static volatile boolean fromCommandLine;

  /**
   * As Flink ends the JVM on a fatal error in a task: a job in this JVM that only collects garbage
   * would crawl for minutes (or hours) before it ran out of memory, if it ever did (report.GcThrash).
   * The stop is made ready now (its thread, its line): when it is needed the heap is full.
   */
  private static void stopOnThrashing(Progress progress, ExitDuringRun exit, PrintStream err) {
    Thread halt = new Thread(() -> { // shutdown hooks crawl in a full heap: 10 s for them, then no more
      try {
        Thread.sleep(10_000);
      } catch (InterruptedException e) {
        // halt now
      }
      Runtime.getRuntime().halt(JOB_FAILED);
    }, "beam-etl-halt");
    halt.setDaemon(true);
    progress.onThrashing(() -> {
      String line = exit.thrashed();
      if (line == null) {
        return; // the job ended first, or the JVM is exiting already and said why
      }
      try {
        err.println(line);
        System.err.println(line); // the job's log
      } catch (Throwable full) {
        // stop all the same
      } finally {
        halt.start();
        Runtime.getRuntime().exit(JOB_FAILED);
      }
    });
  }

  /** Runs the built pipeline, then reports, commits and marks success; the log is open. */
  private static int runPipeline(Pipeline p, PipelineSpec spec, EtlOptions options, TableSink table, PrintStream out,
      PrintStream err, List<String> args, RunTimeline timeline, String runner, Path log, RunPlan plan, String runId)
      throws Exception {
    long start = System.nanoTime();
    PipelineResult.State state;
    Double jobSeconds;
    long peakHeap;
    long maxHeap;
    long liveHeap;
    // Flink ends the JVM itself on a fatal error in a task (an OutOfMemoryError: exit 239).
    ExitDuringRun exit = new ExitDuringRun(log, spec, Runtime.getRuntime().maxMemory());
    Thread exitDuringRun = new Thread(() -> {
      String line = exit.message();
      if (line != null) {
        err.println(line);
      }
    });
    Runtime.getRuntime().addShutdownHook(exitDuringRun);
    try (Progress progress = Progress.start(err, 1000L * options.getProgressSeconds(), progressCounts(options))) {
      if (fromCommandLine && FlinkSettings.clusterAddress(options) == null) {
        stopOnThrashing(progress, exit, err);
      }
      try {
        if (dev.beametl.runner.RunCancel.requested()) { // a runner the cancel cannot reach (the embedded one refuses its jobs)
          throw new IllegalStateException("the run was cancelled: its client stopped (Ctrl-C)");
        }
        PipelineResult result = p.run();
        state = result.waitUntilFinish();
        jobSeconds = FlinkJobTime.seconds(result);
      } catch (RuntimeException e) {
        if (!exit.ended()) {
          return JOB_FAILED; // being stopped for collecting garbage, which said so: the JVM is exiting
        }
        e.printStackTrace(); // into the job's log; the terminal gets one line
        throw e;
      }
      if (!exit.ended()) {
        return JOB_FAILED; // as above: nothing reported, nothing committed
      }
      peakHeap = progress.peakHeapBytes();
      maxHeap = progress.maxHeapBytes();
      liveHeap = progress.liveHeapBytes();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(exitDuringRun); // the warm runner's JVM runs many jobs
      } catch (IllegalStateException shuttingDown) {
        // the hook runs
      }
    }
    timeline.phaseEnded("run");
    if (jobSeconds != null) {
      timeline.part("job", jobSeconds); // part of run: the rest is translation, runner start and shutdown
    }
    if (state != PipelineResult.State.DONE) {
      String outOfMemory = FlinkSettings.clusterAddress(options) == null ? exit.outOfMemoryInLog() : null;
      err.println(outOfMemory != null ? outOfMemory : "beam-etl: the pipeline ended in state " + state + "; its log: " + log);
      return JOB_FAILED;
    }
    Load.writeEmptyResultIfNone(spec.sink(), OutputColumns.of(spec)); // readers find a table, not nothing
    RunSummary summary = new RunSummary(spec, RunCounts.read(EtlPipeline.runDir(spec)),
        (System.nanoTime() - start) / 1e9, runner);
    String uncounted = null;
    for (String count : List.of("written", DeadLetters.COUNT)) {
      if (!summary.counts().containsKey(count)) {
        uncounted = count;
        break;
      }
    }
    String missing = uncounted != null
        ? "the run's counts lack \"" + uncounted + "\" (a checkpoint taken after the job had ended, or by an "
            + "earlier build, was resumed?); run again without --resumeFrom"
        : OutputRows.mismatch(spec, summary.count("written"), summary.count(DeadLetters.COUNT),
            plan.append ? runId : null, options.getResumeFrom() != null);
    boolean withinLimit = summary.withinBadRatio();
    // A table in append or overwrite mode takes the staged rows at its commit: the summary follows it.
    boolean summaryAfterCommit = table.commitsAfterRun() && withinLimit && missing == null;
    if (!withinLimit && missing == null && (table.commitsAfterRun() || plan.append && !spec.sink().upserts())) {
      // Over the limits, such a table is left as it was, and an appending run takes its files out again.
      summary = notAdded(summary, spec, "not_added", "over the bad-record limits: the output is as the run found it",
          out);
    } else if (!summaryAfterCommit) {
      out.print(summary.render());
    }
    if (missing != null) { // before the state, the table and the marker: this run did not succeed
      err.println("beam-etl: " + missing + "; its log: " + log);
      return JOB_FAILED;
    }
    List<String> stateLines = List.of();
    if (withinLimit) {
      // The state first (unconfirmed while a table's commit follows), then the table (overwrite and
      // append move their staged rows in only now), then the confirmation: a job that dies in between
      // leaves the next run what it needs to tell which happened (StateFile).
      Faults faults = Faults.parse(options.getFault());
      TableSink.Confirmation confirmation = plan.confirmation();
      if (confirmation != null) { // before the state names them: an exit in between must not drop them (a review)
        table.keepStagingUntilConfirmed();
      }
      if (plan.commitsState()) {
        OutputRows.force(spec, plan.append ? runId : null); // on the disk before the state that vouches for them
      }
      stateLines = plan.commit(summary.counts(), runId, table.commitsAfterRun()); // the next run goes on from here
      faults.atCommit("failBeforeTable");
      long discarded;
      try {
        discarded = table.commit(confirmation == null ? null : () -> {
          faults.atCommit("failAfterTable");
          confirmation.confirm();
        });
      } catch (java.sql.SQLException e) {
        if (summaryAfterCommit) {
          printSummaryOfFailedCommit(summary.timedFrom(start), spec, table, out);
        }
        throw e;
      }
      if (table.commitsAfterRun()) {
        timeline.phaseEnded("commit"); // not the report's: a trial's 10 s commit was "report 10.5 s"
      }
      if (summaryAfterCommit) {
        summary = summary.timedFrom(start); // the run "finished in 3.0 s" before its 10 s commit
        out.print(summary.render());
      }
      if (discarded > 0) {
        summary = summary.with("jdbc.discarded", discarded);
        out.printf(Locale.ROOT, "  %-30s %,10d   (written by task attempts that failed and were retried)%n",
            "rows left out", discarded);
      }
      if (summaryAfterCommit && summary.count("written") == 0
          && spec.sink().jdbc().mode() == JdbcSinkSpec.Mode.OVERWRITE) {
        // As specified, and more often an input cut short than meant: said where the run ends (a trial).
        out.println("    warning: an overwrite with no rows: table " + spec.sink().jdbc().connection().table()
            + " is now empty");
      }
    }
    timeline.phaseEnded("report");
    // after the commit: a failed commit is never reported as success
    Path report = writeReport(spec, summary, runner, withinLimit ? OK : TOO_MANY_BAD, peakHeap, maxHeap, args,
        timeline.phases(), liveHeap, plan.append ? runId : null);
    out.println("  report                                      -> " + report);
    out.println(timeline.render());
    if (!withinLimit) {
      List<String> reasons = new ArrayList<>(); // every limit exceeded: a fix for one may leave the other
      if (summary.badRatio() > spec.maxBadRatio()) {
        reasons.add(String.format(Locale.ROOT, "%.2f%% of records were bad, more than deadLetter.maxBadRatio %.2f%%",
            100 * summary.badRatio(), 100 * spec.maxBadRatio()));
      }
      reasons.addAll(summary.exceededLimits());
      String why = String.join("; ", reasons);
      err.printf(Locale.ROOT, "beam-etl: %s; see %s. %s%n", why, spec.deadLetterPath(), tooManyBadLeft(spec, plan,
          options.getReplayFrom() != null, table.commitsAfterRun()));
      return TOO_MANY_BAD;
    }
    for (String line : stateLines) {
      out.println("  " + line);
    }
    Files.writeString(Path.of(spec.sink().path(), "_SUCCESS"), "");
    if (options.isResumable()) {
      try {
        FlinkSettings.removeCheckpoints(options);
      } catch (IOException e) { // the output is whole: a checkpoint left over costs disk, not the run
        err.println("beam-etl: the run succeeded, but its checkpoints could not all be removed (" + e.getMessage()
            + "); remove them by hand: a later --resumeFrom=latest would find them");
      }
    }
    return OK;
  }

  /**
   * The table's transaction failed (a key the table already holds, a value too long for a column):
   * the summary and counts.jsonl say the rows are not in it, where the table says so, instead of
   * the pipeline's count of the rows it staged.
   */
  private static void printSummaryOfFailedCommit(RunSummary summary, PipelineSpec spec, TableSink table,
      PrintStream out) throws IOException {
    if (table.surelyNotCommitted()) {
      notAdded(summary, spec, "jdbc.not_committed", "the table's transaction failed and was rolled back: none of them "
          + "are in the table", out);
    } else if (table.commitInDoubt()) { // not "written": the next run asks the table (StateFile)
      notAdded(summary, spec, "jdbc.commit_unknown", "the database went away at the commit and never said whether it"
          + " took them: the next run into the table asks it, and says", out);
    } else {
      out.print(summary.render());
    }
  }

  /**
   * The summary, printed and in counts.jsonl, of a run whose rows did not go into the output after
   * all: written 0, and {@code count} the rows the pipeline wrote (staged, or its part files),
   * with {@code why} on the summary's line for them.
   */
  private static RunSummary notAdded(RunSummary summary, PipelineSpec spec, String count, String why, PrintStream out)
      throws IOException {
    long rows = summary.count("written");
    RunSummary corrected = summary.with("written", 0).with(count, rows);
    RunCounts.write(EtlPipeline.runDir(spec), new java.util.TreeMap<>(corrected.counts()));
    out.print(corrected.render());
    out.printf(Locale.ROOT, "  %-30s %,10d   (%s)%n", count.equals("not_added") ? "rows not added"
        : count.equals("jdbc.commit_unknown") ? "rows perhaps committed" : "rows not committed", rows, why);
    return corrected;
  }

  /**
   * What a run that ended with exit 3 left, and for a replay how to go on. A table that takes the
   * run's rows at its commit ({@code tableAsFound}: append or overwrite mode) did not take them.
   */
  private static String tooManyBadLeft(PipelineSpec spec, RunPlan plan, boolean replay, boolean tableAsFound) {
    String left = tableAsFound ? "Nothing was written to the table: it is as the run found it."
        : !plan.append ? "Results were written without a _SUCCESS marker."
        : spec.sink().upserts() ? "The table has this run's upserts; its output directory has no _SUCCESS marker."
        : "Nothing was added to the output: it is as the run found it (its _SUCCESS marker too, if it had one).";
    return !replay ? left : left + " Each record a replay reads was bad before, so a replay that fixes only some "
        + "of them goes over the limits: to add what passes now and give the rest new dead letters, replay again "
        + "with --maxBadRatio=1.0" + (spec.maxBad().isEmpty() ? "" : " --set=deadLetter.maxBad=null") + ".";
  }

  /**
   * What a resumable run's checkpoints belong to: the spec as run (overrides applied) and each input
   * file's path, size, modification time and, on a disk of this machine, inode and status change time
   * (a resumed run's readers check the files against the stopped run's listing: a file copied with
   * {@code cp -a} or chmod-ed since would fail it halfway) ({@code files}: as the input check matched them, the
   * source's first, then each lookup's), hashed. A resume finds only checkpoints of the same key.
   */
  static String resumeKey(PipelineSpec spec, List<List<MatchResult.Metadata>> files) {
    // Paths as the folders they are: a trial's resume through a link to the stopped run's output
    // (link/out for real/out) was refused as another spec, where the output's lock saw one directory.
    List<dev.beametl.spec.LookupSpec> lookups = new java.util.ArrayList<>();
    spec.lookups().forEach(l -> lookups.add(l.toBuilder().setSource(realSource(l.source())).build()));
    PipelineSpec same = spec.toBuilder()
        .setSource(realSource(spec.source()))
        .setLookups(lookups)
        .setSink(spec.sink().toBuilder().setPath(realPath(spec.sink().path())).build())
        .setDeadLetterPath(realPath(spec.deadLetterPath()))
        .build();
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      sha.update(same.toString().getBytes(StandardCharsets.UTF_8));
      for (List<MatchResult.Metadata> source : files) {
        for (MatchResult.Metadata file : source) {
          sha.update(("\n" + realPath(file.resourceId().toString()) + "\t" + file.sizeBytes() + "\t"
              + file.lastModifiedMillis() + "\t" + InputFiles.identity(file))
              .getBytes(StandardCharsets.UTF_8));
        }
      }
      return java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static dev.beametl.spec.SourceSpec realSource(dev.beametl.spec.SourceSpec source) {
    return source.jdbc() != null ? source : source.toBuilder().setPath(realPath(source.path())).build();
  }

  private static String realPath(String path) {
    return SpecPaths.isRemote(path) ? path : SpecPaths.real(Preflight.localPath(path)).toString();
  }

  /**
   * A stopped resumable run that had begun renaming its files into place cannot be resumed exactly:
   * its checkpoint names temporary files that are gone, and the resumed run would delete the renamed
   * ones as previous output. Refused before anything is touched.
   */
  private static void refuseResumeAfterRenames(PipelineSpec spec, EtlOptions options) {
    if (options.getResumeFrom() == null) {
      return;
    }
    Path inPlace;
    try {
      inPlace = OutputRows.fileInPlace(spec);
    } catch (IOException e) {
      throw new SpecException("--resumeFrom: cannot list the output: " + e.getMessage());
    }
    if (inPlace != null) {
      // Also after a run that finished: its output is whole, and a checkpoint, if one is left, is older.
      throw new SpecException("--resumeFrom: " + inPlace + " is in place already: the run finished, or a stopped "
          + "run had begun renaming its files, and either way no checkpoint resumes exactly onto them. Run again "
          + "without --resumeFrom");
    }
  }

  /** Where the progress line's counts come from: this JVM, or a cluster's REST API. */
  private static Progress.Counts progressCounts(EtlOptions options) {
    FlinkRestCounts cluster = FlinkRestCounts.forRemoteJob(options);
    if (cluster == null) {
      return Progress.Counts.IN_THIS_JVM;
    }
    return new Progress.Counts() {
      @Override
      public long read() {
        return cluster.recordsRead();
      }

      @Override
      public long bad() {
        return -1; // the cluster's Flink metrics hold the records read; the bad ones are counted at the end
      }
    };
  }

  /**
   * The runner's own paths given on the command line, relative to the caller's directory and
   * normalized as text, a {@code file:} URI as its path: {@code --checkpointDir=../ck} and
   * {@code --resumeFrom=../ck/<job>/chk-3} did not match as the same directory (a review).
   */
  private static void resolveRunnerPaths(EtlOptions options, Path callerDir) {
    options.setCheckpointDir(SpecPaths.local(callerDir, options.getCheckpointDir()));
    if (options.getResumeFrom() != null && !options.getResumeFrom().equals("latest")) {
      options.setResumeFrom(SpecPaths.local(callerDir, options.getResumeFrom()));
    }
    FlinkSettings.resolveConfDir(options, callerDir);
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
        .withDeadLettersAfterOutput(options.isResumable())
        .withFaults(Faults.parse(options.getFault()));
  }

  /** Writes report.json and report.html beside the run's counts; returns the HTML file. */
  private static Path writeReport(PipelineSpec spec, RunSummary summary, String runner, int exitCode, long peakHeap,
      long maxHeap, List<String> args, Map<String, Double> phases, long liveHeap,
      @javax.annotation.Nullable String appendingRun)
      throws IOException {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("results", spec.sink().path() + " (" + spec.sink().format().name().toLowerCase(Locale.ROOT) + ")");
    outputs.put("dead_letters", spec.deadLetterPath());
    outputs.put("counts", EtlPipeline.runDir(spec) + "/counts.jsonl");
    List<String> shown = args.stream().map(JdbcUrls::scrub).collect(Collectors.toList()); // no URL's password
    return new RunReport(spec.name(), runner, exitCode == OK, exitCode, summary.counts(), summary.seconds(),
        peakHeap, maxHeap, outputs, shown)
        .withPhases(phases)
        .withLiveHeap(liveHeap)
        .withExamplesFrom(Path.of(spec.deadLetterPath()), appendingRun == null ? name -> true // the run's own files
            : JobFiles.files(JobFiles.DEAD_LETTERS, appendingRun, "jsonl").asMatchPredicate())
        .writeTo(Path.of(EtlPipeline.runDir(spec)));
  }

  /** The spec with overrides applied: --set first, then the named flags, which win. */
  public static PipelineSpec loadSpec(EtlOptions options) {
    return loadSpec(options, List.of(), Path.of("").toAbsolutePath());
  }

  private static PipelineSpec loadSpec(EtlOptions options, List<String> sets, Path callerDir) {
    if (options.getPipeline() == null) {
      throw new SpecException("--pipeline is required: the spec file to run, e.g. --pipeline=pipelines/sales-by-product.yaml");
    }
    List<String> overrides = new ArrayList<>();
    if (options.getSet() != null) {
      overrides.addAll(options.getSet());
    }
    overrides.addAll(sets);
    addIfSet(overrides, "source.path", options.getInput());
    addIfSet(overrides, "sink.path", options.getOutput());
    addIfSet(overrides, "deadLetter.path", options.getDeadLetter());
    addIfSet(overrides, "deadLetter.maxBadRatio", options.getMaxBadRatio());
    addIfSet(overrides, "sink.ifExists", options.getIfExists());
    addIfSet(overrides, "encodeCategories", options.getEncodeCategories());
    return Specs.read(callerDir.resolve(options.getPipeline()), overrides, callerDir);
  }

  private static void addIfSet(List<String> overrides, String key, Object value) {
    if (value != null) {
      overrides.add(key + "=" + value);
    }
  }

  /**
   * Flink refuses, before any task starts, a checkpoint with state for a step the job lacks; its
   * message suggests skipping that state, which would lose what the step held.
   */
  static boolean checkpointDoesNotFit(Throwable e) {
    return Throwables.getCausalChain(e).stream()
        .anyMatch(t -> String.valueOf(t.getMessage()).contains("Cannot map checkpoint/savepoint state"));
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && !(t instanceof DataError || t instanceof TableSink.CommitFailed)) {
      t = t.getCause(); // these say what happened; their cause (a database's error) is in them
    }
    return t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()) + fileNameHint(t);
  }

  /**
   * What to do about a file name this JVM cannot hold in its file-name charset, the locale's: under
   * the C locale (ASCII) Java failed on données.csv with only "Malformed input or input contains
   * unmappable characters". bin/beam-etl gives such a JVM C.UTF-8 where the system has it.
   */
  static String fileNameHint(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.nio.file.InvalidPathException && String.valueOf(t.getMessage()).contains("unmappable")) {
        return " (the JVM of this run reads file names in " + System.getProperty("sun.jnu.encoding")
            + ", the charset of the locale it started in: run it under a UTF-8 locale, e.g. LC_ALL=C.UTF-8;"
            + " a warm runner too, 'bin/beam-etl daemon start' replaces it)";
      }
    }
    return "";
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    // H2 puts the statement on the lines after "SQL statement:", which alone says nothing
    return nl < 0 ? s : s.substring(0, nl).replaceFirst(";? *SQL statement: *$", "");
  }
}
