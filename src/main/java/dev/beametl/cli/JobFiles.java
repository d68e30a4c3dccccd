package dev.beametl.cli;

import dev.beametl.load.DeadLetters;
import dev.beametl.load.Load;
import dev.beametl.pipeline.EtlPipeline;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The names of what this job writes into its output directories, as the writers name them: the
 * run's cleanup ({@link OutputDirectories}) and its count check ({@link OutputRows}) must agree on them.
 */
final class JobFiles {
  private JobFiles() {}

  /** A run's id, as an appending run names its files with it. */
  static final String RUN = "[0-9a-f]{8}";
  /** Beam's shard numbering in a file name: {@code 00000-of-00002}. */
  static final String SHARD = "\\d{5,}-of-\\d{5,}";
  static final String PART = Load.FILE_PREFIX;
  /** The dead-letter files; they are JSON lines. */
  static final String DEAD_LETTERS = DeadLetters.FILE_PREFIX;
  static final String RUN_FOLDER = EtlPipeline.RUN_FOLDER;
  /** Beam's file sinks write their temporary files into folders named so: {@code .temp-beam-<id>}. */
  static final String TEMPORARY_FOLDER = ".temp-beam";

  /**
   * The files {@code prefix}-[{@code run}-]NNNNN-of-NNNNN.{@code extension}: one run's when {@code
   * run} is given, else those without a run in their name (a replacing run's).
   */
  static Pattern files(String prefix, @Nullable String run, String extension) {
    return Pattern.compile(Pattern.quote(prefix) + "-" + (run == null ? "" : Pattern.quote(run) + "-") + SHARD
        + "\\." + Pattern.quote(extension));
  }

  static boolean isTemporaryFolder(String name) {
    return name.startsWith(TEMPORARY_FOLDER);
  }
}
