package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Incremental loads, end to end: a PostgreSQL table synced into an upsert table run after run
 * (rows committed late within the overlap are not lost, ties at the mark are read again and
 * de-duplicated by the sink, NULLs are left to --full, a failed run is simply repeated); and a
 * directory of files loaded file by file, each exactly once, a failed run's files removed.
 */
public class IncrementalIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static EmbeddedPostgres postgres;
  private static String url;

  @BeforeClass
  public static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    url = postgres.getJdbcUrl("postgres", "postgres");
  }

  @AfterClass
  public static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private static void sql(String... statements) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String st : statements) {
        s.execute(st);
      }
    }
  }

  private static List<String> rows(String query) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(String.valueOf(rs.getObject(i)));
        }
        out.add(String.join("|", row));
      }
      return out;
    }
  }

  private Path syncSpec(String table) throws Exception {
    Path spec = tmp.getRoot().toPath().resolve(table + ".yaml");
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "name: " + table + "-sync",
        "source:",
        "  format: jdbc",
        "  jdbc: {url: '" + url + "', user: postgres, table: " + table + ", partitionColumn: id, partitions: 3}",
        "  incremental: {column: updated_at, overlap: 10m}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: updated_at, type: timestamp, nullable: true}",
        "  - {name: amount, type: 'decimal(10,2)', min: 0}",
        "sink:",
        "  format: jdbc",
        "  path: " + tmp.getRoot() + "/" + table + "-out",
        "  jdbc: {url: '" + url + "', user: postgres, table: " + table + "_copy, mode: upsert, keys: [id],"
            + " createTable: true}",
        "deadLetter: {maxBadRatio: 0.2}", ""));
    return spec;
  }

  @Test
  public void aTableSyncedRunAfterRunLosesAndDuplicatesNothing() throws Exception {
    sql("CREATE TABLE orders (id BIGINT, updated_at TIMESTAMPTZ, amount NUMERIC(10,2))",
        "INSERT INTO orders SELECT g, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 minute', g / 10.0"
            + " FROM generate_series(1, 1000) g",
        "INSERT INTO orders VALUES (5000, NULL, 1.00)");
    Path spec = syncSpec("orders");
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(first.err, containsString("no earlier run: reads every row of orders"));
    assertThat(rows("SELECT count(*) FROM orders_copy"), containsInAnyOrder("1001"));

    // Committed late, below the mark but within the overlap; an update; new rows; a tie at the mark.
    sql("INSERT INTO orders VALUES (2001, TIMESTAMPTZ '2024-01-01 16:35:00+00', 7.00)",
        "UPDATE orders SET amount = 99.99, updated_at = TIMESTAMPTZ '2024-01-02 00:00:00+00' WHERE id = 10",
        "INSERT INTO orders VALUES (2002, TIMESTAMPTZ '2024-01-01 16:40:00+00', 8.00)",
        "INSERT INTO orders VALUES (2003, NULL, 9.00)");
    EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat(second.err, containsString("with updated_at >= TIMESTAMP WITH TIME ZONE '2024-01-01 16:30:00.000000+00:00'"));
    assertThat(second.err, containsString("2 rows with a NULL updated_at are not read by incremental runs; --full reads them"));
    assertThat("only the rows from the mark minus the overlap",
        RunCounts.read(tmp.getRoot() + "/orders-out/_run").get("read"), is(14L));
    assertThat(rows("SELECT id, updated_at IS NULL, amount FROM orders_copy EXCEPT SELECT id, updated_at IS NULL, amount"
        + " FROM orders"), containsInAnyOrder());
    assertThat("not 2003: its column is NULL", rows("SELECT count(*) FROM orders_copy"), containsInAnyOrder("1003"));

    // A run over the limit of bad rows (exit 3) leaves the mark where it was: the next run reads them again.
    sql("INSERT INTO orders SELECT 3000 + g, TIMESTAMPTZ '2024-01-03 00:00:00+00', -1 FROM generate_series(1, 10) g");
    EtlJobTest.Run bad = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(bad.err, bad.code, is(EtlJob.TOO_MANY_BAD));
    sql("UPDATE orders SET amount = 1 WHERE id BETWEEN 3001 AND 3010");
    EtlJobTest.Run again = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(again.err, again.code, is(EtlJob.OK));
    assertThat(again.err, containsString(">= TIMESTAMP WITH TIME ZONE '2024-01-01 23:50:00.000000+00:00'"));
    assertThat(rows("SELECT count(*) FROM orders_copy WHERE id BETWEEN 3001 AND 3010"), containsInAnyOrder("10"));

    EtlJobTest.Run full = new EtlJobTest.Run("--pipeline=" + spec, "--full");
    assertThat(full.err, full.code, is(EtlJob.OK));
    assertThat(rows("SELECT count(*) FROM orders_copy"), containsInAnyOrder("1014"));
    assertThat(rows("SELECT id, amount FROM orders EXCEPT SELECT id, amount FROM orders_copy"), hasSize(0));
  }

  @Test
  public void anIncrementalSourceNeedsASinkThatDeDuplicates() throws Exception {
    Path spec = syncSpec("unused");
    Files.writeString(spec, Files.readString(spec).replace("mode: upsert", "mode: append"));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--dryRun");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("source.incremental"));
    assertThat(r.err, containsString("the sink must de-duplicate them: write to a jdbc sink with mode: upsert"));
  }

  /**
   * A trial: over a text column (a field with a format) MariaDB compared the mark as text, no row
   * matched, and every run after the first loaded nothing, exit 0. Refused on the first run.
   */
  @Test
  public void anIncrementalColumnMustBeADateTimestampOrIntegerInTheDatabase() throws Exception {
    sql("CREATE TABLE texts (id BIGINT, updated_at TEXT, amount NUMERIC(10,2))",
        "INSERT INTO texts VALUES (1, '2024-01-01 10:00:00', 1.00)");
    Path spec = syncSpec("texts");
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("source.incremental.column: updated_at is text in texts, and the database compares"
        + " the mark with it as a date or timestamp; use a column of that type"));
  }

  /**
   * A trial: over a wall-clock timestamp in Europe/Berlin, rows written in the second pass of the hour
   * the clocks went back (later instants, earlier wall-clock times than the mark) were never loaded.
   */
  @Test
  public void rowsOfTheHourClocksPassTwiceAreLoaded() throws Exception {
    sql("CREATE TABLE local_times (id BIGINT, updated_at TIMESTAMP, amount NUMERIC(10,2))",
        "INSERT INTO local_times SELECT g, TIMESTAMP '2024-10-27 01:50:00' + g * INTERVAL '1 minute', 1"
            + " FROM generate_series(1, 55) g"); // up to 02:45, the first pass (CEST)
    Path spec = syncSpec("local_times");
    Files.writeString(spec, Files.readString(spec).replace("{name: updated_at, type: timestamp, nullable: true}",
        // The hour passed twice: which instant its times are is the spec's to say (a bad record by default).
        "{name: updated_at, type: timestamp, nullable: true, zone: Europe/Berlin, ambiguous: earlier}"));
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    sql("INSERT INTO local_times SELECT 100 + g, TIMESTAMP '2024-10-27 02:04:00' + g * INTERVAL '1 minute', 2"
        + " FROM generate_series(1, 16) g"); // 02:05 to 02:20 in the second pass (CET), after the mark
    EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat(second.err, containsString("with updated_at >= TIMESTAMP '2024-10-27 02:00:00.000000'"));
    assertThat(rows("SELECT count(*) FROM local_times_copy"), containsInAnyOrder("71"));
  }

  private Path filesSpec(String extra) throws Exception {
    Path spec = tmp.getRoot().toPath().resolve("files.yaml");
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/in/*.csv', format: csv, incremental: files}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)', min: 0}]",
        extra,
        "sink: {format: parquet, path: '" + tmp.getRoot() + "/out'}",
        "deadLetter: {maxBadRatio: 0.2}", ""));
    return spec;
  }

  private void file(String name, int from, int to, boolean bad) throws Exception {
    StringBuilder b = new StringBuilder("id,amount\n");
    for (int i = from; i <= to; i++) {
      b.append(i).append(',').append(bad ? "-1" : i + ".50").append('\n');
    }
    Files.createDirectories(tmp.getRoot().toPath().resolve("in"));
    Files.writeString(tmp.getRoot().toPath().resolve("in/" + name), b);
  }

  private List<String> ids() throws Exception {
    return SampleJobIT.query("SELECT id FROM read_parquet('" + tmp.getRoot() + "/out/*.parquet')");
  }

  @Test
  public void filesAreLoadedOnceEachAndAFailedRunsFilesGo() throws Exception {
    Path spec = filesSpec("");
    file("a.csv", 1, 100, false);
    assertThat(new EtlJobTest.Run("--pipeline=" + spec).code, is(EtlJob.OK));
    file("b.csv", 101, 150, false);
    EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat(second.err, containsString("1 new file of 2"));
    assertThat(ids(), hasSize(150));
    assertThat("each id once", ids().stream().distinct().count(), is(150L));
    try (Stream<Path> s = Files.list(tmp.getRoot().toPath().resolve("out"))) {
      assertThat("the second run's files carry its id", s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("part-[0-9a-f]{8}-\\d{5}-of-\\d{5}\\.parquet")).count(), is(1L));
    }

    file("c.csv", 151, 160, true); // every row bad: exit 3, its part files are not the output's
    EtlJobTest.Run bad = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(bad.err, bad.code, is(EtlJob.TOO_MANY_BAD));
    assertThat("the output is as the run found it", ids(), hasSize(150));
    assertThat(Files.exists(tmp.getRoot().toPath().resolve("out/_SUCCESS")), is(true));
    file("c.csv", 151, 160, false); // fixed: a file changed since is new again
    EtlJobTest.Run fixed = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(fixed.err, fixed.code, is(EtlJob.OK));
    assertThat(ids(), hasSize(160));
    assertThat(ids().stream().distinct().count(), is(160L));

    file("a.csv", 1, 101, false); // changed in place: loaded again whole, and the run says so
    EtlJobTest.Run changed = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(changed.err, changed.code, is(EtlJob.OK));
    assertThat(changed.err, containsString("a.csv changed since an earlier run loaded it; it is loaded again whole"));
    assertThat(changed.out, containsString("3 files loaded so far"));
    assertThat(ids(), hasSize(261)); // ids 1-100 twice, 101 more
    file("a.csv", 1, 100, false);
    Files.setLastModifiedTime(tmp.getRoot().toPath().resolve("in/a.csv"), java.nio.file.attribute.FileTime
        .fromMillis(0)); // back to its first content, but not its first version: it counts as new once more
    assertThat(new EtlJobTest.Run("--pipeline=" + spec, "--full").code, is(EtlJob.OK));
    assertThat(ids(), hasSize(160));
    EtlJobTest.Run none = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(none.code, is(EtlJob.OK));
    assertThat(none.out, containsString("no new files: the 3 files"));
    EtlJobTest.Run full = new EtlJobTest.Run("--pipeline=" + spec, "--full");
    assertThat(full.err, full.code, is(EtlJob.OK));
    assertThat(ids(), hasSize(160));
    try (Stream<Path> s = Files.list(tmp.getRoot().toPath().resolve("out"))) {
      assertThat("--full replaced the output", s.map(p -> p.getFileName().toString())
          .filter(n -> n.matches("part-[0-9a-f]{8}-.*")).collect(Collectors.toList()), hasSize(0));
    }

    // A --full run that fails drops the state: the next run starts over instead of trusting deleted files.
    file("d.csv", 161, 260, true);
    EtlJobTest.Run failedFull = new EtlJobTest.Run("--pipeline=" + spec, "--full");
    assertThat(failedFull.err, failedFull.code, is(EtlJob.TOO_MANY_BAD));
    file("d.csv", 161, 260, false);
    EtlJobTest.Run after = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(after.err, after.code, is(EtlJob.OK));
    assertThat(after.err, containsString("4 new files of 4"));
    assertThat(ids(), hasSize(260));
    assertThat(ids().stream().distinct().count(), is(260L));
  }

  /**
   * A table in append mode takes a run's rows in one transaction, and the run's state file is a
   * second write: a job that stopped between them once loaded the same files again. Stopped after its
   * commit, the run's files count as loaded; stopped before, they do not - and nothing stays behind.
   */
  @Test
  public void filesIntoAnAppendTableAreLoadedOnceWhereverTheJobStopsAroundItsCommit() throws Exception {
    Path spec = tmp.getRoot().toPath().resolve("files-into-table.yaml");
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/in/*.csv', format: csv, incremental: files}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)', min: 0}]",
        "sink:",
        "  format: jdbc",
        "  path: " + tmp.getRoot() + "/lines-out",
        "  jdbc: {url: '" + url + "', user: postgres, table: lines, mode: append, createTable: true}",
        "deadLetter: {maxBadRatio: 0.2}", ""));
    file("a.csv", 1, 100, false);
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));

    file("b.csv", 101, 150, false);
    EtlJobTest.Run stoppedAfter = new EtlJobTest.Run("--pipeline=" + spec, "--fault=commit.failAfterTable()");
    assertThat(stoppedAfter.err, stoppedAfter.code, is(EtlJob.JOB_FAILED));
    assertThat("b.csv's rows were committed", rows("SELECT count(*) FROM lines"), containsInAnyOrder("150"));
    EtlJobTest.Run none = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(none.err, none.code, is(EtlJob.OK));
    assertThat("the table says the stopped run loaded b.csv", none.out, containsString("no new files: the 2 files"));

    file("c.csv", 151, 160, false);
    EtlJobTest.Run stoppedBefore = new EtlJobTest.Run("--pipeline=" + spec, "--fault=commit.failBeforeTable()");
    assertThat(stoppedBefore.err, stoppedBefore.code, is(EtlJob.JOB_FAILED));
    assertThat("nothing of c.csv was committed", rows("SELECT count(*) FROM lines"), containsInAnyOrder("150"));
    file("d.csv", 161, 170, false);
    EtlJobTest.Run next = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(next.err, next.code, is(EtlJob.OK));
    assertThat(next.err, containsString("2 new files of 4"));
    assertThat(rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM lines"),
        containsInAnyOrder("170|170|1|170"));
    assertThat("the stopped runs' staging tables are gone",
        rows("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'lines_beametl%'"), hasSize(0));
  }

  @Test
  public void filesWithAnAggregationAreRefusedAsIsResumableMode() throws Exception {
    Path spec = filesSpec("aggregate: {groupBy: [id], metrics: [{name: n, op: count}]}");
    file("a.csv", 1, 10, false);
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--dryRun");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("its groups are partial"));
    EtlJobTest.Run resumable = new EtlJobTest.Run("--pipeline=" + filesSpec(""), "--resumable");
    assertThat(resumable.code, is(EtlJob.USAGE));
    assertThat(resumable.err, containsString("--resumable: an incremental load is not resumable"));
    assertThat(resumable.err, not(containsString("Exception")));
  }

  /**
   * A mark within the overlap of a long's minimum: the bound wrapped to a large positive number and
   * the next run read nothing, exit 0 (a review). It saturates at the minimum.
   */
  @Test
  public void aMarkNearALongsMinimumReadsFromTheMinimum() throws Exception {
    sql("CREATE TABLE ticks (id BIGINT, amount NUMERIC(10,2))",
        "INSERT INTO ticks SELECT -9223372036854775808 + g, 1.00 FROM generate_series(0, 4) g");
    Path spec = tmp.getRoot().toPath().resolve("ticks.yaml");
    Files.writeString(spec, String.join("\n", "version: 1",
        "source:",
        "  format: jdbc",
        "  jdbc: {url: '" + url + "', user: postgres, table: ticks}",
        "  incremental: {column: id, overlap: 10}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)'}]",
        "sink:",
        "  format: jdbc",
        "  path: " + tmp.getRoot() + "/ticks-out",
        "  jdbc: {url: '" + url + "', user: postgres, table: ticks_copy, mode: upsert, keys: [id], createTable: true}", ""));
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    sql("INSERT INTO ticks SELECT -9223372036854775800 + g, 2.00 FROM generate_series(0, 2) g");
    EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat(second.err, containsString("with id >= -9223372036854775808"));
    assertThat(RunCounts.read(tmp.getRoot() + "/ticks-out/_run").get("read"), is(8L));
    assertThat(rows("SELECT count(*) FROM ticks_copy"), containsInAnyOrder("8"));
  }

  /**
   * Grouped by the incremental column, a run reads every row of each day it reads at all, so each
   * group it upserts is whole: after late rows, a new day and a third run the table equals the
   * aggregation of the whole source. Grouped by anything else it is refused (a run's groups would be
   * partial and replace the full ones: a count of 250 became 1).
   */
  @Test
  public void groupsByTheIncrementalColumnStayWholeRunAfterRun() throws Exception {
    sql("CREATE TABLE visits (id BIGINT, day DATE, shop TEXT, amount NUMERIC(10,2))",
        "INSERT INTO visits SELECT g, DATE '2024-03-01' + g % 5, 's' || g % 3, g / 4.0 FROM generate_series(1, 500) g");
    Path spec = tmp.getRoot().toPath().resolve("visits.yaml");
    String yaml = String.join("\n",
        "version: 1",
        "source:",
        "  format: jdbc",
        "  jdbc: {url: '" + url + "', user: postgres, table: visits}",
        "  incremental: {column: day, overlap: 1d}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: day, type: date}",
        "  - {name: shop, type: string}",
        "  - {name: amount, type: 'decimal(10,2)'}",
        "aggregate: {groupBy: [day, shop], metrics: [{name: n, op: count}, {name: total, op: sum, field: amount}]}",
        "sink:",
        "  format: jdbc",
        "  path: " + tmp.getRoot() + "/visits-out",
        "  jdbc: {url: '" + url + "', user: postgres, table: visits_by_day, mode: upsert, createTable: true}", "");
    Files.writeString(spec, yaml);
    String whole = "SELECT day, shop, count(*), sum(amount) FROM visits GROUP BY day, shop";
    String stored = "SELECT day, shop, n, total FROM visits_by_day";
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(rows(stored), containsInAnyOrder(rows(whole).toArray()));

    // Late rows for the last day (within the overlap), for the day before it, and a new day.
    sql("INSERT INTO visits SELECT 1000 + g, DATE '2024-03-05', 's' || g % 3, 1.25 FROM generate_series(1, 40) g",
        "INSERT INTO visits SELECT 2000 + g, DATE '2024-03-04', 's1', 2.50 FROM generate_series(1, 7) g",
        "INSERT INTO visits SELECT 3000 + g, DATE '2024-03-06', 's2', 0.75 FROM generate_series(1, 3) g");
    EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat("the days from the mark minus the overlap, whole",
        RunCounts.read(tmp.getRoot() + "/visits-out/_run").get("read"), is(200L + 40 + 7 + 3)); // 03-04 and 03-05: 100 rows each, then 50 new
    assertThat(rows(stored), containsInAnyOrder(rows(whole).toArray()));
    EtlJobTest.Run third = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(third.err, third.code, is(EtlJob.OK));
    assertThat(rows(stored), containsInAnyOrder(rows(whole).toArray()));

    Files.writeString(spec, yaml.replace("groupBy: [day, shop]", "groupBy: [shop]"));
    EtlJobTest.Run partial = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(partial.code, is(EtlJob.USAGE));
    assertThat(partial.err, containsString("its groups are partial"));
  }
}
