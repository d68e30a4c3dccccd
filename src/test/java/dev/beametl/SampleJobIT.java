package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The shipped sample, end to end through {@link EtlJob}: once on the embedded Flink runner (the
 * default) and once on DirectRunner. Both must write the same rows, exact to the cent, which an
 * independent Parquet reader (DuckDB) reads back, and the same dead letters.
 */
public class SampleJobIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final String SPEC = "pipelines/sales-by-product.yaml";
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

  @Test
  public void bothRunsSucceedWithTheSameCounts() throws Exception {
    assertThat(flink.err, flink.code, is(EtlJob.OK));
    assertThat(direct.err, direct.code, is(EtlJob.OK));
    Map<String, Long> f = RunCounts.read(dir("flink") + "/_run");
    Map<String, Long> d = RunCounts.read(dir("direct") + "/_run");
    assertThat(f, equalTo(d));
    // read = valid + bad; valid = kept + filtered (+ expression failures, none here)
    assertThat(f.get("read"), is(f.get("valid") + f.get("bad")));
    assertThat(f.get("valid"), is(f.get("kept") + f.get("filtered")));
    assertThat(f.get("read"), is(4530L));
    assertThat(f.get("bad"), is(30L));
    assertThat(flink.out, org.hamcrest.Matchers.containsString("on FlinkRunner"));

    // the run report beside the counts: the same numbers, 14 reasons with examples, an HTML page
    com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(new java.io.File(dir("flink") + "/_run/report.json"));
    assertThat(report.get("counts").get("read").asLong(), is(4530L));
    long byReason = 0;
    for (com.fasterxml.jackson.databind.JsonNode n : report.get("bad_by_reason")) {
      byReason += n.asLong();
    }
    assertThat(byReason, is(30L));
    assertThat(report.get("bad_by_reason_and_field").size(), is(14));
    assertThat(report.get("examples").size(), is(14));
    assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(dir("flink") + "/_run/report.html")), is(true));
  }

  @Test
  public void duckDbReadsTheSameExactRowsFromBothRuns() throws Exception {
    List<String> fromFlink = query("SELECT * FROM read_parquet('" + dir("flink") + "/*.parquet')");
    List<String> fromDirect = query("SELECT * FROM read_parquet('" + dir("direct") + "/*.parquet')");
    assertThat(fromFlink, hasSize(160));
    assertThat(fromFlink, containsInAnyOrder(fromDirect.toArray()));
    List<String> types = query("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM read_parquet('"
        + dir("flink") + "/*.parquet'))");
    assertThat(types, containsInAnyOrder("product VARCHAR", "region VARCHAR", "revenue DECIMAL(38,2)",
        "units BIGINT", "orders BIGINT", "avg_unit_price DECIMAL(38,8)"));
    // Categories are written as strings and Parquet dictionary-encodes them on disk.
    List<String> encodings = query("SELECT DISTINCT encodings FROM parquet_metadata('" + dir("flink")
        + "/*.parquet') WHERE path_in_schema = 'region'");
    assertThat(encodings, org.hamcrest.Matchers.not(org.hamcrest.Matchers.empty()));
    assertThat(encodings, everyItem(org.hamcrest.Matchers.containsString("DICTIONARY")));
    // An independent recomputation from the raw files agrees to the cent for one group.
    List<String> mine = query("SELECT revenue FROM read_parquet('" + dir("flink")
        + "/*.parquet') WHERE product = 'P-1001' AND region = 'EU'");
    List<String> duck = query("SELECT CAST(SUM(" + halfEvenCents("q * p * (1 - COALESCE(d, 0))", 5) + ") AS DECIMAL(38,2)) FROM "
        + VALID_SALES + " WHERE product = 'P-1001' AND region = 'EU' AND year(t AT TIME ZONE 'UTC') >= 2024");
    assertThat(mine, equalTo(duck));
    // ...and on every group's distinct orders (an integer's, folded in bitmaps per block).
    List<String> orders = query("SELECT product || ' ' || region || ' ' || orders FROM read_parquet('" + dir("flink")
        + "/*.parquet')");
    List<String> duckOrders = query("SELECT product || ' ' || region || ' ' || count(DISTINCT order_id::BIGINT) FROM "
        + VALID_SALES + " WHERE year(t AT TIME ZONE 'UTC') >= 2024 GROUP BY product, region");
    assertThat(orders, hasSize(160));
    assertThat(orders, containsInAnyOrder(duckOrders.toArray()));
  }

  @Test
  public void deadLettersCarryOriginAndReasonAndMatchOnBothRunners() throws Exception {
    List<String> f = lines(dir("flink") + "-dead-letter");
    List<String> d = lines(dir("direct") + "-dead-letter");
    assertThat(f, hasSize(30));
    assertThat(f, containsInAnyOrder(d.toArray()));
    ObjectMapper json = new ObjectMapper();
    List<String> origins = new ArrayList<>();
    for (String line : f) {
      origins.add(json.readTree(line).get("origin").asText() + " " + json.readTree(line).get("reason_kind").asText());
    }
    assertThat(origins, everyItem(matchesPattern(".*sales-2024-0[12]\\.csv@byte \\d+ [a-z_]+")));
  }

  @Test
  public void theDatabaseSampleRunsFromAnInProcessH2() throws Exception {
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=pipelines/sales-from-jdbc.yaml", "--output=" + dir("jdbc"));
    assertThat(r.err, r.code, is(EtlJob.OK));
    Map<String, Long> c = RunCounts.read(dir("jdbc") + "/_run");
    assertThat(c.get("read"), is(c.get("valid") + c.get("bad")));
    assertThat(c.get("bad.missing_value:order_id"), is(2L)); // the NULL-key partition was read
    assertThat(query("SELECT count(*) FROM read_parquet('" + dir("jdbc") + "/*.parquet')"), contains("160"));
  }

  /**
   * The sample's valid sales as DuckDB reads them from the raw files, independently of the job:
   * columns q, p, d, t typed, the rest as text.
   */
  static final String VALID_SALES = "(SELECT * FROM ("
      + " SELECT TRY_CAST(quantity AS INTEGER) q, TRY_CAST(unit_price AS DECIMAL(10,2)) p,"
      + "   TRY_CAST(discount AS DECIMAL(4,3)) d, TRY_CAST(ts AS TIMESTAMPTZ) t, *"
      + " FROM read_csv('data-samples/sales/*.csv', header=true, all_varchar=true, quote='', escape='', delim=',',"
      + "   ignore_errors=true))"
      + " WHERE TRY_CAST(order_id AS BIGINT) IS NOT NULL AND regexp_full_match(product, 'P-[0-9]{4}')"
      + "   AND regexp_full_match(unit_price, '[0-9]+([.][0-9]{1,2})?') AND q BETWEEN 1 AND 1000"
      + "   AND (d IS NULL OR d BETWEEN 0 AND 0.5) AND regexp_full_match(store, 'S[0-9]{3}')"
      + "   AND category IN ('books', 'electronics', 'garden', 'toys', 'grocery')"
      + "   AND region IN ('EU', 'NA', 'APAC', 'LATAM') AND t IS NOT NULL)";

  /**
   * SQL for {@code expr} (a non-negative decimal of scale {@code scale}) rounded half-even to two
   * places, exactly: DuckDB's ROUND_EVEN goes through a double, which misrounds ties like x.xx5.
   */
  static String halfEvenCents(String expr, int scale) {
    long unit = (long) Math.pow(10, scale - 2);
    String v = "CAST((" + expr + ") * " + (long) Math.pow(10, scale) + " AS HUGEINT)";
    String q = "(" + v + " // " + unit + ")";
    String r = "(" + v + " % " + unit + ")";
    return "(CAST(" + q + " + CASE WHEN " + r + " * 2 > " + unit + " OR (" + r + " * 2 = " + unit + " AND " + q
        + " % 2 = 1) THEN 1 ELSE 0 END AS DECIMAL(38,0)) * 0.01)";
  }

  static List<String> lines(String dir) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      List<String> out = new ArrayList<>();
      for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).collect(Collectors.toList())) {
        out.addAll(Files.readAllLines(p));
      }
      return out;
    }
  }

  static List<String> query(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(String.valueOf(rs.getObject(i)));
        }
        out.add(String.join("|", row));
      }
      return out;
    }
  }
}
