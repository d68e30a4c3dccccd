package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The job's own state files beside an output (manifest, incremental and replay state): replaced whole. */
final class AtomicJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AtomicJson() {}

  /** Where a file is written before it replaces {@code name}. */
  static String tmpName(String name) {
    return name + ".tmp";
  }

  /** Writes {@code node} beside {@code file} and moves it over the file, so a reader never sees half of it. */
  static void write(Path file, JsonNode node) throws IOException {
    Path tmp = file.resolveSibling(tmpName(file.getFileName().toString()));
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), node);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
