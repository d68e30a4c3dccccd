package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Run directories of runs killed with kill -9 are swept by the next run; living runs' are not. */
public class ScratchDirTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path dir(String name, boolean lockFile, int minutesOld) throws Exception {
    Path d = Files.createDirectories(tmp.getRoot().toPath().resolve(ScratchDir.PREFIX + name));
    Files.writeString(d.resolve("flink-rpc-akka.jar"), "22 MB here");
    if (lockFile) {
      Files.createFile(d.resolve(ScratchDir.LOCK));
    }
    Files.setLastModifiedTime(d, FileTime.from(Instant.now().minusSeconds(60L * minutesOld)));
    return d;
  }

  @Test
  public void theNextRunDeletesWhatKilledRunsLeftAndNothingElse() throws Exception {
    Path parent = tmp.getRoot().toPath();
    Process alive = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + parent, "-cp", System.getProperty("java.class.path"), Holder.class.getName())
        .redirectErrorStream(true).start();
    Path living = Path.of(new java.io.BufferedReader(new java.io.InputStreamReader(alive.getInputStream())).readLine());
    Files.setLastModifiedTime(living, FileTime.from(Instant.now().minusSeconds(600))); // only its lock protects it
    Path killed = dir("killed", true, 10);
    Path legacy = dir("legacy", false, 10);
    Path justMade = dir("just-made", false, 0);

    ScratchDir.deleteAbandoned(parent);
    assertThat("a killed run's directory", Files.exists(killed), is(false));
    assertThat("a directory from before the locks", Files.exists(legacy), is(false));
    assertThat("a directory perhaps not yet locked", Files.exists(justMade), is(true));
    assertThat("a living run's directory", Files.exists(living), is(true));

    alive.destroyForcibly(); // SIGKILL: no shutdown hook deletes its directory
    assertThat(alive.waitFor(30, TimeUnit.SECONDS), is(true));
    assertThat(Files.exists(living), is(true));
    try (ScratchDir next = ScratchDir.create()) { // a new run in the system temp directory sweeps there, not here
      ScratchDir.deleteAbandoned(parent);
    }
    assertThat("the killed living run's directory, swept by the next run", Files.exists(living), is(false));
  }

  /** A run's scratch directory held until the process is killed. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      ScratchDir dir = ScratchDir.create();
      System.out.println(dir.path());
      System.out.flush();
      Thread.sleep(600_000);
      dir.close();
    }
  }
}
