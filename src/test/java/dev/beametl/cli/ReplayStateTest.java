package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.extract.DeadLetterRecords;
import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The replay state: whole files replayed once, and each record a replay wrote - by its origin,
 * whatever file it is found in - left out of later replays; only a commit records them.
 */
public class ReplayStateTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private PipelineSpec spec;
  private Path dead;
  private Path runDir;

  @Before
  public void setUp() throws Exception {
    spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/in.csv', format: csv}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/out'}", ""), "t", List.of());
    dead = Files.createDirectories(tmp.getRoot().toPath().resolve("dead"));
    runDir = Files.createDirectories(Path.of(EtlPipeline.runDir(spec)));
    new RunManifest("ffffffff", true, List.of()).writeTo(Path.of(spec.sink().path())); // as a run writes it first
  }

  private Path deadLetters(String name, long modified) throws Exception {
    Path p = dead.resolve(name);
    Files.writeString(p, "{\"origin\":\"in.csv@byte 3\",\"payload\":\"2\"}\n");
    Files.setLastModifiedTime(p, FileTime.fromMillis(modified));
    return p;
  }

  /** As the pipeline lists them: the identities of the records the replay wrote. */
  private void written(String... origins) throws Exception {
    StringBuilder b = new StringBuilder();
    for (String o : origins) {
      b.append(DeadLetterRecords.identity(o)).append('\n');
    }
    Files.writeString(runDir.resolve(EtlPipeline.REPLAYED_PREFIX + "-00000-of-00001.txt"), b.toString());
  }

  /**
   * An incremental run that committed its state and stopped before its manifests named it: its dead
   * letters are the output's, and a replay takes them (it skipped them as a failed run's).
   */
  @Test
  public void theDeadLettersOfARunCommittedByItsStateAreReplayed() throws Exception {
    PipelineSpec incremental = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/in/*.csv', format: csv, incremental: files}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/inc'}", ""), "t", List.of());
    Path deadLetters = Path.of(incremental.deadLetterPath());
    try (OutputDirectories dirs = OutputDirectories.take(incremental, "abcd1234", true)) {
      dirs.prepare();
      Files.writeString(deadLetters.resolve("bad-records-abcd1234-00000-of-00001.jsonl"),
          "{\"origin\":\"in.csv@byte 3\",\"payload\":\"2\"}\n");
      Files.writeString(Path.of(incremental.sink().path(), IncrementalState.FILE),
          "{\"pipeline\": \"t\", \"run\": \"abcd1234\", \"files\": []}");
      // killed here: no finish
    }
    assertThat(ReplayState.plan(deadLetters, incremental).pending(),
        contains(deadLetters.resolve("bad-records-abcd1234-00000-of-00001.jsonl").toString()));
  }

  @Test
  public void aRecordWrittenOnceIsLeftOutWhereverItsDeadLetterIsFound() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState first = ReplayState.plan(dead, spec);
    assertThat(first.replayedRecordLists(), is(empty()));
    assertThat(first.pending(), contains(dead.resolve("bad-records-00000-of-00001.jsonl").toString()));
    written("in.csv@byte 3");
    assertThat(first.commit("0a1b2c3d", false).get(0), containsString("the 1 record this replay took (written, or dropped by the filter)"));

    // The file edited since is replayed again, but the record the first replay wrote is not.
    deadLetters("bad-records-00000-of-00001.jsonl", 2_000_000L);
    deadLetters("bad-records-copy.jsonl", 3_000_000L); // and a copy of it
    ReplayState second = ReplayState.plan(dead, spec);
    assertThat(second.pending(), contains(dead.resolve("bad-records-copy.jsonl").toString(),
        dead.resolve("bad-records-00000-of-00001.jsonl").toString())); // the newest first: its dead letters win
    assertThat(identities(second), is(Set.of(DeadLetterRecords.identity("in.csv@byte 3"))));
    assertThat(second.notes().get(0), containsString("the records earlier replays wrote are left out"));
    written("in.csv@byte 30");
    second.commit("1a1b2c3d", false);

    // Unchanged files are left out whole, as before; each replay's list stays.
    ReplayState third = ReplayState.plan(dead, spec);
    assertThat(third.pending(), is(empty()));
    assertThat(third.nothingToReplay(), containsString("were replayed already"));
    assertThat(identities(third), is(Set.of(DeadLetterRecords.identity("in.csv@byte 3"),
        DeadLetterRecords.identity("in.csv@byte 30"))));
    assertThat("the state holds no identity: it would grow with every record",
        Files.readString(ReplayState.file(spec)), not(containsString("\"records\"")));
  }

  /** The identities the replay planned by {@code state} leaves out, read as the pipeline reads them. */
  private static Set<String> identities(ReplayState state) throws Exception {
    Set<String> out = new java.util.HashSet<>(state.replayedRecords());
    for (String list : state.replayedRecordLists()) {
      Files.readAllLines(Path.of(list)).forEach(out::add);
    }
    return out;
  }

  @Test
  public void onlyACommitRecordsTheRecords() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState.plan(dead, spec); // a replay that failed, or ended with exit 3: no commit
    written("in.csv@byte 3");
    assertThat(identities(ReplayState.plan(dead, spec)), is(empty()));
    assertThat(Files.exists(ReplayState.file(spec)), is(false));
  }

  /** A list left by a replay whose commit never came (died in between) is not read, and the next commit removes it. */
  @Test
  public void aListOfAReplayThatDidNotCommitIsIgnored() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    Path lists = Files.createDirectories(ReplayState.file(spec).resolveSibling(ReplayState.RECORDS_DIR));
    Path orphan = Files.writeString(lists.resolve("9f9f9f9f-replayed-records-00000-of-00001.txt"),
        DeadLetterRecords.identity("in.csv@byte 3") + "\n");
    ReplayState state = ReplayState.plan(dead, spec);
    assertThat(identities(state), is(empty()));
    state.commit("0a1b2c3d", false);
    assertThat(Files.exists(orphan), is(false));
  }

  /** A committed replay's list deleted by hand: its records would be written again, exit 0. Refused, saying so. */
  @Test
  public void aMissingListIsRefused() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    written("in.csv@byte 3");
    ReplayState.plan(dead, spec).commit("0a1b2c3d", false);
    Path lists = ReplayState.file(spec).resolveSibling(ReplayState.RECORDS_DIR);
    try (java.util.stream.Stream<Path> s = Files.list(lists)) {
      for (Path list : (Iterable<Path>) s::iterator) {
        Files.delete(list);
      }
    }
    deadLetters("bad-records-copy.jsonl", 2_000_000L);
    String why = org.junit.Assert.assertThrows(dev.beametl.spec.SpecException.class,
        () -> ReplayState.plan(dead, spec)).getMessage();
    assertThat(why, containsString("lacks the lists of the records replay run 0a1b2c3d wrote"));
  }

  /** A state that listed the identities itself (the build before) is still read. */
  @Test
  public void identitiesTheStateListsItselfAreStillLeftOut() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    Files.createDirectories(ReplayState.file(spec).getParent());
    Files.writeString(ReplayState.file(spec), "{\"files\":[],\"records\":[\""
        + DeadLetterRecords.identity("in.csv@byte 3") + "\"]}");
    assertThat(identities(ReplayState.plan(dead, spec)), is(Set.of(DeadLetterRecords.identity("in.csv@byte 3"))));
  }

  @Test
  public void aReplayThatWroteNothingAddsNoRecord() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState.plan(dead, spec).commit("0a1b2c3d", false); // every record bad again: none listed
    assertThat(identities(ReplayState.plan(dead, spec)), is(empty()));
    assertThat(Files.readString(ReplayState.file(spec)), containsString("\"files\""));
  }

  @Test
  public void theIdentityIsTheOriginAlone() {
    assertThat(DeadLetterRecords.identity("a.csv@byte 3"), is(DeadLetterRecords.identity("a.csv@byte 3")));
    assertThat(DeadLetterRecords.identity("a.csv@byte 3"), not(DeadLetterRecords.identity("a.csv@byte 30")));
    assertThat("compact: 128 bits", DeadLetterRecords.identity("a.csv@byte 3").length(), is(22));
  }

  /**
   * A trial: a replay that failed after its state commit (as an error writing its report would) left
   * a manifest without its run, and every later replay skipped that run's own dead letters, "nothing
   * to replay", exit 0: the record that failed again never reached the output.
   */
  @Test
  public void aReplayThatFailedAfterItsCommitLeavesItsDeadLettersToReplay() throws Exception {
    java.nio.file.Path dir = tmp.newFolder("failed-after-commit").toPath();
    java.nio.file.Files.writeString(dir.resolve("in.csv"), "id,k,region\n1,A,EU\n2,B,EU\n3,B,Mars\n");
    java.nio.file.Files.writeString(dir.resolve("ref.csv"), "k,v\nA,alpha\n");
    String yaml = String.join("\n", "version: 1", "name: r6", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: k, type: string}, {name: region, type: category, values: [EU]}]",
        "lookups:", "  - {name: ref, source: {path: ref.csv, format: csv}, schema: [{name: k, type: string},"
            + " {name: v, type: string}], key: k, on: k, fields: [v]}",
        "sink: {format: jsonl, path: out}", "deadLetter: {maxBadRatio: 1.0}", "");
    java.nio.file.Path spec = dir.resolve("spec.yaml");
    java.nio.file.Files.writeString(spec, yaml);
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(first.err, first.code, is(EtlJob.OK));
    java.nio.file.Files.writeString(dir.resolve("ref.csv"), "k,v\nA,alpha\nB,beta\n");
    String from = "--from=" + dir.resolve("out-dead-letter");
    EtlJobTest.Run failing = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--runner=DirectRunner", from,
        "--fault=commit.failBeforeTable()");
    assertThat(failing.err, failing.code, is(EtlJob.JOB_FAILED));
    java.nio.file.Files.writeString(spec, yaml.replace("values: [EU]", "values: [EU, Mars]"));
    EtlJobTest.Run again = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--runner=DirectRunner", from);
    assertThat(again.err, again.code, is(EtlJob.OK));
    assertThat(dev.beametl.load.SpecRuns.partFiles(dir.resolve("out")), containsString("\"id\":3"));
  }
}
