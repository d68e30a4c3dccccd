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
  /**
   * The pipeline (its spec's name) whose output this is, and the layout of its files (format and
   * partitionBy): another pipeline sharing the directory deleted these files as its own, and an
   * appending run of another layout added files no reader of the output could read with the rest.
   * Null in manifests written before they were kept.
   */
  final @Nullable String pipeline;
  final @Nullable String layout;
  /**
   * The columns of the files, as their readers match them ({@link OutputDirectories#columns}): an
   * appending run of a changed spec added files whose columns a reader took by position (CSV) or
   * could not merge (a Parquet type). Null in manifests written before it was kept, and for dead letters.
   */
  final @Nullable String columns;
  /**
   * The output whose run wrote here (the sink's path, absolute): a dead-letter directory two
   * outputs share holds the dead letters of one, and the other's run deleted them as its own.
   */
  final @Nullable String output;
  /** Whether the directory holds dead letters (of {@link #output}) rather than results; null: not said. */
  final @Nullable Boolean deadLetters;
  /**
   * An incomplete manifest's run adds to the output (incremental, replay), and whether the output
   * had its {@code _SUCCESS} when that run began: killed before its commit, its own files are all
   * that differ from the output before it.
   */
  final boolean appending;
  final boolean successBefore;

  RunManifest(String run, boolean complete, List<String> entries) {
    this(run, complete, entries, List.of());
  }

  RunManifest(String run, boolean complete, List<String> entries, List<String> runs) {
    this(run, complete, entries, runs, null);
  }

  RunManifest(String run, boolean complete, List<String> entries, List<String> runs, @Nullable String partitionPrefix) {
    this(run, complete, entries, runs, partitionPrefix, null, null, null, null, null, false, false);
  }

  private RunManifest(String run, boolean complete, List<String> entries, List<String> runs,
      @Nullable String partitionPrefix, @Nullable String pipeline, @Nullable String layout, @Nullable String columns,
      @Nullable String output, @Nullable Boolean deadLetters, boolean appending, boolean successBefore) {
    this.run = run;
    this.complete = complete;
    this.entries = List.copyOf(entries);
    this.runs = List.copyOf(runs);
    this.partitionPrefix = partitionPrefix;
    this.pipeline = pipeline;
    this.layout = layout;
    this.columns = columns;
    this.output = output;
    this.deadLetters = deadLetters;
    this.appending = appending;
    this.successBefore = successBefore;
  }

  /**
   * This manifest, naming the pipeline, the layout and columns of the files it lists (columns null for
   * dead letters and tables) and the output they belong to.
   */
  RunManifest of(String pipeline, String layout, @Nullable String columns, String output, boolean deadLetters) {
    return new RunManifest(run, complete, entries, runs, partitionPrefix, pipeline, layout, columns, output,
        deadLetters, appending, successBefore);
  }

  /** This manifest, saying its run did not finish (see {@link #complete}). */
  RunManifest unfinished() {
    return new RunManifest(run, false, entries, runs, partitionPrefix, pipeline, layout, columns, output,
        deadLetters, appending, successBefore);
  }

  /** This (incomplete) manifest, of a run that adds to an output which had {@code _SUCCESS} or not. */
  RunManifest appending(boolean successBefore) {
    return new RunManifest(run, complete, entries, runs, partitionPrefix, pipeline, layout, columns, output,
        deadLetters, true, successBefore);
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
      return new RunManifest(n.path("run").asText(), n.path("complete").asBoolean(false), entries, runs,
          text(n, "partitionPrefix"), text(n, "pipeline"), text(n, "layout"), text(n, "columns"), text(n, "output"),
          n.path("deadLetters").isBoolean() ? n.path("deadLetters").asBoolean() : null,
          n.path("appending").asBoolean(false),
          n.path("successBefore").asBoolean(false));
    } catch (IOException e) {
      throw new IOException("the run manifest " + file + " cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static @Nullable String text(JsonNode n, String key) {
    return n.path(key).isTextual() ? n.path(key).asText() : null;
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
    if (pipeline != null) {
      n.put("pipeline", pipeline).put("layout", layout).put("output", output).put("deadLetters", deadLetters);
    }
    if (columns != null) {
      n.put("columns", columns);
    }
    if (appending) {
      n.put("appending", true).put("successBefore", successBefore);
    }
    AtomicJson.write(dir.resolve(FILE), n);
  }
}
