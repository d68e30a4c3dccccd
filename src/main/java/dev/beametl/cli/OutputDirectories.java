package dev.beametl.cli;

import dev.beametl.load.HivePartitions;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;

/**
 * The run's output directories (results and dead letters). Before the run: each is new, empty, or -
 * with {@code ifExists: overwrite} - holds exactly what this job's previous run wrote there, as its
 * {@link RunManifest} lists it; anything else is refused, naming the file, so a mistyped
 * {@code --output} never deletes someone's files. The run then holds both directories
 * ({@link OutputLock}), deletes the previous output, and at its end lists what it wrote.
 */
final class OutputDirectories implements AutoCloseable {
  /** A file an appending run wrote: {@code part-<run>-00000-of-00002.parquet}, at any depth. */
  private static final Pattern RUN_FILE = Pattern.compile("(?:" + JobFiles.PART + "|" + JobFiles.DEAD_LETTERS
      + ")-(" + JobFiles.RUN + ")-" + JobFiles.SHARD + "\\.\\w+");
  /**
   * What this job writes: Beam's part files, the dead letters, the run folder, the success marker
   * and Beam's temporary folders (and the partition directories of a partitioned sink, see
   * isPartition). Taken as a run's output only where its incomplete manifest says a run died there
   * before listing them. A directory without a manifest holds nothing of this job's, whatever its
   * names: every run writes one before its first file, and part files named like these are what
   * Spark, Hive and other Beam jobs write too (a partition of another table, say).
   */
  private static final Pattern JOB_NAMES = Pattern.compile(
      JobFiles.PART + "-(" + JobFiles.RUN + "-)?" + JobFiles.SHARD + "\\.(parquet|csv|jsonl)|" + JobFiles.DEAD_LETTERS
          + "-(" + JobFiles.RUN + "-)?" + JobFiles.SHARD + "\\.jsonl|" + JobFiles.RUN_FOLDER + "|_SUCCESS|"
          + Pattern.quote(JobFiles.TEMPORARY_FOLDER) + "[-\\w]*");
  /** The directory's own bookkeeping, never a run's output. */
  private static final Set<String> OWN = Set.of(OutputLock.FILE, RunManifest.FILE, AtomicJson.tmpName(RunManifest.FILE),
      IncrementalState.FILE, AtomicJson.tmpName(IncrementalState.FILE), ReplayState.FILE,
      AtomicJson.tmpName(ReplayState.FILE), ReplayState.RECORDS_DIR);

  private final PipelineSpec spec;
  private final List<Path> dirs;
  private final String run;
  private final List<OutputLock> locks;
  private final @Nullable String partitionPrefix;
  private final boolean append;
  /** Runs whose state commit (incremental, replay) names them, whatever the manifest says. */
  private final List<String> committedByState;
  /** A resumable run: temporary folders hold files a checkpoint may name, see {@link #keepingTemporaryFolders}. */
  private final boolean keepTemporary;
  /** The output directories an appending run found finished ({@code _SUCCESS}), see {@link #finish(boolean)}. */
  private final Set<Path> finishedBefore = new java.util.HashSet<>();

  private OutputDirectories(PipelineSpec spec, List<Path> dirs, String run, List<OutputLock> locks,
      @Nullable String partitionPrefix, boolean append, List<String> committedByState, boolean keepTemporary) {
    this.spec = spec;
    this.dirs = dirs;
    this.run = run;
    this.locks = locks;
    this.partitionPrefix = partitionPrefix;
    this.append = append;
    this.committedByState = committedByState;
    this.keepTemporary = keepTemporary;
  }

  /**
   * For a resumable run: Beam's temporary folders ({@code .temp-beam-*}) are kept when the run
   * starts and when it fails. A resumable run's file sinks write a temporary file per checkpoint
   * interval and rename them all when the input has ended; a checkpoint names the files written
   * before it, and a run resumed from it renames them then. A successful run deletes the folders.
   */
  OutputDirectories keepingTemporaryFolders(boolean keep) {
    return new OutputDirectories(spec, dirs, run, locks, partitionPrefix, append, committedByState, keep);
  }

  private RunManifest owned(RunManifest manifest, Path dir) {
    boolean deadLetters = !dir.equals(dirs.get(0));
    return manifest.of(spec.name(), layout(spec), deadLetters ? null : columns(spec), outputOf(spec), deadLetters);
  }

  /**
   * The output a run writes its results to, as its manifests name it: the real path of as much of it
   * as exists, so one directory reached through a symbolic link or {@code x/../out} is one output.
   */
  private static String outputOf(PipelineSpec spec) {
    return dev.beametl.spec.SpecPaths.real(Path.of(spec.sink().path()).toAbsolutePath().normalize()).toString();
  }

  /** The sink's files as a reader of the whole output must find them alike: format and partitioning. */
  static String layout(PipelineSpec spec) {
    return spec.sink().format().name().toLowerCase(java.util.Locale.ROOT)
        + (spec.sink().partitionBy().isEmpty() ? "" : " partitioned by " + spec.sink().partitionBy());
  }

  /**
   * The columns of the sink's files as their readers match them across files: names in order, and
   * for Parquet and JSON also the types written (a category is text). A CSV reader takes the first
   * file's header for all (DuckDB), so a column moved or renamed silently shifts the values under
   * it; a changed Parquet type cannot be read with the rest. Null for a table, which TableFit checks.
   */
  static @Nullable String columns(PipelineSpec spec) {
    SinkSpec.Format format = spec.sink().format();
    if (format == SinkSpec.Format.JDBC) {
      return null;
    }
    // A partition column is in the directory names (the layout), not in the files.
    return OutputColumns.of(spec).without(spec.sink().partitionBy()).columns().stream()
        .map(c -> format == SinkSpec.Format.CSV ? c.name() : c.name() + " " + (c.type().kind()
            == dev.beametl.spec.FieldType.Kind.CATEGORY ? "string" : c.type().toString()))
        .collect(Collectors.joining(", "));
  }

  /** An appending run refused for adding files unlike those the output {@code dir} {@code holds}. */
  private static SpecException addingOtherFiles(Path dir, String holds, String keep) {
    return new SpecException("sink: output \"" + dir + "\" holds " + holds + ", and this run adds to it: keep " + keep
        + ", or write it anew (an incremental load: --full), since its readers take the files as one table");
  }

  /** Where the columns {@code had} and {@code now} (as {@link #columns} gives them) first differ. */
  static String firstDifference(String had, String now) {
    List<String> a = List.of(had.split(", "));
    List<String> b = List.of(now.split(", "));
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).equals(b.get(i))) {
        return "column " + (i + 1) + " is \"" + a.get(i) + "\" in its files and \"" + b.get(i) + "\" in this run";
      }
    }
    return "its files have " + a.size() + " columns and this run's " + b.size()
        + " (" + String.join(", ", (a.size() > b.size() ? a : b).subList(Math.min(a.size(), b.size()),
        Math.max(a.size(), b.size()))) + (a.size() > b.size() ? " not in this run)" : " new)");
  }

  /** How the sink's top-level partition directories begin, {@code region=}; null when it has none. */
  private static @Nullable String partitionPrefix(PipelineSpec spec) {
    List<String> by = spec.sink().partitionBy();
    return by.isEmpty() ? null : HivePartitions.escape(by.get(0)) + "=";
  }

  /**
   * Whether a dead-letter directory whose manifest names another output was moved together with
   * this run's output ({@code mv out moved; mv out-dead-letter moved-dead-letter}): every run writes
   * both manifests, naming itself, so the output's manifest names the same run.
   */
  private static boolean movedTogether(PipelineSpec spec, RunManifest deadLetters) {
    RunManifest results = readManifest(of(spec).get(0));
    return results != null && results.run.equals(deadLetters.run) && !Files.exists(Path.of(deadLetters.output));
  }

  /** Whether {@code dir} is one of the run's directories, under any name (a symbolic link to it, say). */
  static boolean holds(PipelineSpec spec, Path dir) {
    for (Path own : of(spec)) {
      try {
        if (own.equals(dir) || Files.exists(own) && Files.exists(dir) && Files.isSameFile(own, dir)) {
          return true;
        }
      } catch (IOException e) {
        // unreadable: taken as another directory, whose lock then says more
      }
    }
    return false;
  }

  /**
   * Whether an earlier run of these directories went by {@code run}: a file or directory name holds
   * it, or one of the job's own files (a manifest, a state) names it. An appending run's id names its
   * files and tells its files from the others' (what a failed run leaves is deleted by it), and ids
   * are 32 random bits: over 10,000 runs of one output two share one with a chance of about 1%, and
   * then a run replaced or deleted another's committed files (a review). An id found here is drawn
   * again; a false match only costs another draw.
   */
  static boolean heldRun(PipelineSpec spec, String run) {
    for (Path dir : of(spec)) {
      try (Stream<Path> all = Files.isDirectory(dir) ? Files.walk(dir.toRealPath()) : Stream.empty()) {
        for (Path p : (Iterable<Path>) all::iterator) {
          String name = p.getFileName().toString();
          if (name.contains(run) || name.startsWith(".beam-etl-") && name.endsWith(".json")
              && Files.isRegularFile(p) && Files.readString(p).contains(run)) {
            return true;
          }
        }
      } catch (IOException | java.io.UncheckedIOException e) {
        // not held: another run's temporary files came and went while this looked (two runs at once,
        // which the lock then refuses), or a directory cannot be read, which the run finds itself
      }
    }
    return false;
  }

  static List<Path> of(PipelineSpec spec) {
    return List.of(Path.of(spec.sink().path()), Path.of(spec.deadLetterPath()));
  }

  /** Before the run, touching nothing: each directory may be written, and overwritten if it must. */
  static void check(PipelineSpec spec) {
    check(spec, false);
  }

  /**
   * As {@link #check(PipelineSpec)}; an appending run ({@code append}: an incremental load, a
   * replay) expects the output of earlier runs and keeps it, so only what this job did not write
   * stops it.
   */
  static void check(PipelineSpec spec, boolean append) {
    check(spec, append, false);
  }

  /**
   * As {@link #check(PipelineSpec, boolean)}; {@code resuming}: a run resumed from a checkpoint, whose
   * output is what the stopped run had written (its manifest incomplete), not an earlier run's result:
   * with {@code ifExists: fail} too (the default), else no resume of such a spec could start.
   */
  static void check(PipelineSpec spec, boolean append, boolean resuming) {
    for (Path dir : of(spec)) {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new SpecException("cannot write output \"" + dir + "\": it is a file, not a directory");
      }
      List<String> entries = entries(dir);
      boolean deadLetters = !dir.equals(of(spec).get(0));
      RunManifest manifest = entries.isEmpty() ? null : readManifest(dir);
      // Whose files: the dead letters of which output (two pipelines' specs may bear one name, job.yaml),
      // and the results of which pipeline (a spec renamed is told how to keep its output).
      if (manifest != null && manifest.deadLetters != null && manifest.deadLetters != deadLetters) {
        throw new SpecException((deadLetters ? "deadLetter.path: \"" + dir + "\" holds the results of pipeline \""
            + manifest.pipeline + "\"" : "sink.path: output \"" + dir + "\" holds the dead letters of the output \""
            + manifest.output + "\"") + " (its manifest says); give "
            + (deadLetters ? "the dead letters" : "the results") + " a directory of their own");
      }
      if (deadLetters && manifest != null && manifest.output != null && !manifest.output.equals(outputOf(spec))
          && !movedTogether(spec, manifest)) {
        throw new SpecException("deadLetter.path: \"" + dir + "\" holds the dead letters of the output \""
            + manifest.output + "\" (its manifest says), not of \"" + outputOf(spec) + "\"; give each output "
            + "its own dead-letter directory (the default is <sink.path>-dead-letter)");
      }
      if (!deadLetters && manifest != null && manifest.pipeline != null && !manifest.pipeline.equals(spec.name())) {
        throw new SpecException("sink.path: output \"" + dir + "\" holds the results of pipeline \""
            + manifest.pipeline + "\" (its manifest says), not of \"" + spec.name() + "\"; if this is that pipeline "
            + "under another name (a spec without name: is named after its file), give the spec name: "
            + manifest.pipeline + " or run with --set=name=" + manifest.pipeline + "; else give it its own sink.path");
      }
      if (append && !deadLetters && manifest != null && manifest.layout != null
          && !manifest.layout.equals(layout(spec))) {
        throw addingOtherFiles(dir, manifest.layout + " files (its manifest says)", "the output's format and partitionBy");
      }
      String columns = columns(spec);
      if (append && !deadLetters && manifest != null && manifest.columns != null && columns != null
          && !manifest.columns.equals(columns)) {
        throw addingOtherFiles(dir, "files of other columns (its manifest says: "
            + firstDifference(manifest.columns, columns) + ")", "the columns' "
            + (spec.sink().format() == SinkSpec.Format.CSV ? "names and order" : "names, order and types"));
      }
      boolean resumedOutput = resuming && stoppedRunsOutput(dir); // the stopped run's own, not a result
      if (!append && !resumedOutput && !entries.isEmpty() && spec.sink().ifExists() == SinkSpec.IfExists.FAIL) {
        throw new SpecException("sink.ifExists: " + (deadLetters ? "dead-letter directory" : "output") + " \"" + dir
            + "\" already holds files; remove it, choose another " + (deadLetters ? "--deadLetter" : "--output")
            + ", or pass --ifExists=overwrite");
      }
      String foreign = firstForeign(dir, entries, partitionPrefix(spec));
      if (foreign != null) {
        throw new SpecException("sink.ifExists: " + (deadLetters ? "dead-letter directory" : "output") + " \"" + dir
            + "\" holds \"" + foreign + "\", which this job did not write (" + (hasManifest(dir)
            ? "its last run there did not list it" : "the directory has no beam-etl manifest: another tool's "
            + "output, or one from before beam-etl kept manifests") + "); overwrite only replaces a previous run's "
            + "output, so move it away or choose " + (deadLetters ? "another --deadLetter" : "an empty or new "
            + "directory"));
      }
      Path existing = dir.toAbsolutePath();
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
        throw new SpecException("cannot write output \"" + dir + "\": " + existing + " is not a writable directory");
      }
    }
  }

  private static void refuseInsideHeldOutputs(List<Path> dirs, List<Path> own) throws IOException {
    for (Path dir : dirs) {
      OutputLock.refuseInsideAHeldOutput(dir, what(dirs, dir), flag(dirs, dir), own);
    }
  }

  /** What a refusal calls {@code dir}, the first of {@code dirs} being the output, the second its dead letters. */
  private static String what(List<Path> dirs, Path dir) {
    return dir.equals(dirs.get(0)) ? "output" : "dead-letter directory";
  }

  /** The flag that moves {@code dir} elsewhere. */
  private static String flag(List<Path> dirs, Path dir) {
    return dir.equals(dirs.get(0)) ? "--output" : "--deadLetter";
  }

  /** Holds the directories for the run {@code run}, checking them again now that no one else can write. */
  static OutputDirectories take(PipelineSpec spec, String run) throws IOException {
    return take(spec, run, false);
  }

  /** As {@link #take(PipelineSpec, String)}; {@code append}: the run adds to the output, see {@link #prepare()}. */
  static OutputDirectories take(PipelineSpec spec, String run, boolean append) throws IOException {
    return take(spec, run, append, false);
  }

  /** As {@link #take(PipelineSpec, String, boolean)}; {@code resuming}: see {@link #check}. */
  static OutputDirectories take(PipelineSpec spec, String run, boolean append, boolean resuming) throws IOException {
    List<OutputLock> locks = new ArrayList<>();
    try {
      List<Path> dirs = of(spec);
      List<Path> own = new ArrayList<>();
      for (Path dir : dirs) {
        own.add(OutputLock.real(dir));
      }
      refuseInsideHeldOutputs(dirs, own);
      for (Path dir : dirs) {
        locks.add(OutputLock.take(dir, spec.name(), what(dirs, dir), flag(dirs, dir)));
      }
      refuseInsideHeldOutputs(dirs, own); // again, held: a run may have taken a directory above between the look and the lock
      check(spec, append, resuming);
    } catch (IOException | RuntimeException e) {
      for (OutputLock lock : locks) {
        lock.close();
      }
      throw e;
    }
    List<String> byState = new ArrayList<>(); // whose files an appending run keeps; a replacing run keeps none
    if (append) {
      byState.addAll(committedByState(spec));
    }
    return new OutputDirectories(spec, of(spec), run, locks, partitionPrefix(spec), append, byState, false);
  }

  /**
   * Deletes the previous run's output and notes that this run has started writing. An appending
   * run keeps what earlier successful runs wrote and deletes only the files of appending runs that
   * did not succeed (their part files carry their run), the previous run's counts and its marker.
   */
  void prepare() throws IOException {
    for (Path dir : dirs) {
      if (append) {
        RunManifest before = manifestOf(dir);
        java.util.Set<String> once = new java.util.LinkedHashSet<>(before == null ? List.of() : before.runs);
        once.addAll(committedByState);
        List<String> committed = new ArrayList<>(once);
        // Whether the output had its marker: a killed appending run's manifest says whether it had one
        // when that run began (it deleted it), and that is carried on; without it, a failure of this
        // run left the output without the marker it had (a review). Said before the marker goes.
        boolean marked = Files.exists(dir.resolve("_SUCCESS"))
            || before != null && !before.complete && before.appending && before.successBefore;
        if (marked) {
          finishedBefore.add(dir);
          owned(new RunManifest(run, false, entries(dir), committed, partitionPrefix), dir).appending(true)
              .writeTo(dir);
        }
        Files.deleteIfExists(dir.resolve("_SUCCESS")); // then: the output is no longer what it marks
        deleteRunFiles(dir, r -> !committed.contains(r));
        if (Files.exists(dir.resolve(JobFiles.RUN_FOLDER))) {
          MoreFiles.deleteRecursively(dir.resolve(JobFiles.RUN_FOLDER), RecursiveDeleteOption.ALLOW_INSECURE);
        }
        owned(new RunManifest(run, false, entries(dir), committed, partitionPrefix), dir)
            .appending(finishedBefore.contains(dir)).writeTo(dir);
        continue;
      }
      List<String> previous = previousOutput(dir, entries(dir), partitionPrefix).stream()
          .filter(entry -> !(keepTemporary && JobFiles.isTemporaryFolder(entry))).collect(Collectors.toList());
      // Before any of it goes: no _SUCCESS beside a half-deleted output (partition directories such as
      // K=1 sort before it), and a manifest that lists what is left to delete, should the run die now.
      if (previous.remove("_SUCCESS")) {
        Files.delete(dir.resolve("_SUCCESS"));
      }
      if (!previous.isEmpty()) {
        owned(new RunManifest(run, false, previous, List.of(), partitionPrefix), dir).writeTo(dir);
      }
      // What was replayed into the output goes with it, and first: a state left beside a half-deleted
      // output would have a replay skip records as replayed into files that are gone.
      Files.deleteIfExists(dir.resolve(ReplayState.FILE));
      if (Files.exists(dir.resolve(ReplayState.RECORDS_DIR))) {
        MoreFiles.deleteRecursively(dir.resolve(ReplayState.RECORDS_DIR), RecursiveDeleteOption.ALLOW_INSECURE);
      }
      for (String entry : previous) {
        MoreFiles.deleteRecursively(dir.resolve(entry), RecursiveDeleteOption.ALLOW_INSECURE);
      }
      owned(new RunManifest(run, false, List.of(), List.of(), partitionPrefix), dir).writeTo(dir);
    }
  }

  /**
   * After the run, whatever its end: removes Beam's temporary folders and lists what the run wrote;
   * returns a warning for each directory another program wrote into meanwhile (see {@link #listed(Path, List, RunManifest)}).
   */
  List<String> finish() throws IOException {
    return finish(true);
  }

  /**
   * As {@link #finish()}; {@code succeeded} says whether an appending run's files now belong to the
   * output (exit 0). An appending run that did not succeed (a failed or exit-3 run is repeated), and
   * that no state commit names, takes its part files out of the output again, which is then as the
   * run found it, {@code _SUCCESS} included: what waits for it reads the earlier runs' complete
   * output, not nothing and not a part of this run's. Its dead letters stay for inspection (they
   * are not replayed; the next run deletes them). A table in upsert mode has its rows already, so
   * its directory keeps no {@code _SUCCESS}.
   */
  List<String> finish(boolean succeeded) throws IOException {
    // A run whose state names it committed: its rows are the output's whatever failed after that (its
    // report, its marker). Finished as one that succeeded, marker included: left without them, the
    // next run, with nothing new to load, exited 0 and never put the marker back (a review).
    boolean committed = append && !succeeded && committedByState(spec).contains(run);
    boolean withdraw = append && !succeeded && !committed;
    List<String> warnings = new ArrayList<>();
    if (committed) {
      Files.writeString(dirs.get(0).resolve("_SUCCESS"), "");
      warnings.add("beam-etl: the run committed its rows (" + dirs.get(0) + " is complete, _SUCCESS included) "
          + "before what failed; a run again loads nothing twice");
    }
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      if (withdraw && dir.equals(dirs.get(0))) {
        withdraw(dir, finishedBefore.contains(dir));
      }
      if (succeeded || !keepTemporary) {
        deleteTemporaryFolders(dir);
      }
      deleteTemporaryFolders(dir.resolve(JobFiles.RUN_FOLDER));
      List<String> runs = new ArrayList<>();
      RunManifest before = manifestOf(dir);
      if (before != null) {
        runs.addAll(before.runs);
      }
      if (append && (succeeded || committed)) {
        runs.add(run);
      }
      List<String> entries = entries(dir);
      List<String> listed = listed(dir, entries, before);
      Set<String> own = new java.util.HashSet<>(listed);
      List<String> foreign = entries.stream().filter(e -> !own.contains(e)).collect(Collectors.toList());
      if (!foreign.isEmpty()) {
        warnings.add("beam-etl: warning: " + dir + " holds " + foreign.stream().limit(5).map(e -> "\"" + e + "\"")
            .collect(Collectors.joining(", ")) + (foreign.size() > 5 ? " and " + (foreign.size() - 5) + " more" : "")
            + ", which this run did not write (another program wrote into the output during the run): left out of"
            + " the run's output, and the next run into it is refused until they are moved elsewhere");
      }
      RunManifest manifest = owned(new RunManifest(run, true, listed, append ? runs : List.of()), dir);
      // A resumable run that failed is resumed from its checkpoint: its output stays a stopped run's
      // (a resume refused for other flags took the output and marked it finished; the right one then was refused).
      (succeeded || !keepTemporary ? manifest : manifest.unfinished()).writeTo(dir);
    }
    return warnings;
  }

  /**
   * What of {@code dir} a finished run lists as its output: the names this job writes, the sink's
   * partition directories, and what {@code before} (the manifest the run started with: an
   * appending run's earlier output) listed. Not what another program wrote into the directory
   * while the run wrote it: listed, it was the run's own, and the next overwrite deleted it without
   * a word (a trial: another tool's part-00000-5f3c9e2a-c000.csv and a README.txt).
   */
  private List<String> listed(Path dir, List<String> entries, @Nullable RunManifest before) {
    Set<String> earlier = before == null ? Set.of() : new java.util.HashSet<>(before.entries);
    return entries.stream().filter(e -> JOB_NAMES.matcher(e).matches() || isPartition(dir, e, partitionPrefix)
        || earlier.contains(e)).collect(Collectors.toList());
  }

  /**
   * For a run with nothing to do: the output's last run stopped unfinished (its manifest incomplete).
   * A run its state committed (an incremental load, a replay: the state names it) wrote its whole
   * output, which is finished as that run would have, {@code _SUCCESS} and manifest. An appending
   * run killed before its commit has its files taken out, and the output is as before it, its
   * {@code _SUCCESS} too: a run with nothing to do exited 0 and left a part of that run's rows
   * readable, and whatever waits for {@code _SUCCESS} waiting. Under the locks; says what it did, or null.
   */
  static @Nullable String finishStoppedRun(PipelineSpec spec) throws IOException {
    RunManifest stopped = manifestOf(Path.of(spec.sink().path()));
    if (stopped == null || stopped.complete) {
      return null;
    }
    String run = stopped.run;
    if (!stopped.appending && !committedByState(spec).contains(run)) {
      return null; // a replacing run's: what it deleted is gone, and only a run that loads can make the output whole
    }
    try (OutputDirectories outputs = take(spec, run, true)) {
      RunManifest now = manifestOf(Path.of(spec.sink().path()));
      if (now == null || now.complete || !now.run.equals(run)) {
        return null; // another run finished it, or went on, before this one held the output
      }
      // Asked again under the lock: the run may have committed its state since the first look (a review).
      boolean committed = committedByState(spec).contains(run);
      if (!committed && !now.appending) {
        return null;
      }
      if (committed) {
        Files.writeString(Path.of(spec.sink().path(), "_SUCCESS"), ""); // before the manifest, which lists it
        outputs.finish(true);
        return "the last run committed its state and stopped before it finished its output: finished now ("
            + spec.sink().path() + "/_SUCCESS)";
      }
      outputs.withdrawStopped();
      return "the last run (" + run + ") stopped before its commit: its files were taken out of the output, which "
          + "is as it was before that run" + (now.successBefore ? ", _SUCCESS included" : "");
    }
  }

  /** Takes the files of the stopped appending run {@link #run} out of both directories (see finishStoppedRun). */
  private void withdrawStopped() throws IOException {
    for (Path dir : dirs) {
      RunManifest stopped = manifestOf(dir);
      if (stopped == null || stopped.complete || !stopped.run.equals(run)) {
        continue;
      }
      deleteTemporaryFolders(dir);
      if (!dir.equals(dirs.get(0))) {
        deleteRunFiles(dir, run::equals); // its dead letters, which no one replays
      } else {
        // Its counts and report describe rows taken out again; its log stays, with why it stopped. The
        // counts become this run's, which added nothing: every count a reader looks for, at zero.
        for (String file : List.of("report.json", "report.html")) {
          Files.deleteIfExists(dir.resolve(JobFiles.RUN_FOLDER).resolve(file));
        }
        Files.createDirectories(dir.resolve(JobFiles.RUN_FOLDER));
        java.util.SortedMap<String, Long> none = new java.util.TreeMap<>();
        dev.beametl.pipeline.RunCounts.ALWAYS.forEach(count -> none.put(count, 0L));
        dev.beametl.pipeline.RunCounts.write(dir.resolve(JobFiles.RUN_FOLDER).toString(), none);
        withdraw(dir, stopped.successBefore);
      }
      owned(new RunManifest(run, true, listed(dir, entries(dir), stopped), stopped.runs), dir).writeTo(dir);
    }
  }

  /**
   * Takes this appending run's part files out of the output {@code dir} again and gives back the
   * {@code _SUCCESS} it had (a table in upsert mode has the rows already: no marker), before the
   * manifest that lists it is written.
   */
  private void withdraw(Path dir, boolean successBefore) throws IOException {
    deleteRunFiles(dir, run::equals);
    if (successBefore && !spec.sink().upserts()) {
      Files.writeString(dir.resolve("_SUCCESS"), "");
    }
  }

  /** The runs whose state commit (a replay's, an incremental load's) names them. */
  private static List<String> committedByState(PipelineSpec spec) throws IOException {
    List<String> runs = new ArrayList<>(ReplayState.committedRuns(spec));
    runs.addAll(IncrementalState.committedRuns(spec));
    return runs;
  }

  /**
   * Whether {@code fileName} in {@code dir} is an appending run's file whose run did not succeed
   * there: neither its manifest nor a state commit ({@code committed}) names its run. A replay that
   * failed after its state commit (writing its report) left a manifest without it, and its own dead
   * letters were then skipped by every later replay, "nothing to replay" (a trial).
   */
  static boolean isUncommittedRunFile(Path dir, String fileName, Set<String> committed) throws IOException {
    java.util.regex.Matcher m = RUN_FILE.matcher(fileName);
    RunManifest manifest = manifestOf(dir);
    return m.matches() && manifest != null && !manifest.runs.contains(m.group(1)) && !committed.contains(m.group(1));
  }

  /** Whether {@code dir} does not exist or holds nothing but this job's bookkeeping. */
  static boolean isNewOrEmpty(Path dir) {
    return entries(dir).isEmpty();
  }

  private static boolean hasManifest(Path dir) {
    return Files.exists(dir.resolve(RunManifest.FILE));
  }

  /** Whether {@code dir} holds what a run that stopped wrote there: its manifest says it did not finish. */
  private static boolean stoppedRunsOutput(Path dir) {
    try {
      RunManifest manifest = manifestOf(dir);
      return manifest != null && !manifest.complete;
    } catch (IOException e) {
      return false; // unreadable: refused as before
    }
  }

  private static @Nullable RunManifest readManifest(Path dir) {
    try {
      return manifestOf(dir);
    } catch (IOException e) {
      throw new SpecException("sink.ifExists: " + e.getMessage() + "; remove the directory's contents by hand");
    }
  }

  private static @Nullable RunManifest manifestOf(Path dir) throws IOException {
    return Files.isDirectory(dir) ? RunManifest.read(dir) : null;
  }

  /** The appending runs' files, anywhere under {@code dir}, of the runs {@code runs} takes. */
  private static void deleteRunFiles(Path dir, java.util.function.Predicate<String> runs) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    // An output given as a symbolic link: Files.walk visits the link alone, not the directory it names
    // (a review: a failed appending run's files stayed, and the next run added its rows again).
    Path root = dir.toRealPath();
    List<Path> leftovers;
    try (Stream<Path> s = Files.walk(root)) {
      leftovers = s.filter(Files::isRegularFile).filter(p -> {
        java.util.regex.Matcher m = RUN_FILE.matcher(p.getFileName().toString());
        return m.matches() && runs.test(m.group(1));
      }).collect(Collectors.toList());
    }
    for (Path p : leftovers) {
      Files.delete(p);
      // a partition directory only that run had started is not left behind empty
      for (Path parent = p.getParent(); !parent.equals(root) && isEmptyDirectory(parent); parent = parent.getParent()) {
        Files.delete(parent);
      }
    }
  }

  private static boolean isEmptyDirectory(Path p) throws IOException {
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }

  /** Beam's file sinks leave their (empty) temporary folders behind. */
  private static void deleteTemporaryFolders(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> temporary = s.filter(p -> JobFiles.isTemporaryFolder(p.getFileName().toString()))
          .collect(Collectors.toList());
      for (Path p : temporary) {
        MoreFiles.deleteRecursively(p, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    }
  }

  @Override
  public void close() throws IOException {
    for (OutputLock lock : locks) {
      lock.close();
    }
  }

  /**
   * What an overwrite deletes in {@code dir}: what its manifest lists, and where that run died
   * before listing them, the names this job writes. Nothing where there is no manifest.
   */
  private static Set<String> previousOutput(Path dir, List<String> entries, @Nullable String partitionPrefix) {
    Set<String> previous = new TreeSet<>();
    RunManifest manifest;
    try {
      manifest = RunManifest.read(dir);
    } catch (IOException e) {
      throw new SpecException("sink.ifExists: " + e.getMessage() + "; remove the directory's contents by hand");
    }
    if (manifest == null) {
      return previous;
    }
    previous.addAll(manifest.entries);
    if (!manifest.complete) {
      // A run that died left what it had written unlisted: files named as the job names them, and the
      // partition directories of this spec's sink or of the one that run had (its manifest says).
      String died = manifest.partitionPrefix;
      entries.stream().filter(e -> JOB_NAMES.matcher(e).matches() || isPartition(dir, e, partitionPrefix)
          || isPartition(dir, e, died)).forEach(previous::add);
    }
    previous.retainAll(entries);
    return previous;
  }

  /** A top-level partition directory, {@code region=EU}, of a sink partitioned by that column now. */
  private static boolean isPartition(Path dir, String entry, @Nullable String partitionPrefix) {
    return partitionPrefix != null && entry.startsWith(partitionPrefix) && Files.isDirectory(dir.resolve(entry));
  }

  private static String firstForeign(Path dir, List<String> entries, @Nullable String partitionPrefix) {
    Set<String> previous = previousOutput(dir, entries, partitionPrefix);
    String foreign = entries.stream().filter(e -> !previous.contains(e)).findFirst().orElse(null);
    for (java.util.Iterator<String> e = previous.iterator(); foreign == null && e.hasNext(); ) {
      foreign = foreignInside(dir, e.next());
    }
    return foreign;
  }

  /**
   * In a previous run's partition directory, which an overwrite deletes whole, the first thing that
   * run did not write: a file not named as the job names its part files, or a directory that is no
   * partition ({@code column=value}) - another job's output written inside it, with its manifest, or
   * a file of another tool. The run folder and Beam's temporary folders are the job's own.
   */
  private static @Nullable String foreignInside(Path dir, String entry) {
    Path top = dir.resolve(entry);
    if (!Files.isDirectory(top, java.nio.file.LinkOption.NOFOLLOW_LINKS) || entry.equals(JobFiles.RUN_FOLDER)
        || JobFiles.isTemporaryFolder(entry)) {
      return null;
    }
    try (Stream<Path> all = Files.walk(top)) {
      return all.filter(p -> !p.equals(top) && !inTemporaryFolder(top, p)).filter(p -> {
        String name = p.getFileName().toString();
        return Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            ? !name.contains("=") && !JobFiles.isTemporaryFolder(name) : !JOB_NAMES.matcher(name).matches();
      }).map(p -> dir.relativize(p).toString()).sorted().findFirst().orElse(null);
    } catch (IOException e) {
      throw new SpecException("cannot list output \"" + top + "\": " + e.getMessage());
    }
  }

  private static boolean inTemporaryFolder(Path top, Path p) {
    Path folders = top.relativize(p).getParent();
    if (folders == null) {
      return false;
    }
    for (Path folder : folders) {
      if (JobFiles.isTemporaryFolder(folder.toString())) {
        return true;
      }
    }
    return false;
  }

  /** The directory's entries but its own bookkeeping, sorted; none when it does not exist. */
  private static List<String> entries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !OWN.contains(n)).sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new SpecException("cannot list output \"" + dir + "\": " + e.getMessage());
    }
  }
}
