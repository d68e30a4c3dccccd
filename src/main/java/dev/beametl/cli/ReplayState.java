package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.extract.DeadLetterRecords;
import dev.beametl.extract.InputFiles;
import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Which dead-letter files and records were replayed into an output, kept beside it as {@value #FILE}
 * (with the runs that replayed them): a file is replayed once (by path, size and modification time;
 * one fixed by hand since counts as new), and so is a record, wherever its dead letter is found
 * (edited, copied or renamed file): each replay that wrote records lists their
 * {@link DeadLetterRecords#identity identities} in {@value #RECORDS_DIR}, one file per run (bad
 * again, a record is in that replay's dead letters and still replayable). The lists are read by the
 * pipeline, never held here: they grow with every record replayed. Writing the state is the replay's
 * commit: the runs it lists own their files in the output and their lists. A replay's own
 * dead letters are new files, which a later replay takes; the leftovers of an appending run that did
 * not succeed are not.
 */
final class ReplayState {
  static final String FILE = ".beam-etl-replayed.json";
  /** Beside it: per replay run, the identities of the records it wrote ({@code <run>-*.txt}). */
  static final String RECORDS_DIR = ".beam-etl-replayed-records";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path file;
  private final ObjectNode state;
  private final List<MatchResult.Metadata> pending;
  private final int replayedBefore;
  /**
   * The identities a build of 2026-12-05 listed in the state itself ({@code records}): still left
   * out, never added to (they grew with every record replayed).
   */
  private final Set<String> listedRecords;
  /** The committed replays' lists of the records they wrote ({@value #RECORDS_DIR}). */
  private final List<Path> recordLists;
  /** Where the pipeline lists the records this replay wrote ({@link EtlPipeline#REPLAYED_PREFIX}). */
  private final Path runDir;

  private ReplayState(Path dir, Path file, ObjectNode state, List<MatchResult.Metadata> pending, int replayedBefore,
      Set<String> listedRecords, List<Path> recordLists, Path runDir) {
    this.dir = dir;
    this.file = file;
    this.state = state;
    this.pending = pending;
    this.replayedBefore = replayedBefore;
    this.listedRecords = listedRecords;
    this.recordLists = recordLists;
    this.runDir = runDir;
  }

  static ReplayState plan(Path dir, PipelineSpec spec) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new SpecException("replay --from: " + dir + " is not a directory; give a dead-letter directory, e.g. "
          + spec.deadLetterPath());
    }
    ObjectNode state = JSON.createObjectNode();
    Path file = file(spec);
    if (Files.isRegularFile(file)) {
      try {
        JsonNode n = StateFile.read(file, spec);
        if (n instanceof ObjectNode) {
          state = (ObjectNode) n;
        }
      } catch (StateFile.Unconfirmable e) {
        throw e;
      } catch (IOException e) {
        throw new SpecException("replay: " + file + " cannot be read (" + e.getMessage() + "); remove it to replay "
            + "every dead-letter file into this output again");
      }
    }
    Set<String> done = new HashSet<>();
    state.path("files").forEach(f -> done.add(key(f.path("path").asText(), f.path("size").asLong(),
        f.path("modified").asLong())));
    Set<String> records = new LinkedHashSet<>();
    state.path("records").forEach(r -> records.add(r.asText()));
    Set<String> runs = runsOf(state);
    List<Path> lists = new ArrayList<>();
    java.util.Map<String, Integer> found = new java.util.HashMap<>();
    for (Path list : recordLists(file.resolveSibling(RECORDS_DIR))) {
      if (runs.contains(runOf(list))) {
        lists.add(list); // a replay that did not commit (failed, or its table's commit did not follow): not its list
        found.merge(runOf(list), 1, Integer::sum);
      }
    }
    // Without its lists, every record a replay wrote would be written again, exit 0: refused, saying so.
    for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> listed = state.path("lists").fields();
        listed.hasNext(); ) {
      java.util.Map.Entry<String, JsonNode> run = listed.next();
      if (found.getOrDefault(run.getKey(), 0) < run.getValue().asInt()) {
        throw new SpecException("replay: " + file.resolveSibling(RECORDS_DIR) + " lacks the lists of the records "
            + "replay run " + run.getKey() + " wrote (" + run.getKey() + "-*.txt, " + run.getValue().asInt() + " file"
            + (run.getValue().asInt() == 1 ? "" : "s") + "), so they would be written again; restore them, or replay "
            + "into a new output (--output=NEW_DIR)");
      }
    }
    // An incremental run of this output that committed its state and stopped before its manifest
    // said so: its dead letters are the output's (a review: skipped as a failed run's until then).
    Set<String> committed = new HashSet<>(runs);
    if (OutputDirectories.holds(spec, dir)) {
      committed.addAll(IncrementalState.committedRuns(spec));
    }
    List<MatchResult.Metadata> pending = new ArrayList<>();
    int before = 0;
    for (MatchResult.Metadata m : InputFiles.match(dir.resolve("bad-records-*.jsonl").toString())) {
      if (OutputDirectories.isUncommittedRunFile(dir, m.resourceId().getFilename(), committed)) {
        continue; // a failed appending run's dead letters: its next run deletes them
      }
      if (m.sizeBytes() == 0) {
        continue; // no dead letter in it (a replay whose records all passed): nothing to replay
      }
      if (done.contains(key(m.resourceId().toString(), m.sizeBytes(), m.lastModifiedMillis()))) {
        before++;
      } else {
        pending.add(m);
      }
    }
    // A record found in several files is replayed from the first: the newest, the one fixed last.
    pending.sort(Comparator.comparingLong(MatchResult.Metadata::lastModifiedMillis).reversed()
        .thenComparing(m -> m.resourceId().toString()));
    state.put("pipeline", spec.name()); // whose state it is, once written: another pipeline's is refused (StateFile.read)
    return new ReplayState(dir, file, state, pending, before, records, lists, Path.of(EtlPipeline.runDir(spec)));
  }

  static Path file(PipelineSpec spec) {
    return Path.of(spec.sink().path(), FILE);
  }

  /** The runs whose replays committed into the output of {@code spec}. */
  static List<String> committedRuns(PipelineSpec spec) throws IOException {
    JsonNode state = StateFile.read(file(spec), spec);
    return state == null ? List.of() : List.copyOf(runsOf(state));
  }

  /** The runs a state names: those whose replays committed. */
  private static Set<String> runsOf(JsonNode state) {
    Set<String> runs = new LinkedHashSet<>();
    state.path("files").forEach(f -> runs.add(f.path("run").asText()));
    return runs;
  }

  private static String key(String path, long size, long modified) {
    return path + "\u0000" + size + "\u0000" + modified;
  }

  Path dir() {
    return dir;
  }

  /** Identities of records earlier replays wrote that the state lists itself (see {@link #listedRecords}). */
  Set<String> replayedRecords() {
    return java.util.Collections.unmodifiableSet(listedRecords);
  }

  /** The files listing the identities of the records earlier replays wrote: left out wherever their dead letters are. */
  List<String> replayedRecordLists() {
    return recordLists.stream().map(Path::toString).collect(Collectors.toList());
  }

  private static List<Path> recordLists(Path recordsDir) throws IOException {
    if (!Files.isDirectory(recordsDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(recordsDir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".txt")).sorted().collect(Collectors.toList());
    }
  }

  /** The run whose list {@code list} is: its name's first part. */
  private static String runOf(Path list) {
    String name = list.getFileName().toString();
    return name.indexOf('-') < 0 ? "" : name.substring(0, name.indexOf('-'));
  }

  List<String> pending() {
    List<String> out = new ArrayList<>();
    pending.forEach(m -> out.add(m.resourceId().toString()));
    return out;
  }

  @Nullable String nothingToReplay() {
    if (!pending.isEmpty()) {
      return null;
    }
    return replayedBefore == 0 ? "nothing to replay: " + dir + " holds no dead-letter files (bad-records-*.jsonl)"
        : String.format(Locale.ROOT, "nothing to replay: the %,d dead-letter files in %s were replayed already (%s "
            + "lists them; a file edited since counts as new)", replayedBefore, dir, file);
  }

  List<String> notes() {
    return List.of(String.format(Locale.ROOT, "replay: %,d dead-letter file%s of %s%s%s", pending.size(),
        pending.size() == 1 ? "" : "s", dir, replayedBefore == 0 ? ""
            : String.format(Locale.ROOT, " (%,d replayed before, left out)", replayedBefore),
        listedRecords.isEmpty() && recordLists.isEmpty() ? ""
            : "; the records earlier replays wrote are left out wherever found (replay.skipped.replayed_before)"));
  }

  /**
   * After a successful replay: its files are not replayed again; {@code unconfirmed}: a table's
   * commit follows (see {@link StateFile}).
   */
  List<String> commit(String run, boolean unconfirmed) throws IOException {
    ArrayNode files = state.has("files") ? (ArrayNode) state.get("files") : state.putArray("files");
    for (MatchResult.Metadata m : pending) {
      files.addObject().put("path", m.resourceId().toString()).put("size", m.sizeBytes())
          .put("modified", m.lastModifiedMillis()).put("run", run).put("replayed", Instant.now().toString());
    }
    // This run's lists first, under its name: they count once the state below names the run.
    Path recordsDir = Files.createDirectories(file.resolveSibling(RECORDS_DIR));
    long written = 0;
    ObjectNode lists = state.has("lists") ? (ObjectNode) state.get("lists") : state.putObject("lists");
    List<Path> listed = written(runDir);
    lists.put(run, listed.size()); // how many the next replay must find
    for (Path list : listed) {
      Path kept = recordsDir.resolve(run + "-" + list.getFileName());
      Files.move(list, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      try (Stream<String> lines = Files.lines(kept)) {
        written += lines.filter(l -> !l.isBlank()).count();
      }
    }
    StateFile.write(file, state, run, unconfirmed);
    Set<String> runs = runsOf(state);
    for (Path list : recordLists(recordsDir)) {
      if (!runs.contains(runOf(list))) {
        Files.deleteIfExists(list); // a replay's that never committed
      }
    }
    // Listed are the records this replay took: those it wrote, and those the spec's filter now drops.
    return List.of(String.format(Locale.ROOT, "replay: %s now lists %,d replayed files, and %s the %,d record%s this "
        + "replay took (written, or dropped by the filter); they are not replayed again", file, files.size(), recordsDir,
        written, written == 1 ? "" : "s"));
  }

  /** The files listing the identities of the records a finished replay wrote, as its pipeline wrote them in {@code runDir}. */
  static List<Path> written(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(runDir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(EtlPipeline.REPLAYED_PREFIX)
          && p.getFileName().toString().endsWith(".txt")).sorted().collect(Collectors.toList());
    }
  }
}
