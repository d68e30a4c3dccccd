package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Overwrite deletes exactly what this job's previous run wrote, and a run holds its output
 * directories for its whole life: a second run is refused at once, naming the holder, and a run
 * killed with kill -9 holds nothing.
 */
public class OutputDirectoriesTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Path out() {
    return tmp.getRoot().toPath().resolve("out");
  }

  private PipelineSpec spec(String ifExists) {
    return Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + out() + "', ifExists: " + ifExists + "}", ""), "t", List.of());
  }

  /** An appending run into out() that wrote its part file and succeeded, marker included. */
  private void committedRun(PipelineSpec spec, String run) throws Exception {
    try (OutputDirectories dirs = OutputDirectories.take(spec, run, true)) {
      dirs.prepare();
      files(out(), "part-" + run + "-00000-of-00001.csv", "_SUCCESS");
      dirs.finish(true);
    }
  }

  private void files(Path dir, String... names) throws Exception {
    Files.createDirectories(dir);
    for (String n : names) {
      if (n.endsWith("/")) {
        Files.createDirectories(dir.resolve(n));
      } else {
        Files.writeString(dir.resolve(n), "x");
      }
    }
  }

  private static List<String> listing(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".beam-etl")).collect(Collectors.toList());
    }
  }

  private String refusal(PipelineSpec spec) {
    return assertThrows(SpecException.class, () -> OutputDirectories.check(spec)).getMessage();
  }

  @Test
  public void anotherToolsFilesAreRefusedEvenWhenTheyLookLikeOurs() throws Exception {
    files(out(), "part-00000-5f3c9e2a-c000.csv");
    assertThat(refusal(spec("overwrite")), containsString("holds \"part-00000-5f3c9e2a-c000.csv\""));
    Files.delete(out().resolve("part-00000-5f3c9e2a-c000.csv"));
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run1")) {
      dirs.prepare();
      files(out(), "part-00000-of-00002.csv");
      dirs.finish();
    }
    files(out(), "part-00001-of-00002.csv.bak");
    assertThat(refusal(spec("overwrite")), containsString("holds \"part-00001-of-00002.csv.bak\""));
    assertThat(Files.exists(out().resolve("part-00001-of-00002.csv.bak")), is(true));
  }

  /**
   * Files another program writes into the output while a run writes it are not the run's: its
   * manifest leaves them out, the run says so, and the next overwrite refuses them (a trial: they
   * were listed as the run's, and the next overwrite deleted them without a word).
   */
  @Test
  public void filesWrittenIntoTheOutputDuringTheRunAreNotTheRunsAndTheNextOverwriteRefusesThem() throws Exception {
    List<String> warnings;
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run1")) {
      dirs.prepare();
      files(out(), "part-00000-of-00001.csv", "_run/", "_SUCCESS");
      files(out(), "README.txt", "part-00000-5f3c9e2a-c000.csv", "notes/"); // another tool, meanwhile
      warnings = dirs.finish();
    }
    assertThat(RunManifest.read(out()).entries, containsInAnyOrder("part-00000-of-00001.csv", "_run", "_SUCCESS"));
    assertThat(warnings, is(List.of("beam-etl: warning: " + out() + " holds \"README.txt\", \"notes\", "
        + "\"part-00000-5f3c9e2a-c000.csv\", which this run did not write (another program wrote into the output "
        + "during the run): left out of the run's output, and the next run into it is refused until they are moved "
        + "elsewhere")));
    assertThat(refusal(spec("overwrite")), containsString("holds \"README.txt\""));
    assertThat(Files.exists(out().resolve("part-00000-5f3c9e2a-c000.csv")), is(true));
    Files.delete(out().resolve("README.txt"));
    Files.delete(out().resolve("notes"));
    Files.delete(out().resolve("part-00000-5f3c9e2a-c000.csv"));
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run2")) {
      dirs.prepare();
      assertThat(listing(out()), is(List.of()));
      files(out(), "part-00000-of-00001.csv");
      assertThat("nothing foreign: no warning", dirs.finish(), is(List.of()));
    }
  }

  /**
   * A run's output is its whole directory: a second run may not write inside it while it runs (a
   * trial: the first run then listed the second's directory as its own, or counted its rows twice),
   * through a link either; once it has ended, it may.
   */
  @Test
  public void anOutputInsideOneAnotherRunHoldsIsRefused() throws Exception {
    java.util.function.Function<String, PipelineSpec> specAt = sink -> Specs.parse(String.join("\n", "version: 1",
        "name: inner", "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + sink + "', ifExists: overwrite}", ""), "t", List.of());
    Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), tmp.getRoot().toPath());
    // A run in another process (the usual case): its lock is probed.
    Process outer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), LockHolder.class.getName(), out().toString()).start();
    try {
      assertThat("the holder took the lock", new String(outer.getInputStream().readNBytes(5)), is("held\n"));
      for (String inner : List.of(out() + "/sub", link + "/out/sub/deeper")) {
        String why = assertThrows(SpecException.class, () -> OutputDirectories.take(specAt.apply(inner), "run2"))
            .getMessage();
        assertThat(why, allOf(containsString("is inside \"" + out().toRealPath() + "\", which another run holds "
            + "(pipeline holder, pid " + outer.pid()), containsString("choose another --output")));
      }
    } finally {
      outer.destroyForcibly();
      outer.waitFor(30, TimeUnit.SECONDS);
    }
    // A run of this process (the warm runner's): known without opening its lock file, which would drop the lock
    // (the first run still holds its output after the probes).
    try (OutputDirectories first = OutputDirectories.take(spec("overwrite"), "run1")) {
      first.prepare();
      for (String inner : List.of(out() + "/sub", out() + "-dead-letter/x")) {
        String why = assertThrows(SpecException.class, () -> OutputDirectories.take(specAt.apply(inner), "run2"))
            .getMessage();
        String held = inner.endsWith("/x") ? out() + "-dead-letter" : out().toString();
        assertThat(why, containsString("is inside \"" + Path.of(held).toRealPath() + "\", which another run holds "
            + "(pipeline t, pid " + ProcessHandle.current().pid()));
      }
      assertThat(listing(out()), is(List.of()));
      Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          System.getProperty("java.class.path"), LockHolder.class.getName(), out().toString())
          .redirectErrorStream(true).start();
      boolean refused = other.waitFor(30, TimeUnit.SECONDS); // one that took it would hold it for 10 minutes
      if (!refused) {
        other.destroyForcibly();
      }
      assertThat("another process cannot take the output after the probes", refused, is(true));
      assertThat(new String(other.getInputStream().readAllBytes()),
          containsString("is in use by another run (pipeline t, pid " + ProcessHandle.current().pid()));
    }
    OutputDirectories.take(specAt.apply(out() + "/sub"), "run3").close(); // the first run has ended
  }

  @Test
  public void namesLikeOursWithoutAManifestAreAnotherJobsAndAfterARunOnlyWhatItsManifestListsIsTaken()
      throws Exception {
    // A partition directory of another job's table: Spark, Hive and Beam name part files like this job
    files(out(), "part-00000-of-00002.parquet", "part-00001-of-00002.parquet", "_SUCCESS", "_run/",
        ".temp-beam-4f1e/");
    assertThat(refusal(spec("overwrite")), allOf(containsString("holds \".temp-beam-4f1e\""),
        containsString("the directory has no beam-etl manifest")));
    assertThat(Files.exists(out().resolve("part-00000-of-00002.parquet")), is(true));
    MoreFiles.deleteDirectoryContents(out(), RecursiveDeleteOption.ALLOW_INSECURE);
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run1")) {
      dirs.prepare();
      assertThat(listing(out()), is(List.of()));
      files(out(), "part-00000-of-00001.csv", "_run/", "_SUCCESS");
      dirs.finish();
    }
    assertThat(RunManifest.read(out()).entries, containsInAnyOrder("part-00000-of-00001.csv", "_run", "_SUCCESS"));
    files(out(), "part-00007-of-00009.csv"); // looks like ours, but the last run did not write it
    assertThat(refusal(spec("overwrite")), containsString("holds \"part-00007-of-00009.csv\""));
    Files.delete(out().resolve("part-00007-of-00009.csv"));
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run2")) {
      dirs.prepare();
      assertThat("exactly the manifest's entries were deleted", listing(out()), is(List.of()));
    }
  }

  @Test
  public void aResumableRunKeepsBeamsTemporaryFoldersUntilItSucceeds() throws Exception {
    // A resumable run killed after a checkpoint: the checkpoint names temporary files in them.
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run1").keepingTemporaryFolders(true)) {
      dirs.prepare();
      files(out(), ".temp-beam-run1/", ".temp-beam-run1/0a1b", "part-00000-of-00002.csv");
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run2").keepingTemporaryFolders(true)) {
      dirs.prepare();
      assertThat("the resumed run keeps them, the rest goes", listing(out()), is(List.of(".temp-beam-run1")));
      dirs.finish(false);
      assertThat("a failed run is resumed in turn", Files.exists(out().resolve(".temp-beam-run1/0a1b")), is(true));
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run3").keepingTemporaryFolders(true)) {
      dirs.prepare();
      files(out(), "part-00000-of-00001.csv");
      dirs.finish(true);
      assertThat(listing(out()), is(List.of("part-00000-of-00001.csv")));
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run4")) {
      dirs.prepare();
      files(out(), ".temp-beam-run4/");
    } // killed
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run5")) {
      dirs.prepare();
      assertThat("a batch run's are a previous run's leftovers", listing(out()), is(List.of()));
    }
  }

  @Test
  public void aRunThatDiedBeforeListingItsFilesLeavesThemOverwritable() throws Exception {
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "run1")) {
      dirs.prepare(); // the manifest now says: incomplete
      files(out(), "part-00000-of-00003.csv", ".temp-beam-abc/");
    } // no finish(): the run was killed
    OutputDirectories.check(spec("overwrite"));
    files(out(), "notes.txt");
    assertThat(refusal(spec("overwrite")), containsString("holds \"notes.txt\""));
  }

  @Test
  public void aPartitionedRunThatDiedLeavesItsPartitionDirectoriesOverwritable() throws Exception {
    PipelineSpec partitioned = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}]",
        "sink: {format: csv, path: '" + out() + "', ifExists: overwrite, partitionBy: [region]}", ""), "t", List.of());
    try (OutputDirectories dirs = OutputDirectories.take(partitioned, "run1")) {
      dirs.prepare();
      files(out(), "region=EU/", "region=__HIVE_DEFAULT_PARTITION__/", ".temp-beam-abc/");
    } // killed
    files(out(), "country=FR/");
    assertThat("not a partition of either spec's", refusal(spec("overwrite")), containsString("holds \"country=FR\""));
    Files.delete(out().resolve("country=FR"));
    // The killed run's manifest names its partitioning: a spec without partitionBy may replace them too.
    OutputDirectories.check(spec("overwrite"));
    files(out(), "regional/");
    assertThat(refusal(partitioned), containsString("holds \"regional\""));
    Files.delete(out().resolve("regional"));
    try (OutputDirectories dirs = OutputDirectories.take(partitioned, "run2")) {
      dirs.prepare();
      assertThat(listing(out()), is(List.of()));
    }
  }

  @Test
  public void anAppendingRunKeepsCommittedRunsFilesAndDeletesAFailedRunsOnes() throws Exception {
    committedRun(spec("overwrite"), "aaaaaaaa");
    Path deadLetters = Path.of(spec("overwrite").deadLetterPath());
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "bbbbbbbb", true)) {
      dirs.prepare();
      assertThat("written again at its end, if it succeeds", listing(out()), not(hasItem("_SUCCESS")));
      files(out(), "part-bbbbbbbb-00000-of-00001.csv", "region=NEW/");
      files(out().resolve("region=NEW"), "part-bbbbbbbb-00000-of-00001.csv");
      files(deadLetters, "bad-records-bbbbbbbb-00000-of-00001.jsonl");
      dirs.finish(false); // failed or exit 3
    }
    assertThat("the output is as the run found it: its files, and the partition only it had started, are gone",
        listing(out()), containsInAnyOrder("part-aaaaaaaa-00000-of-00001.csv", "_SUCCESS"));
    assertThat("its dead letters stay for inspection until the next run", listing(deadLetters),
        hasItem("bad-records-bbbbbbbb-00000-of-00001.jsonl"));
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "eeeeeeee", true)) {
      dirs.prepare();
      files(out(), "part-eeeeeeee-00000-of-00001.csv");
      // committed by its state file, then what came after failed (its report, say): its files belong to
      // the output, which is complete, marker included (it stayed without one: a review)
      Files.writeString(out().resolve(IncrementalState.FILE), "{\"run\": \"eeeeeeee\", \"files\": []}");
      assertThat(dirs.finish(false), hasItem(containsString("the run committed its rows")));
    }
    assertThat(listing(out()), hasItems("part-eeeeeeee-00000-of-00001.csv", "_SUCCESS"));
    assertThat(RunManifest.read(out()).runs, hasItem("eeeeeeee"));
    assertThat(RunManifest.read(out()).complete, is(true));
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "cccccccc", true)) {
      dirs.prepare();
      files(out(), "part-cccccccc-00000-of-00001.csv");
      // committed by its state file, then killed before the manifest listed it
      Files.writeString(out().resolve(IncrementalState.FILE), "{\"run\": \"cccccccc\", \"files\": []}");
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "dddddddd", true)) {
      dirs.prepare();
      assertThat("the committed runs' files stay", listing(out()), containsInAnyOrder(
          "part-aaaaaaaa-00000-of-00001.csv", "part-cccccccc-00000-of-00001.csv", "part-eeeeeeee-00000-of-00001.csv"));
      assertThat("the failed run's dead letters are gone", listing(deadLetters), not(hasItem(
          "bad-records-bbbbbbbb-00000-of-00001.jsonl")));
    }
  }

  @Test
  public void aSecondRunIsRefusedAtOnceNamingTheHolder() throws Exception {
    try (OutputDirectories first = OutputDirectories.take(spec("overwrite"), "run1")) {
      String why = assertThrows(SpecException.class, () -> OutputDirectories.take(spec("overwrite"), "run2"))
          .getMessage();
      assertThat(why, containsString("is in use by another run (pipeline t, pid " + ProcessHandle.current().pid()));
      assertThat(why.lines().count(), is(1L));
    }
    OutputDirectories.take(spec("overwrite"), "run3").close(); // released with the first run
  }

  /** Another output with the same dead-letter directory: the refusal named --output, which was free. */
  /**
   * Overwrite deletes a previous run's partition directories whole: another job's output written
   * inside one (with its manifest), or another tool's file there, went with it, exit 0.
   */
  @Test
  public void aPartitionDirectoryHoldingWhatTheRunDidNotWriteIsRefused() throws Exception {
    PipelineSpec partitioned = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}, {name: month, type: int}]",
        "sink: {format: csv, path: '" + out() + "', ifExists: overwrite, partitionBy: [region, month]}", ""), "t",
        List.of());
    try (OutputDirectories dirs = OutputDirectories.take(partitioned, "run1")) {
      dirs.prepare();
      files(out().resolve("region=EU/month=1"), "part-00000-of-00001.csv", ".temp-beam-x/", ".temp-beam-x/y");
      files(out(), "_run/", "_SUCCESS");
      dirs.finish();
    }
    OutputDirectories.check(partitioned); // nested partitions, part files and temporary folders are the run's
    files(out().resolve("region=EU/B"), "part-00000-of-00001.csv", ".beam-etl-manifest.json");
    assertThat(refusal(partitioned), containsString("holds \"region=EU/B\""));
    MoreFiles.deleteRecursively(out().resolve("region=EU/B"), RecursiveDeleteOption.ALLOW_INSECURE);
    files(out().resolve("region=EU/month=1"), "part-00000-5f3c9e2a-c000.snappy.parquet");
    assertThat(refusal(partitioned),
        containsString("holds \"region=EU/month=1/part-00000-5f3c9e2a-c000.snappy.parquet\""));
    assertThat(Files.exists(out().resolve("region=EU/month=1/part-00000-5f3c9e2a-c000.snappy.parquet")), is(true));
  }

  @Test
  public void aHeldDeadLetterDirectoryIsNamedAsOne() throws Exception {
    PipelineSpec other = Specs.parse(String.join("\n", "version: 1", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]", "sink: {format: csv, path: '" + out() + "-2'}",
        "deadLetter: {path: '" + out() + "-dead-letter'}", ""), "t", List.of());
    try (OutputDirectories first = OutputDirectories.take(spec("overwrite"), "run1")) {
      assertThat(assertThrows(SpecException.class, () -> OutputDirectories.take(other, "run2")).getMessage(),
          allOf(containsString("dead-letter directory \"" + out() + "-dead-letter\" is in use"),
              containsString("choose another --deadLetter")));
    }
  }

  @Test
  public void aRunKilledWithKillNineHoldsNothing() throws Exception {
    Files.createDirectories(out());
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), out().toString())
        .redirectErrorStream(true).start();
    assertThat("the holder took the lock", new String(holder.getInputStream().readNBytes(5)), is("held\n"));
    assertThrows(SpecException.class, () -> OutputDirectories.take(spec("overwrite"), "run1"));
    holder.destroyForcibly(); // SIGKILL: no finally, no shutdown hook
    assertThat(holder.waitFor(30, TimeUnit.SECONDS), is(true));
    OutputDirectories.take(spec("overwrite"), "run2").close();
  }

  /** Another process that takes an output directory and keeps it until killed. */
  public static final class LockHolder {
    public static void main(String[] args) throws Exception {
      OutputLock lock = OutputLock.take(Path.of(args[0]), "holder");
      System.out.print("held\n");
      System.out.flush();
      Thread.sleep(600_000);
      lock.close();
    }
  }

  /**
   * A run that committed its incremental state and was killed before it finished its output: the
   * next run found nothing new, exited 0, and left the manifest incomplete and no _SUCCESS. Its
   * output is whole (the state names it), so that run's finish is done then.
   */
  @Test
  public void aRunKilledAfterItsCommitIsFinishedByTheNext() throws Exception {
    PipelineSpec spec = spec("fail");
    try (OutputDirectories dirs = OutputDirectories.take(spec, "0a1b2c3d", true)) {
      dirs.prepare();
      files(out(), "part-0a1b2c3d-00000-of-00001.csv");
    } // killed here: no finish
    Files.writeString(out().resolve(IncrementalState.FILE), "{\"run\": \"0a1b2c3d\", \"files\": []}");
    assertThat(OutputDirectories.finishStoppedRun(spec), containsString("finished now"));
    assertThat(Files.exists(out().resolve("_SUCCESS")), is(true));
    RunManifest manifest = RunManifest.read(out());
    assertThat(manifest.complete, is(true));
    assertThat(manifest.runs, hasItem("0a1b2c3d"));
    assertThat("the manifest lists the marker: the next run does not take it for another tool's file",
        manifest.entries, hasItem("_SUCCESS"));
    OutputDirectories.check(spec, true);
    OutputDirectories.check(spec("overwrite"), false);
    assertThat(OutputDirectories.finishStoppedRun(spec), is(nullValue())); // once
  }

  /**
   * Two pipelines sharing a dead-letter directory: the first incremental run of one (which replaces
   * what "this job" wrote, whatever ifExists says) deleted the other's dead letters, exit 0. And an
   * appending run of another format or partitionBy added its files to the output as they were.
   */
  @Test
  public void anotherPipelinesFilesAndAnotherLayoutAreRefused() throws Exception {
    String shared = tmp.getRoot().toPath().resolve("shared-dead-letters").toString();
    PipelineSpec b = Specs.parse(String.join("\n", "version: 1", "name: b", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}]",
        "sink: {format: csv, path: '" + out() + "-b'}", "deadLetter: {path: '" + shared + "'}", ""), "b", List.of());
    try (OutputDirectories dirs = OutputDirectories.take(b, "aaaaaaaa", true)) {
      dirs.prepare();
      files(Path.of(shared), "bad-records-aaaaaaaa-00000-of-00001.jsonl");
      files(Path.of(out() + "-b"), "part-aaaaaaaa-00000-of-00001.csv");
      dirs.finish(true);
    }
    PipelineSpec a = Specs.parse(String.join("\n", "version: 1", "name: a", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}]",
        "sink: {format: csv, path: '" + out() + "', ifExists: overwrite}", "deadLetter: {path: '" + shared + "'}", ""),
        "a", List.of());
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(a, false)).getMessage(), containsString(
        "deadLetter.path: \"" + shared + "\" holds the dead letters of the output \"" + out() + "-b\" (its manifest "
            + "says), not of \"" + out() + "\"; give each output its own dead-letter directory"));
    // Two specs of one name (teamA/job.yaml, teamB/job.yaml) are told apart by their outputs.
    PipelineSpec sameName = Specs.parse(String.join("\n", "version: 1", "name: b", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]", "sink: {format: csv, path: '" + out() + "-c', ifExists: overwrite}",
        "deadLetter: {path: '" + shared + "'}", ""), "b", List.of());
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(sameName, false)).getMessage(),
        containsString("holds the dead letters of the output \"" + out() + "-b\""));
    // Nor does a pipeline of that name write its results into another's dead letters.
    PipelineSpec intoDeadLetters = Specs.parse(String.join("\n", "version: 1", "name: b",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + shared + "', ifExists: overwrite}", ""), "b", List.of());
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(intoDeadLetters, false)).getMessage(),
        containsString("sink.path: output \"" + shared + "\" holds the dead letters of the output"));
    assertThat(listing(Path.of(shared)), hasItem("bad-records-aaaaaaaa-00000-of-00001.jsonl"));
    // The results of a spec renamed: the refusal says how to keep them.
    PipelineSpec renamed = Specs.parse(String.join("\n", "version: 1", "name: b2", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}]",
        "sink: {format: csv, path: '" + out() + "-b', ifExists: overwrite}", "deadLetter: {path: '" + shared + "'}", ""),
        "b2", List.of());
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(renamed, true)).getMessage(),
        containsString("holds the results of pipeline \"b\" (its manifest says), not of \"b2\"; if this is that "
            + "pipeline under another name (a spec without name: is named after its file), give the spec name: b or "
            + "run with --set=name=b"));

    PipelineSpec partitioned = Specs.parse(String.join("\n", "version: 1", "name: b",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}, {name: region, type: string}]",
        "sink: {format: csv, path: '" + out() + "-b', partitionBy: [region], ifExists: overwrite}",
        "deadLetter: {path: '" + shared + "'}", ""), "b", List.of());
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(partitioned, true)).getMessage(),
        containsString("holds csv files (its manifest says), and this run adds to it: keep the output's format and "
            + "partitionBy, or write it anew"));
    OutputDirectories.check(partitioned, false); // a replacing run may change them
  }

  /**
   * An appending run of a changed spec added files of other columns: a CSV reader takes the first
   * file's header for all (a column moved shifts the values under it), a Parquet reader cannot merge
   * another type. Its columns must be the output's; a replacing run, or a category for a string, may differ.
   */
  @Test
  public void anAppendingRunOfOtherColumnsIsRefused() throws Exception {
    java.util.function.BiFunction<String, String, PipelineSpec> specOf = (format, schema) -> Specs.parse(
        String.join("\n", "version: 1", "name: t", "source: {path: in.csv, format: csv}", "schema: " + schema,
            "sink: {format: " + format + ", path: '" + out() + "-" + format + "', ifExists: overwrite}", ""),
        "t", List.of());
    String before = "[{name: id, type: long}, {name: region, type: string}, {name: amount, type: 'decimal(10,2)'}]";
    for (String format : List.of("csv", "parquet")) {
      String run = format.equals("csv") ? "aaaaaaa1" : "aaaaaaa2"; // as runs are named: 8 hex digits
      try (OutputDirectories dirs = OutputDirectories.take(specOf.apply(format, before), run, true)) {
        dirs.prepare();
        files(Path.of(out() + "-" + format), "part-" + run + "-00000-of-00001." + format);
        dirs.finish(true);
      }
    }
    String moved = "[{name: id, type: long}, {name: amount, type: 'decimal(10,2)'}, {name: region, type: string}]";
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(specOf.apply("csv", moved), true))
        .getMessage(), containsString("holds files of other columns (its manifest says: column 2 is \"region\" in its "
            + "files and \"amount\" in this run), and this run adds to it: keep the columns' names and order, or "
            + "write it anew (an incremental load: --full)"));
    String wider = before.replace("decimal(10,2)", "decimal(12,2)");
    OutputDirectories.check(specOf.apply("csv", wider), true); // the same text under the same header
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(specOf.apply("parquet", wider), true))
        .getMessage(), containsString("column 3 is \"amount decimal(10,2)\" in its files and \"amount "
            + "decimal(12,2)\" in this run), and this run adds to it: keep the columns' names, order and types"));
    String added = before.replace("]", ", {name: note, type: string}]");
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(specOf.apply("parquet", added), true))
        .getMessage(), containsString("its files have 3 columns and this run's 4 (note string new)"));
    OutputDirectories.check(specOf.apply("parquet", before.replace("type: string", "type: category, values: [EU]")),
        true);
    OutputDirectories.check(specOf.apply("parquet", added), false); // a replacing run may change them

    // A partition column is in the directory names, not in the files: where the schema puts it is no change.
    java.util.function.Function<String, PipelineSpec> partitioned = schema -> Specs.parse(String.join("\n",
        "version: 1", "name: t", "source: {path: in.csv, format: csv}", "schema: " + schema,
        "sink: {format: csv, path: '" + out() + "-p', partitionBy: [region], ifExists: overwrite}", ""), "t", List.of());
    try (OutputDirectories dirs = OutputDirectories.take(partitioned.apply(before), "bbbbbbbb", true)) {
      dirs.prepare();
      files(Path.of(out() + "-p"), "region=EU/", "region=EU/part-bbbbbbbb-00000-of-00001.csv");
      dirs.finish(true);
    }
    OutputDirectories.check(partitioned.apply(moved), true);
  }

  /**
   * An output that is a symbolic link to its directory: a failed appending run's files are taken
   * out of the directory it names (Files.walk visited the link alone, the files stayed, and the
   * next run added the same rows again).
   */
  @Test
  public void aFailedAppendingRunIsTakenOutOfAnOutputThatIsALink() throws Exception {
    Path real = Files.createDirectories(tmp.getRoot().toPath().resolve("real-out"));
    Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("out-link"), real);
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1", "name: t",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + link + "', ifExists: overwrite}", ""), "t", List.of());
    try (OutputDirectories dirs = OutputDirectories.take(spec, "aaaaaaaa", true)) {
      dirs.prepare();
      files(real, "part-aaaaaaaa-00000-of-00001.csv", "_SUCCESS");
      dirs.finish(true);
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec, "bbbbbbbb", true)) {
      dirs.prepare();
      files(real, "part-bbbbbbbb-00000-of-00001.csv", "region=NEW/");
      files(real.resolve("region=NEW"), "part-bbbbbbbb-00000-of-00001.csv");
      dirs.finish(false);
    }
    assertThat(listing(real), containsInAnyOrder("part-aaaaaaaa-00000-of-00001.csv", "_SUCCESS"));
    assertThat("the link is left as it was", Files.isSymbolicLink(link), is(true));
  }

  /**
   * An appending run killed after it took the marker away, then one that fails: the output is as the
   * first found it, marker included (the second did not know there had been one).
   */
  @Test
  public void theMarkerAKilledRunTookIsPutBackWhenTheNextFails() throws Exception {
    PipelineSpec spec = spec("overwrite");
    committedRun(spec, "aaaaaaaa");
    try (OutputDirectories dirs = OutputDirectories.take(spec, "bbbbbbbb", true)) {
      dirs.prepare();
      files(out(), "part-bbbbbbbb-00000-of-00001.csv");
      // killed: no finish
    }
    try (OutputDirectories dirs = OutputDirectories.take(spec, "cccccccc", true)) {
      dirs.prepare();
      files(out(), "part-cccccccc-00000-of-00001.csv");
      dirs.finish(false);
    }
    assertThat(listing(out()), containsInAnyOrder("part-aaaaaaaa-00000-of-00001.csv", "_SUCCESS"));
  }

  /** A run id an output already knows (a file's name, a manifest, a state) is not given to a new run. */
  @Test
  public void runIdsTheOutputHoldsAreFoundInNamesManifestsAndStates() throws Exception {
    PipelineSpec spec = spec("overwrite");
    assertThat("no output yet", OutputDirectories.heldRun(spec, "aaaaaaaa"), is(false));
    try (OutputDirectories dirs = OutputDirectories.take(spec, "aaaaaaaa", true)) {
      dirs.prepare();
      files(out().resolve("region=EU"), "part-aaaaaaaa-00000-of-00001.csv");
      files(Path.of(spec.deadLetterPath()), "bad-records-aaaaaaaa-00000-of-00001.jsonl");
      dirs.finish(true);
    }
    assertThat(OutputDirectories.heldRun(spec, "aaaaaaaa"), is(true));
    assertThat(OutputDirectories.heldRun(spec, "bbbbbbbb"), is(false));
    Files.writeString(out().resolve(IncrementalState.FILE), "{\"run\": \"cccccccc\", \"files\": []}");
    assertThat("named by a state, without files", OutputDirectories.heldRun(spec, "cccccccc"), is(true));
    Files.delete(out().resolve("region=EU").resolve("part-aaaaaaaa-00000-of-00001.csv"));
    assertThat("named by the dead letters' files and the manifests", OutputDirectories.heldRun(spec, "aaaaaaaa"),
        is(true));
  }

  /** One output reached through a symbolic link, or as x/../out, is one output: its dead letters stay its own. */
  @Test
  public void anOutputReachedThroughALinkIsTheSameOutput() throws Exception {
    Path real = Files.createDirectories(tmp.getRoot().toPath().resolve("real"));
    Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), real);
    java.util.function.Function<String, PipelineSpec> specAt = sink -> Specs.parse(String.join("\n", "version: 1",
        "name: t", "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + sink + "', ifExists: overwrite}", ""), "t", List.of());
    try (OutputDirectories dirs = OutputDirectories.take(specAt.apply(real + "/out"), "run1")) {
      dirs.prepare();
      files(real.resolve("out"), "part-00000-of-00001.csv");
      files(real.resolve("out-dead-letter"), "bad-records-00000-of-00001.jsonl");
      dirs.finish();
    }
    OutputDirectories.check(specAt.apply(link + "/out"), false);
    OutputDirectories.check(specAt.apply(real + "/x/../out"), false);

    // Moved together, the output and its dead letters are still one output's: both manifests name its last run.
    Files.move(real.resolve("out"), real.resolve("moved"));
    Files.move(real.resolve("out-dead-letter"), real.resolve("moved-dead-letter"));
    OutputDirectories.check(specAt.apply(real + "/moved"), false);
    try (OutputDirectories dirs = OutputDirectories.take(specAt.apply(real + "/other"), "run2")) {
      dirs.prepare();
      files(real.resolve("other"), "part-00000-of-00001.csv");
      dirs.finish();
    }
    MoreFiles.deleteRecursively(real.resolve("other-dead-letter"), RecursiveDeleteOption.ALLOW_INSECURE);
    Files.move(real.resolve("moved-dead-letter"), real.resolve("other-dead-letter"));
    assertThat("beside an output of another run, they are not", assertThrows(SpecException.class,
        () -> OutputDirectories.check(specAt.apply(real + "/other"), false)).getMessage(),
        containsString("holds the dead letters of the output"));
  }

  /**
   * An appending run killed before its commit, then a run with nothing to do: it exited 0 and left
   * the killed run's rows in the output, no _SUCCESS, until some later run had work. The killed
   * run's files are now taken out, and the output is as before it.
   */
  @Test
  public void aRunKilledBeforeItsCommitIsTakenOutByTheNext() throws Exception {
    PipelineSpec spec = spec("fail");
    committedRun(spec, "aaaaaaaa");
    Path deadLetters = Path.of(spec.deadLetterPath());
    try (OutputDirectories dirs = OutputDirectories.take(spec, "bbbbbbbb", true)) {
      dirs.prepare();
      files(out(), "part-bbbbbbbb-00000-of-00001.csv", ".temp-beam-x/");
      files(deadLetters, "bad-records-bbbbbbbb-00000-of-00001.jsonl");
    } // killed here: no finish, no state
    assertThat(OutputDirectories.finishStoppedRun(spec), containsString(
        "the last run (bbbbbbbb) stopped before its commit: its files were taken out of the output, which is as it "
            + "was before that run, _SUCCESS included"));
    assertThat(listing(out()), containsInAnyOrder("part-aaaaaaaa-00000-of-00001.csv", "_SUCCESS", "_run"));
    assertThat("the counts are the run's that added nothing", dev.beametl.pipeline.RunCounts.read(out() + "/_run")
        .get("written"), is(0L));
    assertThat(listing(deadLetters), not(hasItem("bad-records-bbbbbbbb-00000-of-00001.jsonl")));
    RunManifest manifest = RunManifest.read(out());
    assertThat(manifest.complete, is(true));
    assertThat(manifest.runs, is(List.of("aaaaaaaa")));
    assertThat(OutputDirectories.finishStoppedRun(spec), is(nullValue())); // once
    OutputDirectories.check(spec, true);

    try (OutputDirectories dirs = OutputDirectories.take(spec("overwrite"), "cccccccc")) {
      dirs.prepare();
      files(out(), "part-00000-of-00001.csv");
    } // a replacing run killed: what it deleted is gone, so only a run that loads makes the output whole
    assertThat(OutputDirectories.finishStoppedRun(spec("overwrite")), is(nullValue()));
    assertThat(listing(out()), not(hasItem("_SUCCESS")));
  }

  /**
   * ifExists: fail (the default) refused every resume: the output held the stopped run's own files.
   * A resume takes an output whose manifest says its run stopped; a finished run's output is still refused.
   */
  @Test
  public void aResumeTakesTheStoppedRunsOutputWhateverIfExists() throws Exception {
    PipelineSpec spec = spec("fail");
    try (OutputDirectories dirs = OutputDirectories.take(spec, "run1").keepingTemporaryFolders(true)) {
      dirs.prepare();
      files(out(), ".temp-beam-0a1b/", "_run/");
    } // stopped here
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(spec, false, false)).getMessage(),
        containsString("already holds files"));
    OutputDirectories.check(spec, false, true);
    // A resume refused once it had the output (a checkpoint of other flags): the output stays the stopped
    // run's, and the resume with the right flags takes it. It was marked finished, and refused.
    try (OutputDirectories dirs = OutputDirectories.take(spec, "wrong", false, true).keepingTemporaryFolders(true)) {
      dirs.prepare();
      dirs.finish(false);
    }
    OutputDirectories.check(spec, false, true);
    try (OutputDirectories dirs = OutputDirectories.take(spec, "run2", false, true).keepingTemporaryFolders(true)) {
      dirs.prepare();
      assertThat("the checkpoint's temporary files stay", Files.exists(out().resolve(".temp-beam-0a1b")), is(true));
      files(out(), "part-00000-of-00001.csv");
      dirs.finish();
    }
    assertThat(assertThrows(SpecException.class, () -> OutputDirectories.check(spec, false, true)).getMessage(),
        containsString("already holds files"));
  }

  /**
   * A trial: an output the file system would not create (/proc/x) passed the check and failed the run,
   * exit 1, "the job failed: NoSuchFileException". Taking it is refused as the check refuses, exit 2.
   */
  @Test
  public void anOutputThatCannotBeCreatedIsRefusedBeforeTheRun() throws Exception {
    Path file = tmp.newFile("a-file").toPath();
    SpecException e = assertThrows(SpecException.class, () -> OutputLock.take(file.resolve("out"), "p"));
    assertThat(e.getMessage(), allOf(containsString("cannot write output \"" + file.resolve("out") + "\""),
        containsString("choose another --output")));
    SpecException dead = assertThrows(SpecException.class, () -> OutputLock.take(file.resolve("dl"), "p",
        "dead-letter directory", "--deadLetter"));
    assertThat(dead.getMessage(), allOf(containsString("a file, not a directory, stands in its path"),
        containsString("choose another --deadLetter")));
  }
}
