package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.extract.InputFiles;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * Which dead-letter files were replayed into an output, kept beside it as {@value #FILE} (with the
 * runs that replayed them): a file is replayed once (by path, size and modification time; one fixed
 * by hand since counts as new). Writing it is the replay's commit: the runs it lists own their
 * files in the output. A replay's own dead letters are new files, which a later replay takes; the
 * leftovers of an appending run that did not succeed are not.
 */
final class ReplayState {
  static final String FILE = ".beam-etl-replayed.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path file;
  private final ObjectNode state;
  private final List<MatchResult.Metadata> pending;
  private final int replayedBefore;

  private ReplayState(Path dir, Path file, ObjectNode state, List<MatchResult.Metadata> pending, int replayedBefore) {
    this.dir = dir;
    this.file = file;
    this.state = state;
    this.pending = pending;
    this.replayedBefore = replayedBefore;
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
    List<MatchResult.Metadata> pending = new ArrayList<>();
    int before = 0;
    for (MatchResult.Metadata m : InputFiles.match(dir.resolve("bad-records-*.jsonl").toString())) {
      if (OutputDirectories.isUncommittedRunFile(dir, m.resourceId().getFilename())) {
        continue; // a failed appending run's dead letters: its next run deletes them
      }
      if (done.contains(key(m.resourceId().toString(), m.sizeBytes(), m.lastModifiedMillis()))) {
        before++;
      } else {
        pending.add(m);
      }
    }
    return new ReplayState(dir, file, state, pending, before);
  }

  static Path file(PipelineSpec spec) {
    return Path.of(spec.sink().path(), FILE);
  }

  /** The runs whose replays committed into the output of {@code spec}. */
  static List<String> committedRuns(PipelineSpec spec) throws IOException {
    JsonNode state = StateFile.read(file(spec), spec);
    List<String> runs = new ArrayList<>();
    if (state != null) {
      state.path("files").forEach(f -> runs.add(f.path("run").asText()));
    }
    return runs;
  }

  private static String key(String path, long size, long modified) {
    return path + "\u0000" + size + "\u0000" + modified;
  }

  Path dir() {
    return dir;
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
    return List.of(String.format(Locale.ROOT, "replay: %,d dead-letter file%s of %s%s", pending.size(),
        pending.size() == 1 ? "" : "s", dir, replayedBefore == 0 ? ""
            : String.format(Locale.ROOT, " (%,d replayed before, left out)", replayedBefore)));
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
    StateFile.write(file, state, run, unconfirmed);
    return List.of(String.format(Locale.ROOT, "replay: %s now lists %,d replayed files; they are not replayed again",
        file, files.size()));
  }
}
