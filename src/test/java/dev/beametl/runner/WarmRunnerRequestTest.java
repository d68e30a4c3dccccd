package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

/** A request to the warm runner carries every argument, an empty one included, and nothing past its count. */
public class WarmRunnerRequestTest {
  private static List<String> read(String request) throws IOException {
    return WarmRunner.readFields(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)));
  }

  /** An empty argument ended the request: the flags after it were dropped, and the run wrote elsewhere, exit 0. */
  @Test
  public void anEmptyArgumentIsAnArgument() throws IOException {
    assertThat(read("tok\0run\0" + "4\0/dir\0--pipeline=a.yaml\0\0--output=o\0\0"),
        contains("tok", "run", "/dir", "--pipeline=a.yaml", "", "--output=o"));
    assertThat(read("tok\0status\0" + "0\0\0"), contains("tok", "status"));
  }

  @Test
  public void aRequestThatDoesNotAddUpIsRefused() {
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0/dir\0--pipeline=a.yaml\0\0")).getMessage(),
        containsString("without the count of its fields"));
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0" + "1\0/dir\0extra\0\0")).getMessage(),
        containsString("more fields than it counted"));
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0" + "2\0/dir\0")).getMessage(),
        containsString("ended within a field"));
  }

  /** A run queued behind another, whose client was stopped before it began, ran minutes later anyway. */
  @Test
  public void aRunWhoseClientHasGoneIsNotStarted() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    WarmRunner.Job job = (dir, args, out, err) -> runs.incrementAndGet();
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      for (boolean stays : new boolean[] {false, true}) {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        OutputStream o = client.getOutputStream();
        o.write(("tok\0run\0" + "2\0/dir\0--x\0\0").getBytes(StandardCharsets.UTF_8));
        o.flush();
        if (!stays) {
          client.close(); // Ctrl-C while another run held the runner
        }
        try (Socket accepted = server.accept()) {
          WarmRunner.serve(accepted, "tok", job);
        }
        client.close();
      }
    }
    assertThat("only the run whose client waited for it", runs.get(), is(1));
  }

  /**
   * A run queued behind a stop (started while another run held the runner and the stop waited) was
   * dropped with the runner: exit 1, "went away". It is told the runner is not there, and its
   * launcher runs it in a JVM of its own.
   */
  @Test
  public void aRequestQueuedBehindAStopIsToldToRunElsewhere() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("warm-stop");
    java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    WarmRunner.Job job = (callerDir, args, out, err) -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0;
    };
    Thread runner = new Thread(() -> {
      try {
        WarmRunner.serveUntilStopped(dir, job);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    runner.start();
    java.nio.file.Path portFile = dir.resolve("port");
    for (int i = 0; i < 200 && !java.nio.file.Files.exists(portFile); i++) {
      Thread.sleep(25);
    }
    int port = Integer.parseInt(java.nio.file.Files.readString(portFile).trim());
    String token = java.nio.file.Files.readString(dir.resolve("token"));
    try (Socket first = send(port, token, "run", "/dir");
        Socket stop = sendAfter(running, port, token, "stop");
        Socket queued = send(port, token, "run", "/dir")) {
      release.countDown();
      assertThat(reply(first), is("X 0"));
      assertThat(reply(stop), is("X 0"));
      assertThat(reply(queued), is("X " + WarmRunner.NOT_SERVED));
    }
    runner.join(10_000);
    assertThat(runner.isAlive(), is(false));
  }

  private static Socket sendAfter(java.util.concurrent.CountDownLatch running, int port, String token, String... fields)
      throws Exception {
    running.await();
    return send(port, token, fields);
  }

  private static Socket send(int port, String token, String... fields) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    StringBuilder request = new StringBuilder(token + "\0" + fields[0] + "\0" + (fields.length - 1) + "\0");
    for (int i = 1; i < fields.length; i++) {
      request.append(fields[i]).append('\0');
    }
    s.getOutputStream().write(request.append('\0').toString().getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return s;
  }

  /** The reply's last line: its exit code. */
  private static String reply(Socket s) throws IOException {
    String last = null;
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      last = line;
    }
    return last;
  }
}
