package dev.beametl.cli;

import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.spec.IncrementalSpec;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import dev.beametl.spec.SpecPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * What a run reads and how it writes, beyond its spec: everything and replacing the output (a plain
 * run), only what is new and adding to the output ({@link IncrementalState}), or the records of
 * earlier dead letters ({@link ReplayState}). Made before anything is touched, so what it refuses
 * is a usage error (exit 2); its state moves on only after a run that succeeded (exit 0).
 */
final class RunPlan {
  /** The spec as this run runs it (a mark in its database read, a replay's sink mode). */
  final PipelineSpec spec;
  /** The run adds to earlier runs' output instead of replacing it. */
  final boolean append;
  /** Why there is nothing to run, or null. */
  final @Nullable String nothingToDo;
  /** Lines for the person running the job: what this run reads, what it leaves out. */
  final List<String> notes;
  private final @Nullable List<org.apache.beam.sdk.io.fs.MatchResult.Metadata> inputFiles;
  private final @Nullable List<String> replayFiles;
  private final @Nullable IncrementalState incremental;
  private final @Nullable ReplayState replay;
  /** The state file this plan was made from, as it was then (null: none, or a plain run). */
  private final @Nullable Path stateFile;
  /** What the plan depends on in it ({@link StateFile#fingerprint}), taken before the plan read it. */
  private final String stateSeen;
  /** Whether the plan used the state (a run that starts over does not resolve it). */
  private final boolean usesState;

  private RunPlan(PipelineSpec spec, boolean append, @Nullable String nothingToDo, List<String> notes,
      @Nullable List<org.apache.beam.sdk.io.fs.MatchResult.Metadata> inputFiles, @Nullable List<String> replayFiles, @Nullable IncrementalState incremental,
      @Nullable ReplayState replay, String stateSeen, boolean usesState) {
    this.spec = spec;
    this.append = append;
    this.nothingToDo = nothingToDo;
    this.notes = List.copyOf(notes);
    this.inputFiles = inputFiles;
    this.replayFiles = replayFiles;
    this.incremental = incremental;
    this.replay = replay;
    this.stateFile = incremental != null ? Path.of(spec.sink().path(), IncrementalState.FILE)
        : replay != null ? ReplayState.file(spec) : null;
    this.stateSeen = stateSeen;
    this.usesState = usesState;
  }

  /**
   * Once this run holds its directories: the state it was planned from is still there as it was.
   * Another run that finished in between would otherwise have its rows, files or dead letters
   * loaded a second time.
   */
  void checkStateUnchanged() throws IOException {
    if (!StateFile.fingerprint(stateFile, spec, usesState).equals(stateSeen)) {
      throw new SpecException(stateFile + " changed while this run was starting: another run of this job finished "
          + "in between. Nothing ran; run again to go on from where it ended.");
    }
  }

  /** A replay's --from: a path (your directory's when relative) or a file: URI, as --output takes it. */
  private static Path replayDirectory(String from, Path callerDir) {
    if (SpecPaths.isRemote(from)) {
      throw new SpecException("--from=" + from + ": dead letters are replayed from a local or mounted directory");
    }
    return Path.of(SpecPaths.local(callerDir, from));
  }

  static RunPlan of(PipelineSpec spec, EtlOptions options, Path callerDir) throws IOException {
    IncrementalSpec incremental = spec.source().incremental();
    if (options.getReplayFrom() != null) {
      refuseResumable(options, "a replay");
      return replay(spec, replayDirectory(options.getReplayFrom(), callerDir), options);
    }
    if (options.isFull() && incremental == null) {
      throw new SpecException("--full applies to incremental sources (source.incremental); this spec reads "
          + "everything every run");
    }
    if (incremental == null) {
      return new RunPlan(spec, false, null, List.of(), null, null, null, null, "", false);
    }
    refuseResumable(options, "an incremental load");
    // Taken before the plan reads the state: a run that commits in between then shows at the check.
    String seen = StateFile.fingerprint(Path.of(spec.sink().path(), IncrementalState.FILE), spec, !options.isFull());
    IncrementalState state = IncrementalState.plan(spec, options.isFull());
    boolean append = state.continues();
    PipelineSpec runSpec = state.spec();
    if (!append) {
      // A first run, a --full run, or the repeat of a first run that failed: it replaces what this job
      // wrote there (the manifest tells; anything else is still refused), whatever sink.ifExists says.
      runSpec = runSpec.toBuilder().setSink(runSpec.sink().toBuilder()
          .setIfExists(dev.beametl.spec.SinkSpec.IfExists.OVERWRITE).build()).build();
    }
    return new RunPlan(runSpec, append, state.nothingNew(), state.notes(), state.newFiles(), null, state, null, seen,
        !options.isFull());
  }

  private static RunPlan replay(PipelineSpec spec, Path from, EtlOptions options) throws IOException {
    String seen = StateFile.fingerprint(ReplayState.file(spec), spec, true); // before the plan reads it
    ReplayState state = ReplayState.plan(from, spec);
    List<String> notes = new ArrayList<>(state.notes());
    PipelineSpec runSpec = spec.toBuilder().setSource(spec.source().toBuilder().setIncremental(null).build()).build();
    boolean append = true;
    if (spec.aggregation() != null) {
      if (spec.sink().jdbc() != null) {
        throw new SpecException("replay: this spec aggregates into a table; its replayed records would replace whole "
            + "groups with partial ones. Replay into files in a new directory: --set=sink.format=parquet "
            + "--output=NEW_DIR");
      }
      if (!OutputDirectories.isNewOrEmpty(Path.of(spec.sink().path()))) {
        throw new SpecException("replay: this spec aggregates; its replayed records would replace whole groups of "
            + spec.sink().path() + " with partial ones. Give a new directory: --output=NEW_DIR");
      }
      if (SpecPaths.real(Path.of(spec.deadLetterPath()).toAbsolutePath().normalize())
          .equals(SpecPaths.real(from.toAbsolutePath().normalize()))) {
        // A replacing run clears its dead-letter directory first: the files to replay would be gone.
        // One directory under two names (a link) too, as the spec reader compares its directories.
        throw new SpecException("replay: this spec aggregates, so the replay writes a new output and dead-letter "
            + "directory, and its dead-letter directory is the --from directory, " + from + ", whose files it would "
            + "delete before reading them. Give the replay's bad records another directory: --deadLetter=NEW_DIR");
      }
      append = false;
    }
    JdbcSinkSpec table = spec.sink().jdbc();
    if (table != null && table.mode() == JdbcSinkSpec.Mode.OVERWRITE) {
      runSpec = runSpec.toBuilder().setSink(runSpec.sink().toBuilder().setJdbc(JdbcSinkSpec.of(table.connection(),
          JdbcSinkSpec.Mode.APPEND, table.keys(), table.batchSize(), table.createTable(), table.attempts())).build())
          .build();
      notes.add("replay: the table's rows stay; the replayed rows are added to them (mode overwrite becomes append)");
    }
    return new RunPlan(runSpec, append, state.nothingToReplay(), notes, null, state.pending(), null, state, seen, true);
  }

  private static void refuseResumable(EtlOptions options, String what) {
    if (options.isResumable()) {
      throw new SpecException("--resumable: " + what + " is not resumable: a resumed run would read other files or "
          + "rows than its checkpoint holds. Run without --resumable (the runner still retries failed tasks).");
    }
  }

  /** The pipeline this plan runs. */
  EtlPipeline applyTo(EtlPipeline pipeline) {
    EtlPipeline p = pipeline.withAppend(append);
    if (inputFiles != null) {
      p = p.withInputFiles(inputFiles);
    }
    if (replayFiles != null) {
      p = replay == null ? p.withReplay(replayFiles)
          : p.withReplay(replayFiles, replay.replayedRecords(), replay.replayedRecordLists());
    }
    return p;
  }

  /** The directories this run reads besides its input and must hold: a replay's dead-letter directory. */
  @Nullable Path heldInput() {
    return replay == null ? null : replay.dir();
  }

  /**
   * When this run starts writing: a run that replaces the output (--full, or a first run) drops the
   * incremental state, so that if it fails the next run starts over rather than trusting files it
   * deleted; any other run settles a state an earlier run left unconfirmed ({@link StateFile}).
   */
  void started() throws IOException {
    if (incremental != null && !append) {
      StateFile.discard(stateFile, spec);
    } else if (stateFile != null && spec.sink().jdbc() != null) { // only a table's commit leaves a state to settle
      StateFile.settle(stateFile, spec);
    }
  }

  /** Whether this run commits a state (an incremental load, a replay) that vouches for its files. */
  boolean commitsState() {
    return incremental != null || replay != null;
  }

  /**
   * After a run that succeeded, its commit: one atomic write of the state (the next incremental run
   * goes on from here; replayed files are not replayed again), which also names this run, so its
   * files belong to the output even if the job dies before it updates the manifest. With
   * {@code unconfirmed} the state counts only once {@link #confirmation} follows or the table shows the
   * run's rows committed ({@link StateFile}).
   */
  List<String> commit(Map<String, Long> counts, String run, boolean unconfirmed) throws IOException {
    if (incremental != null) {
      return incremental.commit(counts, run, unconfirmed);
    }
    if (replay != null) {
      return replay.commit(run, unconfirmed);
    }
    return List.of();
  }

  /** What confirms, after the table's commit, the state {@link #commit} wrote; null when this run keeps none. */
  @Nullable TableSink.Confirmation confirmation() {
    return stateFile == null ? null : () -> StateFile.confirm(stateFile);
  }
}
