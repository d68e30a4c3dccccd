package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The line a run prints when the JVM exits under it: what the job's log says it died of. */
public class ExitDuringRunTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static PipelineSpec spec(String lookups) throws Exception {
    return Specs.parse(String.join("\n", "version: 1", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]", lookups, "sink: {format: csv, path: out}", ""), "t", List.of());
  }

  @Test
  public void anOutOfMemoryErrorInTheLogIsNamedWithTheHeapAndTheLookupsTable() throws Exception {
    Path log = tmp.newFile("job.log").toPath();
    Files.writeString(log, "Caused by: org.apache.beam.sdk.util.UserCodeException: java.lang.OutOfMemoryError: "
        + "GC overhead limit exceeded\n\tat org.apache.beam...\nCaused by: java.lang.OutOfMemoryError: GC overhead "
        + "limit exceeded\n");
    PipelineSpec withLookup = spec("lookups: [{name: products, source: {path: p.csv, format: csv}, "
        + "schema: [{name: id, type: long}, {name: brand, type: string}], key: id, on: id, fields: [brand]}]");
    String line = new ExitDuringRun(log, withLookup, 256L << 20).message();
    assertThat(line, allOf(containsString("ran out of memory (OutOfMemoryError: GC overhead limit exceeded)"),
        containsString("a heap of 256 MiB"), containsString("BEAM_ETL_JAVA_OPTS=-Xmx1024m"),
        containsString("lookup products: maxBytes 67,108,864 encoded"), containsString("its log: " + log)));
    assertThat(line.lines().count(), is(1L));
    assertThat(new ExitDuringRun(log, withLookup, 256L << 20).outOfMemoryInLog(), is(line));
    // A job that failed with it (the run's own error, not the JVM's exit) gets the same line.
    assertThat(new ExitDuringRun(log, withLookup, 256L << 20).outOfMemory("Java heap space"), allOf(
        containsString("ran out of memory (OutOfMemoryError: Java heap space) with a heap of 256 MiB"),
        containsString("a seventh of the heap")));

    String plain = new ExitDuringRun(log, spec(""), 2048L << 20).message();
    assertThat(plain, allOf(containsString("a heap of 2,048 MiB"), containsString("-Xmx4096m"),
        not(containsString("lookup"))));
  }

  @Test
  public void otherwiseTheLineSaysTheJvmExitedAndWhereTheLogIs() throws Exception {
    Path log = tmp.newFile("job.log").toPath();
    Files.writeString(log, "a TaskManager was killed\n");
    assertThat(new ExitDuringRun(log, spec(""), 1L << 30).outOfMemoryInLog(), is((String) null));
    assertThat(new ExitDuringRun(log, spec(""), 1L << 30).message(), allOf(
        containsString("the JVM is exiting before the run ended"), containsString("its log: " + log)));
    assertThat(new ExitDuringRun(tmp.getRoot().toPath().resolve("none"), spec(""), 1L << 30).message(),
        containsString("the JVM is exiting before the run ended"));
  }

  /**
   * A run stopped for collecting garbage gets one line, said once (not again at the exit), and its
   * job's end, once decided, holds: the main thread commits only when the stop did not come first.
   */
  @Test
  public void aRunStoppedForCollectingGarbageIsNamedOnceAndCommitsNothing() throws Exception {
    Path log = tmp.newFile("job.log").toPath();
    Files.writeString(log, "java.lang.OutOfMemoryError: GC overhead limit exceeded\n");
    ExitDuringRun exit = new ExitDuringRun(log, spec(""), 256L << 20);
    String line = exit.thrashed();
    assertThat(line, allOf(containsString("ran out of memory (the JVM spent over 90% of 60 s collecting garbage, "
        + "and the run was stopped) with a heap of 256 MiB"), containsString("BEAM_ETL_JAVA_OPTS=-Xmx1024m"),
        containsString("its log: " + log)));
    assertThat(line.lines().count(), is(1L));
    assertThat(exit.message(), is((String) null));
    assertThat(exit.ended(), is(false)); // the job's end came after the stop: nothing committed
    assertThat(exit.thrashed(), is((String) null));

    ExitDuringRun ended = new ExitDuringRun(log, spec(""), 256L << 20);
    assertThat(ended.ended(), is(true));
    assertThat(ended.thrashed(), is((String) null)); // too late: the job ended, its output is being committed
    assertThat(ended.ended(), is(true));

    // The JVM exiting (Flink ends it on a task's error) said why: the stop says nothing.
    ExitDuringRun exiting = new ExitDuringRun(log, spec(""), 256L << 20);
    assertThat(exiting.message(), containsString("ran out of memory (OutOfMemoryError: GC overhead limit exceeded)"));
    assertThat(exiting.thrashed(), is((String) null));
  }
}
