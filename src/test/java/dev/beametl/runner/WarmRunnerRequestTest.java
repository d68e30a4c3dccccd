package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The warm runner's requests over a real socket: every argument arrives, an empty one included;
 * status answers while a run goes on; a run whose client has gone is not started; what is queued
 * behind a stop, or sent by a launcher of an older build, is told to run in a JVM of its own.
 */
public class WarmRunnerRequestTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** The arguments of each run the job was given. */
  private final List<List<String>> runs = new CopyOnWriteArrayList<>();
  /** Counted down as a run begins; the run waits for {@link #release}. */
  private final CountDownLatch running = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<Throwable> runnerFailures = new CopyOnWriteArrayList<>();
  private Thread runner;
  private Path dir;
  private int port;
  private String token;

  private void start() throws Exception {
    dir = tmp.newFolder("warm").toPath();
    WarmRunner.Job job = (callerDir, args, out, err) -> {
      runs.add(List.of(args));
      running.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      out.println("ran");
      return 0;
    };
    runner = new Thread(() -> {
      try {
        WarmRunner.serveUntilStopped(dir, job);
      } catch (Throwable e) {
        runnerFailures.add(e);
      }
    });
    runner.start();
    for (int i = 0; i < 400 && !Files.exists(dir.resolve("port")); i++) {
      Thread.sleep(25);
    }
    port = Integer.parseInt(Files.readString(dir.resolve("port")).trim());
    token = Files.readString(dir.resolve("token"));
  }

  @After
  public void stopRunner() throws Exception {
    release.countDown();
    if (runner != null && runner.isAlive()) {
      reply(send(token, "stop"));
      runner.join(10_000);
    }
    assertThat("the runner stopped", runner == null || !runner.isAlive(), is(true));
    assertThat(runnerFailures, is(List.of()));
  }

  /** A request as this build's launcher frames it: token, command, the count of the fields after it, those. */
  private Socket send(String token, String command, String... fields) throws IOException {
    List<String> all = new ArrayList<>(List.of(token, command, String.valueOf(fields.length)));
    all.addAll(Arrays.asList(fields));
    return sendRaw(String.join("\0", all) + "\0\0");
  }

  private Socket sendRaw(String request) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return s;
  }

  /** The answer's lines, the exit code last. */
  private static List<String> reply(Socket s) throws IOException {
    try (s) {
      List<String> lines = new ArrayList<>();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
      return lines;
    }
  }

  /** An empty argument ended the request: the flags after it were dropped, and the run wrote elsewhere, exit 0. */
  @Test
  public void anEmptyArgumentIsAnArgument() throws Exception {
    start();
    release.countDown();
    assertThat(reply(send(token, "run", "/dir", "--pipeline=a.yaml", "", "--output=o")), contains("S", "O ran", "X 0"));
    assertThat(runs, contains(List.of("--pipeline=a.yaml", "", "--output=o")));
  }

  /** status waited behind the run in progress, and a few such requests filled the runner's backlog. */
  @Test
  public void statusAnswersAtOnceWhileARunGoesOn() throws Exception {
    start();
    Socket run = send(token, "run", "/dir", "--x");
    assertThat(running.await(10, TimeUnit.SECONDS), is(true));
    for (int i = 0; i < 60; i++) { // more than any backlog holds
      assertThat(reply(send(token, "status")), contains("O busy", "X 0"));
    }
    release.countDown();
    assertThat(reply(run), contains("S", "O ran", "X 0"));
    assertThat(reply(send(token, "status")), contains("O idle", "X 0"));
  }

  /** Each client that connected and sent nothing held every other request for 5 s, status and runs alike. */
  @Test
  public void aSilentClientHoldsNobodyUp() throws Exception {
    start();
    release.countDown();
    List<Socket> silent = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      silent.add(new Socket(InetAddress.getLoopbackAddress(), port));
    }
    long begin = System.nanoTime();
    assertThat(reply(send(token, "status")), contains("O idle", "X 0"));
    assertThat(reply(send(token, "run", "/dir", "--x")), contains("S", "O ran", "X 0"));
    assertThat("answered without waiting for the silent ones", System.nanoTime() - begin
        < TimeUnit.SECONDS.toNanos(4), is(true));
    for (Socket s : silent) {
      s.close();
    }
  }

  /** A run queued behind another, whose client was stopped before it began, ran minutes later anyway. */
  @Test
  public void aRunWhoseClientHasGoneIsNotStarted() throws Exception {
    start();
    Socket first = send(token, "run", "/dir", "--first");
    assertThat(running.await(10, TimeUnit.SECONDS), is(true));
    send(token, "run", "/dir", "--cancelled").close(); // Ctrl-C while the first run held the runner
    Socket third = send(token, "run", "/dir", "--third");
    release.countDown();
    assertThat(reply(first), hasItem("X 0"));
    assertThat(reply(third), hasItem("X 0"));
    assertThat(runs, contains(List.of("--first"), List.of("--third")));
  }

  /**
   * A run queued behind a stop (started while another run held the runner and the stop waited) was
   * dropped with the runner: exit 1, "went away". It is told there is no runner (255), and its
   * launcher runs it in a JVM of its own.
   */
  @Test
  public void aRequestQueuedBehindAStopIsToldToRunElsewhere() throws Exception {
    start();
    Socket first = send(token, "run", "/dir", "--first");
    assertThat(running.await(10, TimeUnit.SECONDS), is(true));
    Socket stop = send(token, "stop");
    Thread.sleep(200); // the stop is taken before the next client knocks
    // A stopping runner is none for new work: a start right after a stop was told "already up".
    assertThat("the port file is gone as the stop is taken", Files.exists(dir.resolve("port")), is(false));
    List<String> status = reply(send(token, "status"));
    assertThat(status.get(status.size() - 1), is("X " + WarmRunner.NOT_SERVED));
    Socket queued = send(token, "run", "/dir", "--queued");
    release.countDown();
    assertThat(reply(first), hasItem("X 0"));
    assertThat(reply(stop), contains("X 0"));
    assertThat(reply(queued), contains("X " + WarmRunner.NOT_SERVED));
    runner.join(10_000);
    assertThat(runs, contains(List.of("--first")));
  }

  /**
   * A launcher of an older build (its requests without the count) reaching this runner: its status
   * and stop are served, its run is sent to a JVM of its own rather than misread.
   */
  @Test
  public void aLauncherOfTheFirstFramingIsServedOrSentToItsOwnJvm() throws Exception {
    start();
    assertThat(reply(sendRaw(token + "\0status\0\0")), contains("O idle", "X 0"));
    List<String> run = reply(sendRaw(token + "\0run\0/dir\0--pipeline=a.yaml\0\0"));
    assertThat(run.get(run.size() - 1), is("X " + WarmRunner.NOT_SERVED));
    assertThat(reply(sendRaw("not-the-token\0status\0" + "0\0\0")), hasItem("X " + WarmRunner.USAGE));
    assertThat(reply(sendRaw(token + "\0run\0" + "1\0/dir\0extra\0\0")), is(List.of())); // more than it counted
    assertThat(runs, is(List.of()));
    assertThat(reply(sendRaw(token + "\0stop\0\0")), contains("X 0"));
    runner.join(10_000);
  }
}
