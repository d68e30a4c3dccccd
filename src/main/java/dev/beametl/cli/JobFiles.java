package dev.beametl.cli;

import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The names of what this job writes into its output directories, in one place: the run's cleanup
 * ({@link OutputDirectories}) and its count check ({@link OutputRows}) must agree on them.
 */
final class JobFiles {
  private JobFiles() {}

  /** A run's id, as an appending run names its files with it. */
  static final String RUN = "[0-9a-f]{8}";
  /** Beam's shard numbering in a file name: {@code 00000-of-00002}. */
  static final String SHARD = "\\d{5,}-of-\\d{5,}";
  /** The sink's part files begin so. */
  static final String PART = "part";
  /** The dead-letter files begin so; they are JSON lines. */
  static final String DEAD_LETTERS = "bad-records";
  /** The run folder: counts and the replay's staging, never output. */
  static final String RUN_FOLDER = "_run";

  /**
   * The files {@code prefix}-[{@code run}-]NNNNN-of-NNNNN.{@code extension}: one run's when {@code
   * run} is given, else those without a run in their name (a replacing run's).
   */
  static Pattern files(String prefix, @Nullable String run, String extension) {
    return Pattern.compile(Pattern.quote(prefix) + "-" + (run == null ? "" : Pattern.quote(run) + "-") + SHARD
        + "\\." + Pattern.quote(extension));
  }

  /** Beam's file sinks write their temporary files into folders named so. */
  static boolean isTemporaryFolder(String name) {
    return name.startsWith(".temp-beam");
  }
}
