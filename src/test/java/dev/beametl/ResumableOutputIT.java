package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.beametl.bench.OrderLinesGenerator;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.load.DeadLetters;
import dev.beametl.pipeline.RunCounts;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A resumable run's file sinks with rows arriving all through the run (no aggregation): each
 * writer rolls a temporary file per checkpoint, and the files a checkpoint recorded are renamed into
 * place when the input has ended. After a failed task (restored from a checkpoint in the same job)
 * and after a killed process resumed with {@code --resumeFrom}, the part files hold exactly the rows
 * of a batch run, and the dead letters too. Before, the runner grouped each of four shards' rows into
 * one list in the heap at the end: 1M rows with -Xmx256m died of OutOfMemoryError.
 */
public class ResumableOutputIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final int ROWS = 100_000;
  private static Path input;
  private static Path spec;
  private static List<String> batchRows;
  private static List<String> batchBad;
  private static String schema;

  @BeforeClass
  public static void inputAndABatchRun() throws Exception {
    input = TMP.getRoot().toPath().resolve("in");
    new OrderLinesGenerator(ROWS, 0.001, 7, OrderLinesGenerator.Format.PIPE).write(input, 2);
    schema = Files.readString(Path.of("runners/bench/order-lines-by-order.yaml"));
    schema = schema.substring(schema.indexOf("schema:"), schema.indexOf("derive:"));
    spec = TMP.getRoot().toPath().resolve("lines.yaml");
    Files.writeString(spec, String.join("\n", "version: 1", "name: resumable-lines",
        "source: {path: in/*.tbl, format: csv, csv: {delimiter: '|', header: false}}", schema,
        "filter: \"l_shipmode != 'MAIL'\"", "sink: {format: parquet, path: out, ifExists: overwrite}", ""));
    String batch = TMP.getRoot() + "/batch";
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=" + spec, "--output=" + batch);
    assertThat(run.err, run.code, is(EtlJob.OK));
    batchRows = rows(batch);
    batchBad = bad(batch);
  }

  /** Count, sums and an order-free hash of every row: equal only if every row is there once. */
  private static List<String> rows(String out) throws Exception {
    return SampleJobIT.query("SELECT count(*), sum(l_extendedprice), sum(hash(l_orderkey, l_linenumber, l_comment, "
        + "l_shipdate)) FROM read_parquet('" + out + "/*.parquet')");
  }

  private static List<String> bad(String out) throws Exception {
    return SampleJobIT.query("SELECT count(*), sum(hash(origin, reason)) FROM read_json_auto('" + out
        + "-dead-letter/*.jsonl')");
  }

  private static long partFiles(String out) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(out))) {
      return files.filter(f -> f.getFileName().toString().matches("part-\\d+-of-\\d+\\.parquet")).count();
    }
  }

  @Test
  public void aTaskThatFailsAfterCheckpointsIsRestoredAndEveryRowIsWrittenOnce() throws Exception {
    String out = TMP.getRoot() + "/failed-once";
    Path marker = TMP.getRoot().toPath().resolve("failed-once.marker");
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=" + spec, "--output=" + out, "--resumable",
        "--checkpointDir=" + TMP.getRoot() + "/chk-failed-once", "--checkpointingInterval=200", "--parallelism=2",
        "--fault=records.throttle(perSecond=20000);records.failOnce(after=25000,marker=" + marker + ")");
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat("the fault was injected", Files.exists(marker), is(true));
    assertThat(rows(out), equalTo(batchRows));
    assertThat(bad(out), equalTo(batchBad));
    for (String count : List.of("written", DeadLetters.COUNT)) {
      assertThat(count, RunCounts.read(out + "/_run").get(count),
          equalTo(RunCounts.read(TMP.getRoot() + "/batch/_run").get(count)));
    }
    assertThat("a file per writer and checkpoint, not the runner's 2 x 2 shards", partFiles(out), greaterThan(4L));
  }

  @Test
  public void aKilledRunResumesWithTheFilesItsCheckpointRecorded() throws Exception {
    String out = TMP.getRoot() + "/killed";
    Path chk = TMP.getRoot().toPath().resolve("chk-killed");
    String[] flags = resumableFlags(spec, out, chk);
    Process first = launch("records.throttle(perSecond=5000)", flags, "killed.log");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!(recordedFiles(Path.of(out)) >= 2 && checkpoints(chk) >= 2) && System.nanoTime() < deadline
        && first.isAlive()) {
      Thread.sleep(50);
    }
    assertThat("still running when killed", first.isAlive(), is(true));
    first.destroyForcibly().waitFor();
    assertThat("the killed run left closed temporary files", recordedFiles(Path.of(out)), greaterThan(0L));

    // Without the throttle the job lacks a step the checkpoint holds state for: refused, one line,
    // and the checkpoint still resumes afterwards.
    EtlJobTest.Run otherSteps = new EtlJobTest.Run(Stream.concat(Stream.of(flags), Stream.of("--resumeFrom=latest"))
        .toArray(String[]::new));
    assertThat(otherSteps.err, otherSteps.code, is(EtlJob.JOB_FAILED));
    assertThat(otherSteps.err, containsString("the checkpoint holds steps this job does not have"));
    assertThat(otherSteps.err, not(containsString("allowNonRestoredState")));
    assertThat(otherSteps.err, otherSteps.err.lines().count(), is(1L));

    // The same steps as the stopped run (the throttle is one), at full speed.
    EtlJobTest.Run resumed = new EtlJobTest.Run(Stream.concat(Stream.of(flags), Stream.of("--resumeFrom=latest",
        "--fault=records.throttle(perSecond=100000000)")).toArray(String[]::new));
    assertThat(resumed.err, resumed.code, is(EtlJob.OK));
    assertThat(resumed.out, containsString("rows written"));
    assertThat("the resumed checkpoint is deleted after the run", checkpoints(chk), is(0L));
    assertThat(rows(out), equalTo(batchRows));
    assertThat(bad(out), equalTo(batchBad));
    try (Stream<Path> left = Files.list(Path.of(out))) {
      assertThat("no temporary folder is left", left.noneMatch(p -> p.getFileName().toString().startsWith(".temp")),
          is(true));
    }
  }

  /**
   * With an aggregation the reading ends long before the rows are written (its results go out at
   * the end, here slowed down; a count_distinct's own branch of it ends last). Stopped in between, the run had renamed its dead letters into place
   * already - their input had ended - and no checkpoint could resume it ("is in place already").
   * The dead letters now wait for the output: stopped there, nothing is in place, and the run
   * resumed from its last checkpoint writes every group and every dead letter once.
   */
  @Test
  public void aRunStoppedAfterItsReadingAndBeforeItsWritingResumes() throws Exception {
    Path orders = TMP.getRoot().toPath().resolve("orders.yaml");
    Files.writeString(orders, String.join("\n", "version: 1", "name: resumable-orders",
        "source: {path: in/*.tbl, format: csv, csv: {delimiter: '|', header: false}}", schema,
        "aggregate: {groupBy: [l_orderkey], metrics: [{name: lines, op: count}, "
            + "{name: price, op: sum, field: l_extendedprice}, {name: parts, op: count_distinct, field: l_partkey}]}",
        "sink: {format: csv, path: out, ifExists: overwrite}", ""));
    String batch = TMP.getRoot() + "/orders-batch";
    EtlJobTest.Run batchRun = new EtlJobTest.Run("--pipeline=" + orders, "--output=" + batch);
    assertThat(batchRun.err, batchRun.code, is(EtlJob.OK));

    String out = TMP.getRoot() + "/orders-stopped";
    Path chk = TMP.getRoot().toPath().resolve("chk-orders");
    String[] flags = resumableFlags(orders, out, chk);
    Process first = launch("results.throttle(perSecond=500)", flags, "orders-stopped.log");
    Path log = Path.of(out, "_run", "job.log");
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    // The rows go out (slowly) from the aggregation's last step; a while for the dead letters' renames.
    while (!(Files.exists(log) && Files.readString(log).contains("Fill in partial rows/Merge: input ended"))
        && System.nanoTime() < deadline && first.isAlive()) {
      Thread.sleep(50);
    }
    Thread.sleep(2_000);
    assertThat("still writing when stopped", first.isAlive(), is(true));
    first.destroyForcibly().waitFor();
    assertThat("no dead-letter file in place", jsonlFiles(Path.of(out + "-dead-letter")), is(0L));
    assertThat("no part file in place: the rows were still being written", partFilesIn(Path.of(out)), is(0L));
    assertThat("a checkpoint to resume", checkpoints(chk), greaterThan(0L));

    EtlJobTest.Run resumed = new EtlJobTest.Run(Stream.concat(Stream.of(flags), Stream.of("--resumeFrom=latest",
        "--fault=results.throttle(perSecond=100000000)")).toArray(String[]::new));
    assertThat(resumed.err, resumed.code, is(EtlJob.OK));
    String groups = "SELECT count(*), sum(lines), sum(CAST(price AS DECIMAL(38, 2))), "
        + "sum(hash(l_orderkey, lines, price, parts)) FROM read_csv('%s/*.csv')";
    assertThat(SampleJobIT.query(String.format(groups, out)), equalTo(SampleJobIT.query(String.format(groups, batch))));
    assertThat(bad(out), equalTo(bad(batch)));
    assertThat(bad(out).get(0), not(startsWith("0")));
  }

  private static String[] resumableFlags(Path pipeline, String out, Path chk) {
    return new String[] {"--pipeline=" + pipeline, "--output=" + out, "--resumable", "--checkpointDir=" + chk,
        "--checkpointingInterval=200", "--parallelism=2"};
  }

  /** The job in a process of its own (so the test can kill it), with {@code fault} injected. */
  private static Process launch(String fault, String[] flags, String logName) throws Exception {
    ProcessBuilder launcher = new ProcessBuilder(Stream.concat(
        Stream.of(Path.of("bin/beam-etl").toAbsolutePath().toString(), "--fault=" + fault),
        Stream.of(flags)).toArray(String[]::new))
        .redirectErrorStream(true).redirectOutput(TMP.newFile(logName));
    launcher.environment().put("BEAM_ETL_WARM", "0");
    launcher.environment().put("BEAM_ETL_CDS", "0");
    return launcher.start();
  }

  /**
   * Temporary Parquet files under the output that a writer closed (Beam names them by a UUID): a
   * closed Parquet file ends with its footer's magic, {@code PAR1}; one being written does not.
   */
  private static long recordedFiles(Path out) throws Exception {
    if (!Files.isDirectory(out)) {
      return 0;
    }
    return countWalking(out, Integer.MAX_VALUE,
        p -> p.getParent().getFileName().toString().startsWith(".temp-beam") && endsWithParquetMagic(p));
  }

  /**
   * The files under {@code root} that {@code which} takes, 0 when one went away during the walk: a
   * running job writes and renames files, and Flink deletes the checkpoints it no longer needs
   * (`NoSuchFileException` out of the walk failed a run here); the callers poll.
   */
  private static long countWalking(Path root, int depth, java.util.function.Predicate<Path> which) throws Exception {
    try (Stream<Path> all = Files.walk(root, depth)) {
      return all.filter(which).count();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof NoSuchFileException) {
        return 0;
      }
      throw e;
    }
  }

  private static boolean endsWithParquetMagic(Path file) {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
      if (f.length() < 8) {
        return false;
      }
      byte[] tail = new byte[4];
      f.seek(f.length() - 4);
      f.readFully(tail);
      return new String(tail, java.nio.charset.StandardCharsets.US_ASCII).equals("PAR1");
    } catch (java.io.IOException gone) { // renamed or deleted meanwhile
      return false;
    }
  }

  /** CSV part files in place. */
  private static long partFilesIn(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().matches("part-.*\\.csv")).count();
    }
  }

  /** Dead-letter files in place (not temporary ones, which Beam keeps in a hidden folder). */
  private static long jsonlFiles(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).count();
    }
  }

  private static long checkpoints(Path chk) throws Exception {
    if (!Files.isDirectory(chk)) {
      return 0;
    }
    return countWalking(chk, 5, // <pipeline>/<key of spec and input>/<job>/chk-N
        p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")));
  }
}
