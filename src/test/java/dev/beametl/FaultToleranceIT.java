package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A task that fails once mid-run on embedded Flink: the runner's restart strategy (5 attempts backing off, from
 * runners/flink/embedded/config.yaml, which the job uses by default) re-runs it, and
 * the results, the dead letters and the counts equal a failure-free run's - nothing lost, nothing
 * twice.
 */
public class FaultToleranceIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @Test
  public void aFailedTaskIsRetriedAndTheOutputsAreExact() throws Exception {
    String clean = TMP.getRoot() + "/clean";
    String faulty = TMP.getRoot() + "/faulty";
    Path marker = TMP.getRoot().toPath().resolve("failed-once");
    // Through the launcher, from another directory with relative paths: the embedded runner's restart
    // strategy (runners/flink/embedded/config.yaml) is found through the installation, not the
    // working directory, and the run survives the failure only if it was.
    ProcessBuilder launcher = new ProcessBuilder(Path.of("bin/beam-etl").toAbsolutePath().toString(),
        "--pipeline=" + Path.of("pipelines/sales-by-product.yaml").toAbsolutePath(), "--output=faulty",
        "--fault=records.failOnce(after=1000,marker=failed-once)")
        .directory(TMP.getRoot()).redirectErrorStream(true).redirectOutput(TMP.newFile("faulty.log"));
    launcher.environment().put("BEAM_ETL_WARM", "0"); // a warm runner a developer has up runs elsewhere
    launcher.environment().put("BEAM_ETL_CDS", "0");
    Process p = launcher.start();
    p.getOutputStream().close();
    assertThat("the launcher finished", p.waitFor(5, java.util.concurrent.TimeUnit.MINUTES), is(true));
    assertThat(Files.readString(TMP.getRoot().toPath().resolve("faulty.log")), p.exitValue(), is(EtlJob.OK));
    assertThat("the fault was injected", Files.exists(marker), is(true));
    EtlJobTest.Run noFault = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + clean);
    assertThat(noFault.err, noFault.code, is(EtlJob.OK));

    assertThat(RunCounts.read(faulty + "/_run"), equalTo(RunCounts.read(clean + "/_run")));
    List<String> rows = SampleJobIT.query("SELECT * FROM read_parquet('" + faulty + "/*.parquet')");
    assertThat(rows, hasSize(160));
    assertThat(rows, containsInAnyOrder(SampleJobIT.query("SELECT * FROM read_parquet('" + clean + "/*.parquet')").toArray()));
    List<String> bad = SampleJobIT.query("SELECT origin, reason FROM read_json_auto('" + faulty + "-dead-letter/*.jsonl')");
    assertThat(bad, hasSize(30));
    assertThat(bad, containsInAnyOrder(
        SampleJobIT.query("SELECT origin, reason FROM read_json_auto('" + clean + "-dead-letter/*.jsonl')").toArray()));
  }
}
