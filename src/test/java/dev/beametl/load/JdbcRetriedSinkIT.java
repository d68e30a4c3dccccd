package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.jdbc.TableLock;
import dev.beametl.spec.JdbcSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A sink task that fails after it has committed batches, and is retried by the embedded Flink
 * runner: with overwrite and append the table ends up with every row exactly once, against
 * PostgreSQL, MariaDB and H2. The run says how many rows the failed attempt had committed and were
 * left out, which proves the failure came after committed batches. A second run into a table that is
 * being written is refused at once, naming the holder.
 */
public class JdbcRetriedSinkIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final int ROWS = 2_000;
  private static EmbeddedPostgres postgres;
  private static EmbeddedMariaDb mariadb;
  private static String mariadbUrl;
  private static Path input;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    mariadb = EmbeddedMariaDb.start("etl");
    mariadbUrl = mariadb.url;
    input = TMP.newFolder("in").toPath();
    StringBuilder csv = new StringBuilder("id,region,amount\n");
    for (int i = 1; i <= ROWS; i++) {
      csv.append(i).append(',').append(i % 3 == 0 ? "EU" : "NA").append(',').append(i % 500).append(".25\n");
    }
    Files.writeString(input.resolve("orders.csv"), csv);
  }

  @AfterClass
  public static void stop() throws Exception {
    postgres.close();
    mariadb.close();
  }

  private static String spec(String url, String user, String table, String mode) throws Exception {
    Path spec = TMP.newFile().toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + input + "/*.csv', format: csv}",
        "schema: [{name: id, type: long}, {name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
        "sink:",
        "  format: jdbc",
        "  path: '" + TMP.getRoot() + "/run-" + System.nanoTime() + "'",
        "  jdbc: {url: '" + url + "', user: " + user + ", table: " + table + ", mode: " + mode
            + ", createTable: true, batchSize: 100}", ""));
    return spec.toString();
  }

  /** Writes the input into {@code table} while one sink task fails once at its 350th row (after 3 batches). */
  private static EtlJobTest.Run runWithFailure(String url, String user, String table, String mode) throws Exception {
    Path marker = TMP.getRoot().toPath().resolve("failed-" + table + "-" + mode + "-" + System.nanoTime());
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec(url, user, table, mode), "--parallelism=2",
        "--fault=jdbcSink.failOnce(afterRows=350,marker=" + marker + ")");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat("the fault was injected", Files.exists(marker), is(true));
    return r;
  }

  private static long leftOut(EtlJobTest.Run r) {
    Matcher m = Pattern.compile("rows left out\\s+([\\d,]+)").matcher(r.out);
    return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : 0;
  }

  private static List<String> rows(String url, String user, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, region, amount FROM " + table)) {
      while (rs.next()) {
        out.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3).toPlainString());
      }
    }
    return out;
  }

  private static String[] expected(int copies) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      for (int i = 1; i <= ROWS; i++) {
        out.add(i + " " + (i % 3 == 0 ? "EU" : "NA") + " " + (i % 500) + ".25");
      }
    }
    return out.toArray(new String[0]);
  }

  private static void exactUnderRetries(String url, String user) throws Exception {
    EtlJobTest.Run overwrite = runWithFailure(url, user, "orders_over", "overwrite");
    assertThat("the failing attempt had committed batches, which were left out", leftOut(overwrite),
        greaterThanOrEqualTo(100L));
    assertThat(rows(url, user, "orders_over"), hasSize(ROWS));
    assertThat(rows(url, user, "orders_over"), containsInAnyOrder(expected(1)));

    runWithFailure(url, user, "orders_append", "append");
    EtlJobTest.Run again = runWithFailure(url, user, "orders_append", "append");
    assertThat(leftOut(again), greaterThanOrEqualTo(100L));
    assertThat(rows(url, user, "orders_append"), containsInAnyOrder(expected(2)));
  }

  /**
   * Keys the job tells apart stay apart in a table it creates: MariaDB compares text ignoring case by
   * default, and its binary collation utf8mb4_bin ignores trailing spaces.
   */
  @Test
  public void mariadbKeepsKeysThatDifferInCaseOrTrailingSpacesApart() throws Exception {
    EtlJobTest.Run r = SpecRuns.csvThrough(TMP, "k,v\nabc,1\nABC,2\nAbc,4\nxyz,8\n\"abc \",16\n",
        "schema: [{name: k, type: string}, {name: v, type: int}]",
        "aggregate: {groupBy: [k], metrics: [{name: total, op: sum, field: v}]}",
        "sink: {format: jdbc, path: '" + TMP.getRoot() + "/case-run', jdbc: {url: '" + mariadbUrl
            + "', user: root, table: by_case, createTable: true}}");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(SpecRuns.query(mariadbUrl, "root", "", "SELECT k, total FROM by_case"),
        containsInAnyOrder("abc|1", "ABC|2", "Abc|4", "xyz|8", "abc |16"));
  }

  /** Timestamps before the Gregorian reform are written as given (java.sql.Timestamp is Julian there). */
  @Test
  public void mariadbGetsTimestampsBefore1582AsGiven() throws Exception {
    List<String> given = List.of("0001-01-01T00:00:00Z", "1582-10-10T12:00:00Z", "2024-10-27T01:30:00.000001Z");
    EtlJobTest.Run r = SpecRuns.csvThrough(TMP, "id,ts\n1," + given.get(0) + "\n2," + given.get(1) + "\n3,"
        + given.get(2) + "\n",
        "schema: [{name: id, type: int}, {name: ts, type: timestamp}]",
        "sink: {format: jdbc, path: '" + TMP.getRoot() + "/ts-run', jdbc: {url: '" + mariadbUrl
            + "', user: root, table: old_times, mode: append, createTable: true}}");
    assertThat(r.err, r.code, is(EtlJob.OK));
    java.time.format.DateTimeFormatter wallClock = java.time.format.DateTimeFormatter.ofPattern(
        "uuuu-MM-dd HH:mm:ss.SSSSSS");
    assertThat("the JVM zone's wall-clock time, as for later years",
        SpecRuns.query(mariadbUrl, "root", "", "SELECT CAST(ts AS CHAR) FROM old_times ORDER BY id"),
        contains(given.stream().map(t -> wallClock.format(java.time.LocalDateTime.ofInstant(
            java.time.Instant.parse(t), java.time.ZoneId.systemDefault()))).toArray(String[]::new)));
  }

  @Test
  public void postgresqlGetsEveryRowOnce() throws Exception {
    exactUnderRetries(postgres.getJdbcUrl("postgres", "postgres"), "postgres");
  }

  @Test
  public void mariadbGetsEveryRowOnce() throws Exception {
    exactUnderRetries(mariadbUrl, "root");
  }

  @Test
  public void h2GetsEveryRowOnce() throws Exception {
    exactUnderRetries("jdbc:h2:mem:retried;DB_CLOSE_DELAY=-1", "sa");
  }

  @Test
  public void aTableBeingWrittenIsRefusedNamingTheHolder() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    JdbcSpec db = JdbcSpec.builder(url).setUser("postgres").build();
    try (TableLock held = TableLock.take(db, "orders_locked", "beam-etl nightly run 1234")) {
      EtlJobTest.Run second = new EtlJobTest.Run("--pipeline=" + spec(url, "postgres", "orders_locked", "overwrite"));
      assertThat(second.code, is(EtlJob.USAGE));
      assertThat(second.err, containsString("table orders_locked is being written by another run (beam-etl nightly run"));
      assertThat(second.err.lines().count(), is(1L));
    }
  }

  /** A schema-qualified and a bare name of one table are one lock; PostgreSQL resolves the bare one by search path. */
  @Test
  public void oneTableIsOneLockHoweverTheSpecSpellsIt() throws Exception {
    String pg = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = DriverManager.getConnection(pg, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS side");
      s.execute("CREATE TABLE IF NOT EXISTS side.only_here (id int)");
    }
    JdbcSpec postgresDb = JdbcSpec.builder(pg + "&currentSchema=public,side").setUser("postgres").build();
    String holder = "beam-etl 'o'brien's' run"; // a spec's name may hold quotes
    oneLock(postgresDb, holder, "public.orders_spelt", "Orders_Spelt", "side.orders_spelt", holder);
    oneLock(postgresDb, holder, "side.only_here", "only_here", "public.only_here", holder);
    oneLock(JdbcSpec.builder(mariadbUrl).setUser("root").build(), holder, "etl.orders_spelt", "orders_spelt",
        "mysql.orders_spelt", "root"); // MariaDB names the holder's user
  }

  private static void oneLock(JdbcSpec db, String holder, String held, String sameTable, String otherTable,
      String named) throws Exception {
    try (TableLock first = TableLock.take(db, held, holder)) {
      TableLock.Held refused = assertThrows(sameTable, TableLock.Held.class,
          () -> TableLock.take(db, sameTable, "beam-etl second run").close());
      assertThat(refused.getMessage(), containsString("table " + sameTable + " is being written by another run ("
          + named));
      TableLock.take(db, otherTable, "beam-etl third run").close();
    }
  }
}
