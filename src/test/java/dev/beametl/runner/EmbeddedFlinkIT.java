package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlOptions;
import dev.beametl.runner.EmbeddedFlink;
import dev.beametl.runner.FlinkSettings;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.Test;

/**
 * The embedded cluster started ahead of the job: which runs take it, that Beam's Flink runner really
 * submits to it (not to a cluster of its own), and that closing it gives Flink its own default back.
 */
public class EmbeddedFlinkIT {
  @org.junit.Rule public final org.junit.rules.TemporaryFolder outputs = new org.junit.rules.TemporaryFolder();

  /** Elements the job's workers saw; the embedded cluster runs in this JVM. */
  static final List<Integer> SEEN = new CopyOnWriteArrayList<>();

  static final class Remember extends DoFn<Integer, Void> {
    @ProcessElement
    public void process(@Element Integer i) {
      SEEN.add(i);
    }
  }

  /** Options as EtlJob sets them up for the embedded runner (FlinkSettings' defaults). */
  private static EtlOptions options(String... args) {
    PipelineOptionsFactory.register(EtlOptions.class);
    EtlOptions options = PipelineOptionsFactory.fromArgs(args).as(EtlOptions.class);
    options.setRunner(FlinkRunner.class);
    FlinkSettings.applyDefaults(options, EtlJob.givenFlags(args));
    return options;
  }

  @Test
  public void batchRunsOnTheEmbeddedRunnerTakeIt() {
    assertThat(EmbeddedFlink.applies(options()), is(true));
    assertThat(EmbeddedFlink.applies(options("--flinkMaster=[local]")), is(true));
    assertThat(EmbeddedFlink.applies(options("--flinkMaster=localhost:8081")), is(false)); // a cluster's own
    assertThat(EmbeddedFlink.applies(options("--resumable")), is(false)); // checkpoints: the runner's path
    assertThat(EmbeddedFlink.applies(options("--streaming")), is(false));
    assertThat(EmbeddedFlink.applies(options("--useDataStreamForBatch=false")), is(false)); // DataSet API
    EtlOptions direct = options();
    direct.setRunner(org.apache.beam.runners.direct.DirectRunner.class);
    assertThat(EmbeddedFlink.applies(direct), is(false));
  }

  @Test
  public void aJobStartedByAFlinkClientKeepsTheClientsEnvironment() {
    // `flink run` sets a context environment before main(); "[auto]" must find that one, not ours.
    StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), new Configuration(),
        getClass().getClassLoader(), false, true);
    try {
      assertThat(EmbeddedFlink.applies(options()), is(false));
    } finally {
      StreamContextEnvironment.unsetAsContext();
    }
    assertThat(EmbeddedFlink.applies(options()), is(true));
  }

  @Test
  public void theRunnerSubmitsToTheStartedClusterAndCloseHandsFlinkBack() {
    EtlOptions options = options("--flinkMaster=[local]", "--parallelism=2");
    SEEN.clear();
    try (EmbeddedFlink cluster = EmbeddedFlink.start(options)) {
      Pipeline p = Pipeline.create(options);
      p.apply(Create.of(1, 2, 3)).apply(ParDo.of(new Remember()));
      assertThat(p.run().waitUntilFinish(), is(PipelineResult.State.DONE));
      assertThat(SEEN, containsInAnyOrder(1, 2, 3));
      assertThat(cluster.jobsSubmitted(), is(1));
    }
    assertThat(StreamExecutionEnvironment.getExecutionEnvironment(), instanceOf(LocalStreamEnvironment.class));
  }

  private static boolean heldByAnotherRun(java.nio.file.Path dir) {
    try {
      return java.nio.file.Files.exists(dir.resolve(ScratchDir.LOCK)) && !ScratchDir.lockFree(dir);
    } catch (java.io.IOException gone) {
      return true; // deleted meanwhile by its own run
    }
  }

  @Test
  public void aRunLeavesNothingInTheSystemTempDirectory() throws Exception {
    java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
    java.util.Set<String> before = listing(tmp);
    java.nio.file.Path out = outputs.newFolder().toPath();
    dev.beametl.cli.EtlJobTest.Run run = new dev.beametl.cli.EtlJobTest.Run(
        "--pipeline=pipelines/sales-by-product.yaml", "--output=" + out + "/result");
    assertThat(run.err, run.code, is(EtlJob.OK));
    java.util.Set<String> left = listing(tmp);
    left.removeAll(before);
    // What runs used to leave behind; other files (a native library a codec unpacks once per JVM) may come and go.
    left.removeIf(n -> !n.matches("flink-rpc-akka.*|tm_.*|beam-etl-run-.*|beam-etl-flink-conf.*|blobStore-.*"));
    left.removeIf(n -> n.startsWith(ScratchDir.PREFIX) && heldByAnotherRun(tmp.resolve(n))); // runs beside this test
    // Flink unpacks its RPC system (a 22 MB flink-rpc-akka*.jar) and keeps a TaskManager directory
    // at every start; both go to the run's own scratch directory, which the run deletes.
    assertThat(left, is(java.util.Set.of()));
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(out)) {
      assertThat("Beam's temporary folders are removed from the outputs",
          s.anyMatch(p -> p.getFileName().toString().startsWith(".temp-beam")), is(false));
    }
  }

  private static java.util.Set<String> listing(java.nio.file.Path dir) throws Exception {
    try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }
  }
}
