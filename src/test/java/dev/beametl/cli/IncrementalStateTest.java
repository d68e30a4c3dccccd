package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Incremental file loads: a file is loaded once, under whatever name it is found later. A link to a
 * loaded file, or the file renamed, was a new file: every row loaded again, with exit 0.
 */
public class IncrementalStateTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private PipelineSpec spec;
  private Path in;

  @Before
  public void setUp() throws Exception {
    in = Files.createDirectories(tmp.getRoot().toPath().resolve("in"));
    Files.writeString(in.resolve("b.csv"), "id\n1\n2\n");
    spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + in + "/*.csv', format: csv, incremental: files}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/out'}", ""), "t", List.of());
    new RunManifest("0a1b2c3d", true, List.of()).writeTo(Files.createDirectories(Path.of(spec.sink().path())));
    IncrementalState first = IncrementalState.plan(spec, false);
    assertThat(names(first), contains("b.csv"));
    first.commit(Map.of(), "0a1b2c3d", false);
  }

  private static List<String> names(IncrementalState state) {
    return state.newFiles().stream().map(m -> m.resourceId().getFilename()).collect(Collectors.toList());
  }

  /**
   * Another pipeline's state, copied into this output, was trusted: its files counted as loaded, and a
   * file this pipeline never loaded was skipped for good (a trial). Refused, naming both and the fix.
   */
  @Test
  public void anotherPipelinesStateIsRefused() throws Exception {
    Path state = tmp.getRoot().toPath().resolve("out").resolve(IncrementalState.FILE);
    String other = Files.readString(state).replaceFirst("\"pipeline\"\\s*:\\s*\"t\"", "\"pipeline\": \"other\"");
    assertThat(other, containsString("\"pipeline\": \"other\""));
    Files.writeString(state, other);
    String refused = org.junit.Assert.assertThrows(dev.beametl.spec.SpecException.class,
        () -> IncrementalState.plan(spec, false)).getMessage();
    assertThat(refused, containsString("holds the state of pipeline \"other\", not of \"t\""));
    assertThat(refused, containsString("--full"));
    assertThat("--full starts over whatever the state holds", names(IncrementalState.plan(spec, true)),
        contains("b.csv"));
  }

  /**
   * A state copied alone into an output of another spec of the same name: no manifest beside it, and
   * trusted, the run loaded nothing, exit 0 (a trial). Refused, saying so.
   */
  @Test
  public void aStateWithoutTheRunsManifestIsRefused() throws Exception {
    Files.delete(tmp.getRoot().toPath().resolve("out").resolve(RunManifest.FILE));
    String refused = org.junit.Assert.assertThrows(dev.beametl.spec.SpecException.class,
        () -> IncrementalState.plan(spec, false)).getMessage();
    assertThat(refused, containsString("holds a state, but its directory holds no " + RunManifest.FILE));
    assertThat(refused, containsString("--full"));
  }

  /** An empty state (a crash or a full disk) was "the state of another incremental setting". */
  @Test
  public void anEmptyStateSaysItIsEmpty() throws Exception {
    Path state = tmp.getRoot().toPath().resolve("out").resolve(IncrementalState.FILE);
    for (String content : new String[] {"", "\n", "[]"}) {
      Files.writeString(state, content);
      String refused = org.junit.Assert.assertThrows(dev.beametl.spec.SpecException.class,
          () -> IncrementalState.plan(spec, false)).getMessage();
      assertThat(refused, containsString("cannot be read (it " + (content.equals("[]") ? "holds no JSON object"
          : "is empty") + "); run once with --full"));
    }
  }

  @Test
  public void aLinkToALoadedFileIsNoNewFile() throws Exception {
    Files.createSymbolicLink(in.resolve("a.csv"), in.resolve("b.csv")); // its first name in order now
    IncrementalState again = IncrementalState.plan(spec, false);
    assertThat(again.newFiles(), is(empty()));
    assertThat(again.notes(), hasItem(containsString("is " + in.resolve("b.csv") + ", which an earlier run loaded")));
  }

  @Test
  public void aHardLinkOrARenamedFileIsNoNewFile() throws Exception {
    Files.createLink(in.resolve("a.csv"), in.resolve("b.csv"));
    assertThat(IncrementalState.plan(spec, false).newFiles(), is(empty()));
    Files.delete(in.resolve("b.csv")); // renamed, as mv does: same file, size and time
    IncrementalState renamed = IncrementalState.plan(spec, false);
    assertThat(renamed.newFiles(), is(empty()));
    renamed.commit(Map.of(), "1a1b2c3d", false);
    assertThat("still known after a commit", IncrementalState.plan(spec, false).newFiles(), is(empty()));
  }

  @Test
  public void aCopyIsNewWhileTheLoadedNameHoldsWhatWasLoaded() throws Exception {
    Files.copy(in.resolve("b.csv"), in.resolve("c.csv"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    assertThat(names(IncrementalState.plan(spec, false)), contains("c.csv"));
    Files.writeString(in.resolve("b.csv"), "id\n1\n2\n3\n");
    IncrementalState changed = IncrementalState.plan(spec, false);
    assertThat(names(changed), contains("b.csv"));
    assertThat(changed.notes(), hasItem(containsString("changed since an earlier run loaded it")));
    // The copy now holds what was loaded from b.csv, which b.csv no longer does: the loaded file, moved.
    assertThat(changed.notes(), hasItem(containsString("c.csv is " + in.resolve("b.csv"))));
  }

  /** A state of the build before has no samples: a loaded file still there is known by its identity now. */
  @Test
  public void aStateWithoutSamplesStillKnowsLinksToFilesStillThere() throws Exception {
    Path state = tmp.getRoot().toPath().resolve("out/" + IncrementalState.FILE);
    Files.writeString(state, Files.readString(state).replaceAll(",\\s*\"sample\"\\s*:\\s*\"[^\"]*\"", ""));
    assertThat(Files.readString(state), not(containsString("\"sample\"")));
    Files.createSymbolicLink(in.resolve("a.csv"), in.resolve("b.csv"));
    assertThat(IncrementalState.plan(spec, false).newFiles(), is(empty()));
  }

  /**
   * A new file the file system gave a loaded file's freed inode, with the same size and time (an
   * archive's whole-second times, a fixed date): taken for the loaded file, its rows were lost. A
   * renamed file is now known by its first and last bytes, and the inode only while a loaded name
   * still names it (a link).
   */
  @Test
  public void aNewFileWithALoadedFilesSizeAndTimeIsLoaded() throws Exception {
    Path loaded = in.resolve("b.csv");
    java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(loaded);
    Files.delete(loaded);
    Path next = Files.writeString(in.resolve("c.csv"), "id\n7\n8\n"); // as long as b.csv's "id\n1\n2\n"
    Files.setLastModifiedTime(next, time);
    assertThat(names(IncrementalState.plan(spec, false)), contains("c.csv"));
  }

  /** Restored from a backup (a new inode, same name, size and time), then renamed: still the file loaded. */
  @Test
  public void aRestoredFileRenamedIsNoNewFile() throws Exception {
    Path loaded = in.resolve("b.csv");
    Path backup = tmp.getRoot().toPath().resolve("b.csv.bak");
    Files.copy(loaded, backup, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    Files.delete(loaded);
    Files.copy(backup, loaded, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
    assertThat(IncrementalState.plan(spec, false).newFiles(), is(empty()));
    Files.move(loaded, in.resolve("a.csv"));
    assertThat(IncrementalState.plan(spec, false).newFiles(), is(empty()));
  }
}
