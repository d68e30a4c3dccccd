package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Assume;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The embedded runner's settings, as {@link FlinkSettings#useEmbeddedConfig} writes them from the installation's file. */
@RunWith(JUnit4.class)
public class FlinkSettingsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void batchRunGetsNetworkSizedToItsParallelismAndDistinctCountsAndTheFilesOtherSizes() throws Exception {
    List<String> lines = embeddedConfig(2, 1, false);
    assertThat(lines, hasItems("taskmanager.memory.network.min: 48m", "taskmanager.memory.network.max: 48m",
        "taskmanager.memory.framework.off-heap.batch-shuffle.size: 32m", "taskmanager.memory.managed.size: 32m"));
  }

  /**
   * A batch run restarts backing off (a database restarting under the job is ridden out; a fixed 1 s
   * delay spent its attempts while the database was still down), as many times as
   * --numberOfExecutionRetries says when given, 0 meaning none.
   */
  @Test
  public void batchRunRestartsBackingOffAsOftenAsAsked() throws Exception {
    assertThat(embeddedConfig(2, 0, false), hasItems("restart-strategy.type: exponential-delay",
        "restart-strategy.exponential-delay.initial-backoff: 1 s", "restart-strategy.exponential-delay.max-backoff: 8 s",
        "restart-strategy.exponential-delay.attempts-before-reset-backoff: 5"));
    for (int retries : new int[] {0, 7}) {
      RunnerOptions options = PipelineOptionsFactory.as(RunnerOptions.class);
      options.setRunner(FlinkRunner.class);
      options.as(FlinkPipelineOptions.class).setNumberOfExecutionRetries(retries);
      FlinkSettings.useEmbeddedConfig(options, tmp.newFolder().toPath(), 0);
      List<String> lines = Files.readAllLines(Path.of(options.as(FlinkPipelineOptions.class).getFlinkConfDir(),
          "config.yaml"));
      assertThat(lines, hasItems(retries == 0 ? "restart-strategy.type: none" : "restart-strategy.type: exponential-delay",
          "restart-strategy.exponential-delay.attempts-before-reset-backoff: " + retries));
      assertThat(lines.stream().filter(l -> l.startsWith("restart-strategy.type:")).count(), equalTo(1L));
      // Left on the options, Beam would hand it to the job, where Flink makes it a fixed 10 s delay
      // that overrides the config (a review)
      assertThat(options.as(FlinkPipelineOptions.class).getNumberOfExecutionRetries(), equalTo(-1));
    }
  }

  /** An installation's config edited to another strategy keeps it, with the flag's attempts (a review's nit). */
  @Test
  public void theFlagsAttemptsGoToTheStrategyTheConfigNames() {
    List<String> fixed = new java.util.ArrayList<>(List.of("restart-strategy.type: fixed-delay",
        "restart-strategy.fixed-delay.attempts: 3", "restart-strategy.fixed-delay.delay: 2 s"));
    FlinkSettings.withRestarts(fixed, 4);
    assertThat(fixed, hasItems("restart-strategy.type: fixed-delay", "restart-strategy.fixed-delay.attempts: 4",
        "restart-strategy.fixed-delay.delay: 2 s"));
    assertThat(fixed.size(), equalTo(3));
    List<String> none = new java.util.ArrayList<>(List.of("taskmanager.memory.managed.size: 32m"));
    FlinkSettings.withRestarts(none, 2);
    assertThat(none, hasItems("restart-strategy.type: exponential-delay",
        "restart-strategy.exponential-delay.attempts-before-reset-backoff: 2"));
  }

  @Test
  public void resumableRunKeepsFlinksNetworkDefaultsAndGivesRocksDbManagedMemory() throws Exception {
    List<String> lines = embeddedConfig(2, 0, true);
    assertThat(lines.stream().filter(l -> l.startsWith("taskmanager.memory.")).collect(Collectors.toList()),
        equalTo(List.of("taskmanager.memory.managed.size: 256m")));
    assertThat(lines, hasItem("security.delegation.tokens.enabled: false"));
    // Each count_distinct's merges share it too: as much again per count_distinct.
    assertThat(embeddedConfig(2, 2, true), hasItem("taskmanager.memory.managed.size: 768m"));
  }

  /** A file sink writes a file per bundle: a resumable run's bundles end at checkpoints, not every 1,000 elements. */
  @Test
  public void resumableRunTakesBatchSizedBundlesUnlessGivenOthers() {
    PipelineOptionsFactory.register(RunnerOptions.class);
    FlinkPipelineOptions resumable = PipelineOptionsFactory.fromArgs("--resumable").as(FlinkPipelineOptions.class);
    FlinkSettings.applyDefaults(resumable.as(RunnerOptions.class), List.of("resumable"));
    assertThat(resumable.getMaxBundleSize(), equalTo(1_000_000L));
    assertThat(resumable.getMaxBundleTimeMills(), equalTo(10_000L));
    FlinkPipelineOptions given = PipelineOptionsFactory.fromArgs("--resumable", "--maxBundleSize=500")
        .as(FlinkPipelineOptions.class);
    FlinkSettings.applyDefaults(given.as(RunnerOptions.class), List.of("resumable", "maxBundleSize"));
    assertThat(given.getMaxBundleSize(), equalTo(500L));
    assertThat("the other still ends at checkpoints", given.getMaxBundleTimeMills(), equalTo(10_000L));
  }

  /** Beam passes --savepointPath only to a remote master: the embedded runner's job reads it from its config. */
  @Test
  public void resumedRunOnTheEmbeddedRunnerRestoresFromTheCheckpoint() throws Exception {
    List<String> lines = embeddedConfig(2, 0, true, "file:///tmp/checkpoints/job/chk-3");
    assertThat(lines, hasItem("execution.savepoint.path: file:///tmp/checkpoints/job/chk-3"));
    assertThat(embeddedConfig(2, 0, true).stream().anyMatch(l -> l.startsWith("execution.savepoint.")), equalTo(false));
  }

  @Test
  public void resumedRunWithItsOwnFlinkConfigIsRefusedUnlessThatConfigNamesTheCheckpoint() throws Exception {
    Assume.assumeTrue("FLINK_CONF_DIR set", System.getenv("FLINK_CONF_DIR") == null);
    RunnerOptions options = PipelineOptionsFactory.as(RunnerOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setResumable(true);
    Path own = tmp.newFolder().toPath();
    Files.writeString(own.resolve("config.yaml"), "parallelism.default: 2\n");
    options.as(FlinkPipelineOptions.class).setFlinkConfDir(own.toString());
    options.as(FlinkPipelineOptions.class).setSavepointPath("file:///tmp/checkpoints/job/chk-3");
    SpecException refused = assertThrows(SpecException.class,
        () -> FlinkSettings.useEmbeddedConfig(options, tmp.newFolder().toPath(), 0));
    assertThat(refused.getMessage(), containsString("execution.savepoint.path: file:///tmp/checkpoints/job/chk-3"));

    Files.writeString(own.resolve("config.yaml"), "execution.savepoint.path: file:///tmp/checkpoints/job/chk-3\n");
    FlinkSettings.useEmbeddedConfig(options, tmp.newFolder().toPath(), 0);
    assertThat(options.as(FlinkPipelineOptions.class).getFlinkConfDir(), equalTo(own.toString()));
  }

  private List<String> embeddedConfig(int parallelism, int distinctCounts, boolean resumable) throws Exception {
    return embeddedConfig(parallelism, distinctCounts, resumable, null);
  }

  private List<String> embeddedConfig(int parallelism, int distinctCounts, boolean resumable, String savepoint)
      throws Exception {
    Assume.assumeTrue("FLINK_CONF_DIR set: the embedded config is not written", System.getenv("FLINK_CONF_DIR") == null);
    RunnerOptions options = PipelineOptionsFactory.as(RunnerOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setResumable(resumable);
    options.as(FlinkPipelineOptions.class).setSavepointPath(savepoint);
    options.as(FlinkPipelineOptions.class).setParallelism(parallelism);
    FlinkSettings.useEmbeddedConfig(options, tmp.newFolder().toPath(), distinctCounts);
    String confDir = options.as(FlinkPipelineOptions.class).getFlinkConfDir();
    return Files.readAllLines(Path.of(confDir, "config.yaml"));
  }

  /**
   * After a resumable run succeeded, its own checkpoints go with the ones it resumed from, under the
   * directory it chose for its spec and input: a CI run once found the resumed run's own left behind.
   * Under a storage path of the caller's, only the resumed one goes.
   */
  @Test
  public void aSucceededRunRemovesTheCheckpointsItResumedFromAndItsOwn() throws Exception {
    Path root = tmp.newFolder("chk").toPath();
    Path key = root.resolve("pipe/0123abcd");
    Path resumed = Files.createDirectories(key.resolve("jobA/chk-3"));
    Files.writeString(resumed.resolve("_metadata"), "x");
    Files.writeString(Files.createDirectories(key.resolve("jobC/chk-5")).resolve("_metadata"), "x");
    RunnerOptions options = PipelineOptionsFactory.create().as(RunnerOptions.class);
    options.setCheckpointDir(root.toString());
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    flink.setSavepointPath(resumed.toUri().toString());
    flink.setStateBackendStoragePath(key.toUri().toString());
    FlinkSettings.removeCheckpoints(options);
    assertThat(Files.exists(key), equalTo(false));

    Path elsewhere = tmp.newFolder("own-storage").toPath();
    Path again = Files.createDirectories(elsewhere.resolve("jobA/chk-3"));
    Files.writeString(again.resolve("_metadata"), "x");
    Files.writeString(Files.createDirectories(elsewhere.resolve("jobC/chk-5")).resolve("_metadata"), "x");
    flink.setSavepointPath(again.toUri().toString());
    flink.setStateBackendStoragePath(elsewhere.toUri().toString());
    FlinkSettings.removeCheckpoints(options);
    assertThat(Files.exists(elsewhere.resolve("jobA")), equalTo(false));
    assertThat(Files.exists(elsewhere.resolve("jobC/chk-5/_metadata")), equalTo(true));
  }

  /**
   * An embedded H2 database on a session cluster: each TaskManager had its own in-memory one (a run
   * restarted for ten minutes), and a file one was served from a released class loader (a trial).
   */
  @Test
  public void embeddedH2DatabasesAreRefusedForACluster() throws Exception {
    String memSink = "sink: {format: jdbc, path: out, jdbc: {url: 'jdbc:h2:mem:agg;DB_CLOSE_DELAY=-1', table: t, mode: append}}";
    String fileSink = "sink: {format: jdbc, path: out, jdbc: {url: 'jdbc:h2:file:/tmp/x;AUTO_SERVER=TRUE', table: t, mode: append}}";
    String serverSink = "sink: {format: jdbc, path: out, jdbc: {url: 'jdbc:h2:tcp://db-host/x', table: t, mode: append}}";
    String csv = "source: {path: in.csv, format: csv}";
    String fileSource = "source: {format: jdbc, jdbc: {url: 'jdbc:h2:./shop', table: s}}";
    String seededSource = "source: {format: jdbc, jdbc: {url: \"jdbc:h2:mem:s;INIT=RUNSCRIPT FROM 'seed.sql'\", table: s}}";
    String csvSink = "sink: {format: csv, path: out}";
    assertThat(refusal(csv, memSink), containsString("sink.jdbc.url: an embedded H2 database"));
    assertThat(refusal(csv, fileSink), containsString("jdbc:h2:tcp://host/<path>"));
    assertThat(refusal(fileSource, csvSink), containsString("source.jdbc.url: an embedded H2 database"));
    assertThat(refusal(csv, serverSink), is(""));
    assertThat("each JVM builds the same database from the script", refusal(seededSource, csvSink), is(""));
  }

  private static String refusal(String source, String sink) {
    dev.beametl.spec.PipelineSpec spec = dev.beametl.pipeline.Specs.parse(String.join("\n", "version: 1",
        "name: h2", source, "schema: [{name: id, type: long}]", sink, ""), "t", List.of());
    try {
      FlinkSettings.refuseEmbeddedDatabases(spec);
      return "";
    } catch (dev.beametl.spec.SpecException e) {
      return e.getMessage();
    }
  }

  /**
   * --resumeFrom=latest in a chain of stops (kill, resume, kill): the run resumed from is left out,
   * so the resumed run's checkpoint is taken though the older run's is there too; when every run was
   * resumed from (the last resume stopped before its first checkpoint), the newest.
   */
  @Test
  public void latestTakesTheRunThatResumedNotTheOneItResumedFrom() throws Exception {
    dev.beametl.spec.PipelineSpec spec = dev.beametl.pipeline.Specs.parse(String.join("\n",
        "version: 1",
        "name: chain",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    Path dir = tmp.newFolder("ck").toPath();
    Path first = Files.createDirectories(dir.resolve("chain/k/0a1b/chk-9"));
    Path second = Files.createDirectories(dir.resolve("chain/k/2c3d/chk-2"));
    Files.write(first.resolve("_metadata"), new byte[] {1});
    Files.write(second.resolve("_metadata"), new byte[] {1});
    Files.setLastModifiedTime(first.resolve("_metadata"), java.nio.file.attribute.FileTime.fromMillis(2_000_000L));
    Files.setLastModifiedTime(second.resolve("_metadata"), java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
    Files.writeString(first.getParent().resolve(FlinkSettings.RESUMED), "");
    assertThat("the older run's checkpoint is newer here: only the mark leaves it out",
        latest(spec, dir), equalTo(second.toUri().toString()));
    Files.writeString(second.getParent().resolve(FlinkSettings.RESUMED), "");
    assertThat(latest(spec, dir), equalTo(first.toUri().toString()));
  }

  private static String latest(dev.beametl.spec.PipelineSpec spec, Path checkpointDir) {
    RunnerOptions options = PipelineOptionsFactory.fromArgs("--runner=FlinkRunner", "--resumable",
        "--resumeFrom=latest", "--checkpointDir=" + checkpointDir).as(RunnerOptions.class);
    FlinkSettings.applySpec(options, spec, "k");
    return options.as(FlinkPipelineOptions.class).getSavepointPath();
  }

  /** Flink's path flags given relative mean the caller's directory (the warm runner's JVM runs elsewhere); URIs stay. */
  @Test
  public void flinksPathFlagsMeanTheCallersDirectory() {
    PipelineOptionsFactory.register(RunnerOptions.class);
    Path caller = Path.of("/home/me/project");
    RunnerOptions options = PipelineOptionsFactory.fromArgs("--flinkConfDir=conf", "--savepointPath=sp/chk-3",
        "--stateBackendStoragePath=../state").as(RunnerOptions.class);
    FlinkSettings.resolveConfDir(options, caller);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertThat(flink.getFlinkConfDir(), equalTo("/home/me/project/conf"));
    assertThat(flink.getSavepointPath(), equalTo("/home/me/project/sp/chk-3"));
    assertThat(flink.getStateBackendStoragePath(), equalTo("/home/me/state"));
    RunnerOptions uris = PipelineOptionsFactory.fromArgs("--savepointPath=file:///tmp/sp",
        "--stateBackendStoragePath=s3://bucket/state").as(RunnerOptions.class);
    FlinkSettings.resolveConfDir(uris, caller);
    assertThat(uris.as(FlinkPipelineOptions.class).getSavepointPath(), equalTo("file:///tmp/sp"));
    assertThat(uris.as(FlinkPipelineOptions.class).getStateBackendStoragePath(), equalTo("s3://bucket/state"));
  }
}
