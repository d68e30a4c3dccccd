package dev.beametl.runner;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The warm runner behind {@code bin/beam-etl daemon start}: a JVM that stays up and runs the jobs
 * bin/beam-etl hands it, one at a time, each exactly as the command line runs it in a fresh JVM
 * (the {@link Job} it is given), on an embedded Flink cluster of its own. It saves what every
 * fresh JVM pays before the first record: loading some 15,000 classes, flag parsing, and compiling
 * the code that runs.
 *
 * <p>Protocol, on a loopback port: the client sends a request ({@link WarmRequest}: the token
 * from the runner's directory, readable by its owner only, a command and its fields). The runner
 * answers in lines: {@code S} as a run begins, {@code O text} (standard output), {@code E text}
 * (standard error) and last {@code X code}, the exit code; 255 means "no runner here", and the
 * launcher runs the job in a JVM of its own, as it does when the runner is gone before {@code S}.
 * Each request is read on a thread of its own, and {@code status} answered at once ({@code O busy}
 * or {@code O idle}); runs and {@code stop} wait in turn for one worker thread.
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

  /** Serves requests, runs one at a time, until one asks it to stop; DIR gets the token, then the port. */
  public static void serveUntilStopped(Path dir, Job job) throws IOException {
    Files.createDirectories(dir);
    BlockingQueue<WarmRequest> queue = new LinkedBlockingQueue<>();
    AtomicBoolean busy = new AtomicBoolean();
    Thread worker = new Thread(() -> work(queue, job, busy), "beam-etl-warm-runs");
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
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
      worker.start();
      AtomicBoolean stopping = new AtomicBoolean();
      // No new client finds this runner once it stops: a start right after a stop had been told
      // "already up" by the runner on its way out, and left none.
      Runnable unpublish = () -> {
        deleteIfOurs(dir.resolve("port"), String.valueOf(server.getLocalPort()));
        deleteIfOurs(tokenFile, token);
      };
      ExecutorService readers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "beam-etl-warm-requests");
        t.setDaemon(true);
        return t;
      });
      try {
        server.setSoTimeout(250); // to see a stop taken by a reader
        while (!stopping.get()) {
          try {
            Socket client = server.accept();
            // Each request is read on a thread of its own: a client that connects and sends nothing
            // (a port scan, a launcher stopped halfway) held every other one for 5 s.
            readers.execute(() -> take(client, token, queue, busy, stopping, unpublish));
          } catch (java.net.SocketTimeoutException e) {
            // no client: look at stopping again
          } catch (IOException e) {
            log("accepting a client failed: " + e.getMessage());
          }
        }
      } finally {
        // First no new client finds this runner, then those already at its door are sent away.
        unpublish.run();
        turnAwayQueued(server);
        readers.shutdown();
      }
    }
    try {
      worker.join(); // the runs queued before the stop, then the stop's answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Takes one request: answers {@code status} at once, queues a run or the stop for the worker.
   * {@code status} had waited behind the run in progress, and a few such requests filled the
   * runner's backlog: later clients, runs too, hung in connect for minutes. Runs and the stop are
   * queued under the queue's lock, so no run is queued after the stop.
   */
  private static void take(Socket client, String token, BlockingQueue<WarmRequest> queue, AtomicBoolean busy,
      AtomicBoolean stopping, Runnable unpublish) {
    WarmRequest request;
    try {
      client.setSoTimeout(5_000); // a client that sends no request does not hold a thread for long
      request = WarmRequest.read(client, token);
      client.setSoTimeout(0);
    } catch (IOException e) {
      log("a request that could not be read: " + e.getMessage());
      request = null;
    }
    if (request == null) { // unreadable, or refused for its token (and answered)
      try {
        client.close();
      } catch (IOException e) {
        // closed already
      }
      return;
    }
    switch (request.command) {
      case "status": // a stopping runner is none for new work
        request.answer(stopping.get() ? NOT_SERVED : OK, busy.get() || !queue.isEmpty() ? "O busy" : "O idle");
        request.close();
        return;
      case "run":
        if (request.firstFraming) { // a launcher of an older build: its own JVM runs it
          request.answer(NOT_SERVED, "E beam-etl: the warm runner is of a newer build; this run starts its own JVM");
          request.close();
          return;
        }
        synchronized (queue) {
          if (!stopping.get()) {
            queue.add(request);
            return;
          }
        }
        request.answer(NOT_SERVED); // the runner stops: the launcher runs it in a JVM of its own
        request.close();
        return;
      case "stop":
        synchronized (queue) {
          if (!stopping.getAndSet(true)) {
            unpublish.run();
            queue.add(request); // answered by the worker, after the runs queued before it
            return;
          }
        }
        request.answer(OK); // stopping already
        request.close();
        return;
      default:
        request.answer(USAGE, "E beam-etl: the warm runner knows the commands run, status and stop");
        request.close();
    }
  }

  /** The worker: runs the queued requests in turn, until the stop, which it answers last. */
  private static void work(BlockingQueue<WarmRequest> queue, Job job, AtomicBoolean busy) {
    while (true) {
      WarmRequest request;
      try {
        request = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      try (request) {
        if (request.command.equals("stop")) {
          request.answer(OK);
          return;
        }
        busy.set(true);
        if (request.clientGone()) {
          // Queued behind another run, its client was stopped (Ctrl-C) before it began: the user
          // cancelled it, and it ran minutes later anyway, replacing an output.
          log("a run's client went away before the run began; not run");
          request.answer(JOB_FAILED, "E beam-etl: not run: the client closed its end before the run began");
        } else {
          request.started();
          serveRun(request, job, busy);
        }
      } catch (IOException | RuntimeException e) {
        log("a run could not be served: " + e);
      } finally {
        busy.set(false);
      }
    }
  }

  /**
   * Runs a request's job, its output and exit code sent to its client. The run is over before its
   * exit code goes out: a status asked on reading it had found the runner still busy (a CI run).
   */
  private static void serveRun(WarmRequest request, Job job, AtomicBoolean busy) throws IOException {
    OutputStream socket = new BufferedOutputStream(request.client.getOutputStream());
    Lines outLines = new Lines(socket, 'O');
    Lines errLines = new Lines(socket, 'E');
    PrintStream out = new PrintStream(ControlCharacters.escaping(outLines, StandardCharsets.UTF_8), true,
        StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(ControlCharacters.escaping(errLines, StandardCharsets.UTF_8), true,
        StandardCharsets.UTF_8);
    int code;
    RunCancel cancel = RunCancel.begin();
    AtomicBoolean running = new AtomicBoolean(true);
    watchClient(request, running, cancel);
    try {
      if (request.fields.isEmpty()) {
        err.println("beam-etl: a run request names the caller's directory first");
        code = USAGE;
      } else {
        // run CALLER_DIR ARGS...: relative paths mean the caller's directory, not the runner's
        List<String> args = request.fields.subList(1, request.fields.size());
        code = run(job, Path.of(request.fields.get(0)), args.toArray(new String[0]), out, err);
      }
    } finally {
      running.set(false);
      cancel.end();
    }
    out.flush();
    err.flush();
    outLines.finish();
    errLines.finish();
    busy.set(false);
    synchronized (socket) {
      try {
        socket.write(("X " + code + "\n").getBytes(StandardCharsets.UTF_8));
        socket.flush();
      } catch (IOException e) {
        // the client went away during the run (Ctrl-C), which ran to its end
      }
    }
    if (code != 0) {
      // A failed job can leave files open: Beam's writers are not closed when a write throws (a disk
      // full), and their streams close only when collected. A JVM of its own ends and closes them;
      // this one lives on, and held a deleted temporary file - its space on a full disk, and the
      // mount busy - until some later collection (a trial). Collected now, after the client has its answer.
      System.gc();
    }
  }

  /**
   * Cancels the run when its client goes away while it runs (Ctrl-C, a killed launcher), as Ctrl-C
   * stops a run in a JVM of its own: the run went on to its end, and an overwrite the user had
   * stopped replaced the output (a trial). A client sends nothing after its request, so its end
   * of the socket closing is all a read here can see. What the request stops: {@link RunCancel}.
   * (A client must keep its end open while it waits: one that half-closed after its request would
   * cancel its run.)
   */
  private static void watchClient(WarmRequest request, AtomicBoolean running, RunCancel cancel) {
    Thread watch = new Thread(() -> {
      try {
        while (request.in.read() >= 0) {
          // nothing is expected; a stray byte is not a reason to cancel
        }
      } catch (IOException e) {
        // closed: by the client, or by this runner after the run
      }
      if (running.get()) {
        log("a run's client went away during the run: cancelling it (a run setting up stops before it writes, "
            + "the embedded runner's jobs are cancelled; a run committing its output, on another runner or "
            + "resumable goes on to its end)");
        cancel.request();
      }
    }, "beam-etl-client-watch");
    watch.setDaemon(true);
    watch.start();
  }

  /**
   * Answers the clients already queued at the door when the runner stops (a run started while
   * another ran and the stop waited) as a runner that is not there: their launchers start the runs
   * in JVMs of their own. They had been dropped with the runner: exit 1, "the warm runner went away".
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
        WarmRequest.turnAway(queued, NOT_SERVED);
      } catch (IOException e) {
        // that client went away; the next one is answered
      }
    }
  }

  /** Deletes {@code file} if it still holds {@code content}: a runner started since wrote its own. */
  private static void deleteIfOurs(Path file, String content) {
    try {
      if (Files.readString(file).trim().equals(content)) {
        Files.delete(file);
      }
    } catch (IOException e) {
      // gone already
    }
  }

  /**
   * The runner's own log: System.err as the runner started, for its threads write while a run has
   * swapped System.err to that run's client.
   */
  private static final PrintStream LOG = System.err;

  private static void log(String message) {
    LOG.println("beam-etl warm runner: " + message);
  }

  /**
   * Runs one job with System.out and System.err (where the log goes) sent to the client. The two are
   * process-wide; they are this job's because one worker runs the jobs, one at a time.
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
