package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Copy jobs between every format: gzip CSV -> Parquet (exact logical types) -> JSON lines -> CSV,
 * values unchanged at each step, the Parquet checked by DuckDB.
 */
public class FormatRoundTripTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String SCHEMA = String.join("\n",
      "schema:",
      "  - {name: id, type: long}",
      "  - {name: kind, type: category, values: [x, y]}",
      "  - {name: price, type: 'decimal(12,3)', nullable: true}",
      "  - {name: day, type: date}",
      "  - {name: at, type: timestamp}",
      "  - {name: ok, type: boolean}",
      "  - {name: score, type: double}",
      "  - {name: note, type: string, nullable: true}",
      "");

  private Path spec(String name, String source, String sink) throws Exception {
    Path p = tmp.getRoot().toPath().resolve(name + ".yaml");
    Files.writeString(p, "version: 1\n" + source + "\n" + SCHEMA + sink + "\n");
    return p;
  }

  private static void run(Path spec) {
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.OK));
  }

  @Test
  public void csvToParquetToJsonLinesToCsv() throws Exception {
    Path in = tmp.newFolder("in").toPath();
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(in.resolve("a.csv.gz")))) {
      out.write(String.join("\n",
          "id,kind,price,day,at,ok,score,note",
          "1,x,12345678.125,2024-02-29,2024-01-05T10:00:00.123456Z,true,0.5,\"hello, world\"",
          "2,y,,1970-01-01,1969-12-31T23:59:59Z,false,-1e-3,",
          "").getBytes(StandardCharsets.UTF_8));
    }
    String root = tmp.getRoot().toString();
    run(spec("to-parquet", "source: {path: '" + in + "/*.csv.gz', format: csv}",
        "sink: {format: parquet, path: '" + root + "/pq'}"));
    assertThat(SampleJobIT.query("SELECT id, kind, price, day, at, ok, score, note FROM read_parquet('" + root
        + "/pq/*.parquet')"), containsInAnyOrder(
        "1|x|12345678.125|2024-02-29|2024-01-05T10:00:00.123456Z|true|0.5|hello, world",
        "2|y|null|1970-01-01|1969-12-31T23:59:59Z|false|-0.001|null"));

    run(spec("to-jsonl", "source: {path: '" + root + "/pq/*.parquet', format: parquet}",
        "sink: {format: jsonl, path: '" + root + "/js'}"));
    assertThat(JavaApiTest.readLines(root + "/js"), containsInAnyOrder(
        "{\"id\":1,\"kind\":\"x\",\"price\":12345678.125,\"day\":\"2024-02-29\",\"at\":\"2024-01-05T10:00:00.123456Z\","
            + "\"ok\":true,\"score\":0.5,\"note\":\"hello, world\"}",
        "{\"id\":2,\"kind\":\"y\",\"price\":null,\"day\":\"1970-01-01\",\"at\":\"1969-12-31T23:59:59Z\","
            + "\"ok\":false,\"score\":-0.001,\"note\":null}"));

    run(spec("to-csv", "source: {path: '" + root + "/js/*.jsonl', format: jsonl}",
        "sink: {format: csv, path: '" + root + "/csv', shards: 1}"));
    assertThat(JavaApiTest.readLines(root + "/csv"), containsInAnyOrder(
        "id,kind,price,day,at,ok,score,note",
        "1,x,12345678.125,2024-02-29,2024-01-05T10:00:00.123456Z,true,0.5,\"hello, world\"",
        "2,y,,1970-01-01,1969-12-31T23:59:59Z,false,-0.001,"));
  }

  /**
   * Source columns whose names a spec cannot use (spaces, dashes, as real CSV headers, JSON keys and
   * Parquet columns have them) are read through {@code column:}, in every file format; a header
   * without the column names it in the dead letter.
   */
  @Test
  public void columnsWithNamesASpecCannotUseAreReadThroughColumn() throws Exception {
    Path in = tmp.newFolder("named").toPath();
    Files.writeString(in.resolve("a.csv"), "Unit Price,order-id,Note\n1.50,7,\"a, b\"\nabc,11,z\n");
    Files.writeString(in.resolve("b.jsonl"), "{\"order-id\": 8, \"Unit Price\": \"2.25\", \"Note\": null}\n");
    Path other = tmp.newFolder("other").toPath();
    Files.writeString(other.resolve("c.csv"), "Unit Price,order_id,Note\n3.00,9,x\n");
    String root = tmp.getRoot().toString();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement()) {
      st.execute("COPY (SELECT 4.75::DECIMAL(9,2) AS \"Unit Price\", 10 AS \"order-id\", 'p' AS \"Note\") TO '"
          + in.resolve("d.parquet") + "' (FORMAT PARQUET)");
    }
    String schema = String.join("\n",
        "schema:",
        "  - {name: order_id, column: order-id, type: long}",
        "  - {name: unit_price, column: Unit Price, type: 'decimal(9,2)'}",
        "  - {name: note, column: Note, type: string, nullable: true}",
        "");
    for (String format : new String[] {"csv", "jsonl", "parquet"}) {
      String ext = format.equals("csv") ? "csv" : format.equals("jsonl") ? "jsonl" : "parquet";
      Path spec = tmp.getRoot().toPath().resolve("named-" + format + ".yaml");
      Files.writeString(spec, "version: 1\nsource: {path: '" + in + "/*." + ext + "', format: " + format + "}\n"
          + schema + "sink: {format: jsonl, path: '" + root + "/named-" + format + "'}\ndeadLetter: {maxBadRatio: 1}\n");
      run(spec);
    }
    assertThat(JavaApiTest.readLines(root + "/named-csv"),
        containsInAnyOrder("{\"order_id\":7,\"unit_price\":1.50,\"note\":\"a, b\"}"));
    // The dead letter's header is the source's, so a replay matches it as the file was matched.
    assertThat(String.join("\n", JavaApiTest.readLines(root + "/named-csv-dead-letter")),
        org.hamcrest.Matchers.containsString("\"columns\":[\"Unit Price\",\"order-id\",\"Note\"]"));
    assertThat(JavaApiTest.readLines(root + "/named-jsonl"),
        containsInAnyOrder("{\"order_id\":8,\"unit_price\":2.25,\"note\":null}"));
    assertThat(JavaApiTest.readLines(root + "/named-parquet"),
        containsInAnyOrder("{\"order_id\":10,\"unit_price\":4.75,\"note\":\"p\"}"));

    Path spec = tmp.getRoot().toPath().resolve("named-missing.yaml");
    Files.writeString(spec, "version: 1\nsource: {path: '" + other + "/*.csv', format: csv}\n" + schema
        + "sink: {format: jsonl, path: '" + root + "/named-missing'}\ndeadLetter: {maxBadRatio: 1}\n");
    run(spec);
    assertThat(String.join("\n", JavaApiTest.readLines(root + "/named-missing-dead-letter")),
        org.hamcrest.Matchers.containsString("order_id: no column \\\"order-id\\\" in the header"));
  }
}
