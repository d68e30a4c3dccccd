package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The job's own state files beside an output (manifest, incremental and replay state): replaced whole. */
final class AtomicJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AtomicJson() {}

  /** Where a file is written before it replaces {@code name}. */
  static String tmpName(String name) {
    return name + ".tmp";
  }

  /**
   * Writes {@code node} beside {@code file} and moves it over the file, so a reader never sees half of
   * it; both reach the disk before this returns, so the order of the job's writes holds even if the
   * machine goes down (a state written before a table's commit must not come back older after it).
   */
  static void write(Path file, JsonNode node) throws IOException {
    Path tmp = file.resolveSibling(tmpName(file.getFileName().toString()));
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself
    } catch (IOException e) {
      // a file system that cannot sync a directory: the rename is as durable as it makes it
    }
  }
}
