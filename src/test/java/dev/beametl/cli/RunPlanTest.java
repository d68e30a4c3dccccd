package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A run planned from an incremental state does not start when another run moved that state on in
 * the meantime (it would load the same files twice); a plain run has no state to watch.
 */
public class RunPlanTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private PipelineSpec spec(String incremental) throws Exception {
    Files.writeString(tmp.getRoot().toPath().resolve("a.csv"), "id\n1\n");
    return Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/*.csv', format: csv" + incremental + "}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/out'}", ""), "t", List.of());
  }

  @Test
  public void aStateMovedOnByAnotherRunStopsThisOne() throws Exception {
    EtlOptions options = PipelineOptionsFactory.as(EtlOptions.class);
    RunPlan plan = RunPlan.of(spec(", incremental: files"), options, tmp.getRoot().toPath());
    assertThat(plan.append, is(false));
    plan.checkStateUnchanged();
    Path state = tmp.getRoot().toPath().resolve("out/" + IncrementalState.FILE);
    Files.createDirectories(state.getParent());
    Files.writeString(state, "{\"files\": []}");
    String why = assertThrows(SpecException.class, plan::checkStateUnchanged).getMessage();
    assertThat(why, containsString("changed while this run was starting: another run of this job finished"));
  }

  @Test
  public void fullNeedsAnIncrementalSource() throws Exception {
    EtlOptions options = PipelineOptionsFactory.as(EtlOptions.class);
    options.setFull(true);
    String why = assertThrows(SpecException.class, () -> RunPlan.of(spec(""), options, tmp.getRoot().toPath()))
        .getMessage();
    assertThat(why, containsString("--full applies to incremental sources"));
  }
}
