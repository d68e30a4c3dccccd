package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * What a run wrote in one output directory: the names of its top-level entries, kept in a hidden
 * file beside them. An overwrite deletes exactly these and refuses to run over anything else. It is
 * written "incomplete" before the run starts (a run that dies then leaves files not yet listed) and
 * complete when it ends, replacing the previous run's.
 */
final class RunManifest {
  static final String FILE = ".beam-etl-manifest.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  final String run;
  final boolean complete;
  final List<String> entries;
  /**
   * The appending runs (incremental loads, replays) that succeeded here: their files, named
   * {@code part-<run>-...}, are the output; another run's such files are a failed run's leftovers.
   */
  final List<String> runs;
  /**
   * How the top-level partition directories of the run begin ({@code region=}), or null: an
   * incomplete manifest's run may have left such directories, whatever the next run's spec says.
   */
  final @Nullable String partitionPrefix;

  RunManifest(String run, boolean complete, List<String> entries) {
    this(run, complete, entries, List.of());
  }

  RunManifest(String run, boolean complete, List<String> entries, List<String> runs) {
    this(run, complete, entries, runs, null);
  }

  RunManifest(String run, boolean complete, List<String> entries, List<String> runs, @Nullable String partitionPrefix) {
    this.run = run;
    this.complete = complete;
    this.entries = List.copyOf(entries);
    this.runs = List.copyOf(runs);
    this.partitionPrefix = partitionPrefix;
  }

  /** The manifest in {@code dir}, or null when there is none (an output written before manifests). */
  static @Nullable RunManifest read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      List<String> entries = new ArrayList<>();
      n.path("entries").forEach(e -> entries.add(e.asText()));
      List<String> runs = new ArrayList<>();
      n.path("runs").forEach(e -> runs.add(e.asText()));
      JsonNode prefix = n.path("partitionPrefix");
      return new RunManifest(n.path("run").asText(), n.path("complete").asBoolean(false), entries, runs,
          prefix.isTextual() ? prefix.asText() : null);
    } catch (IOException e) {
      throw new IOException("the run manifest " + file + " cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /** Replaces the manifest in {@code dir} atomically, so a reader never sees half of it. */
  void writeTo(Path dir) throws IOException {
    ObjectNode n = JSON.createObjectNode().put("run", run).put("complete", complete);
    ArrayNode list = n.putArray("entries");
    entries.forEach(list::add);
    ArrayNode appended = n.putArray("runs");
    runs.forEach(appended::add);
    if (partitionPrefix != null) {
      n.put("partitionPrefix", partitionPrefix);
    }
    AtomicJson.write(dir.resolve(FILE), n);
  }
}
