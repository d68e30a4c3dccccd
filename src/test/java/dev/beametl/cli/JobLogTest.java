package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The run's log file: what was captured before it is given, then the rest; a resumed run's below the stopped one's. */
public class JobLogTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aRunsLogReplacesAnEarlierRunsAndHoldsWhatCameBeforeTheFile() throws Exception {
    Path file = tmp.getRoot().toPath().resolve("_run/job.log");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "an earlier run's log\n");
    PrintStream before = System.err;
    try (JobLog log = JobLog.capture(false)) {
      System.err.println("before the file");
      log.writeTo(file, null);
      System.err.println("after");
    }
    assertThat(System.err, is(before));
    assertThat(Files.readString(file), is("before the file\nafter\n"));
  }

  @Test
  public void aResumedRunsLogFollowsTheStoppedRunsLog() throws Exception {
    Path file = tmp.getRoot().toPath().resolve("job.log");
    Files.writeString(file, "stopped: TaskManager lost\n");
    byte[] stopped = JobLog.stoppedRun(file, 1 << 20);
    Files.delete(file); // as the output's preparation does
    try (JobLog log = JobLog.capture(false)) {
      System.err.println("resumed");
      log.writeTo(file, stopped);
    }
    List<String> lines = Files.readAllLines(file);
    assertThat(lines.get(0), is("stopped: TaskManager lost"));
    assertThat(lines.get(1), matchesPattern("---- \\d{4}-.*: the run resumed from a checkpoint \\(--resumeFrom\\);.*----"));
    assertThat(lines.get(2), is("resumed"));
    assertThat(lines.size(), is(3));
  }

  @Test
  public void aLongStoppedLogKeepsItsEnd() throws Exception {
    Path file = tmp.getRoot().toPath().resolve("job.log");
    Files.writeString(file, "x".repeat(100) + "\nwhy it stopped\n");
    assertThat(new String(JobLog.stoppedRun(file, 20), StandardCharsets.UTF_8),
        is("(the stopped run's log: its first 101 bytes left out)\nwhy it stopped\n"));
    assertThat(JobLog.stoppedRun(tmp.getRoot().toPath().resolve("none"), 15), is(nullValue()));
    Files.writeString(file, "");
    assertThat("an empty log: nothing to go on from", JobLog.stoppedRun(file, 15), is(nullValue()));
  }
}
