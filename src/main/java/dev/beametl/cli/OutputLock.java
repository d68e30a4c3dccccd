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

  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the output {@code dir} (creating it) for this run, or refuses naming the run that holds it. */
  static OutputLock take(Path dir, String pipeline) throws IOException {
    return take(dir, pipeline, "output", "--output");
  }

  /**
   * As {@link #take(Path, String)}, for a directory the refusal calls {@code what} and that
   * {@code flag} moves elsewhere (the dead letters: {@code --deadLetter}).
   */
  static OutputLock take(Path dir, String pipeline, String what, String flag) throws IOException {
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
    } catch (IOException e) { // before anything is deleted or run: the spec's or the machine's, as the check's "not writable"
      throw new dev.beametl.spec.SpecException("cannot write " + what + " \"" + dir + "\": " + e
          + "; choose another " + flag);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldInThisProcess) {
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
    return new OutputLock(channel, lock);
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
      channel.close();
    }
  }
}
