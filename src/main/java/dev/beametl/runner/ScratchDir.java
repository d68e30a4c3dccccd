package dev.beametl.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;

/**
 * One run's private temporary directory: the embedded runner's config and Flink's own temporary
 * files (the RPC system's 22 MB jar it unpacks at every start, the TaskManager's blob store) go
 * here, and the whole directory is deleted when the run ends, or with the JVM if it ends first.
 * The system temp directory does not fill up with an hourly job's leftovers.
 */
public final class ScratchDir implements AutoCloseable {
  private final Path dir;
  private final Thread onExit;

  private ScratchDir(Path dir) {
    this.dir = dir;
    this.onExit = new Thread(this::delete, "beam-etl-scratch-cleanup");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  public static ScratchDir create() {
    try {
      return new ScratchDir(Files.createTempDirectory("beam-etl-run-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the run", e);
    }
  }

  public Path path() {
    return dir;
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
    delete();
  }

  private void delete() {
    try {
      if (Files.exists(dir)) {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      // best effort: a file still held open by a runner thread is gone with the JVM
    }
  }
}
