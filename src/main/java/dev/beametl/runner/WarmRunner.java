package dev.beametl.runner;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The warm runner behind {@code bin/beam-etl daemon start}: a JVM that stays up and runs the jobs
 * bin/beam-etl hands it, one at a time, each exactly as the command line runs it in a fresh JVM
 * (the {@link Job} it is given), on an embedded Flink cluster of its own. It saves what every
 * fresh JVM pays before the first record: loading some 15,000 classes, flag parsing, and compiling
 * the code that runs.
 *
 * <p>Protocol, on a loopback port: the client sends NUL-terminated fields - the token from the
 * runner's directory (readable by its owner only), a command ({@code run}, {@code status} or
 * {@code stop}), for {@code run} the caller's directory and the job's arguments - then an empty
 * field. The runner answers in lines: {@code O text} (standard output), {@code E text} (standard
 * error) and last {@code X code}, the exit code.
 */
public final class WarmRunner {
  /** Exit codes the runner itself answers with (the command line's own). */
  static final int OK = 0;
  static final int JOB_FAILED = 1;
  static final int USAGE = 2;
  /** What the launcher takes for "no runner up": it runs the job in a JVM of its own. */
  static final int NOT_SERVED = 255;

  /** One run of the command line: the caller's directory, its arguments, where it prints, its exit code. */
  @FunctionalInterface
  public interface Job {
    int run(Path callerDir, String[] args, PrintStream out, PrintStream err);
  }

  private WarmRunner() {}

  /** Serves requests one at a time until one asks it to stop; DIR gets the token, then the port. */
  public static void serveUntilStopped(Path dir, Job job) throws IOException {
    Files.createDirectories(dir);
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      Path tokenFile = dir.resolve("token");
      Files.deleteIfExists(tokenFile);
      Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tokenFile, token);
      // Last, and whole at once: clients wait for the file to exist, then read it (written in place,
      // a client under load read it empty between its creation and its write).
      Path port = dir.resolve("port.tmp");
      Files.writeString(port, String.valueOf(server.getLocalPort()));
      Files.move(port, dir.resolve("port"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      boolean serving = true;
      while (serving) {
        try (Socket client = server.accept()) {
          serving = serve(client, token, job);
        } catch (IOException e) {
          // the client went away; the next one is served
        }
      }
      turnAwayQueued(server);
    } finally {
      Files.deleteIfExists(dir.resolve("port"));
      Files.deleteIfExists(dir.resolve("token"));
    }
  }

  /**
   * Answers the requests queued behind a stop (a run started while another ran and the stop waited)
   * as a runner that is not there: their launchers start the runs in JVMs of their own. They had
   * been dropped with the runner, and the run failed, exit 1, "the warm runner went away".
   */
  private static void turnAwayQueued(ServerSocket server) throws IOException {
    server.setSoTimeout(200);
    while (true) {
      Socket queued;
      try {
        queued = server.accept();
      } catch (java.net.SocketTimeoutException e) {
        return; // none left
      }
      try (queued) {
        queued.setSoTimeout(1000);
        readFields(new BufferedInputStream(queued.getInputStream())); // read, so closing sends no reset
        OutputStream reply = queued.getOutputStream();
        reply.write(("X " + NOT_SERVED + "\n").getBytes(StandardCharsets.UTF_8));
        reply.flush();
      } catch (IOException e) {
        // that client went away; the next one is answered
      }
    }
  }

  /** Serves one request; false when it asked the runner to stop. */
  static boolean serve(Socket client, String token, Job job) throws IOException {
    BufferedInputStream in = new BufferedInputStream(client.getInputStream());
    List<String> fields = readFields(in);
    if (fields.size() >= 2 && fields.get(1).equals("run") && gone(client, in)) {
      // Queued behind another run, its client was stopped (Ctrl-C) before it began: the user
      // cancelled it, and it ran minutes later anyway, replacing an output.
      System.err.println("beam-etl warm runner: a run's client went away before the run began; not run");
      return true;
    }
    OutputStream socket = new BufferedOutputStream(client.getOutputStream());
    Lines outLines = new Lines(socket, 'O');
    Lines errLines = new Lines(socket, 'E');
    PrintStream out = new PrintStream(outLines, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(errLines, true, StandardCharsets.UTF_8);
    boolean withToken = !fields.isEmpty() && MessageDigest.isEqual(fields.get(0).getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
    String command = withToken && fields.size() >= 2 ? fields.get(1) : "";
    int code = OK;
    if (!withToken) {
      err.println("beam-etl: the warm runner refused a request without its token");
      code = USAGE;
    } else if (command.equals("run")) {
      // run CALLER_DIR ARGS...: relative paths mean the caller's directory, not the runner's
      code = fields.size() < 3 ? USAGE
          : run(job, Path.of(fields.get(2)), fields.subList(3, fields.size()).toArray(new String[0]), out, err);
    } else if (!command.equals("status") && !command.equals("stop")) {
      err.println("beam-etl: the warm runner knows the commands run, status and stop");
      code = USAGE;
    }
    out.flush();
    err.flush();
    outLines.finish();
    errLines.finish();
    synchronized (socket) {
      socket.write(("X " + code + "\n").getBytes(StandardCharsets.UTF_8));
      socket.flush();
    }
    return !command.equals("stop");
  }

  /**
   * Whether the client has closed its end: a client sends nothing after its request, so a read that
   * finds the stream's end (not a timeout) means it has gone.
   */
  private static boolean gone(Socket client, InputStream in) {
    try {
      client.setSoTimeout(1);
      try {
        return in.read() < 0;
      } finally {
        client.setSoTimeout(0);
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Runs one job with System.out and System.err (where the log goes) sent to the client. The two are
   * process-wide; they are this job's because the runner serves one request at a time.
   */
  private static int run(Job job, Path callerDir, String[] args, PrintStream out, PrintStream err) {
    PrintStream systemOut = System.out;
    PrintStream systemErr = System.err;
    System.setOut(out);
    System.setErr(err);
    try {
      return job.run(callerDir, args, out, err);
    } catch (RuntimeException | Error e) {
      err.println("beam-etl: the job failed: " + e);
      return JOB_FAILED;
    } finally {
      System.setOut(systemOut);
      System.setErr(systemErr);
    }
  }

  /**
   * A request's NUL-terminated fields: the token, the command, how many fields follow, those (an
   * empty one among them, as an empty argument is), then an empty field. Read up to the first empty
   * field, as before, an empty argument ended the request and the flags after it were dropped: the
   * run wrote to the spec's own sink path instead of {@code --output}, exit 0. The token, the command
   * and the fields are returned, the count checked.
   */
  static List<String> readFields(InputStream in) throws IOException {
    List<String> fields = new ArrayList<>();
    fields.add(readField(in));
    fields.add(readField(in));
    String count = readField(in);
    int n;
    try {
      n = Integer.parseInt(count);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 0) {
      throw new IOException("a request without the count of its fields (\"" + count + "\"); an older launcher?");
    }
    for (int i = 0; i < n; i++) {
      fields.add(readField(in));
    }
    if (!readField(in).isEmpty()) {
      throw new IOException("a request with more fields than it counted");
    }
    return fields;
  }

  private static String readField(InputStream in) throws IOException {
    ByteArrayOutputStream field = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0; b = in.read()) {
      if (b == 0) {
        return field.toString(StandardCharsets.UTF_8);
      }
      field.write(b);
    }
    throw new IOException("the request ended within a field");
  }

  /**
   * Sends what is written to it as lines, each with a one-letter tag, to the shared socket. Once the
   * client has gone (Ctrl-C), output is dropped and the job runs to its end.
   */
  static final class Lines extends OutputStream {
    private final OutputStream socket;
    private final byte tag;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean clientGone;

    Lines(OutputStream socket, char tag) {
      this.socket = socket;
      this.tag = (byte) tag;
    }

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        send();
      } else if (b != '\r') {
        line.write(b);
      }
    }

    /**
     * Sends nothing: a PrintStream that flushes itself flushes after every piece it writes, and a
     * printf came to the client as one line per piece (the exit-3 message in five). Lines go when
     * they end; {@link #finish} sends a last one that did not.
     */
    @Override
    public void flush() {}

    synchronized void finish() {
      if (line.size() > 0) {
        send();
      }
    }

    private void send() {
      synchronized (socket) {
        try {
          if (!clientGone) {
            socket.write(tag);
            socket.write(' ');
            line.writeTo(socket);
            socket.write('\n');
            socket.flush();
          }
        } catch (IOException e) {
          clientGone = true;
        }
      }
      line.reset();
    }
  }
}
