package dev.beametl.cli;

import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;

/**
 * The run's output directories (results and dead letters): checked before anything runs - empty, or
 * with {@code ifExists: overwrite} holding only a previous run's output - and emptied of that output
 * just before the pipeline starts. A directory holding anything else is refused, so a mistyped
 * {@code --output} never deletes someone's files.
 */
final class OutputDirectories {
  private OutputDirectories() {}

  static List<String> of(PipelineSpec spec) {
    return List.of(spec.sink().path(), spec.deadLetterPath());
  }

  /** Before the run: each directory is new, empty, or (with overwrite) a previous run's; and writable. */
  static void check(PipelineSpec spec) {
    for (String dir : of(spec)) {
      if (isNonEmptyDir(dir) && spec.sink().ifExists() == SinkSpec.IfExists.FAIL) {
        throw new SpecException("sink.ifExists: output \"" + dir + "\" already holds files; remove it, "
            + "choose another --output, or pass --ifExists=overwrite");
      }
      String foreign = foreignEntry(Path.of(dir));
      if (foreign != null) {
        throw new SpecException("sink.ifExists: output \"" + dir + "\" holds " + foreign
            + ", which this job did not write; overwrite only replaces a previous run's output, so "
            + "choose an empty or new directory");
      }
      Path p = Path.of(dir).toAbsolutePath();
      Path existing = p;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
        throw new SpecException("cannot write output \"" + dir + "\": " + existing + " is not a writable directory");
      }
    }
  }

  /** Just before the run: deletes a previous run's output and creates the directories. */
  static void prepare(PipelineSpec spec) throws IOException {
    for (String dir : of(spec)) {
      Path p = Path.of(dir);
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          for (Path entry : entries.filter(f -> writtenByARun(f.getFileName().toString())).toArray(Path[]::new)) {
            MoreFiles.deleteRecursively(entry, RecursiveDeleteOption.ALLOW_INSECURE);
          }
        }
      }
      Files.createDirectories(p);
    }
  }

  /** What a run writes in its directories; an overwrite deletes these and nothing else. */
  private static boolean writtenByARun(String name) {
    return name.startsWith("part-") || name.startsWith("bad-records-") || name.equals("_run")
        || name.equals("_SUCCESS") || name.startsWith(".temp-beam");
  }

  /** A file or folder in {@code dir} that no run of this job writes, or null. */
  private static String foreignEntry(Path dir) {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(f -> f.getFileName().toString()).filter(n -> !writtenByARun(n)).findFirst()
          .map(n -> "\"" + n + "\"").orElse(null);
    } catch (IOException e) {
      return "entries that cannot be listed (" + e.getMessage() + ")";
    }
  }

  private static boolean isNonEmptyDir(String dir) {
    Path p = Path.of(dir);
    if (!Files.isDirectory(p)) {
      return Files.exists(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isPresent();
    } catch (IOException e) {
      return true;
    }
  }
}
