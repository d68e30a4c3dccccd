package dev.beametl.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * The run's log - the runner's and Beam's messages, stack traces included - kept out of the
 * terminal: everything written to {@code System.err} while it is open goes to a buffer, then to
 * {@code _run/job.log} once the output directory is ready; with {@code --verbose} to the terminal
 * too. The job's own lines (progress, summary, errors) go to the terminal stream it was given.
 */
final class JobLog implements AutoCloseable {
  private final PrintStream previous;
  private final Sink sink;

  private JobLog(PrintStream previous, Sink sink) {
    this.previous = previous;
    this.sink = sink;
  }

  /** Starts capturing System.err; {@code verbose} also passes it on to where it went before. */
  static JobLog capture(boolean verbose) {
    PrintStream previous = System.err;
    Sink sink = new Sink(verbose ? previous : null);
    System.setErr(new PrintStream(sink, true, StandardCharsets.UTF_8));
    return new JobLog(previous, sink);
  }

  /** From now on the log goes to {@code file}, starting with what was captured before. */
  void writeTo(Path file) throws IOException {
    writeTo(file, null);
  }

  /**
   * As {@link #writeTo(Path)}, the file starting with {@code stopped} (a stopped run's log, see
   * {@link #stoppedRun}) when not null: a resumed run's log follows the log of the run it resumes,
   * whose end says why that one stopped (the output's preparation deleted it, with the rest).
   */
  void writeTo(Path file, @Nullable byte[] stopped) throws IOException {
    Files.createDirectories(file.getParent());
    OutputStream log = Files.newOutputStream(file);
    try {
      if (stopped != null) {
        log.write(stopped);
        log.write(("---- " + Instant.now() + ": the run resumed from a checkpoint (--resumeFrom); the stopped "
            + "run's log is above ----\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      log.close();
      throw e;
    }
    sink.switchTo(log);
  }

  /**
   * The last {@code max} bytes of a stopped run's log from a line's start, or null when there is
   * none, it is empty, or it cannot be read (the resumed run goes on without it).
   */
  static @Nullable byte[] stoppedRun(Path file, int max) {
    try {
      byte[] tail = new byte[(int) Math.min(Files.size(file), max)];
      long size = readTail(file, tail);
      int n = (int) Math.min(size, tail.length);
      int from = 0;
      if (size > n) { // from the first whole line: not in the middle of a character
        while (from < n && tail[from] != '\n') {
          from++;
        }
        from = Math.min(from + 1, n);
      }
      if (n == from) {
        return null;
      }
      byte[] note = size > n ? ("(the stopped run's log: its first " + (size - n + from) + " bytes left out)\n")
          .getBytes(StandardCharsets.UTF_8) : new byte[0];
      byte[] out = Arrays.copyOf(note, note.length + n - from);
      System.arraycopy(tail, from, out, note.length, n - from);
      return out;
    } catch (IOException | RuntimeException none) {
      return null;
    }
  }

  /**
   * Reads a file's end into {@code into} - its last {@code min(size, into.length)} bytes, from the
   * array's start - and returns the file's size. It allocates no buffer: {@link ExitDuringRun} reads
   * the log this way when the heap is full.
   */
  static long readTail(Path file, byte[] into) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long size = in.length();
      int n = (int) Math.min(size, into.length);
      in.seek(size - n);
      in.readFully(into, 0, n);
      return size;
    }
  }

  /** Restores System.err and closes the log file. */
  @Override
  public void close() throws IOException {
    System.err.flush();
    System.setErr(previous);
    sink.close();
  }

  /** Where captured bytes go: a buffer until a file is given, and a copy to the terminal when verbose. */
  private static final class Sink extends OutputStream {
    private final @Nullable PrintStream copy;
    private OutputStream target = new ByteArrayOutputStream();

    Sink(@Nullable PrintStream copy) {
      this.copy = copy;
    }

    synchronized void switchTo(OutputStream file) throws IOException {
      if (target instanceof ByteArrayOutputStream) {
        ((ByteArrayOutputStream) target).writeTo(file);
      }
      target = file;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      target.write(b);
      if (copy != null) {
        copy.write(b);
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      target.write(b, off, len);
      if (copy != null) {
        copy.write(b, off, len);
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      target.flush();
      if (copy != null) {
        copy.flush();
      }
    }

    @Override
    public synchronized void close() throws IOException {
      target.close();
      target = OutputStream.nullOutputStream(); // a late log line from a runner thread is dropped
    }
  }
}
