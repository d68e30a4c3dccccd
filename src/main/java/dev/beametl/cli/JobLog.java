package dev.beametl.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    Files.createDirectories(file.getParent());
    sink.switchTo(Files.newOutputStream(file));
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
