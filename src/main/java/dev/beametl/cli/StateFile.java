package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.load.JdbcTable;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import javax.annotation.Nullable;

/**
 * A state file beside the output (the incremental marks and files, the replayed dead letters) of a
 * run whose rows go into a staged table. The table's transaction and the file are two writes, and a
 * job can die between them: so the file is written first, unconfirmed - the new state, holding the
 * one it replaces - then the transaction moves the rows in and marks the run committed
 * ({@link JdbcTable#commitOf}), then the file is confirmed. Whoever reads an unconfirmed file asks
 * the table: the new state if the run's rows are there, the one before if not. Rows and state move
 * together; without this, rows committed just before a job died were loaded again by the next run.
 */
final class StateFile {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNCONFIRMED = "unconfirmed";
  /** A run id as EtlJob makes them; anything else in the file was not written by this job. */
  private static final java.util.regex.Pattern RUN_ID = java.util.regex.Pattern.compile("[0-9a-f]{8}");

  private StateFile() {}

  /** The table could not be asked whether an earlier run committed: nothing can be planned yet. */
  static final class Unconfirmable extends IOException {
    Unconfirmable(String message) {
      super(message);
    }
  }

  /**
   * The state as it stands, null if there is none: an unconfirmed file is resolved against the table
   * of {@code spec}. A file that is no JSON is an IOException; a table that cannot be asked, {@link Unconfirmable}.
   */
  static @Nullable JsonNode read(Path file, PipelineSpec spec) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    JsonNode node = JSON.readTree(file.toFile());
    if (node == null || !node.isObject()) { // a copy cut short, a hand edit: said so, not "another setting's"
      throw new IOException(node == null || node.isMissingNode() ? "it is empty" : "it holds no JSON object");
    }
    if (!Files.exists(file.resolveSibling(RunManifest.FILE))) {
      // Every run writes its manifest before its state: a state alone was copied here, and trusted, it
      // had a run load nothing, exit 0 (a trial: another output's state of a pipeline of the same name).
      throw new SpecException(file + " holds a state, but its directory holds no " + RunManifest.FILE + " of the runs "
          + "that wrote it (copied here on its own?). Run once with --full to start over, or restore the directory "
          + "whole");
    }
    JsonNode pipeline = node.get("pipeline");
    if (pipeline != null && pipeline.isTextual() && !pipeline.asText().equals(spec.name())) {
      // Its marks and files are another output's: trusted, this output would skip what it never loaded (a trial).
      throw new SpecException(file + " holds the state of pipeline \"" + pipeline.asText() + "\", not of \""
          + spec.name() + "\" (copied from another output, or the spec's name changed). Run once with --full to "
          + "start over; if it is this pipeline's own state under an earlier name, set its \"pipeline\" to \""
          + spec.name() + "\"");
    }
    return resolve(file, node, spec);
  }

  private static @Nullable JsonNode resolve(Path file, JsonNode node, PipelineSpec spec) throws Unconfirmable {
    JsonNode unconfirmed = node.get(UNCONFIRMED);
    if (unconfirmed == null) {
      return node;
    }
    String run = unconfirmedRun(node);
    JsonNode previous = unconfirmed.get("previous");
    if (!RUN_ID.matcher(run).matches() || previous == null || !(previous.isObject() || previous.isNull())) {
      throw new SpecException(file + ": its \"" + UNCONFIRMED + "\" entry is not one this job wrote (\"run\": 8 hex "
          + "digits, \"previous\": the state before it, or null); restore the file from a copy, or mend the entry");
    }
    if (committed(file, run, spec)) {
      ObjectNode confirmed = node.deepCopy();
      confirmed.remove(UNCONFIRMED);
      return confirmed;
    }
    return previous.isNull() ? null : previous;
  }

  private static boolean committed(Path file, String run, PipelineSpec spec) throws Unconfirmable {
    JdbcSinkSpec sink = spec.sink().jdbc();
    if (sink == null) {
      throw new SpecException(file + " holds the state of run " + run + ", which stopped between committing rows "
          + "into a table and confirming it, and this spec writes no table to ask: run it once with the table "
          + "sink it had, or with --full to start over");
    }
    JdbcTable.Commit commit;
    try {
      commit = JdbcTable.commitOf(sink, run);
    } catch (SQLException e) {
      String message = "sink.jdbc: cannot ask " + sink.connection().table() + " whether run " + run
          + " committed its rows (it stopped before confirming " + file + "): "
          + JdbcConnections.describe(e, sink.connection());
      if (JdbcConnections.isTransient(e)) {
        throw new Unconfirmable(message);
      }
      throw new SpecException(message);
    }
    if (commit == JdbcTable.Commit.UNKNOWN) {
      if (!stillUnconfirmed(file, run)) {
        // that run was alive: it confirmed (or settled) its state and dropped its tables meanwhile
        throw new SpecException(file + " changed while this run was starting: another run of this job finished in "
            + "between. Nothing ran; run again to go on from where it ended.");
      }
      // The run's staging tables stay until its state is settled; without them nothing tells.
      throw new SpecException(file + " holds the state of run " + run + ", which stopped between committing rows "
          + "into " + sink.connection().table() + " and confirming it, and the run's staging tables, which tell "
          + "whether it committed, are gone (dropped by hand?). If the table holds that run's rows, delete the \""
          + UNCONFIRMED + "\" entry from the file; if not, replace the file's content by that entry's \"previous\" "
          + "(delete the file if it is null)");
    }
    return commit == JdbcTable.Commit.COMMITTED;
  }

  /** The run an unconfirmed state names ("" when it names none; resolve refuses a run id this job would not make). */
  private static String unconfirmedRun(JsonNode state) {
    return state.path(UNCONFIRMED).path("run").asText("");
  }

  private static boolean stillUnconfirmed(Path file, String run) {
    try {
      return Files.isRegularFile(file) && unconfirmedRun(JSON.readTree(file.toFile())).equals(run);
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * What a plan made from {@code file} depends on: its text and, for an unconfirmed state it
   * {@code resolve}s, what the table says now - a run that committed after the plan was made changes it.
   */
  static String fingerprint(@Nullable Path file, PipelineSpec spec, boolean resolve) throws IOException {
    if (file == null || !Files.isRegularFile(file)) {
      return "";
    }
    String text = Files.readString(file);
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (IOException e) {
      return text; // not JSON: the plan says so, and its text is what it depends on
    }
    return resolve && node.has(UNCONFIRMED) ? text + "\n" + resolve(file, node, spec) : text;
  }

  /**
   * Once the run holds the output and the table: an unconfirmed file becomes what it resolves to, and
   * the staging tables its run left are dropped.
   */
  static void settle(Path file, PipelineSpec spec) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    JsonNode node = JSON.readTree(file.toFile());
    if (!node.has(UNCONFIRMED)) {
      return;
    }
    JsonNode resolved = resolve(file, node, spec);
    if (resolved == null) {
      Files.delete(file);
    } else {
      AtomicJson.write(file, resolved);
    }
    try {
      JdbcTable.dropStaged(spec.sink().jdbc(), unconfirmedRun(node));
    } catch (SQLException e) {
      // leftovers only: the state no longer depends on them
    }
  }

  /**
   * A run that starts over (--full, a first run): the state goes, and the staging tables an
   * unconfirmed state's run left (if the spec still writes that table).
   */
  static void discard(Path file, PipelineSpec spec) throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    String run = null;
    try {
      run = unconfirmedRun(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      // not JSON: nothing to clean up beside it
    }
    Files.delete(file);
    if (run != null && RUN_ID.matcher(run).matches() && spec.sink().jdbc() != null) {
      try {
        JdbcTable.dropStaged(spec.sink().jdbc(), run);
      } catch (SQLException e) {
        // leftovers only
      }
    }
  }

  /**
   * Writes the state a successful run leaves; {@code unconfirmed}: its rows are committed into a
   * table only after this, and {@link #confirm} follows that.
   */
  static void write(Path file, ObjectNode state, String run, boolean unconfirmed) throws IOException {
    Files.createDirectories(file.getParent());
    if (!unconfirmed) {
      AtomicJson.write(file, state);
      return;
    }
    // What the file holds now is confirmed: the run settled it when it started.
    JsonNode previous = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : NullNode.getInstance();
    ObjectNode pending = state.deepCopy();
    pending.putObject(UNCONFIRMED).put("run", run).set("previous", previous);
    AtomicJson.write(file, pending);
  }

  /** After the table's commit: the state written by {@link #write} is the output's. */
  static void confirm(Path file) throws IOException {
    JsonNode node = JSON.readTree(file.toFile());
    if (node instanceof ObjectNode && node.has(UNCONFIRMED)) {
      ((ObjectNode) node).remove(UNCONFIRMED);
      AtomicJson.write(file, node);
    }
  }
}
