package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The enriched sample (pipelines/sales-by-brand.yaml: a lookup, a partitioned output), end to end on
 * the embedded Flink runner and on DirectRunner: DuckDB joins the raw files itself and gets the
 * same rows, exact to the cent; the unknown product's sales and the bad reference row are dead
 * letters that say so.
 */
public class LookupIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final String SPEC = "pipelines/sales-by-brand.yaml";
  private static EtlJobTest.Run flink;
  private static EtlJobTest.Run direct;

  @BeforeClass
  public static void runOnBothRunners() {
    flink = new EtlJobTest.Run("--pipeline=" + SPEC, "--output=" + dir("flink"), "--parallelism=2");
    direct = new EtlJobTest.Run("--pipeline=" + SPEC, "--output=" + dir("direct"), "--runner=DirectRunner");
  }

  private static String dir(String name) {
    return TMP.getRoot() + "/" + name;
  }

  private static String result(String name) {
    return "read_parquet('" + dir(name) + "/region=*/*.parquet', hive_partitioning = true,"
        + " hive_types = {'region': VARCHAR})";
  }

  @Test
  public void duckDbJoinsTheRawFilesAndGetsTheSameRows() throws Exception {
    assertThat(flink.err, flink.code, is(EtlJob.OK));
    assertThat(direct.err, direct.code, is(EtlJob.OK));
    String columns = "brand, region, \"month\", revenue, gross_margin, orders";
    List<String> mine = SampleJobIT.query("SELECT " + columns + " FROM " + result("flink"));
    assertThat(mine, hasSize(40));
    assertThat(SampleJobIT.query("SELECT " + columns + " FROM " + result("direct")), containsInAnyOrder(mine.toArray()));
    String products = "(SELECT product_id, brand, TRY_CAST(margin AS DECIMAL(3,2)) margin"
        + " FROM read_csv('data-samples/products.csv', header = true, all_varchar = true)"
        + " WHERE TRY_CAST(margin AS DECIMAL(3,2)) IS NOT NULL)";
    List<String> duck = SampleJobIT.query("SELECT brand, region, \"month\", CAST(SUM(revenue) AS DECIMAL(38,2)),"
        + " CAST(SUM(" + SampleJobIT.halfEvenCents("revenue * margin", 4) + ") AS DECIMAL(38,2)), COUNT(DISTINCT order_id) FROM ("
        + "   SELECT brand, margin, region, month(t AT TIME ZONE 'UTC') AS \"month\", order_id,"
        + "     " + SampleJobIT.halfEvenCents("q * p * (1 - COALESCE(d, 0))", 5) + " revenue"
        + "   FROM " + SampleJobIT.VALID_SALES + " s JOIN " + products + " r ON s.product = r.product_id"
        + "   WHERE year(t AT TIME ZONE 'UTC') >= 2024)"
        + " GROUP BY brand, region, \"month\"");
    assertThat(mine, containsInAnyOrder(duck.toArray()));
  }

  @Test
  public void missesAndBadReferenceRowsAreDeadLettersThatSaySo() throws Exception {
    Map<String, Long> counts = RunCounts.read(dir("flink") + "/_run");
    long unknown = Long.parseLong(SampleJobIT.query("SELECT count(*) FROM " + SampleJobIT.VALID_SALES
        + " WHERE product = 'P-1040'").get(0));
    assertThat(counts.get("failed.lookup_miss:product"), is(unknown));
    assertThat(counts.get("lookup.products.rows"), is(39L));
    assertThat(counts.get("lookup.products.bad"), is(1L));
    assertThat(counts.get("valid"), is(counts.get("kept") + counts.get("filtered") + counts.get("failed")));
    ObjectMapper json = new ObjectMapper();
    List<String> lookupLetters = new ArrayList<>();
    for (String line : SampleJobIT.lines(dir("flink") + "-dead-letter")) {
      JsonNode n = json.readTree(line);
      if (n.get("stage").asText().startsWith("lookup")) {
        lookupLetters.add(n.get("stage").asText() + " " + n.get("reason_kind").asText() + " "
            + n.get("payload_format").asText() + " " + n.get("origin").asText().replaceAll(".*/", ""));
      }
    }
    assertThat(lookupLetters.stream().filter(l -> l.startsWith("lookup lookup_miss values sales-2024-0"))
        .count(), is(unknown));
    assertThat(lookupLetters, org.hamcrest.Matchers.hasItem("lookup:products type none products.csv@byte 137"));
    assertThat(flink.out, containsString("lookup products"));
    assertThat(flink.out, containsString("lookup_miss:product"));
  }

  /**
   * The reference table's margin column renamed: every one of its rows is bad, and with onMissing:
   * nulls every sale gets a null brand and margin. A spec whose derive did not need the margin
   * succeeded so (the trial's); the table's share of bad rows is held to maxBadRatio now. Here the
   * derive fails on every row as well, and the message names both limits, not the first alone.
   */
  @Test
  public void aReferenceTableWhoseRowsAreAllBadFailsTheRun() throws Exception {
    java.nio.file.Path renamed = TMP.newFile("products-renamed.csv").toPath();
    List<String> rows = new ArrayList<>(java.nio.file.Files.readAllLines(
        java.nio.file.Path.of("data-samples/products.csv")));
    rows.set(0, "product_id,brand,margin_pct");
    java.nio.file.Files.write(renamed, rows);
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + SPEC, "--output=" + dir("renamed"),
        "--runner=DirectRunner", "--set=lookups.0.source.path=" + renamed, "--set=lookups.0.onMissing=nulls");
    assertThat(r.err, r.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(r.err, containsString("40 of the 40 rows of lookup products's reference table were bad (100.00%), "
        + "more than deadLetter.maxBadRatio 5.00%"));
    assertThat("no success marker", java.nio.file.Files.exists(java.nio.file.Path.of(dir("renamed"), "_SUCCESS")),
        is(false));
  }

  /**
   * A key twice in the reference table is the data's error: the runner restarted the job until its attempts ran out
   * to meet it again. It fails at once (DataError is marked for Flink's failover), naming both rows.
   */
  @Test
  public void aKeyTwiceInTheReferenceTableFailsAtOnce() throws Exception {
    java.nio.file.Path twice = TMP.newFile("products-twice.csv").toPath();
    List<String> rows = new ArrayList<>(java.nio.file.Files.readAllLines(
        java.nio.file.Path.of("data-samples/products.csv")));
    rows.add(rows.get(1));
    java.nio.file.Files.write(twice, rows);
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + SPEC, "--output=" + dir("twice"),
        "--set=lookups.0.source.path=" + twice, "--progressSeconds=0");
    assertThat(r.err, r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, containsString("DataError: lookup products: the reference table holds product_id = P-1001 twice"));
    String log = java.nio.file.Files.readString(java.nio.file.Path.of(dir("twice"), "_run", "job.log"));
    assertThat("failed once, not restarted", log, org.hamcrest.Matchers.allOf(
        containsString("The failure is not recoverable"), org.hamcrest.Matchers.not(containsString("Recovery is suppressed by"))));
  }
}
