package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * What the hostile trial broke, end to end on the embedded runner: a symbolic-link loop in the input
 * directory, a sum beyond a long, a filter that keeps nothing.
 */
public class HardeningIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aLinkLoopInTheInputReadsEachFileOnce() throws Exception {
    Path dir = tmp.newFolder("in").toPath();
    Files.copy(Path.of("data-samples/sales/sales-2024-01.csv"), dir.resolve("sales.csv"));
    Files.createSymbolicLink(dir.resolve("loop"), Path.of("."));
    String out = tmp.getRoot() + "/out";
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + dir + "/**",
        "--output=" + out);
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat("2,215 records, not 41 times as many", RunCounts.read(out + "/_run").get("read"), is(2215L));
    EtlJobTest.Run plan = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--input=" + dir + "/**",
        "--output=" + tmp.getRoot() + "/plan", "--dryRun");
    assertThat(plan.out, containsString("(1 file, each read once)"));
  }

  /** A spec over a CSV file of (k string, n long) rows, with these lines, writing CSV to {@code <name>-out}. */
  private Path kAndN(String name, String rows, String... lines) throws Exception {
    Path dir = tmp.newFolder(name).toPath();
    Files.writeString(dir.resolve(name + ".csv"), "k,n\n" + rows);
    Path spec = tmp.newFile(name + ".yaml").toPath();
    List<String> all = new java.util.ArrayList<>(List.of("version: 1",
        "source: {path: '" + dir + "/*.csv', format: csv}",
        "schema: [{name: k, type: string}, {name: n, type: long}]"));
    all.addAll(List.of(lines));
    all.add("sink: {format: csv, path: '" + tmp.getRoot() + "/" + name + "-out'}");
    Files.writeString(spec, String.join("\n", all) + "\n");
    return spec;
  }

  @Test
  public void aSumBeyondALongFailsAtOnceNamingTheMetricAndTheGroup() throws Exception {
    Path spec = kAndN("big", "A,9000000000000000000\nA,9000000000000000000\nB,1\n",
        "aggregate: {groupBy: [k], metrics: [{name: total, op: sum, field: n}]}");
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--progressSeconds=0"); // no progress line on a slow machine
    assertThat(r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, r.err.lines().count(), is(1L));
    assertThat(r.err, containsString("metric total (sum of n) is beyond a long's range"));
    assertThat(r.err, containsString("in group (k=A)"));
    assertThat("not retried: a retry would overflow again",
        Files.readString(Path.of(tmp.getRoot() + "/big-out/_run/job.log")), containsString("SuppressRestartsException"));
  }

  /**
   * A decimal sum wider than its decimal(38,s) column failed nowhere: Parquet wrote a file DuckDB
   * cannot read, CSV a value its declared type does not hold, exit 0. It fails as a long sum does.
   * A mean keeps the input's integer digits (decimal(38,18) stays decimal(38,18)), so it fits.
   */
  @Test
  public void aDecimalSumBeyondItsColumnFailsAndAMeanFits() throws Exception {
    Path dir = tmp.newFolder("dec").toPath();
    Files.writeString(dir.resolve("d.csv"), "k,v\n" + "A,60000000000000000000.000000000000000001\n".repeat(20)
        + "B,1\n");
    Path spec = tmp.newFile("dec.yaml").toPath();
    String head = "version: 1\nsource: {path: '" + dir + "/*.csv', format: csv}\n"
        + "schema: [{name: k, type: string}, {name: v, type: 'decimal(38,18)'}]\n";
    Files.writeString(spec, head + "aggregate: {groupBy: [k], metrics: [{name: total, op: sum, field: v}]}\n"
        + "sink: {format: parquet, path: '" + tmp.getRoot() + "/dec-out'}\n");
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, containsString("metric total (sum of v) is 1200000000000000000000.000000000000000020, more "
        + "digits than its column's type decimal(38,18) holds"));
    assertThat(r.err, containsString("in group (k=A)"));

    Files.writeString(spec, head + "aggregate: {groupBy: [k], metrics: [{name: m, op: mean, field: v}]}\n"
        + "sink: {format: parquet, path: '" + tmp.getRoot() + "/mean-out'}\n");
    EtlJobTest.Run mean = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(mean.err, mean.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT k, m, typeof(m) FROM read_parquet('" + tmp.getRoot()
        + "/mean-out/*.parquet') ORDER BY k"), org.hamcrest.Matchers.contains(
        "A|60000000000000000000.000000000000000001|DECIMAL(38,18)", "B|1.000000000000000000|DECIMAL(38,18)"));
  }

  /** SQL gives one row for an aggregate without GROUP BY over no rows; so does the job, on Flink. */
  @Test
  public void aGlobalAggregateOverNoRowsWritesItsOneRow() throws Exception {
    Path spec = kAndN("global", "A,1\nB,2\n", "filter: 'n > 5'",
        "aggregate: {groupBy: [], metrics: [{name: rows, op: count}, {name: total, op: sum, field: n},"
            + " {name: keys, op: count_distinct, field: k}]}");
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--parallelism=2");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT rows, total IS NULL, keys FROM read_csv('" + tmp.getRoot()
        + "/global-out/*.csv', header=true)"), contains("0|true|0"));
  }

  @Test
  public void aFilterThatKeepsNothingStillWritesATableQueryEnginesRead() throws Exception {
    String out = tmp.getRoot() + "/empty";
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out,
        "--set=filter=quantity > 1000");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT count(*) FROM read_parquet('" + out + "/*.parquet')"), contains("0"));
    assertThat(SampleJobIT.query("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" + out
        + "/*.parquet'))"), contains("product", "region", "revenue", "units", "orders", "avg_unit_price"));
  }
}
