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

  @Test
  public void aRecordWrittenOnceIsLeftOutWhereverItsDeadLetterIsFound() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState first = ReplayState.plan(dead, spec);
    assertThat(first.replayedRecords(), is(empty()));
    assertThat(first.pending(), contains(dead.resolve("bad-records-00000-of-00001.jsonl").toString()));
    written("in.csv@byte 3");
    assertThat(first.commit("0a1b2c3d", false).get(0), containsString("1 replayed records"));

    // The file edited since is replayed again, but the record the first replay wrote is not.
    Files.delete(runDir.resolve(EtlPipeline.REPLAYED_PREFIX + "-00000-of-00001.txt"));
    deadLetters("bad-records-00000-of-00001.jsonl", 2_000_000L);
    deadLetters("bad-records-copy.jsonl", 3_000_000L); // and a copy of it
    ReplayState second = ReplayState.plan(dead, spec);
    assertThat(second.pending(), contains(dead.resolve("bad-records-copy.jsonl").toString(),
        dead.resolve("bad-records-00000-of-00001.jsonl").toString())); // the newest first: its dead letters win
    assertThat(second.replayedRecords(), is(Set.of(DeadLetterRecords.identity("in.csv@byte 3"))));
    assertThat(second.notes().get(0), containsString("the 1 record replayed before is left out"));
    second.commit("1a1b2c3d", false);

    // Unchanged files are left out whole, as before.
    ReplayState third = ReplayState.plan(dead, spec);
    assertThat(third.pending(), is(empty()));
    assertThat(third.nothingToReplay(), containsString("were replayed already"));
    assertThat(third.replayedRecords(), is(Set.of(DeadLetterRecords.identity("in.csv@byte 3"))));
  }

  @Test
  public void onlyACommitRecordsTheRecords() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState.plan(dead, spec); // a replay that failed, or ended with exit 3: no commit
    written("in.csv@byte 3");
    assertThat(ReplayState.plan(dead, spec).replayedRecords(), is(empty()));
    assertThat(Files.exists(ReplayState.file(spec)), is(false));
  }

  @Test
  public void aReplayThatWroteNothingAddsNoRecord() throws Exception {
    deadLetters("bad-records-00000-of-00001.jsonl", 1_000_000L);
    ReplayState.plan(dead, spec).commit("0a1b2c3d", false); // every record bad again: none listed
    assertThat(ReplayState.plan(dead, spec).replayedRecords(), is(empty()));
    assertThat(Files.readString(ReplayState.file(spec)), containsString("\"files\""));
  }

  @Test
  public void theIdentityIsTheOriginAlone() {
    assertThat(DeadLetterRecords.identity("a.csv@byte 3"), is(DeadLetterRecords.identity("a.csv@byte 3")));
    assertThat(DeadLetterRecords.identity("a.csv@byte 3"), not(DeadLetterRecords.identity("a.csv@byte 30")));
    assertThat("compact: 128 bits", DeadLetterRecords.identity("a.csv@byte 3").length(), is(22));
  }
}
