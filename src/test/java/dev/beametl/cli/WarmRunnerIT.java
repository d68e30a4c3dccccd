package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.beametl.cli.EtlJob;
import dev.beametl.pipeline.RunCounts;
import dev.beametl.runner.WarmRunner;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The warm runner: jobs run in one JVM one after another, each with its own output, exit code and
 * log lines relayed to its client; a request without the token is refused; a failed run does not
 * take the runner down; stop ends it. Then the same through bin/beam-etl, as a user runs it.
 */
public class WarmRunnerIT {
  /** The caller's directory a run request carries: this test runs in the project's. */
  private static final String HERE = Path.of("").toAbsolutePath().toString();
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  /** What one request got back: the tagged lines and the exit code. */
  static final class Reply {
    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();
    int code = -1;
  }

  private static Reply request(Path dir, String token, String... fields) throws IOException {
    int port = Integer.parseInt(Files.readString(dir.resolve("port")).trim());
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      OutputStream o = s.getOutputStream();
      o.write((token + "\0" + fields[0] + "\0" + (fields.length - 1) + "\0").getBytes(StandardCharsets.UTF_8));
      for (String f : java.util.Arrays.asList(fields).subList(1, fields.length)) {
        o.write((f + "\0").getBytes(StandardCharsets.UTF_8));
      }
      o.write(0);
      o.flush();
      Reply r = new Reply();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("O ")) {
          r.out.add(line.substring(2));
        } else if (line.startsWith("E ")) {
          r.err.add(line.substring(2));
        } else if (line.startsWith("X ")) {
          r.code = Integer.parseInt(line.substring(2));
        }
      }
      return r;
    }
  }

  @Test
  public void runsJobsOneAfterAnotherUntilStopped() throws Exception {
    Path dir = TMP.newFolder("runner").toPath();
    Thread runner = new Thread(() -> {
      try {
        WarmRunner.serveUntilStopped(dir, EtlJob::main);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    runner.start();
    for (int i = 0; i < 100 && !Files.exists(dir.resolve("port")); i++) {
      Thread.sleep(50);
    }
    String token = Files.readString(dir.resolve("token"));
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("token"))), is("rw-------"));

    Reply refused = request(dir, "not-the-token", "run", HERE, "--pipeline=pipelines/sales-by-product.yaml");
    assertThat(refused.code, is(EtlJob.USAGE));
    assertThat(refused.err, hasItem(containsString("refused a request without its token")));

    String out = TMP.getRoot() + "/first";
    Reply first = request(dir, token, "run", HERE, "--pipeline=pipelines/sales-by-product.yaml", "--output=" + out);
    assertThat(first.err.toString(), first.code, is(EtlJob.OK));
    assertThat(first.out, hasItem(startsWith("  records read                        4,530")));
    assertThat(Files.exists(Path.of(out, "_SUCCESS")), is(true));

    Reply bad = request(dir, token, "run", HERE, "--pipeline=pipelines/sales-by-product.yaml", "--outptu=x");
    assertThat(bad.code, is(EtlJob.USAGE));
    assertThat(bad.err, hasItem(containsString("outptu")));

    String again = TMP.getRoot() + "/again";
    Reply second = request(dir, token, "run", HERE, "--pipeline=pipelines/sales-by-product.yaml", "--output=" + again);
    assertThat(second.err.toString(), second.code, is(EtlJob.OK));
    assertThat("a warm run did not wait for a JVM to start", second.out,
        hasItem(allOf(containsString("options"), not(containsString("jvm start")))));
    assertThat(RunCounts.read(again + "/_run"), is(RunCounts.read(out + "/_run")));

    assertThat(request(dir, token, "stop").code, is(EtlJob.OK));
    runner.join(TimeUnit.SECONDS.toMillis(30));
    assertThat(runner.isAlive(), is(false));
    assertThat(Files.exists(dir.resolve("port")), is(false));
  }

  @Test
  public void theLauncherSendsRunsToItAndBack() throws Exception {
    String out = TMP.getRoot() + "/launched";
    try {
      assertThat(launcher(0, "daemon", "start"), containsString("warm runner up"));
      Thread.sleep(1500); // a run that comes later did not wait for the runner's JVM to start
      String warm = launcher(0, "--pipeline=pipelines/sales-by-product.yaml", "--output=" + out);
      assertThat(warm, containsString("records read                        4,530"));
      assertThat("no JVM started for this run", warm, not(containsString("jvm start")));
      assertThat(Files.exists(Path.of(out, "_SUCCESS")), is(true));
      assertThat(launcher(EtlJob.USAGE, "--pipeline=pipelines/sales-by-product.yaml", "--outptu=x"),
          containsString("outptu"));
      assertThat(launcher(0, "daemon", "status"), containsString("warm runner up"));
      // While a run holds the runner, status answers that it is busy (it waited for the run's end).
      Path slowLog = TMP.newFile().toPath();
      Process slow = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(),
          "--pipeline=pipelines/sales-by-product.yaml", "--output=" + TMP.getRoot() + "/slow",
          "--fault=records.throttle(perSecond=500)").redirectErrorStream(true).redirectOutput(slowLog.toFile()).start();
      Thread.sleep(1000); // the run is queued as its launcher connects; throttled, it lasts seconds more
      assertThat(launcher(0, "daemon", "status"), containsString("busy with a run"));
      assertThat(slow.waitFor(3, TimeUnit.MINUTES), is(true));
      assertThat(Files.readString(slowLog), slow.exitValue(), is(0));
      assertThat("the slow run went to the runner", Files.readString(slowLog), not(containsString("jvm start")));
      assertThat(launcher(0, "daemon", "status"), not(containsString("busy")));
      // An empty argument ended the request, and the flags after it were dropped (exit 0, another output).
      String afterEmpty = TMP.getRoot() + "/after-empty";
      assertThat(launcher(0, "--pipeline=pipelines/sales-by-product.yaml", "", "--output=" + afterEmpty),
          not(containsString("jvm start")));
      assertThat(Files.exists(Path.of(afterEmpty, "_SUCCESS")), is(true));
    } finally {
      assertThat(launcher(0, "daemon", "stop"), containsString("warm runner stopped"));
    }
    assertThat(launcher(3, "daemon", "status"), containsString("no warm runner is up"));
  }

  /** Two starts at once made two runners: the pid file named one, the port file the other, and stop hung. */
  @Test
  public void twoStartsAtOnceMakeOneRunner() throws Exception {
    List<Process> starts = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      starts.add(new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(), "daemon", "start")
          .redirectErrorStream(true).redirectOutput(TMP.newFile().toPath().toFile()).start());
    }
    try {
      for (Process p : starts) {
        assertThat(p.waitFor(2, TimeUnit.MINUTES), is(true));
        assertThat(p.exitValue(), is(0));
      }
      assertThat(runnerJvms(), is(1L));
    } finally {
      assertThat(launcher(0, "daemon", "stop"), containsString("warm runner stopped"));
    }
    Thread.sleep(500);
    assertThat(runnerJvms(), is(0L));
  }

  /** While a stop lets the last run end, status and a start said no runner was up (and a start made a second). */
  @Test
  public void aStoppingRunnerFinishesItsRunAndSaysSo() throws Exception {
    assertThat(launcher(0, "daemon", "start"), containsString("warm runner up"));
    Path slowLog = TMP.newFile().toPath();
    Process slow = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(),
        "--pipeline=pipelines/sales-by-product.yaml", "--output=" + TMP.getRoot() + "/last",
        "--fault=records.throttle(perSecond=500)").redirectErrorStream(true).redirectOutput(slowLog.toFile()).start();
    Thread.sleep(1000);
    Path stopLog = TMP.newFile().toPath();
    Process stop = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(), "daemon", "stop")
        .redirectErrorStream(true).redirectOutput(stopLog.toFile()).start();
    Thread.sleep(1000);
    assertThat(launcher(3, "daemon", "status"), containsString("is stopping: it finishes the runs it took"));
    assertThat(stop.waitFor(3, TimeUnit.MINUTES), is(true));
    assertThat(Files.readString(stopLog), allOf(containsString("warm runner stopped")));
    assertThat(slow.waitFor(3, TimeUnit.MINUTES), is(true));
    assertThat(Files.readString(slowLog), slow.exitValue(), is(0));
    assertThat(Files.exists(Path.of(TMP.getRoot() + "/last/_SUCCESS")), is(true));
    assertThat(runnerJvms(), is(0L));
  }

  /** The JVMs running this checkout's warm runner (from /proc: ProcessHandle gives up on a long class path). */
  private static long runnerJvms() {
    String runner = "dev.beametl.cli.WarmRunnerMain " + Path.of("target/warm-runner").toAbsolutePath();
    return ProcessHandle.allProcesses().filter(p -> {
      try {
        return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")),
            StandardCharsets.UTF_8).replace('\0', ' ').contains(runner);
      } catch (IOException e) {
        return false; // gone meanwhile
      }
    }).count();
  }

  @Test
  public void relativePathsMeanTheCallersDirectoryThroughTheRunnerAndASymlinkOnThePath() throws Exception {
    Path caller = TMP.newFolder("caller").toPath();
    Path data = Files.createDirectories(caller.resolve("data"));
    Files.copy(Path.of("data-samples/sales/sales-2024-01.csv"), data.resolve("sales.csv"));
    Files.writeString(caller.resolve("my.yaml"), Files.readString(Path.of("pipelines/sales-by-product.yaml"))
        .replace("../data-samples/sales/*.csv", "data/*.csv")); // relative to the spec's own directory
    Path bin = Files.createDirectories(TMP.getRoot().toPath().resolve("path-bin"));
    Files.createSymbolicLink(bin.resolve("beam-etl"), Path.of("bin/beam-etl").toAbsolutePath());
    try {
      assertThat(launcherIn(caller, bin, 0, "daemon", "start"), containsString("warm runner up"));
      String warm = launcherIn(caller, bin, 0, "--pipeline=my.yaml", "--output=out");
      assertThat(warm, containsString("records read                        2,215"));
      assertThat(Files.exists(caller.resolve("out/_SUCCESS")), is(true));
      assertThat(Files.exists(caller.resolve("out-dead-letter")), is(true));
      // From a linked directory ../ is beside its target, as for the job's own JVM and ls, not beside the link.
      Path sub = Files.createDirectories(caller.resolve("sub"));
      Path link = Files.createSymbolicLink(TMP.getRoot().toPath().resolve("linked-sub"), sub);
      launcherIn(link, bin, 0, "--pipeline=../my.yaml", "--output=../out3");
      assertThat(Files.exists(caller.resolve("out3/_SUCCESS")), is(true));
    } finally {
      launcherIn(caller, bin, 0, "daemon", "stop");
    }
    String fresh = launcherIn(caller, bin, 0, "--pipeline=my.yaml", "--output=out2");
    assertThat(fresh, containsString("records read                        2,215"));
    assertThat(Files.exists(caller.resolve("out2/_SUCCESS")), is(true));
    assertThat("Maven's colour codes stay out of the output", fresh, not(containsString("\u001b[")));
  }

  /**
   * A client stopped during its run (Ctrl-C, a killed launcher) cancels the run, as Ctrl-C stops a run
   * in its own JVM: the run went on to its end, and an overwrite the user stopped replaced the output
   * (a trial). The runner is free at once, and the next run on that output is exact.
   */
  @Test
  public void aClientStoppedDuringItsRunCancelsTheRun() throws Exception {
    String out = TMP.getRoot() + "/cancelled";
    try {
      launcher(0, "daemon", "start");
      Path clientLog = TMP.newFile().toPath();
      Process client = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(),
          "--pipeline=pipelines/sales-by-product.yaml", "--output=" + out,
          "--fault=records.throttle(perSecond=100)") // 4,530 rows: 20 s and more
          .redirectErrorStream(true).redirectOutput(clientLog.toFile()).start();
      Thread.sleep(4000); // begun, and reading
      assertThat(launcher(0, "daemon", "status"), containsString("busy with a run"));
      client.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the launcher's trap ends it, and its socket closes
      assertThat(client.waitFor(30, TimeUnit.SECONDS), is(true));
      assertThat(Files.readString(clientLog), client.exitValue(), is(143)); // as TERM ends a process
      assertThat(Files.readString(clientLog), containsString("the warm runner cancels the run"));
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // the throttled run had 15 s and more to go
      while (launcher(0, "daemon", "status").contains("busy") && System.nanoTime() < until) {
        Thread.sleep(200);
      }
      assertThat(launcher(0, "daemon", "status"), not(containsString("busy")));
      assertThat(Files.readString(Path.of("target/warm-runner/log")),
          containsString("a run's client went away during the run: cancelling it"));
      assertThat("cancelled: not complete", Files.exists(Path.of(out, "_SUCCESS")), is(false));
      String next = launcher(0, "--pipeline=pipelines/sales-by-product.yaml", "--output=" + out, "--ifExists=overwrite");
      assertThat(next, containsString("records read                        4,530"));
      assertThat(Files.exists(Path.of(out, "_SUCCESS")), is(true));
    } finally {
      launcher(0, "daemon", "stop");
    }
  }

  /**
   * A file named données.csv under the C locale (cron, systemd, CI): the JVM's file names were ASCII,
   * and the run failed with only "Malformed input or input contains unmappable characters", in its
   * own JVM and through a warm runner started under that locale, for every client (a trial).
   */
  @Test
  public void aNonAsciiFileNameIsReadUnderTheCLocaleInItsOwnJvmAndThroughTheRunner() throws Exception {
    Process locales = new ProcessBuilder("bash", "-c", "[[ $(LC_ALL=C.UTF-8 locale charmap 2>/dev/null) == UTF-8 ]]")
        .start();
    org.junit.Assume.assumeTrue("the system has the locale C.UTF-8", locales.waitFor() == 0);
    Path caller = TMP.newFolder("c-locale").toPath();
    Files.createDirectories(caller.resolve("data"));
    Files.copy(Path.of("data-samples/sales/sales-2024-01.csv"), caller.resolve("sample.csv"));
    // Named by the shell, in UTF-8 bytes: this JVM may not hold the name in its own file-name charset.
    Process mv = new ProcessBuilder("bash", "-c", "mv sample.csv \"data/$(printf 'donn\\303\\251es.csv')\"")
        .directory(caller.toFile()).start();
    assertThat(mv.waitFor(), is(0));
    Files.writeString(caller.resolve("my.yaml"), Files.readString(Path.of("pipelines/sales-by-product.yaml"))
        .replace("../data-samples/sales/*.csv", "data/*.csv"));
    Map<String, String> cLocale = Map.of("LC_ALL", "C", "LANG", "C", "BEAM_ETL_WARM", "0");
    String own = launcherIn(caller, null, cLocale, 0, "--pipeline=my.yaml", "--output=out");
    assertThat(own, containsString("records read                        2,215"));
    try {
      launcherIn(caller, null, Map.of("LC_ALL", "C", "LANG", "C"), 0, "daemon", "start");
      for (String locale : List.of("C", "C.UTF-8")) { // a client under either: the runner's file names
        String out = "out-" + locale;
        String warm = launcherIn(caller, null, Map.of("LC_ALL", locale), 0, "--pipeline=my.yaml", "--output=" + out);
        assertThat(warm, containsString("records read                        2,215"));
        assertThat("the runner served it", warm, not(containsString("jvm start")));
        assertThat(Files.exists(caller.resolve(out + "/_SUCCESS")), is(true));
      }
    } finally {
      launcherIn(caller, null, Map.of(), 0, "daemon", "stop");
    }
  }

  /** bin/beam-etl with these arguments, which must exit with {@code code}; what it printed. */
  private static String launcher(int code, String... args) throws Exception {
    return launcherIn(Path.of("").toAbsolutePath(), null, code, args);
  }

  /** The launcher run in {@code dir}, found through {@code path} (a directory on PATH) when given. */
  private static String launcherIn(Path dir, Path path, int code, String... args) throws Exception {
    return launcherIn(dir, path, Map.of(), code, args);
  }

  /** As {@link #launcherIn(Path, Path, int, String...)}, with these variables set in its environment. */
  private static String launcherIn(Path dir, Path path, Map<String, String> env, int code, String... args)
      throws Exception {
    // Through a shell, so "beam-etl" is looked up on the child's PATH.
    List<String> command = new ArrayList<>(path == null ? List.of(Path.of("bin/beam-etl").toAbsolutePath().toString())
        : List.of("bash", "-c", "exec beam-etl \"$@\"", "beam-etl"));
    command.addAll(List.of(args));
    Path log = TMP.newFile().toPath();
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    if (path != null) {
      builder.environment().put("PATH", path + ":" + System.getenv("PATH"));
    }
    builder.environment().put("PWD", dir.toString()); // as a shell that cd'd there has it, a link kept
    builder.environment().putAll(env);
    Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertThat("bin/beam-etl finished", p.waitFor(5, TimeUnit.MINUTES), is(true));
    assertThat(Files.readString(log), p.exitValue(), is(code));
    return Files.readString(log);
  }
}
