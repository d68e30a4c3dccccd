package dev.beametl.runner;

import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.runners.flink.PreCombineTranslator;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;

/**
 * The Flink runner settings the job chooses when the user did not: embedded settings, object reuse,
 * the restart strategy, and resumable mode. Retries and checkpoints stay the runner's; this class
 * only fills in its options.
 */
public final class FlinkSettings {
  /** Settings of the embedded runner when none are given, in the installation (the user may edit them). */
  static final String EMBEDDED_FLINK_CONF = "runners/flink/embedded/config.yaml";
  /** The same file as the build packs it, for a jar run outside the installation. */
  static final String EMBEDDED_FLINK_CONF_RESOURCE = "/beam-etl/flink-embedded/config.yaml";
  static final long RESUMABLE_SPLIT_BYTES = 8L << 20;
  /**
   * The embedded runner's managed memory in a resumable run, RocksDB's, in MB: this much, and as much
   * again per count_distinct (see useEmbeddedConfig).
   */
  static final int RESUMABLE_MANAGED_MB = 256;
  static final long CHECKPOINT_INTERVAL_MS = 5_000;
  /** A resumable run's bundles: Beam's batch sizes, see applyDefaults. */
  static final long RESUMABLE_BUNDLE_SIZE = 1_000_000;
  static final long RESUMABLE_BUNDLE_MILLIS = 10_000;
  static final int RESTART_ATTEMPTS = 3;

  private FlinkSettings() {}

  /** The embedded Flink runner is the job's default runner; the DirectRunner is for tests. */
  public static void useFlinkUnlessGiven(PipelineOptions options, List<String> given) {
    if (!given.contains("runner")) {
      options.setRunner(FlinkRunner.class);
    }
  }

  public static boolean isFlink(PipelineOptions options) {
    return options.getRunner() == FlinkRunner.class;
  }

  /** Defaults that depend only on the flags; {@code given} tells which flags the user set. */
  public static void applyDefaults(RunnerOptions options, List<String> given) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (given.contains("parallelism") && flink.getParallelism() < 1) { // 0 and -3 ran, exit 0 (a trial)
      throw new SpecException("--parallelism=" + flink.getParallelism() + ": give 1 or more (without it: the number of"
          + " cores)");
    }
    if (flink.getFlinkMaster() != null && flink.getFlinkMaster().contains("@")) {
      // Flink's client takes host:port only; a user:password@ in it was echoed in the failure and the log
      throw new SpecException("--flinkMaster: give host:port, without a user or password (the address is shown in"
          + " logs)");
    }
    if (!given.contains("objectReuse")) {
      // Without it Flink copies every element between chained steps by encoding and decoding it.
      // Safe here: no DoFn of this job mutates its input or keeps it past the call.
      flink.setObjectReuse(true);
    }
    if (!given.contains("fasterCopy")) {
      // Without it, the runner's copy of an element between operators is an encode and a decode
      // (1M sales rows: 65 s -> 48 s with this and disableMetrics below). Safe for the same reason.
      flink.setFasterCopy(true);
    }
    if (!given.contains("useDataStreamForBatch")) {
      // Beam's DataSet translation cannot chain a step with several outputs: every element of
      // Validate and of the derive step was encoded and decoded once per output (3x), the cost that
      // dominated a run. The DataStream translation chains them and passes elements by reference.
      flink.setUseDataStreamForBatch(true);
    }
    if ("[collection]".equals(flink.getFlinkMaster()) && flink.getUseDataStreamForBatch()) {
      // Beam's collection environment is its DataSet translation's; the DataStream one took it for a
      // host and failed mid-start: "Invalid bracketed host/port: [collection]" (a review)
      throw new SpecException("--flinkMaster=[collection]: Beam has that environment only in its DataSet translation;"
          + " add --useDataStreamForBatch=false, or leave --flinkMaster out to run on the embedded runner");
    }
    // ...and its combines need this to combine before the shuffle (see the class).
    PreCombineTranslator.install();
    if (isLocal(flink) && !given.contains("disableMetrics")) {
      // The runner refreshes every Beam metric after every bundle; in one JVM nobody reads them
      // (the progress line has its own counters). On a cluster they feed Flink's REST API, so stay on.
      flink.setDisableMetrics(true);
    }
    if (options.isResumable()) {
      flink.setStreaming(true);
      if (!given.contains("checkpointingInterval")) {
        flink.setCheckpointingInterval(CHECKPOINT_INTERVAL_MS);
      }
      if (!given.contains("numberOfExecutionRetries")) {
        flink.setNumberOfExecutionRetries(RESTART_ATTEMPTS);
      }
      if (!given.contains("stateBackend")) {
        flink.setStateBackend("rocksdb");
      }
      if (!given.contains("unalignedCheckpointEnabled")) {
        // Under backpressure (a slow aggregation) aligned barriers queue behind the data, and the
        // last completed checkpoint falls far behind the reads; unaligned ones overtake it.
        flink.setUnalignedCheckpointEnabled(true);
      }
      // A file sink writes each bundle to a file of its own (see the patched
      // FlinkTransformOverrides), and a streaming job's bundles default to 1,000 elements or 1 s.
      // The batch sizes instead: bundles then end at a checkpoint, about one file per writer per
      // checkpoint interval, as Flink's own file sink rolls them.
      if (!given.contains("maxBundleSize")) {
        flink.setMaxBundleSize(RESUMABLE_BUNDLE_SIZE);
      }
      if (!given.contains("maxBundleTimeMills")) {
        flink.setMaxBundleTimeMills(RESUMABLE_BUNDLE_MILLIS);
      }
      flink.setExternalizedCheckpointsEnabled(true);
      flink.setRetainExternalizedCheckpointsOnCancellation(true);
      if (!given.contains("shutdownSourcesAfterIdleMs")) {
        // With checkpoints on, Beam keeps finished sources alive forever unless told otherwise,
        // and a job over bounded input never reaches FINISHED.
        flink.setShutdownSourcesAfterIdleMs(1_000L);
      }
      if (!given.contains("maxSplitBytes")) {
        options.setMaxSplitBytes(RESUMABLE_SPLIT_BYTES);
      }
    } else if (options.getResumeFrom() != null) {
      throw new SpecException("--resumeFrom needs --resumable: only a resumable run takes checkpoints");
    }
  }

  /**
   * Flink's own path flags - {@code --flinkConfDir}, {@code --savepointPath},
   * {@code --stateBackendStoragePath} - given relative, mean the caller's directory: the warm runner's
   * JVM, started elsewhere, read or wrote them in its own. A URI ({@code file:///...}, {@code s3://...})
   * stays as written.
   */
  public static void resolveConfDir(RunnerOptions options, Path callerDir) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getFlinkConfDir() != null) {
      flink.setFlinkConfDir(callerDir.resolve(flink.getFlinkConfDir()).toString());
    }
    if (flink.getSavepointPath() != null) {
      flink.setSavepointPath(dev.beametl.spec.SpecPaths.resolve(callerDir, flink.getSavepointPath()));
    }
    if (flink.getStateBackendStoragePath() != null) {
      flink.setStateBackendStoragePath(dev.beametl.spec.SpecPaths.resolve(callerDir, flink.getStateBackendStoragePath()));
    }
  }


  /** Settings that depend on the spec: the job's name and where its checkpoints go. */
  public static void applySpec(RunnerOptions options, PipelineSpec spec) {
    applySpec(options, spec, null);
  }

  /**
   * As {@link #applySpec(RunnerOptions, PipelineSpec)}; a resumable run's checkpoints go under
   * {@code <checkpointDir>/<pipeline>/<runKey>}, and only a checkpoint there is resumed. The key
   * stands for the spec and its input files as they are (see EtlJob): a checkpoint restored into a
   * job with another filter, or over files changed since, went on with rows of both, exit 0.
   */
  public static void applySpec(RunnerOptions options, PipelineSpec spec, @javax.annotation.Nullable String runKey) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getJobName() == null || flink.getJobName().startsWith("etljob-")) {
      flink.setJobName("beam-etl-" + spec.name());
    }
    if (!options.isResumable()) {
      return;
    }
    String why = notResumable(spec.source());
    for (dev.beametl.spec.LookupSpec lookup : spec.lookups()) {
      String lookupWhy = notResumable(lookup.source());
      why = why != null || lookupWhy == null ? why : "lookup " + lookup.name() + ": " + lookupWhy;
    }
    if (why != null) {
      throw new SpecException("--resumable: " + why + "; a restore would read part of it twice. Run without "
          + "--resumable (the runner then retries failed tasks from the start of their input).");
    }
    if (spec.sink().shards() > 0) {
      // Beam's sharded write groups each shard's rows, which a streaming job holds until the input
      // ends and then reads into the heap at once: 600,000 rows with -Xmx256m ran out of memory.
      throw new SpecException("sink.shards: a resumable run writes a file per writer and checkpoint; "
          + spec.sink().shards() + " fixed shards would hold all rows in memory until the input ends. Remove "
          + "sink.shards (--set=sink.shards=0), or run without --resumable");
    }
    JdbcSinkSpec table = spec.sink().jdbc();
    if (options.getResumeFrom() != null && table != null && table.mode() != JdbcSinkSpec.Mode.UPSERT) {
      // Refused as "steps this job does not have" after the job began: its steps are named for the run's tables.
      throw new SpecException("--resumeFrom: sink.jdbc mode " + table.mode().name().toLowerCase(java.util.Locale.ROOT)
          + " stages a run's rows in tables named for that run and moves them into " + table.connection().table()
          + " in one transaction at its end; a resumed run is a new run, whose tables lack the rows the stopped "
          + "one staged before its checkpoint. Run again without --resumeFrom" + (spec.sink().ifExists()
          == dev.beametl.spec.SinkSpec.IfExists.FAIL ? " and with --ifExists=overwrite (" + spec.sink().path()
          + " holds the stopped run's counts)" : "") + "; the table holds none of the stopped run's rows. Or use "
          + "mode: upsert with keys, which resumes");
    }
    if (options.isResumable() && table != null && table.mode() != JdbcSinkSpec.Mode.UPSERT) {
      // Exact only in a batch run, where a failed attempt's staged rows are left out: its bundles never
      // reach the shuffle that notes them. Restored from a checkpoint, a streaming job's tasks stage
      // again what they had staged since it, and both copies were kept (a trial: exit 0, 482 rows twice).
      throw new SpecException("--resumable with sink.jdbc mode " + table.mode().name().toLowerCase(java.util.Locale.ROOT)
          + ": a task restarted from a checkpoint stages again the rows it had staged since that checkpoint, and the "
          + "run's commit would move both copies into " + table.connection().table() + ". Run without --resumable (a "
          + "batch run's restarted tasks leave their failed attempts' rows out), or use mode: upsert with keys, which "
          + "resumes");
    }
    Path pipeline = checkpointDir(options, spec);
    Path checkpoints = runKey == null ? pipeline : pipeline.resolve(runKey);
    boolean ours = flink.getStateBackendStoragePath() == null;
    if (ours) {
      flink.setStateBackendStoragePath(checkpoints.toUri().toString());
    }
    String from = options.getResumeFrom();
    if (from != null) {
      Path checkpoint;
      if ("latest".equals(from)) {
        List<Path> retained = checkpoints(checkpoints, 3); // <job>/chk-N/_metadata
        if (retained.isEmpty() && !checkpoints(pipeline, 4).isEmpty()) {
          throw new SpecException("--resumeFrom=latest: the checkpoints under " + pipeline + " were taken by runs of "
              + "another spec or of input files changed since (a resume must run the same spec over the same "
              + "files); run without --resumeFrom to start from the beginning");
        }
        checkpoint = onlyRunsLatest(checkpoints, retained);
      } else {
        checkpoint = Path.of(from).toAbsolutePath().normalize();
      }
      if (!Files.isRegularFile(checkpoint.resolve("_metadata"))) {
        throw new SpecException("--resumeFrom: " + checkpoint + " is not a checkpoint (no _metadata in it); "
            + "give a chk-N directory under " + checkpoints + " or 'latest'");
      }
      if (ours && runKey != null && !checkpoint.startsWith(checkpoints)) {
        throw new SpecException("--resumeFrom: " + checkpoint + " was not taken by a run of this spec over these "
            + "input files (their checkpoints go under " + checkpoints + "; another spec, or files changed since, "
            + "would mix rows of both); run without --resumeFrom to start from the beginning");
      }
      flink.setSavepointPath(checkpoint.toUri().toString());
    }
  }

  /**
   * An embedded H2 database lives in the JVM that opens it; on a session cluster the client and the
   * TaskManagers are other JVMs, on other machines. A run into an in-memory table on the cluster
   * wrote into each TaskManager's own, empty database and restarted its tasks for ten minutes (a
   * trial); a file database, AUTO_SERVER or not, is either locked by the first JVM to open it or
   * served from a task's class loader that Flink releases when the job ends (its commit failed with a
   * NoClassDefFoundError, and the TaskManager kept the file locked for every later run). Reading an
   * in-memory database its URL builds with an INIT script works: each JVM builds the same one.
   */
  public static void refuseEmbeddedDatabases(PipelineSpec spec, PipelineOptions options) {
    if (isFlink(options) && clusterAddress(options) != null) {
      refuseEmbeddedDatabases(spec);
    }
  }

  static void refuseEmbeddedDatabases(PipelineSpec spec) {
    String fix = " lives in the JVM that opens it, and on a Flink cluster the job's client and TaskManagers are other "
        + "JVMs. Serve it with H2's TCP server and give jdbc:h2:tcp://host/<path>, use a database server "
        + "(PostgreSQL, MariaDB), or run on the embedded runner (leave --flinkMaster out)";
    if (spec.sink().jdbc() != null && isEmbeddedH2(spec.sink().jdbc().connection().url())) {
      throw new SpecException("sink.jdbc.url: an embedded H2 database (jdbc:h2:mem:, jdbc:h2:file:)" + fix);
    }
    if (spec.source().jdbc() != null && embeddedH2Read(spec.source().jdbc().url())) {
      throw new SpecException("source.jdbc.url: an embedded H2 database" + READ + fix);
    }
    for (dev.beametl.spec.LookupSpec lookup : spec.lookups()) {
      if (lookup.source().jdbc() != null && embeddedH2Read(lookup.source().jdbc().url())) {
        throw new SpecException("lookups." + lookup.name() + ".source.jdbc.url: an embedded H2 database" + READ + fix);
      }
    }
  }

  private static final String READ = " (a file, or in memory without an INIT script that builds it in each JVM)";

  /** H2 in this process: any H2 URL but its servers' (tcp:, ssl:). */
  static boolean isEmbeddedH2(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    return u.startsWith("jdbc:h2:") && !u.startsWith("jdbc:h2:tcp:") && !u.startsWith("jdbc:h2:ssl:");
  }

  /** An embedded H2 database each JVM cannot build for itself: not an in-memory one with an INIT script. */
  private static boolean embeddedH2Read(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    return isEmbeddedH2(url) && !(u.startsWith("jdbc:h2:mem:") && u.contains(";init="));
  }

  /**
   * Why a source cannot be resumed exactly, or null. A checkpoint saves the unread rest of a
   * byte range (see the patched FlinkBoundedSourceReader); other splits restart whole.
   */
  public static String notResumable(SourceSpec source) {
    if (source.format() != SourceSpec.Format.CSV && source.format() != SourceSpec.Format.JSONL) {
      return "a " + source.format().name().toLowerCase() + " source is restored split by split";
    }
    boolean compressed = source.compression() == SourceSpec.Compression.GZIP
        || (source.compression() == SourceSpec.Compression.AUTO
            && Compression.detect(source.path()) != Compression.UNCOMPRESSED);
    if (compressed || source.multiline() || !source.newlineIsOneByte()) {
      return "compressed, multi-line or UTF-16/32 files are read whole, not in byte ranges";
    }
    return null;
  }

  /**
   * A resumable run refuses input files that would be read whole: {@link #notResumable} judges the
   * source's glob, and a glob such as {@code in/*} does not say that it matches {@code a.csv.gz},
   * which (compression: auto) is read whole and restored from its start, its rows before the
   * checkpoint written twice (a review). {@code files}: the source's matched files, then each lookup's.
   */
  public static void refuseFilesReadWhole(PipelineSpec spec,
      List<List<org.apache.beam.sdk.io.fs.MatchResult.Metadata>> files) {
    for (int i = 0; i < files.size(); i++) {
      SourceSpec source = i == 0 ? spec.source() : spec.lookups().get(i - 1).source();
      String what = i == 0 ? "source" : "lookup " + spec.lookups().get(i - 1).name();
      if (source.compression() != SourceSpec.Compression.AUTO || notResumable(source) != null) {
        continue; // none compressed, or refused by its spec already
      }
      for (org.apache.beam.sdk.io.fs.MatchResult.Metadata file : files.get(i)) {
        if (Compression.detect(file.resourceId().getFilename()) != Compression.UNCOMPRESSED) {
          throw new SpecException("--resumable: " + what + " file " + file.resourceId() + " is compressed, and "
              + "compressed files are read whole, not in byte ranges; a restore would read part of it twice. Run "
              + "without --resumable (the runner then retries failed tasks from the start of their input), or "
              + "leave compressed files out of " + source.path());
        }
      }
    }
  }

  static Path checkpointDir(RunnerOptions options, PipelineSpec spec) {
    return Path.of(options.getCheckpointDir(), spec.name()).toAbsolutePath();
  }

  /**
   * The newest of {@code all}, the checkpoints under {@code dir}, when all of them are one run's.
   * Checkpoints of two runs (two runs of the pipeline at once on one --checkpointDir, or a stopped
   * run never resumed beside a newer one) make "latest" a guess: the newest may be a running job's,
   * which Flink deletes as it goes (a resume failed on it), or another run's than the one to resume.
   */
  private static Path onlyRunsLatest(Path dir, List<Path> checkpoints) {
    // A run resumed from is superseded by the run that resumed it (stopped in turn: kill, resume, kill).
    List<Path> notResumed = checkpoints.stream().filter(chk -> !Files.exists(chk.getParent().resolve(RESUMED)))
        .collect(Collectors.toList());
    List<Path> all = notResumed.isEmpty() ? checkpoints : notResumed;
    Path latest = all.stream().max(NEWEST).orElseThrow(() -> new SpecException("--resumeFrom=latest: no retained "
        + "checkpoint under " + dir + "; run without --resumeFrom to start from the beginning"));
    List<Path> runs = all.stream().map(Path::getParent).distinct().sorted().collect(Collectors.toList());
    // Every run there was resumed from (a chain whose last resume stopped before its first checkpoint):
    // the newest is the chain's latest.
    if (runs.size() > 1 && !notResumed.isEmpty()) {
      throw new SpecException("--resumeFrom=latest: " + dir + " holds checkpoints of " + runs.size() + " runs ("
          + runs.stream().map(r -> r.getFileName().toString()).collect(Collectors.joining(", "))
          + "); give the one to resume as --resumeFrom=" + dir + "/<run>/chk-N (the newest: " + latest
          + "), and give runs of one pipeline at once each its own --checkpointDir");
    }
    return latest;
  }

  /** Beside a run's checkpoints: a later run resumed from one of them, and supersedes them. */
  public static final String RESUMED = "_resumed_by_a_later_run";

  /**
   * As a resumed run starts: marks the run it resumes from as superseded, so that when this one is
   * stopped too, --resumeFrom=latest takes this one's checkpoints, not the older run's beside them
   * (refused as two runs' before: kill, resume and kill again could only be resumed by naming a chk-N).
   */
  public static void markResumed(RunnerOptions options) {
    String from = options.as(FlinkPipelineOptions.class).getSavepointPath();
    if (from == null || options.getResumeFrom() == null) {
      return;
    }
    try {
      Path run = Path.of(java.net.URI.create(from)).getParent();
      if (Files.isDirectory(run)) {
        Files.writeString(run.resolve(RESUMED), "");
      }
    } catch (IOException | RuntimeException e) {
      // not a local checkpoint: latest is refused among two runs' checkpoints there, as before
    }
  }

  /** Checkpoints by when their metadata was written. */
  private static final Comparator<Path> NEWEST = Comparator.comparing(chk -> modified(chk.resolve("_metadata")));

  /**
   * Before anything is set up, a resumable run on the embedded runner makes the directory its
   * checkpoints go to: one that cannot be made failed the job once it ran, exit 1, after the output
   * was set up (a trial). Not in a dry run, which creates nothing.
   */
  public static void createCheckpointDir(RunnerOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String storage = flink.getStateBackendStoragePath();
    if (!options.isResumable() || !isFlink(options) || !isLocal(flink) || storage == null
        || !storage.startsWith("file:")) {
      return;
    }
    Path dir = Path.of(java.net.URI.create(storage));
    try {
      Files.createDirectories(dir);
    } catch (IOException | RuntimeException e) {
      throw new SpecException("--checkpointDir=" + options.getCheckpointDir() + ": cannot create " + dir + " ("
          + e.getMessage() + "); give a directory this run can write");
    }
    if (!Files.isWritable(dir)) {
      throw new SpecException("--checkpointDir=" + options.getCheckpointDir() + ": " + dir + " cannot be written; "
          + "give a directory this run can write");
    }
  }

  /**
   * Every complete checkpoint under {@code dir}, {@code depth} levels down to the {@code _metadata}
   * files: the {@code chk-N} directories holding one.
   */
  private static List<Path> checkpoints(Path dir, int depth) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try {
      // Walked from its real path (a link itself is all find visits of it), named as under dir.
      Path real = dir.toRealPath();
      try (Stream<Path> files = Files.find(real, depth, (p, a) -> p.getFileName().toString().equals("_metadata")
          && p.getParent().getFileName().toString().startsWith("chk-"))) {
        return files.map(p -> dir.resolve(real.relativize(p)).getParent()).collect(Collectors.toList());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * After a resumable run succeeded, the checkpoints it resumed from have served, and so have its
   * own: Flink discards those as the job finishes, but once left one behind (a CI run), which the
   * next --resumeFrom=latest would have met beside a stopped run's. Under the directory this job
   * chose for its spec and input, every checkpoint is of a run with this output, which is now
   * whole (two such runs at once are refused by the output's lock); a storage path of the caller's
   * keeps all but the one resumed from. Flink may still be discarding the job's last checkpoint
   * there as this runs (its cleaner goes on after the job's result is out: a plain delete that met
   * it failed a finished run in CI), so files already gone are passed over and the walk repeated.
   */
  public static void removeCheckpoints(RunnerOptions options) throws IOException {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String from = flink.getSavepointPath();
    if (from != null) {
      Path resumed = Path.of(java.net.URI.create(from)).getParent();
      if (Files.exists(resumed)) {
        MoreFiles.deleteRecursively(resumed, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
    String storage = flink.getStateBackendStoragePath();
    java.net.URI uri = storage == null ? null : java.net.URI.create(storage);
    if (uri != null && "file".equals(uri.getScheme())) {
      Path own = Path.of(uri);
      if (own.startsWith(Path.of(options.getCheckpointDir()).toAbsolutePath())) {
        deleteWhileFlinkCleans(own);
      }
    }
  }

  private static void deleteWhileFlinkCleans(Path dir) throws IOException {
    for (int attempt = 1; Files.exists(dir); attempt++) {
      try {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (NoSuchFileException e) {
        // gone under the walk: the next round finds it so
      } catch (IOException e) {
        if (attempt == 50) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * Whether stages should report Beam metrics: not when the runner's metrics are off
   * ({@code --disableMetrics}, the embedded runner's default), since Beam then logs an error for the
   * first counter a DoFn touches. Other runners keep them.
   */
  public static boolean runnerMetrics(PipelineOptions options) {
    return !options.as(FlinkPipelineOptions.class).getDisableMetrics();
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * Why a run on a session cluster failed with a refused connection: the client lost the cluster
   * (stopped mid-job, it failed after its retries with "Connection refused" alone; a trial).
   */
  public static String clusterLost(PipelineOptions options, Throwable e) {
    String master = isFlink(options) ? clusterAddress(options) : null;
    List<Throwable> chain = org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Throwables.getCausalChain(e);
    // A JobExecutionException is the cluster's answer: the job failed there, perhaps on a database
    // that refused a task's connection; the cluster itself was reached (a review).
    if (master == null || chain.stream().anyMatch(t -> t instanceof org.apache.flink.runtime.client.JobExecutionException)
        || chain.stream().noneMatch(t -> t instanceof java.net.ConnectException)) {
      return "";
    }
    return " (the Flink cluster at " + master + " stopped answering while the job ran; whether the job still runs "
        + "there is not known: see its REST API or runners/flink/status.sh, and run again once it is up)";
  }

  /** The cluster {@code --flinkMaster} names, or null when the job runs in this process ({@code [local]} and the like). */
  public static @javax.annotation.Nullable String clusterAddress(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    return isLocal(flink) || flink.getFlinkMaster().isBlank() ? null : flink.getFlinkMaster();
  }

  /**
   * Whether the job runs in this process: Beam's own names for that, not any address in brackets
   * (an IPv6 address, {@code [::1]:8081}, is a cluster).
   */
  static boolean isLocal(FlinkPipelineOptions flink) {
    String master = flink.getFlinkMaster();
    return master == null || master.equals("[local]") || master.equals("[auto]") || master.equals("[collection]");
  }

  /**
   * The embedded runner's Flink config for one run, written into the run's scratch directory: the
   * installation's {@value #EMBEDDED_FLINK_CONF} (or the copy in the jar), with
   * {@code --numberOfExecutionRetries} as its restart attempts when given (Beam hands that flag to
   * streaming jobs only; a batch job takes its restart strategy from the config), and Flink's
   * temporary files in the scratch directory. Not used with {@code --flinkConfDir},
   * {@code FLINK_CONF_DIR} or a remote {@code --flinkMaster}.
   */
  public static void useEmbeddedConfig(RunnerOptions options, Path scratch) {
    useEmbeddedConfig(options, scratch, 0);
  }

  /**
   * As {@link #useEmbeddedConfig(RunnerOptions, Path)}, for a job with {@code distinctCounts}
   * count_distinct metrics: each adds shuffles to the read's stage and the ones after it (its pairs,
   * their keys, the join), and every sort-merge shuffle partition reserves 64 buffers of 32 KB. With 16
   * MB per degree of parallelism, four such metrics at parallelism 2 failed a subtask for want of
   * network buffers, and eight failed the job; each now adds 8 MB per degree of parallelism.
   */
  public static void useEmbeddedConfig(RunnerOptions options, Path scratch, int distinctCounts) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (!isFlink(options) || !isLocal(flink)) {
      return;
    }
    String ownConfig = flink.getFlinkConfDir() != null ? flink.getFlinkConfDir() : System.getenv("FLINK_CONF_DIR");
    if (ownConfig != null) {
      if (flink.getSavepointPath() != null && !namesSavepoint(Path.of(ownConfig))) {
        // Without it the run would start over, and then delete the checkpoint it was to resume.
        throw new SpecException("--resumeFrom on the embedded runner with your own Flink config (" + ownConfig
            + "): Beam gives the checkpoint only to a remote Flink master, so add 'execution.savepoint.path: "
            + flink.getSavepointPath() + "' to that config, or run without --flinkConfDir / FLINK_CONF_DIR");
      }
      return;
    }
    try {
      List<String> lines = new java.util.ArrayList<>(embeddedConfig());
      if (flink.getNumberOfExecutionRetries() >= 0 && !options.isResumable()) {
        withRestarts(lines, flink.getNumberOfExecutionRetries());
        // ...and only there: Beam's DataStream translation hands the flag to the job itself, where Flink
        // makes it a fixed delay of 10 s per attempt that overrides any config (a review; 7 -> "fixed
        // delay (PT10S), #7 restart attempts")
        flink.setNumberOfExecutionRetries(-1);
      }
      if (options.isResumable()) {
        // Streaming with RocksDB state: pipelined shuffles take buffers per channel, so the network
        // memory keeps Flink's local default, not the batch job's. RocksDB lives in the managed
        // memory (shared by the slots' state, half of it for write buffers), and past what that
        // holds, its writes stall behind flushes and compactions: 1.1M groups (4.5M order lines,
        // -Xmx256m) took 148-290 s with Flink's local 128 MB and 30-33 s with 256 MB, peak RSS
        // 680-780 MB either way (RocksDB takes what it needs, up to the size). Each count_distinct adds
        // merges of as many keys (its pairs, their counts, one more input to the join), each its own
        // RocksDB sharing that memory: 600,000 groups with two of them took 303 s with 256 MB and
        // 32 s with 768 MB.
        lines.removeIf(l -> l.startsWith("taskmanager.memory."));
        lines.add("taskmanager.memory.managed.size: " + RESUMABLE_MANAGED_MB * (1 + distinctCounts) + "m");
      } else {
        // Batch: a sort-merge shuffle partition reserves 64 buffers of 32 KB per channel; 16 MB per
        // degree of parallelism, and 8 MB more per count_distinct (see above).
        int parallelism = EmbeddedFlink.parallelism(flink);
        String network = Math.max(32, (16 + 8 * distinctCounts) * parallelism) + "m";
        lines.removeIf(l -> l.startsWith("taskmanager.memory.network."));
        lines.add("taskmanager.memory.network.min: " + network);
        lines.add("taskmanager.memory.network.max: " + network);
        lines.add(EmbeddedFlink.SIZED_TO_JOB + ": true"); // and more if the job's graph needs it
      }
      if (flink.getSavepointPath() != null) {
        // Beam hands --savepointPath only to a remote master; an embedded job would start again from
        // the beginning (exact, but nothing resumed). Flink's local environment reads it from here.
        lines.removeIf(l -> l.startsWith("execution.savepoint.path:"));
        lines.add("execution.savepoint.path: " + flink.getSavepointPath());
      }
      lines.removeIf(l -> l.startsWith("io.tmp.dirs:"));
      lines.add("io.tmp.dirs: " + Files.createDirectories(scratch.resolve("flink-tmp")));
      Path conf = Files.createDirectories(scratch.resolve("flink-conf"));
      Files.write(conf.resolve("config.yaml"), lines);
      flink.setFlinkConfDir(conf.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedded runner's config", e);
    }
  }

  /**
   * The config's restart strategy (an installation may have edited its type) with {@code retries}
   * attempts; 0: none, the job fails at its first failure.
   */
  static void withRestarts(List<String> lines, int retries) {
    String type = lines.stream().filter(l -> l.startsWith("restart-strategy.type:"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim()).reduce((a, b) -> b).orElse("exponential-delay");
    String kept = type.equals("fixed-delay") || type.equals("failure-rate") ? type : "exponential-delay";
    String attempts = kept.equals("fixed-delay") ? "restart-strategy.fixed-delay.attempts"
        : kept.equals("failure-rate") ? "restart-strategy.failure-rate.max-failures-per-interval"
        : "restart-strategy.exponential-delay.attempts-before-reset-backoff";
    lines.removeIf(l -> l.startsWith(attempts + ":") || l.startsWith("restart-strategy.type:"));
    lines.addAll(Arrays.asList("restart-strategy.type: " + (retries == 0 ? "none" : kept), attempts + ": " + retries));
  }

  /** Whether a Flink config directory of the user's sets the checkpoint to restore itself. */
  private static boolean namesSavepoint(Path confDir) {
    for (String name : List.of("config.yaml", "flink-conf.yaml")) {
      try {
        Path file = confDir.resolve(name);
        if (Files.isRegularFile(file) && Files.readString(file).contains("execution.savepoint.path")) {
          return true;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  private static List<String> embeddedConfig() throws IOException {
    Optional<Path> installed = Installation.file(EMBEDDED_FLINK_CONF);
    if (installed.isPresent()) {
      return Files.readAllLines(installed.get());
    }
    try (java.io.InputStream in = FlinkSettings.class.getResourceAsStream(EMBEDDED_FLINK_CONF_RESOURCE)) {
      if (in == null) {
        throw new IOException("neither " + EMBEDDED_FLINK_CONF + " nor its copy in the jar was found");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
          .collect(Collectors.toList());
    }
  }

}
