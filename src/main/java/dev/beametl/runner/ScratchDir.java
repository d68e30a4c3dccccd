package dev.beametl.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;

/**
 * One run's private temporary directory: the embedded runner's config and Flink's own temporary
 * files (the RPC system's 22 MB jar it unpacks at every start, the TaskManager's blob store) go
 * here, and the whole directory is deleted when the run ends, or with the JVM if it ends first.
 *
 * <p>A run killed with {@code kill -9} cannot delete its directory, so each holds an OS lock on a
 * file inside it for its whole life, and every new run first deletes the directories whose lock
 * nobody holds any more: an hourly job that is killed now and then does not fill the disk.
 */
public final class ScratchDir implements AutoCloseable {
  static final String PREFIX = "beam-etl-run-";
  static final String LOCK = ".alive";
  /** A directory changed this recently may be one a run has just made and not yet locked. */
  private static final Duration GRACE = Duration.ofMinutes(1);
  /**
   * This JVM's own run directories (the warm runner's, tests'): never probed, because on Linux
   * closing any channel to a locked file drops the locks this process holds on it.
   */
  private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final FileChannel channel;
  private final Thread onExit;

  private ScratchDir(Path dir, FileChannel channel) {
    this.dir = dir;
    this.channel = channel;
    this.onExit = new Thread(this::delete, "beam-etl-scratch-cleanup");
    Runtime.getRuntime().addShutdownHook(onExit);
  }

  public static ScratchDir create() {
    try {
      Path dir = Files.createTempDirectory(PREFIX);
      FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.lock(); // released with the channel, or by the OS when the process dies
      HELD.add(dir);
      deleteAbandoned(dir.getParent());
      return new ScratchDir(dir, channel);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for the run", e);
    }
  }

  /** Deletes the run directories in {@code parent} that no living run holds (best effort). */
  static void deleteAbandoned(Path parent) {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, PREFIX + "*")) {
      for (Path d : dirs) {
        try {
          if (!HELD.contains(d) && Files.isDirectory(d) && abandoned(d)) {
            MoreFiles.deleteRecursively(d, RecursiveDeleteOption.ALLOW_INSECURE);
          }
        } catch (IOException | RuntimeException e) {
          // another run deleting it at the same time, or one we may not touch: left to its owner
        }
      }
    } catch (IOException e) {
      // the temporary directory cannot be listed: nothing to sweep
    }
  }

  /** Whether {@code dir} belongs to no living run: unchanged for a while, and its lock free or never taken. */
  static boolean abandoned(Path dir) throws IOException {
    Instant changed = Files.readAttributes(dir, BasicFileAttributes.class).lastModifiedTime().toInstant();
    if (changed.isAfter(Instant.now().minus(GRACE))) {
      return false; // perhaps just made, its lock not yet taken
    }
    return !Files.exists(dir.resolve(LOCK)) || lockFree(dir); // no lock file: a build from before these locks
  }

  /** Whether no process holds {@code dir}'s lock (probe only directories this JVM does not hold). */
  static boolean lockFree(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.WRITE)) {
      FileLock lock = c.tryLock();
      if (lock == null) {
        return false; // another process holds it: its run is alive
      }
      lock.release();
      return true;
    } catch (OverlappingFileLockException heldInThisJvm) {
      return false;
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
      channel.close(); // releases the lock
      HELD.remove(dir);
      if (Files.exists(dir)) {
        MoreFiles.deleteRecursively(dir, RecursiveDeleteOption.ALLOW_INSECURE);
      }
    } catch (IOException e) {
      // best effort: a file still held open by a runner thread is gone with the JVM
    }
  }
}
