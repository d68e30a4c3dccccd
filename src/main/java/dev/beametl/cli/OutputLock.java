package dev.beametl.cli;

import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run's hold on one output directory for the run's whole life. It is an OS file lock on a hidden
 * file in the directory, not a pid file: the lock dies with the process (a run killed with
 * {@code kill -9} blocks nothing), and the warm runner, one process for many runs, cannot mistake
 * one run for another. The file says who holds it, so a second run can name the holder.
 */
final class OutputLock implements AutoCloseable {
  static final String FILE = ".beam-etl.lock";
  /**
   * The directories (real paths) whose lock this JVM holds (the warm runner runs many jobs). Never
   * opened again while held: on Linux, closing any channel on a file drops every lock the process
   * holds on it (a review: a probe of a held lock let another process take it).
   */
  private static final java.util.Map<Path, String> HELD = new java.util.concurrent.ConcurrentHashMap<>();

  private final FileChannel channel;
  private final FileLock lock;
  private final Path held;

  private OutputLock(FileChannel channel, FileLock lock, Path held) {
    this.channel = channel;
    this.lock = lock;
    this.held = held;
  }

  /** Takes the output {@code dir} (creating it) for this run, or refuses naming the run that holds it. */
  static OutputLock take(Path dir, String pipeline) throws IOException {
    return take(dir, pipeline, "output", "--output");
  }

  /** What is wrong with the directory when the spec or the machine's set-up must change; null for other errors. */
  private static String why(java.nio.file.FileSystemException e) {
    String reason = String.valueOf(e.getReason());
    if (e instanceof java.nio.file.AccessDeniedException || reason.contains("Permission denied")) {
      return "permission denied on " + e.getFile();
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "the file system will not create " + e.getFile();
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException
        || reason.contains("Not a directory")) {
      return "a file, not a directory, stands in its path (" + e.getFile() + ")";
    }
    if (reason.contains("Read-only file system")) {
      return "the file system is read-only";
    }
    return null;
  }

  /**
   * As {@link #take(Path, String)}, for a directory the refusal calls {@code what} and that
   * {@code flag} moves elsewhere (the dead letters: {@code --deadLetter}).
   */
  static OutputLock take(Path dir, String pipeline, String what, String flag) throws IOException {
    FileChannel channel;
    Path real;
    try {
      Files.createDirectories(dir);
      real = real(dir);
      String heldHere = HELD.get(real);
      if (heldHere != null) { // the file not opened: see HELD
        throw new SpecException(what + " \"" + dir + "\" is in use by another run (" + heldHere + "); wait for it "
            + "to end, or choose another " + flag);
      }
      channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (java.nio.file.FileSystemException e) {
      // Before anything is deleted or run, as the check's "not a writable directory" (exit 2); a
      // failing disk or a lost mount stays an IOException, worth trying again (exit 1).
      String why = why(e);
      if (why == null) {
        throw e;
      }
      throw new dev.beametl.spec.SpecException("cannot write " + what + " \"" + dir + "\": " + why + (flag.equals("--from")
          ? "; a replay holds the directory it replays from: make it writable" : "; choose another " + flag));
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
      if (lock == null) { // once more: another run's probe of this directory holds it for an instant
        Thread.sleep(50);
        lock = channel.tryLock();
      }
    } catch (OverlappingFileLockException heldInThisProcess) {
      lock = null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lock = null;
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new SpecException(what + " \"" + dir + "\" is in use by another run (" + holder + "); wait for it "
          + "to end, or choose another " + flag);
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(describeThisRun(pipeline).getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(false);
    HELD.put(real, describeThisRun(pipeline));
    return new OutputLock(channel, lock, real);
  }

  /**
   * Refuses {@code dir} when a directory above it is the output of a run that holds it now (a trial:
   * a second run wrote its output into a subdirectory of a running run's, which then listed it as its
   * own, or counted its rows twice and failed with the wrong reason). {@code own}: this run's
   * directories (real paths), whose locks it holds itself. The probe takes a shared lock for an
   * instant, which a run taking that directory in the same instant waits out (see take).
   */
  static void refuseInsideAHeldOutput(Path dir, String what, String flag, java.util.Collection<Path> own)
      throws IOException {
    for (Path above = real(dir).getParent(); above != null; above = above.getParent()) {
      Path file = above.resolve(FILE);
      if (own.contains(above) || !Files.isRegularFile(file)) {
        continue;
      }
      String heldHere = HELD.get(above);
      if (heldHere != null) { // not opened: see HELD
        throw new SpecException(what + " \"" + dir + "\" is inside \"" + above + "\", which another run holds ("
            + heldHere + "): a run's output is its whole directory; choose another " + flag);
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        FileLock probe;
        try {
          probe = channel.tryLock(0, Long.MAX_VALUE, true);
        } catch (OverlappingFileLockException heldInThisProcess) {
          probe = null;
        }
        if (probe != null) {
          probe.release();
          continue;
        }
        throw new SpecException(what + " \"" + dir + "\" is inside \"" + above + "\", which another run holds ("
            + holder(channel) + "): a run's output is its whole directory; choose another " + flag);
      } catch (IOException unreadable) { // no lock this user can read, or a file system without locks: no run to see
      }
    }
  }

  /** {@code dir} as the file system has it, links resolved, though it (or its parents) may not exist yet. */
  static Path real(Path dir) throws IOException {
    Path path = dir.toAbsolutePath().normalize();
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    return existing == null ? path : existing.toRealPath().resolve(existing.relativize(path));
  }

  private static String describeThisRun(String pipeline) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "this host";
    }
    return "pipeline " + pipeline + ", pid " + ProcessHandle.current().pid() + " on " + host + ", started "
        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(1024);
      int n = channel.read(b, 0);
      String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).trim();
      return s.isEmpty() ? "a run that has just started" : s;
    } catch (IOException e) {
      return "a run whose lock file cannot be read";
    }
  }

  /** Lets the next run in; the file stays (deleting it would race with a run taking it). */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      try {
        channel.close();
      } finally {
        HELD.remove(held);
      }
    }
  }
}
