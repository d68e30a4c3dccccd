package dev.beametl.cli;

import dev.beametl.extract.ParquetRecordSource;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.annotation.Nullable;

/**
 * After a run and before its success is marked: the sink's files of this run must hold the rows the
 * run counted as written, and its dead-letter files the bad records it handed to them. Beam's file
 * sinks rename each temporary file into place at the end and skip one that is gone (a retried
 * rename must not fail), so a temporary file deleted between a checkpoint and its resume would leave
 * rows missing from a run that reports them written. Counted from Parquet footers, and by reading
 * CSV records (quotes respected, one header per file) and JSON lines.
 */
final class OutputRows {
  private OutputRows() {}

  /**
   * Why the output does not hold {@code written} rows (a table is not counted) or the dead-letter
   * directory {@code deadLetters} records, or null when both do. {@code resumed}: the run went on
   * from a checkpoint, whose temporary files someone may have deleted.
   */
  static @Nullable String mismatch(PipelineSpec spec, long written, long deadLetters, @Nullable String appendRun,
      boolean resumed) throws IOException {
    SinkSpec sink = spec.sink();
    if (sink.format() != SinkSpec.Format.JDBC) {
      Path output = Path.of(sink.path());
      String why = mismatch("the output", output, "rows", files(output, sink.format(), appendRun), sink.format(),
          written, resumed);
      if (why != null) {
        return why;
      }
    }
    Path dir = Path.of(spec.deadLetterPath());
    return mismatch("the dead-letter directory", dir, "bad records", deadLetterFiles(dir, appendRun),
        SinkSpec.Format.JSONL, deadLetters, resumed);
  }

  private static @Nullable String mismatch(String what, Path dir, String records, List<Path> files,
      SinkSpec.Format format, long written, boolean resumed) throws IOException {
    long found = 0;
    for (Path file : files) {
      try {
        found += rows(file, format);
      } catch (Unfinished e) {
        return String.format(Locale.ROOT, "%s \"%s\": %s; run again%s", what, dir, e.getMessage(),
            resumed ? " without --resumeFrom" : "");
      }
    }
    if (found == written) {
      return null;
    }
    return String.format(Locale.ROOT, "%s \"%s\" holds %,d %s in %,d files, but the run wrote %,d: %s",
        what, dir, found, records, files.size(), written, found < written
            ? records + " are missing (" + (resumed
                ? "the checkpoint's temporary files there were deleted after it was taken); run again without "
                    + "--resumeFrom"
                : "files there were deleted or changed during the run); run again")
            : records + " are there twice; run again" + (resumed ? " without --resumeFrom" : ""));
  }

  /**
   * A part file or dead-letter file already in place, or null: a resumable run renames its files into
   * place only when its input has ended, so a stopped run that left one had begun its last step, and
   * a checkpoint taken before that names temporary files the renames took away.
   */
  static @Nullable Path fileInPlace(PipelineSpec spec) throws IOException {
    if (spec.sink().format() != SinkSpec.Format.JDBC) {
      List<Path> parts = files(Path.of(spec.sink().path()), spec.sink().format(), null);
      if (!parts.isEmpty()) {
        return parts.get(0);
      }
    }
    List<Path> deadLetters = deadLetterFiles(Path.of(spec.deadLetterPath()), null);
    return deadLetters.isEmpty() ? null : deadLetters.get(0);
  }

  /**
   * Puts the run's files (part files and dead letters, named for {@code appendRun} or without a run)
   * and the directories that name them on the disk. A state says which inputs are loaded, and is
   * written to the disk before it counts (AtomicJson); the files it vouches for were not: after a
   * power loss or a host's crash just after the state, newly written and renamed files can come
   * back empty or missing while the state says their inputs are loaded (a review).
   */
  static void force(PipelineSpec spec, @Nullable String appendRun) throws IOException {
    List<Path> all = new java.util.ArrayList<>();
    if (spec.sink().format() != SinkSpec.Format.JDBC) {
      all.addAll(files(Path.of(spec.sink().path()), spec.sink().format(), appendRun));
    }
    all.addAll(deadLetterFiles(Path.of(spec.deadLetterPath()), appendRun));
    java.util.Set<Path> tops = new java.util.HashSet<>(); // the output and dead-letter directories, as listed
    for (Path top : List.of(Path.of(spec.sink().path()), Path.of(spec.deadLetterPath()))) {
      tops.add(top);
      if (Files.isDirectory(top)) {
        tops.add(top.toRealPath());
      }
    }
    java.util.Set<Path> dirs = new java.util.LinkedHashSet<>();
    for (Path file : all) {
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
          java.nio.file.StandardOpenOption.READ)) {
        channel.force(true);
      }
      Path dir = file.getParent(); // its partition directories up to the output's own, not those above it
      while (dir != null && dirs.add(dir) && !tops.contains(dir)) {
        dir = dir.getParent();
      }
    }
    for (Path dir : dirs) {
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir,
          java.nio.file.StandardOpenOption.READ)) {
        channel.force(true);
      } catch (IOException e) {
        // a file system that cannot sync a directory: its entries are as durable as it makes them
      }
    }
  }

  /** The dead-letter files of a run in {@code dir}: those named for {@code appendRun}, or those without a run. */
  static List<Path> deadLetterFiles(Path dir, @Nullable String appendRun) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Pattern name = JobFiles.files(JobFiles.DEAD_LETTERS, appendRun, "jsonl");
    try (Stream<Path> all = Files.list(dir)) {
      return all.filter(p -> name.matcher(p.getFileName().toString()).matches()).filter(Files::isRegularFile)
          .sorted().collect(Collectors.toList());
    }
  }

  /** The part files this run wrote under {@code dir}, partition directories included. */
  static List<Path> files(Path dir, SinkSpec.Format format, @Nullable String appendRun) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    Pattern name = JobFiles.files(JobFiles.PART, appendRun, format.name().toLowerCase(Locale.ROOT));
    // An output given as a symbolic link: Files.walk visits the link alone, not the directory it names,
    // so a run that wrote its rows there counted none and failed as if they had been deleted.
    Path real = dir.toRealPath();
    try (Stream<Path> all = Files.walk(real)) {
      return all.filter(p -> name.matcher(p.getFileName().toString()).matches())
          .filter(p -> !isHidden(real.relativize(p)))
          .filter(Files::isRegularFile)
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** Hidden folders (Beam's temporary ones among them) and the run folder hold no output. */
  private static boolean isHidden(Path relative) {
    for (Path part : relative) {
      String s = part.toString();
      if (s.startsWith(".") || s.equals(JobFiles.RUN_FOLDER)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A file that does not end as the sinks end theirs - a text file's last record without its line
   * break, a Parquet file without its footer - was cut short after it was written: counting what is
   * left would pass a file that lost a record's end (a temporary file truncated before a resume).
   */
  static final class Unfinished extends IOException {
    Unfinished(Path file, String how) {
      super(file.getFileName() + " " + how + ": the file was cut short after it was written");
    }
  }

  static long rows(Path file, SinkSpec.Format format) throws IOException {
    switch (format) {
      case PARQUET:
        try {
          return ParquetRecordSource.rowCount(file);
        } catch (IOException | RuntimeException e) { // parquet's "not a Parquet file" is a RuntimeException
          throw new Unfinished(file, "is not a whole Parquet file (" + e.getMessage() + ")");
        }
      case JSONL:
        return records(file, false);
      case CSV:
        return Math.max(0, records(file, true) - 1); // the header
      default:
        throw new IllegalArgumentException("no files for format " + format);
    }
  }

  /**
   * Records in a file of lines ending in {@code \n}, as the sinks write them; with {@code quoted}, a
   * line break inside a CSV quote does not end one (a doubled quote toggles twice). A file whose last
   * record has no line break, or an open quote, is {@link Unfinished}.
   */
  static long records(Path file, boolean quoted) throws IOException {
    long records = 0;
    boolean inQuotes = false;
    boolean open = false; // bytes after the last record's end
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (quoted && b == '"') {
            inQuotes = !inQuotes;
          }
          if (b == '\n' && !inQuotes) {
            records++;
            open = false;
          } else {
            open = true;
          }
        }
      }
    }
    if (open || inQuotes) {
      throw new Unfinished(file, inQuotes ? "ends inside a quoted value" : "ends inside a record (no line break "
          + "after its last one)");
    }
    return records;
  }
}
