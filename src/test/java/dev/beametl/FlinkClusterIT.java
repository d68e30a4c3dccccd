package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.bench.SalesGenerator;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.FlinkSourceSplitEnumerator;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.bounded.FlinkBoundedSourceReader;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The README's cluster path and the faults a cluster meets, on a local Flink session cluster started
 * by the scripts (JobManager and TaskManager in their own JVMs) with jobs submitted as the bundled
 * jar: the sample finishes with the embedded result; a TaskManager killed mid-run is replaced and
 * the job's outputs stay exact; a resumable job whose whole cluster is stopped at about 60% of its
 * input goes on from its last checkpoint, reads again only what that checkpoint did not cover, and
 * ends with exact outputs.
 */
public class FlinkClusterIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPEC = "--pipeline=pipelines/sales-by-product.yaml";
  private static final String VALIDATE = "Validate/Check_records_against_the_schema.numRecordsIn";
  private static final Path CLUSTER_RUN = Path.of(System.getenv().getOrDefault("BEAM_ETL_FLINK_RUN", "/tmp/beam-etl-flink"));

  @BeforeClass
  public static void startCluster() throws Exception {
    script("start-cluster.sh");
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    script("stop-cluster.sh");
  }

  @Test
  public void theSampleRunsOnTheClusterWithTheEmbeddedResult() throws Exception {
    String cluster = TMP.getRoot() + "/cluster";
    Process submit = submit("sample", SPEC, "--output=" + cluster);
    assertThat("the bundled jar's run succeeded", exitCode(submit), is(0));
    assertThat(jobs(j -> j.get("state").asText().equals("FINISHED")), is(greaterThan(0)));
    // Without --parallelism the job takes the cluster's parallelism.default (2): Beam's runner ran it
    // at 1, from the client's Flink config, which submit.sh does not have (a trial).
    assertThat(Files.readString(LOGS.get(submit)), containsString("parallelism 2, the cluster's"));
    assertThat(rest("/jobs/" + latestJob() + "/config").path("execution-config").path("job-parallelism").asInt(),
        is(2));
    assertSameOutputs(cluster, embeddedRun("sample-embedded"));
  }

  /** The job submitted last. */
  private static String latestJob() throws Exception {
    JsonNode latest = null;
    for (JsonNode job : rest("/jobs/overview").get("jobs")) {
      if (latest == null || job.get("start-time").asLong() > latest.get("start-time").asLong()) {
        latest = job;
      }
    }
    return latest.get("jid").asText();
  }

  /**
   * submit.sh checks the cluster the job will go to: it asked FLINK_MASTER's (this test's, up) while a
   * --flinkMaster= among the flags sent the job elsewhere (a trial).
   */
  @Test
  public void submitChecksTheClusterAFlagNames() throws Exception {
    Process submit = submit("elsewhere", SPEC, "--output=" + TMP.getRoot() + "/elsewhere", "--flinkMaster=127.0.0.1:1");
    assertThat(submit.waitFor(60, TimeUnit.SECONDS), is(true));
    assertThat(submit.exitValue(), is(1));
    assertThat(Files.readString(LOGS.get(submit)), containsString("no Flink cluster answers on 127.0.0.1:1"));
  }

  /** A lookup (a side input), a partitioned output and a replay of its dead letters, on the cluster. */
  @Test
  public void theEnrichedSampleAndItsReplayRunOnTheClusterWithTheEmbeddedResult() throws Exception {
    String enriched = "--pipeline=pipelines/sales-by-brand.yaml";
    String cluster = TMP.getRoot() + "/enriched-cluster";
    Process submit = submit("enriched", enriched, "--output=" + cluster);
    assertThat("the bundled jar's run succeeded", exitCode(submit), is(0));
    String embedded = TMP.getRoot() + "/enriched-embedded";
    EtlJobTest.Run run = new EtlJobTest.Run(enriched, "--output=" + embedded);
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(RunCounts.read(cluster + "/_run"), equalTo(RunCounts.read(embedded + "/_run")));
    String rows = "SELECT * FROM read_parquet('%s/region=*/*.parquet', hive_partitioning = true)";
    List<String> expected = SampleJobIT.query(String.format(rows, embedded));
    assertThat(expected, hasSize(40));
    assertThat(SampleJobIT.query(String.format(rows, cluster)), containsInAnyOrder(expected.toArray()));

    String fixes = TMP.getRoot() + "/enriched-replay";
    Process replay = submit("enriched-replay", "replay", enriched, "--from=" + cluster + "-dead-letter",
        "--output=" + fixes, "--maxBadRatio=1.0", "--set=deadLetter.maxBad={lookup_miss: 1.0}"); // nothing was fixed
    assertThat("the replay ran on the cluster", exitCode(replay), is(0));
    assertThat(RunCounts.read(fixes + "/_run").get("replay.replayed"), is(RunCounts.read(cluster + "/_run")
        .get("failed") + RunCounts.read(cluster + "/_run").get("bad") - 2)); // 2 bad_encoding records stay out
  }

  @Test
  public void aTaskManagerKilledMidRunIsReplacedAndTheOutputsAreExact() throws Exception {
    String input = generate("tm-kill", 60_000);
    String out = TMP.getRoot() + "/tm-kill";
    // At most 3,000 records a second per reader: the job surely still reads when the TaskManager
    // dies, halfway, when some stages have finished and their shuffle outputs die with it.
    Process submit = submit("tm-kill", SPEC, "--input=" + input, "--output=" + out,
        "--fault=records.throttle(perSecond=3000)");
    String job = awaitRunningJob();
    awaitRecordsRead(job, 30_000);
    Path pidFile = CLUSTER_RUN.resolve("taskmanager.pid");
    long taskManager = Long.parseLong(Files.readString(pidFile).trim());
    new ProcessBuilder("kill", "-9", String.valueOf(taskManager)).start().waitFor();
    script("start-cluster.sh", "taskmanager");

    assertThat("the job survived the lost TaskManager", exitCode(submit), is(0));
    assertThat("the progress line counted the cluster's reads (its REST API) while the job ran",
        java.util.regex.Pattern.compile("beam-etl: [1-9][\\d,]* records read").matcher(
            Files.readString(LOGS.get(submit))).find(), is(true));
    assertThat(rest("/jobs/" + job).get("state").asText(), is("FINISHED"));
    assertThat("the job was restarted", rest("/jobs/" + job + "/exceptions").get("exceptionHistory")
        .get("entries").size(), is(greaterThan(0)));
    assertSameOutputs(out, embeddedRun("tm-kill-clean", "--input=" + input));
  }

  @Test
  public void aStoppedClusterResumesFromItsLastCheckpointWithExactOutputs() throws Exception {
    int rows = 30_000;
    String input = generate("resume", rows);
    String out = TMP.getRoot() + "/resume";
    String checkpoints = TMP.getRoot() + "/checkpoints";
    long maxSplitBytes = 100_000;
    // Both runs pass at most 750 records a second per reader (two readers: about 20 s for the whole
    // input), so checkpoints complete while the first run reads; the same flags keep the same graph.
    String[] resumable = {SPEC, "--input=" + input, "--output=" + out, "--ifExists=overwrite", "--resumable",
        "--checkpointDir=" + checkpoints, "--checkpointingInterval=2000", "--maxSplitBytes=" + maxSplitBytes,
        "--fault=records.throttle(perSecond=750)"};

    Process first = submit("resume-1", resumable);
    String job = awaitRunningJob();
    List<long[]> progress = awaitCheckpointAndRecordsRead(job, (long) (rows * 0.6), first);
    long readBeforeStop = progress.get(progress.size() - 1)[1];
    JsonNode checkpoint = completedCheckpoint(job);
    long checkpointAt = checkpoint.get("latest_ack_timestamp").asLong();
    assertThat("the input was not all read when the cluster stopped", readBeforeStop, is(lessThan((long) rows)));
    script("stop-cluster.sh");
    first.destroyForcibly().waitFor();
    script("start-cluster.sh");

    long start = System.nanoTime();
    Process second = submit("resume-2", append(resumable, "--resumeFrom=latest"));
    assertThat("the resumed run succeeded", exitCode(second), is(0));
    double resumedSeconds = (System.nanoTime() - start) / 1e9;
    String resumedJob = rest("/jobs/overview").get("jobs").get(0).get("jid").asText();
    long readAfterResume = beamCounter(resumedJob, "read");

    // What the checkpoint did not cover: records read after it completed, plus a whole unfinished
    // split per reader (a bounded split is restored whole).
    long readAtCheckpoint = progress.stream().filter(p -> p[0] <= checkpointAt).mapToLong(p -> p[1]).max().orElse(0);
    long rowsPerSplit = maxSplitBytes * rows / Files.walk(Path.of(input).getParent())
        .filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum() + 1;
    long readAgain = readBeforeStop + readAfterResume - rows;
    System.out.printf("resume: stopped after %,d of %,d records read (%.0f%%); checkpoint covered %,d; resumed run "
        + "read %,d, so %,d (%.1f%% of the input) twice; resumed run %.1f s%n", readBeforeStop, rows,
        100.0 * readBeforeStop / rows, readAtCheckpoint, readAfterResume, readAgain, 100.0 * readAgain / rows,
        resumedSeconds);
    assertThat("resumed from a checkpoint, not from the start", readAfterResume, is(lessThan((long) rows)));
    assertThat("read again: no more than what the checkpoint left open",
        readAgain, is(lessThanOrEqualTo(readBeforeStop - readAtCheckpoint + 2 * rowsPerSplit)));
    assertSameOutputs(out, embeddedRun("resume-clean", "--input=" + input));
    assertThat("the JobManager ran beam-etl's patched enumerator", clusterLog("jobmanager"),
        containsString("beam-etl patch in use: " + FlinkSourceSplitEnumerator.class.getName()));
    assertThat("the TaskManager ran beam-etl's patched reader", clusterLog("taskmanager"),
        containsString("beam-etl patch in use: " + FlinkBoundedSourceReader.class.getName()));
    try (java.util.stream.Stream<Path> left = Files.walk(Path.of(checkpoints, "sales-by-product"))) {
      // at any depth: <pipeline>/<key of spec and input>/<job>/chk-N/_metadata
      assertThat("the used checkpoints are removed after success",
          left.filter(p -> p.getFileName().toString().equals("_metadata")).count(), is(0L));
    }
  }

  // ---- helpers

  /** Everything the cluster's JobManager or TaskManagers logged so far (runners/flink/start-cluster.sh's logs). */
  private static String clusterLog(String process) throws Exception {
    StringBuilder all = new StringBuilder();
    try (java.nio.file.DirectoryStream<Path> logs = Files.newDirectoryStream(CLUSTER_RUN, process + "*.log")) {
      for (Path log : logs) {
        all.append(Files.readString(log));
      }
    }
    return all.toString();
  }

  private static void assertSameOutputs(String actual, String expected) throws Exception {
    assertThat(RunCounts.read(actual + "/_run"), equalTo(RunCounts.read(expected + "/_run")));
    List<String> rows = SampleJobIT.query("SELECT * FROM read_parquet('" + actual + "/*.parquet')");
    assertThat(rows, hasSize(SampleJobIT.query("SELECT * FROM read_parquet('" + expected + "/*.parquet')").size()));
    assertThat(rows, containsInAnyOrder(
        SampleJobIT.query("SELECT * FROM read_parquet('" + expected + "/*.parquet')").toArray()));
    String bad = "SELECT origin, reason FROM read_json_auto('%s-dead-letter/*.jsonl')";
    assertThat(SampleJobIT.query(String.format(bad, actual)),
        containsInAnyOrder(SampleJobIT.query(String.format(bad, expected)).toArray()));
  }

  private static String embeddedRun(String name, String... args) {
    String out = TMP.getRoot() + "/" + name;
    EtlJobTest.Run run = new EtlJobTest.Run(append(append(args, SPEC), "--output=" + out));
    assertThat(run.err, run.code, is(EtlJob.OK));
    return out;
  }

  private static String generate(String name, int rows) throws Exception {
    Path dir = TMP.getRoot().toPath().resolve("input-" + name);
    new SalesGenerator(rows, 0.002, 40, 24, rows / 3, 7).write(dir, 3);
    return dir + "/*.csv";
  }

  private static Process submit(String name, String... args) throws Exception {
    // No --parallelism: a job takes the cluster's (2), as a user's submit.sh run does.
    List<String> command = new ArrayList<>(List.of("bash", "runners/flink/submit.sh"));
    command.addAll(List.of(args));
    File log = TMP.getRoot().toPath().resolve(name + ".log").toFile();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    LOGS.put(p, log.toPath());
    return p;
  }

  /** The log of each submission, shown when it fails (the temporary folder is gone afterwards). */
  private static final java.util.Map<Process, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

  private static int exitCode(Process p) throws Exception {
    assertThat("the submission ended in time", p.waitFor(400, TimeUnit.SECONDS), is(true));
    if (p.exitValue() != 0) {
      List<String> lines = Files.readAllLines(LOGS.get(p));
      System.out.println("submission failed with exit code " + p.exitValue() + "; its log ends:\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }
    return p.exitValue();
  }

  /** The id of the one running job, once Flink reports it running. */
  private static String awaitRunningJob() throws Exception {
    for (int i = 0; i < 720; i++) { // 180 s: a busy 2-core machine can take a minute to deploy the job
      for (JsonNode job : rest("/jobs/overview").get("jobs")) {
        if (job.get("state").asText().equals("RUNNING") && job.get("tasks").get("running").asInt() > 0) {
          return job.get("jid").asText();
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no job started running within 180 s");
  }

  /** Waits until the running job has read {@code target} records (as the cluster's REST API counts them). */
  private static void awaitRecordsRead(String job, long target) throws Exception {
    String source = validateVertex(job);
    long read = 0;
    for (int i = 0; i < 1200 && read < target; i++) {
      Thread.sleep(100);
      read = recordsRead(job, source);
    }
    assertThat("the job read " + target + " records (the REST API's metrics move)", read,
        is(greaterThanOrEqualTo(target)));
    assertThat("still running when the TaskManager is killed", rest("/jobs/" + job).get("state").asText(),
        is("RUNNING"));
  }

  /** The vertex that holds Validate (as FlinkRestCounts finds it): not always the first. */
  private static String validateVertex(String job) throws Exception {
    for (int i = 0; i < 100; i++) {
      for (JsonNode v : rest("/jobs/" + job).path("vertices")) {
        if (v.path("name").asText().contains("Validate")) {
          return v.get("id").asText();
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the job has no vertex holding Validate");
  }

  /** Records that entered Validate so far, summed over its subtasks; 0 before the first report. */
  private static long recordsRead(String job, String vertex) throws Exception {
    JsonNode metric = rest("/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics?get=" + VALIDATE + "&agg=sum");
    return metric.size() == 0 ? 0 : (long) metric.get(0).get("sum").asDouble();
  }

  /**
   * Polls the running job until a checkpoint has completed and it has read {@code target} records:
   * the state the resume test needs, whichever comes first. Returns (time, records) samples.
   */
  private static List<long[]> awaitCheckpointAndRecordsRead(String job, long target, Process submit)
      throws Exception {
    String source = validateVertex(job);
    List<long[]> samples = new ArrayList<>();
    for (int i = 0; i < 1200 && submit.isAlive(); i++) {
      long read = recordsRead(job, source);
      samples.add(new long[] {System.currentTimeMillis(), read});
      if (read >= target && completedCheckpoint(job) != null) {
        return samples;
      }
      Thread.sleep(100);
    }
    long last = samples.isEmpty() ? 0 : samples.get(samples.size() - 1)[1];
    throw new AssertionError("the job did not complete a checkpoint and read " + target + " records while "
        + "running: " + last + " read, checkpoint " + (completedCheckpoint(job) == null ? "none" : "completed")
        + " after " + samples.size() + " polls" + (submit.isAlive() ? ""
        : "; the submitting process ended with exit code " + submit.exitValue()));
  }

  /** The job's latest completed checkpoint as Flink's REST API describes it, or null before the first. */
  private static JsonNode completedCheckpoint(String job) throws Exception {
    JsonNode latest = rest("/jobs/" + job + "/checkpoints").path("latest").path("completed");
    return latest.isObject() ? latest : null;
  }

  /** A Beam counter of a finished job, from the accumulators Flink keeps for it. */
  private static long beamCounter(String job, String name) throws Exception {
    JsonNode accumulators = rest("/jobs/" + job + "/accumulators").get("user-task-accumulators");
    for (JsonNode a : accumulators) {
      if (a.get("name").asText().equals("__metricscontainers")) {
        for (JsonNode m : JSON.readTree(a.get("value").asText()).get("metrics").get("attempted")) {
          if (m.get("labels").get("NAME").asText().equals(name)) {
            return varint(Base64.getDecoder().decode(m.get("payload").asText()));
          }
        }
      }
    }
    throw new AssertionError("no counter " + name + " in " + accumulators);
  }

  private static long varint(byte[] bytes) {
    long value = 0;
    for (int i = 0; i < bytes.length; i++) {
      value |= (long) (bytes[i] & 0x7f) << (7 * i);
    }
    return value;
  }

  private static int jobs(Predicate<JsonNode> which) throws Exception {
    int n = 0;
    for (JsonNode job : rest("/jobs/overview").get("jobs")) {
      n += which.test(job) ? 1 : 0;
    }
    return n;
  }

  private static JsonNode rest(String path) throws Exception {
    return JSON.readTree(HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://localhost:8081" + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body());
  }

  private static void script(String... command) throws Exception {
    List<String> c = new ArrayList<>(List.of("bash", "runners/flink/" + command[0]));
    c.addAll(List.of(command).subList(1, command.length));
    Process p = new ProcessBuilder(c).inheritIO().start();
    assertThat(command[0] + " finished in time", p.waitFor(180, TimeUnit.SECONDS), is(true));
    assertThat(command[0] + " succeeded", p.exitValue(), is(0));
  }

  private static String[] append(String[] args, String... more) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of(more));
    return all.toArray(new String[0]);
  }
}
