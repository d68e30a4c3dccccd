package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.cli.EtlJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The command line: help, dry runs, and one-line errors with the documented exit codes. */
public class EtlJobTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** One run of the command line, with its exit code and what it printed. */
  public static final class Run {
    public final int code;
    public final String out;
    public final String err;

    public Run(String... args) {
      ByteArrayOutputStream o = new ByteArrayOutputStream();
      ByteArrayOutputStream e = new ByteArrayOutputStream();
      code = EtlJob.main(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
      out = o.toString(StandardCharsets.UTF_8);
      err = e.toString(StandardCharsets.UTF_8);
    }
  }

  private String out() {
    return tmp.getRoot() + "/out";
  }

  /** The input folder of {@link #specOver}. */
  private Path in() {
    return tmp.getRoot().toPath().resolve("in");
  }

  /** A spec reading {@code csv} as in/a.csv; {@code rest} are its lines after the source. */
  private Path specOver(String csv, String... rest) throws Exception {
    Files.createDirectories(in());
    Files.writeString(in().resolve("a.csv"), csv);
    Path spec = tmp.getRoot().toPath().resolve("spec.yaml");
    Files.writeString(spec, String.join("\n", "version: 1", "source: {path: '" + in() + "/*.csv', format: csv}")
        + "\n" + String.join("\n", rest) + "\n");
    return spec;
  }

  /**
   * A trial: a CSV file of 0 bytes where a header is expected (a file cut short, more likely than
   * one meant to be empty) read as no records, exit 0, and nothing said so. It still reads as no
   * records; a note names it. A header-only file is no such file.
   */
  @Test
  public void anEmptyCsvFileWhereAHeaderIsExpectedIsNamed() throws Exception {
    Path spec = specOver("id,n\n1,2\n", "schema: [{name: id, type: long}, {name: n, type: int}]",
        "sink: {format: csv, path: '" + out() + "'}");
    Files.writeString(in().resolve("b.csv"), "");
    Files.writeString(in().resolve("c.csv"), "id,n\n");
    Run r = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.err, containsString("beam-etl: note: source: 1 input file is 0 bytes long, without the header line "
        + "source.csv.header expects (read as no records): " + in().resolve("b.csv")));
    assertThat(r.err, not(containsString("c.csv")));
    assertThat(r.out, containsString("records read                            1"));
  }

  @Test
  public void helpListsOurFlagsWithDescriptions() {
    Run r = new Run("--help");
    assertThat(r.code, is(EtlJob.OK));
    assertThat(r.out, containsString("--pipeline"));
    assertThat(r.out, containsString("Pipeline spec to run"));
    assertThat(r.out, containsString("--dryRun"));
    assertThat(r.out, containsString("Default: false"));
  }

  /** Beam's parser answers --help=X by ending the JVM: in the warm runner, the runner. The job answers it. */
  @Test
  public void helpOfOneOptionsInterfaceReturns() {
    Run flink = new Run("--help=FlinkPipelineOptions");
    assertThat(flink.err, flink.code, is(EtlJob.OK));
    assertThat(flink.out, allOf(containsString("--parallelism"), containsString("--objectReuse")));
    Run full = new Run("--help=org.apache.beam.sdk.options.PipelineOptions");
    assertThat(full.out, containsString("--runner"));
    Run unknown = new Run("--help=NoSuchOptions");
    assertThat(unknown.code, is(EtlJob.USAGE));
    assertThat(unknown.err, containsString("--help=NoSuchOptions: no options interface of that name"));
  }

  @Test
  public void dryRunPrintsThePlanAndReadsNothing() {
    Run r = new Run("--pipeline=pipelines/sales-by-product.yaml", "--dryRun", "--output=" + out());
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.out, containsString("Aggregate  by product, region: revenue=sum(revenue)"));
    assertThat(r.out, containsString("Load       parquet -> " + out()));
    assertThat(Files.exists(Path.of(out())), is(false));
  }

  @Test
  public void dryRunShowsTheLookupsAndThePartitions() {
    Run r = new Run("--pipeline=pipelines/sales-by-brand.yaml", "--dryRun", "--output=" + out());
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.out, containsString("Lookup     products: csv "));
    assertThat(r.out, containsString("product = product_id -> adds brand, margin; no match: dead letter; a key twice: "
        + "an error; at most 1,000,000 rows, 67,108,864 bytes"));
    assertThat(r.out, containsString("partitioned by region: " + out() + "/region=.../part-* (at most 10,000 partitions)"));
    assertThat(Files.exists(Path.of(out())), is(false));
  }

  @Test
  public void unknownFlagIsAUsageError() {
    Run r = new Run("--pipeline=pipelines/sales-by-product.yaml", "--outptu=x");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("unknown flag --outptu. Did you mean --output?"));
    assertThat(r.err, not(containsString("EtlOptions")));
    assertThat(r.err.lines().count(), is(1L));
    // A flag twice is named (Beam said "expected one element but was: <a, b>"), and so is a bad value.
    Run twice = new Run("--pipeline=pipelines/sales-by-product.yaml", "--output=a", "--output=b", "--dryRun");
    assertThat(twice.code, is(EtlJob.USAGE));
    assertThat(twice.err, containsString("--output given more than once"));
    assertThat(EtlJob.flagProblem("Class interface x.EtlOptions missing a property named 'outpt'. Did you mean one "
        + "of [output, outputs]?", new String[0]), is("unknown flag --outpt. Did you mean one of [--output, --outputs]?"
        .replace("[", "").replace("]", "")));
    // A flag Beam lets repeat is not the one named; the one whose values Beam lists is.
    assertThat(EtlJob.flagProblem("expected one element but was: <a, b>",
        new String[] {"--experiments=x", "--experiments=y", "--output=a", "--output=b"}),
        is("--output given more than once: give it once"));
    // A value of the wrong type is named by its flag, not by Jackson's type (a trial), and so is a bare '--'.
    for (String[] bad : new String[][] {{"--progressSeconds=1e9", "--progressSeconds=1e9: not a whole number"},
        {"--encodeCategories=maybe", "--encodeCategories=maybe: not true or false"},
        {"--verbose=yes", "--verbose=yes: not true or false"}, {"--", "a bare '--' is no flag"}}) {
      Run r2 = new Run("--pipeline=pipelines/sales-by-product.yaml", "--output=a", bad[0], "--dryRun");
      assertThat(bad[0], r2.code, is(EtlJob.USAGE));
      assertThat(bad[0], r2.err, containsString(bad[1]));
      assertThat(bad[0], r2.err, not(containsString("deserialize")));
      assertThat(r2.err.lines().count(), is(1L));
    }
    Run negative = new Run("--pipeline=pipelines/sales-by-product.yaml", "--progressSeconds=-5", "--dryRun");
    assertThat(negative.code, is(EtlJob.USAGE));
    assertThat(negative.err, containsString("--progressSeconds=-5"));
    // A trial: a bare --deadLetter (its value lost in a script) wrote the dead letters to ./true, exit 0.
    Run bare = new Run("--pipeline=pipelines/sales-by-product.yaml", "--deadLetter", "--dryRun");
    assertThat(bare.code, is(EtlJob.USAGE));
    assertThat(bare.err, containsString("--deadLetter needs a value: --deadLetter=..."));
    Run userInfo = new Run("--pipeline=pipelines/sales-by-product.yaml", "--flinkMaster=http://bob:s3cr3t@localhost:1",
        "--dryRun");
    assertThat(userInfo.code, is(EtlJob.USAGE));
    assertThat("a trial: echoed in the failure and the job's log", userInfo.err, not(containsString("s3cr3t")));
    Run notANumber = new Run("--pipeline=pipelines/sales-by-product.yaml", "--maxBadRatio=abc", "--dryRun");
    assertThat(notANumber.code, is(EtlJob.USAGE));
    assertThat("a trial: Jackson's words, no flag", notANumber.err, containsString("--maxBadRatio=abc: not a number"));
    Run noWorkers = new Run("--pipeline=pipelines/sales-by-product.yaml", "--parallelism=0", "--dryRun");
    assertThat("a trial: ran, exit 0", noWorkers.code, is(EtlJob.USAGE));
    assertThat(noWorkers.err, containsString("--parallelism=0: give 1 or more"));
  }

  /**
   * A trial: with no cluster at --flinkMaster, Flink's client waited about a minute and its failure
   * did not say what to do. Nothing is listening on port 1.
   */
  @Test
  public void aClusterThatDoesNotAnswerFailsBeforeTheRunSayingSo() throws Exception {
    Run none = toMaster("127.0.0.1:1");
    assertThat(none.err, none.code, is(EtlJob.JOB_FAILED));
    assertThat(none.err, containsString("--flinkMaster=127.0.0.1:1: no Flink cluster answers at 127.0.0.1:1"));
    assertThat(none.err, containsString("runners/flink/start-cluster.sh"));
    assertThat(none.err, containsString("nothing ran"));
    assertThat(new java.io.File(tmp.getRoot(), "out").exists(), is(false));
    Run scheme = toMaster("http://127.0.0.1:1/");
    assertThat(scheme.err, scheme.code, is(EtlJob.JOB_FAILED));
    assertThat(scheme.err, containsString("no Flink cluster answers at 127.0.0.1:1 (Connection refused)"));
    Run unknown = toMaster("no-such-host.invalid:8081");
    assertThat(unknown.err, unknown.code, is(EtlJob.JOB_FAILED));
    assertThat(unknown.err, containsString("no Flink cluster answers at no-such-host.invalid:8081 (no such host)"));
    // An IPv6 address is in brackets, as Beam's [local] is: it was taken for an embedded run
    Run ipv6 = toMaster("[::1]:1");
    assertThat(ipv6.err, ipv6.code, is(EtlJob.JOB_FAILED));
    assertThat(ipv6.err, containsString("no Flink cluster answers at [::1]:1"));
    Run collection = toMaster("[collection]");
    assertThat(collection.err, collection.code, is(EtlJob.USAGE));
    assertThat(collection.err, containsString("--flinkMaster=[collection]: Beam has that environment only in its DataSet"
        + " translation; add --useDataStreamForBatch=false"));
    assertThat(new java.io.File(tmp.getRoot(), "out").exists(), is(false));
  }

  /** The sample spec sent to {@code master}, writing under the test's folder. */
  private Run toMaster(String master) {
    return new Run("--pipeline=pipelines/sales-by-product.yaml", "--flinkMaster=" + master,
        "--output=" + tmp.getRoot() + "/out");
  }

  @Test
  public void specMistakesAndMissingInputsFailBeforeTheRun() {
    Run noSpec = new Run("--dryRun");
    assertThat(noSpec.code, is(EtlJob.USAGE));
    assertThat(noSpec.err, containsString("--pipeline is required"));

    Run badSet = new Run("--pipeline=pipelines/sales-by-product.yaml", "--set=sink.formt=csv", "--dryRun");
    assertThat(badSet.code, is(EtlJob.USAGE));
    assertThat(badSet.err, containsString("sink.formt: unknown key"));

    Run noMatch = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + tmp.getRoot() + "/nothing*.csv",
        "--dryRun");
    assertThat(noMatch.code, is(EtlJob.USAGE));
    assertThat(noMatch.err, containsString("source.path: no file matches"));

    // A glob that reaches into the output an earlier run wrote: refused, not read (or half-deleted).
    Path d = tmp.getRoot().toPath().resolve("d");
    sampleAt(d.resolve("in.csv"), d.resolve("out/part.csv"));
    Run ownOutput = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + d + "/**/*.csv",
        "--output=" + d + "/out", "--dryRun");
    assertThat(ownOutput.code, is(EtlJob.USAGE));
    assertThat(ownOutput.err, containsString("matches the job's own output"));

    // On the first run too, the output not yet written: it was accepted, and refused from the second
    // run on (a trial). The dead letters count; a glob of another extension, or one directory deep, not.
    Path f = tmp.getRoot().toPath().resolve("f");
    sampleAt(f.resolve("in/a.csv"));
    Run firstRun = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + f + "/in/**",
        "--output=" + f + "/in/out", "--dryRun");
    assertThat(firstRun.code, is(EtlJob.USAGE));
    assertThat(firstRun.err, containsString("matches the job's own output (it would read " + f + "/in/out/"));
    Run deadLetters = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + f + "/**",
        "--output=" + tmp.getRoot() + "/elsewhere", "--deadLetter=" + f + "/dl", "--dryRun");
    assertThat(deadLetters.code, is(EtlJob.USAGE));
    assertThat(deadLetters.err, containsString(f + "/dl/bad-records-00000-of-00001.jsonl"));
    Run beside = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + f + "/in/*.csv",
        "--output=" + f + "/in/out", "--dryRun");
    assertThat(beside.err, beside.code, is(EtlJob.OK));
    Run otherKind = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + f + "/**/*.csv",
        "--output=" + f + "/in/out", "--dryRun"); // the output is parquet: a csv glob never reads it
    assertThat(otherKind.err, otherKind.code, is(EtlJob.OK));

    // The same through a symbolic link in the input tree (an incremental run read its own part files
    // back, run after run: every row three times after five runs).
    Path e = tmp.getRoot().toPath().resolve("e");
    sampleAt(e.resolve("in/a.csv"), e.resolve("out/part.csv"));
    try {
      Files.createSymbolicLink(e.resolve("in/link"), Path.of("../out"));
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
    Run throughALink = new Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + e + "/in/**/*.csv",
        "--output=" + e + "/out", "--dryRun");
    assertThat(throughALink.code, is(EtlJob.USAGE));
    assertThat(throughALink.err, allOf(containsString("matches the job's own output"),
        containsString("link/part.csv is in"), containsString("out/part.csv is in")));
  }

  /** A copy of a sample sales file at each of {@code files}, their directories made. */
  private static void sampleAt(Path... files) {
    try {
      for (Path file : files) {
        Files.createDirectories(file.getParent());
        Files.copy(Path.of("data-samples/sales/sales-2024-01.csv"), file);
      }
    } catch (java.io.IOException x) {
      throw new java.io.UncheckedIOException(x);
    }
  }

  @Test
  public void existingOutputFailsUnlessOverwriteIsAsked() throws Exception {
    Files.createDirectories(Path.of(out()));
    Files.writeString(Path.of(out(), "part-0.parquet"), "old");
    Run r = new Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out(), "--ifExists=fail", "--dryRun");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("already holds files"));
    assertThat(r.err, containsString("--ifExists=overwrite"));
  }

  @Test
  public void overwriteNeverDeletesFilesTheJobDidNotWrite() throws Exception {
    Files.createDirectories(Path.of(out()));
    Files.writeString(Path.of(out(), "thesis.docx"), "precious");
    Run r = new Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out(), "--ifExists=overwrite",
        "--dryRun");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("holds \"thesis.docx\", which this job did not write"));
    assertThat(Files.readString(Path.of(out(), "thesis.docx")), is("precious"));
  }

  /**
   * A table's commit that fails (a key the table holds already) rolls its transaction back: the
   * summary and counts.jsonl said the run's rows were written.
   */
  @Test
  public void aTableCommitThatFailsCountsNoRowWritten() throws Exception {
    String url = "jdbc:h2:mem:failed_commit;DB_CLOSE_DELAY=-1";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE t(k VARCHAR PRIMARY KEY, name VARCHAR)");
      c.createStatement().execute("INSERT INTO t VALUES ('A', 'old')");
    }
    Path spec = specOver("k,name\nA,new\nB,new\n",
        "schema: [{name: k, type: string}, {name: name, type: string}]",
        "sink: {format: jdbc, path: '" + out() + "', jdbc: {url: '" + url + "', user: sa, table: t, mode: append}}");
    Run r = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.out, allOf(containsString("rows written                            0"),
        containsString("rows not committed                      2   (the table's transaction failed")));
    assertThat(r.err, allOf(containsString("sink table t: the commit failed: Unique index or primary key violation"),
        not(containsString("SQL statement"))));
    java.util.Map<String, Long> counts = dev.beametl.pipeline.RunCounts.read(out() + "/_run");
    assertThat(counts.get("written"), is(0L));
    assertThat(counts.get("jdbc.not_committed"), is(2L));

    // Over the bad-record limits, the table is left as it was: its staged rows are not "written" either.
    Files.writeString(in().resolve("a.csv"), "k,name\nC,new\nD\nE\n");
    Run over = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--ifExists=overwrite");
    assertThat(over.err, over.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(over.out, allOf(containsString("rows written                            0"),
        containsString("rows not added                          1   (over the bad-record limits")));
    assertThat(over.err, allOf(containsString("Nothing was written to the table: it is as the run found it."),
        not(containsString("Results were written"))));
    counts = dev.beametl.pipeline.RunCounts.read(out() + "/_run");
    assertThat(counts.get("written"), is(0L));
    assertThat(counts.get("not_added"), is(1L));
  }

  /**
   * A trial: an overwrite whose input had no rows (a header-only export) emptied the table, exit 0,
   * and nothing said so. It still does, as specified; the summary says so. Over the bad-record
   * limits, when nothing is committed, it does not.
   */
  @Test
  public void anOverwriteWithNoRowsSaysItEmptiedTheTable() throws Exception {
    String url = "jdbc:h2:mem:empty_overwrite;DB_CLOSE_DELAY=-1";
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "")) {
      c.createStatement().execute("CREATE TABLE t(k VARCHAR, name VARCHAR)");
      c.createStatement().execute("INSERT INTO t VALUES ('A', 'old')");
    }
    Path spec = specOver("k,name\nX\n", "schema: [{name: k, type: string}, {name: name, type: string}]",
        "sink: {format: jdbc, path: '" + out() + "', jdbc: {url: '" + url + "', user: sa, table: t, mode: overwrite}}");
    Run over = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(over.err, over.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(over.out, not(containsString("is now empty")));
    assertThat(rows(url), is(1L));

    Files.writeString(in().resolve("a.csv"), "k,name\n");
    Run empty = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--ifExists=overwrite");
    assertThat(empty.err, empty.code, is(EtlJob.OK));
    assertThat(empty.out, containsString("    warning: an overwrite with no rows: table t is now empty"));
    assertThat("the commit is a phase of its own (a trial's 10 s commit was timed as the report)", empty.out,
        org.hamcrest.Matchers.matchesPattern("(?s).*  time .* run [0-9.]+ s.*, commit [0-9.]+ s, report [0-9.]+ s.*"));
    assertThat(rows(url), is(0L));

    Files.writeString(in().resolve("a.csv"), "k,name\nB,new\n");
    Run one = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--ifExists=overwrite");
    assertThat(one.out, not(containsString("is now empty")));
  }

  private static long rows(String url) throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
        java.sql.ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM t")) {
      r.next();
      return r.getLong(1);
    }
  }

  @Test
  public void tooManyBadRecordsExitsWithThreeAndNoSuccessMarker() throws Exception {
    Path spec = specOver("id,n\n1,2\nx,3\n4,y\n5,6\n", "schema: [{name: id, type: long}, {name: n, type: int}]",
        "sink: {format: csv, path: '" + out() + "'}", "deadLetter: {maxBadRatio: 0.25}");
    Run r = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(r.err, containsString("50.00% of records were bad, more than deadLetter.maxBadRatio 25.00%"));
    assertThat(Files.exists(Path.of(out(), "_SUCCESS")), is(false));

    Run ok = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--maxBadRatio=0.5", "--ifExists=overwrite");
    assertThat(ok.err, ok.code, is(EtlJob.OK));
    assertThat(ok.out, containsString("records read                            4"));
    assertThat(Files.exists(Path.of(out(), "_SUCCESS")), is(true));
    assertThat(ok.err, not(containsString("Exception")));
    assertThat("a second run in one JVM did not wait for the JVM to start", ok.out,
        allOf(containsString("options"), not(containsString("jvm start"))));
  }

  @Test
  public void helpHidesTheTestingSeamAndNamesTheRealDefaultRunner() {
    Run r = new Run("--help");
    assertThat(r.out, not(containsString("--fault")));
    assertThat(r.out, containsString("Default: FlinkRunner (embedded Flink; this job's default)"));
    assertThat(r.out, not(containsString("Default: DirectRunner")));
  }

  @Test
  public void setTakesItsValueWholeCommasAndAll() {
    Run r = new Run("--pipeline=pipelines/sales-by-product.yaml", "--dryRun", "--output=" + out(),
        "--set=filter=coalesce(discount, 0) > 0", "--set=aggregate.groupBy=[region,product]");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.out, containsString("Filter     coalesce(discount, 0) > 0"));
    assertThat(r.out, containsString("Aggregate  by region, product:"));
  }

  @Test
  public void aFailedJobSaysSoInOneLineAndKeepsTheTraceInItsLog() throws Exception {
    Path spec = specOver("id,n\n1,2\n3,4\n", "schema: [{name: id, type: long}, {name: n, type: int}]",
        "sink: {format: csv, path: '" + out() + "'}");
    Run r = new Run("--pipeline=" + spec, "--runner=DirectRunner",
        "--fault=records.failOnce(after=1,marker=" + tmp.getRoot() + "/failed)");
    assertThat(r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, r.err.lines().count(), is(1L));
    assertThat(r.err, containsString("injected failure after 1 records"));
    assertThat(r.err, containsString("its log: " + out() + "/_run/job.log"));
    assertThat(Files.readString(Path.of(out(), "_run", "job.log")), containsString("\tat "));
  }

  @Test
  public void everyRunCountsEveryStandardCounterEvenAtZero() throws Exception {
    Path spec = specOver("id,n\n1,2\n", "schema: [{name: id, type: long}, {name: n, type: int}]",
        "sink: {format: csv, path: '" + out() + "'}");
    Run r = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(dev.beametl.pipeline.RunCounts.read(out() + "/_run").keySet(), org.hamcrest.Matchers.hasItems(
        "read", "valid", "bad", "filtered", "kept", "failed", "written", "dead_letters"));
    assertThat(dev.beametl.pipeline.RunCounts.read(out() + "/_run").get("bad"), is(0L));
  }

  @Test
  public void aSpecThatExpandsOrNestsBeyondReasonIsAOneLineUsageError() throws Exception {
    StringBuilder bomb = new StringBuilder("version: 1\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 12; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      bomb.append(String.join(", ", java.util.Collections.nCopies(9, "*a" + (i - 1)))).append("]\n");
    }
    Path spec = tmp.newFile("bomb.yaml").toPath();
    Files.writeString(spec, bomb.toString());
    Run r = new Run("--pipeline=" + spec, "--dryRun");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("spec is refused"));
    assertThat(r.err.lines().count(), is(1L));

    Path deep = tmp.newFile("deep.yaml").toPath();
    Files.writeString(deep, "version: 1\nsource: " + "[".repeat(5000) + "]".repeat(5000) + "\n");
    Run d = new Run("--pipeline=" + deep, "--dryRun");
    assertThat(d.code, is(EtlJob.USAGE));
    assertThat(d.err.lines().count(), is(1L));
  }

  @Test
  public void aLimitPerReasonOrFieldExitsThreeNamingIt() throws Exception {
    Path data = tmp.newFolder("limits").toPath();
    Files.writeString(data.resolve("a.csv"), "id,n\n1,2\n2,x\n3,4\n4,5\n5,6\n6,7\n7,8\n8,9\n9,1\n10,2\n");
    Path spec = tmp.newFile("limits.yaml").toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + data + "/*.csv', format: csv}",
        "schema: [{name: id, type: long}, {name: n, type: int}]",
        "sink: {format: csv, path: '" + out() + "'}",
        "deadLetter: {maxBadRatio: 0.5, maxBad: {type: 0}}", ""));
    Run strict = new Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(strict.err, strict.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(strict.err, containsString("1 records were bad for type, more than deadLetter.maxBad allows (0)"));
    Run field = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--ifExists=overwrite",
        "--set=deadLetter.maxBad={n: 0.2}");
    assertThat(field.err, field.code, is(EtlJob.OK));
    Run unknown = new Run("--pipeline=" + spec, "--runner=DirectRunner", "--dryRun", "--set=deadLetter.maxBad={typo: 1}");
    assertThat(unknown.code, is(EtlJob.USAGE));
    assertThat(unknown.err, containsString("\"typo\" is neither a reason kind"));
  }

  @Test
  public void theReasonKindsAPerReasonLimitNamesAreTheBadRecordKinds() {
    java.util.List<String> kinds = new java.util.ArrayList<>();
    for (dev.beametl.record.BadRecord.Kind k : dev.beametl.record.BadRecord.Kind.values()) {
      kinds.add(k.label());
    }
    assertThat(dev.beametl.spec.BadLimit.KINDS, org.hamcrest.Matchers.containsInAnyOrder(kinds.toArray()));
  }

  /** Flink's refusal of a checkpoint, as its cause chain carries it; other failures are not taken for it. */
  @Test
  public void aCheckpointThatDoesNotFitIsToldFromOtherFailures() {
    Exception flink = new RuntimeException("Pipeline execution failed", new IllegalStateException(
        "Failed to rollback to checkpoint/savepoint file:/c/chk-3", new IllegalStateException("Failed to rollback to "
            + "checkpoint/savepoint file:/c/chk-3. Cannot map checkpoint/savepoint state for operator 1a2b to the new "
            + "program, because the operator is not available in the new program.")));
    assertThat(EtlJob.checkpointDoesNotFit(flink), is(true));
    assertThat(EtlJob.checkpointDoesNotFit(new RuntimeException("Pipeline execution failed",
        new java.io.IOException("No space left on device"))), is(false));
  }

  /**
   * A file whose header lacks a nullable field's column gives NULLs there, as documented; the run
   * says how many rows (a misspelt header was a silent column of NULLs). The file with the column
   * counts none.
   */
  @Test
  public void rowsNullForWantOfAColumnAreCountedAndShown() throws Exception {
    Path in = tmp.newFolder("absent").toPath();
    Files.writeString(in.resolve("a.csv"), "id,nmae,amt\n1,alice,1.00\n2,bob,2.00\n");
    Files.writeString(in.resolve("b.csv"), "id,name,amt\n3,carol,3.00\n");
    Path spec = tmp.newFile("absent.yaml").toPath();
    Files.writeString(spec, String.join("\n", "version: 1",
        "source: {path: '" + in + "/*.csv', format: csv}",
        "schema: [{name: id, type: long}, {name: name, type: string, nullable: true}, {name: amt, type: 'decimal(8,2)'}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/absent-out'}", ""));
    Run r = new Run("--pipeline=" + spec);
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.out, allOf(containsString("NULL for want of a column"), containsString("    name ")));
    assertThat(dev.beametl.pipeline.RunCounts.read(tmp.getRoot() + "/absent-out/_run").get("absent.name"), is(2L));
  }
  /** As above, for Parquet files: one lacks the column (its own schema names the columns). */
  @Test
  public void parquetRowsNullForWantOfAColumnAreCountedToo() throws Exception {
    Path in = tmp.newFolder("absent-parquet").toPath();
    writeParquet(in.resolve("a.parquet"), "message m { required int64 id; optional binary nmae (UTF8); }", 2);
    writeParquet(in.resolve("b.parquet"), "message m { required int64 id; optional binary name (UTF8); }", 3);
    Path spec = tmp.newFile("absent-parquet.yaml").toPath();
    Files.writeString(spec, String.join("\n", "version: 1",
        "source: {path: '" + in + "/*.parquet', format: parquet}",
        "schema: [{name: id, type: long}, {name: name, type: string, nullable: true}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/absent-parquet-out'}", ""));
    Run r = new Run("--pipeline=" + spec);
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(r.out, containsString("NULL for want of a column"));
    java.util.Map<String, Long> counts = dev.beametl.pipeline.RunCounts.read(tmp.getRoot() + "/absent-parquet-out/_run");
    assertThat(counts.get("valid"), is(5L));
    assertThat(counts.get("absent.name"), is(2L));
  }

  /** A cluster stopped mid-job failed the client with "Connection refused" alone (a trial). */
  @Test
  public void aLostClusterIsNamedAsTheCause() {
    org.apache.beam.runners.flink.FlinkPipelineOptions flink = org.apache.beam.sdk.options.PipelineOptionsFactory
        .fromArgs("--flinkMaster=flink-host:8081").as(org.apache.beam.runners.flink.FlinkPipelineOptions.class);
    flink.setRunner(org.apache.beam.runners.flink.FlinkRunner.class);
    Exception refused = new RuntimeException("job failed", new java.util.concurrent.ExecutionException(
        new java.net.ConnectException("Connection refused")));
    assertThat(dev.beametl.runner.FlinkSettings.clusterLost(flink, refused), containsString("the Flink cluster at flink-host:8081 stopped answering"));
    assertThat(dev.beametl.runner.FlinkSettings.clusterLost(flink, new RuntimeException("a row failed")), is(""));
    Exception taskFailed = new RuntimeException("job failed", new org.apache.flink.runtime.client.JobExecutionException(
        null, "Job execution failed.", new java.sql.SQLException("db down", new java.net.ConnectException("Connection refused"))));
    assertThat("the cluster answered: a task's database refused it", dev.beametl.runner.FlinkSettings.clusterLost(flink, taskFailed), is(""));
    flink.setFlinkMaster("[auto]");
    assertThat("in this process there is no cluster to lose", dev.beametl.runner.FlinkSettings.clusterLost(flink, refused), is(""));
  }

  /** {@code rows} rows of {@code schema}'s two columns, an id and a text, written by Parquet's own writer. */
  private static void writeParquet(Path file, String schema, int rows) throws Exception {
    org.apache.parquet.schema.MessageType type = org.apache.parquet.schema.MessageTypeParser.parseMessageType(schema);
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    org.apache.parquet.hadoop.example.GroupWriteSupport.setSchema(type, conf);
    org.apache.parquet.example.data.simple.SimpleGroupFactory groups =
        new org.apache.parquet.example.data.simple.SimpleGroupFactory(type);
    try (org.apache.parquet.hadoop.ParquetWriter<org.apache.parquet.example.data.Group> w =
        org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toString()))
            .withConf(conf).build()) {
      for (int i = 0; i < rows; i++) {
        w.write(groups.newGroup().append(type.getFieldName(0), (long) i).append(type.getFieldName(1), "n" + i));
      }
    }
  }
}
