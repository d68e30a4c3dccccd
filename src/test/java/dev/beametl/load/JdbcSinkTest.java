package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Writing results into a table: upsert re-runs leave one row per key, overwrite swaps, append adds. */
public class JdbcSinkTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** Runs an aggregation of {@code csv} into {@code table} of database {@code url}, and returns the table. */
  public static List<String> runInto(TemporaryFolder tmp, String url, String user, String passwordEnv, String table,
      String mode, String csv) throws Exception {
    Path in = tmp.newFolder().toPath();
    Files.writeString(in.resolve("orders.csv"), "region,amount\n" + csv);
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + in + "/*.csv', format: csv}",
        "schema: [{name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
        "aggregate:",
        "  groupBy: [region]",
        "  metrics: [{name: total, op: sum, field: amount}, {name: orders, op: count}]",
        "sink:",
        "  format: jdbc",
        "  path: '" + tmp.getRoot() + "/run-" + System.nanoTime() + "'",
        "  jdbc: {url: '" + url + "', user: " + user + (passwordEnv == null ? "" : ", passwordEnv: " + passwordEnv)
            + ", table: " + table + ", mode: " + mode + ", createTable: true, batchSize: 2}",
        ""));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.OK));
    return rows(url, user, passwordEnv == null ? "" : System.getenv(passwordEnv), table);
  }

  public static List<String> rows(String url, String user, String password, String table) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT region, total, orders FROM " + table + " ORDER BY region")) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getBigDecimal(2).toPlainString() + " " + rs.getLong(3));
      }
    }
    return out;
  }

  private static final String URL = "jdbc:h2:mem:jdbc_sink_test;DB_CLOSE_DELAY=-1";

  /**
   * Names the database reserves, wherever the job writes SQL: source table {@code order}, read in
   * partitions over its column {@code group}, aggregated into table {@code user} with columns
   * {@code group}, {@code value} and {@code order}, keyed by {@code group} unless appended to - created,
   * then written with {@code mode} by two runs. {@code quoted}: a plain name as this database stores it, quoted.
   * Returns the sink table's rows.
   */
  public static List<String> keywordsTwice(TemporaryFolder tmp, String url, String user, UnaryOperator<String> quoted,
      String mode) throws Exception {
    try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + quoted.apply("order"));
      s.execute("DROP TABLE IF EXISTS " + quoted.apply("user"));
      s.execute("CREATE TABLE " + quoted.apply("order") + " (" + quoted.apply("group") + " INT, "
          + quoted.apply("value") + " DECIMAL(8,2))");
      s.execute("INSERT INTO " + quoted.apply("order") + " VALUES (1, 1.50), (1, 2.25), (2, 10.00), (3, 0.10)");
    }
    for (int run = 0; run < 2; run++) {
      Path spec = tmp.newFile().toPath();
      Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {format: jdbc, jdbc: {url: '" + url + "', user: " + user + ", table: order, partitionColumn: group,"
            + " partitions: 2}}",
        "schema: [{name: group, type: int}, {name: value, type: 'decimal(8,2)'}]",
        "aggregate:",
        "  groupBy: [group]",
        "  metrics: [{name: value, op: sum, field: value}, {name: order, op: count}]",
        "sink:",
        "  format: jdbc",
        "  path: '" + tmp.getRoot() + "/run-" + System.nanoTime() + "'",
        "  jdbc: {url: '" + url + "', user: " + user + ", table: user, mode: " + mode
            + (mode.equals("append") ? "" : ", keys: [group]") + ", createTable: true}",
        ""));
      EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
      assertThat(r.err, r.code, is(EtlJob.OK));
    }
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, user, "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + quoted.apply("group") + ", " + quoted.apply("value") + ", "
            + quoted.apply("order") + " FROM " + quoted.apply("user") + " ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getInt(1) + " " + rs.getBigDecimal(2).toPlainString() + " " + rs.getLong(3));
      }
    }
    return out;
  }

  @Test
  public void namesH2ReservesAreReadAndWrittenInEveryMode() throws Exception {
    UnaryOperator<String> h2 = n -> "\"" + n.toUpperCase(java.util.Locale.ROOT) + "\"";
    assertThat(keywordsTwice(tmp, URL, "sa", h2, "upsert"), contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
    assertThat(keywordsTwice(tmp, URL, "sa", h2, "overwrite"), contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
    assertThat(keywordsTwice(tmp, URL, "sa", h2, "append"),
        contains("1 3.75 2", "1 3.75 2", "2 10.00 1", "2 10.00 1", "3 0.10 1", "3 0.10 1"));
  }

  /** With DATABASE_TO_LOWER, H2 stores plain names in lower case, and a table made so is found again. */
  @Test
  public void h2FoldingToLowerCaseFindsTheTableItMade() throws Exception {
    String lower = "jdbc:h2:mem:jdbc_sink_lower;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE";
    assertThat(keywordsTwice(tmp, lower, "sa", n -> "\"" + n + "\"", "upsert"),
        contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
  }

  /**
   * H2's settings in another spelling, or set when the database was opened and not in the job's URL:
   * the database is asked how it folds names (guessed from the URL, the source table was not found).
   */
  @Test
  public void h2FoldingTheUrlDoesNotSpellIsAskedOfTheDatabase() throws Exception {
    UnaryOperator<String> lower = n -> "\"" + n + "\"";
    assertThat(keywordsTwice(tmp, "jdbc:h2:mem:jdbc_sink_yes;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=yes", "sa", lower,
        "upsert"), contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
    try (Connection open = DriverManager.getConnection(
        "jdbc:h2:mem:jdbc_sink_open;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE", "sa", "")) {
      assertThat(keywordsTwice(tmp, "jdbc:h2:mem:jdbc_sink_open", "sa", lower, "overwrite"),
          contains("1 3.75 2", "2 10.00 1", "3 0.10 1"));
    }
  }

  @Test
  public void upsertTwiceLeavesOneRowPerKeyWithTheRightValues() throws Exception {
    String data = "EU,1.50\nEU,2.25\nNA,10.00\n";
    assertThat(runInto(tmp, URL, "sa", null, "totals_upsert", "upsert", data), contains("EU 3.75 2", "NA 10.00 1"));
    assertThat(runInto(tmp, URL, "sa", null, "totals_upsert", "upsert", data), contains("EU 3.75 2", "NA 10.00 1"));
    assertThat(runInto(tmp, URL, "sa", null, "totals_upsert", "upsert", "EU,1.00\nAPAC,2.00\n"),
        contains("APAC 2.00 1", "EU 1.00 1", "NA 10.00 1"));
  }

  /**
   * NULL equals nothing in SQL: a NULL upsert key was added again by every run. A nullable field as a
   * key is refused before the run; a key that is NULL in a row anyway (derived here) fails the write.
   */
  @Test
  public void aNullUpsertKeyIsRefusedNotAddedAgainByEveryRun() throws Exception {
    Path in = tmp.newFolder().toPath();
    Files.writeString(in.resolve("a.csv"), "region,amount\nEU,1\n,2\n");
    String[] variants = {
        "schema: [{name: region, type: string, nullable: true}, {name: amount, type: 'decimal(8,2)'}]\n"
            + "aggregate: {groupBy: [region], metrics: [{name: total, op: sum, field: amount}]}",
        "schema: [{name: region, type: string, nullable: true}, {name: amount, type: 'decimal(8,2)'}]\n"
            + "derive: [{name: area, type: string, expr: region}]\n"
            + "aggregate: {groupBy: [area], metrics: [{name: total, op: sum, field: amount}]}"};
    List<EtlJobTest.Run> runs = new ArrayList<>();
    for (String body : variants) {
      Path spec = tmp.newFile().toPath();
      Files.writeString(spec, String.join("\n",
          "version: 1",
          "source: {path: '" + in + "/*.csv', format: csv}",
          body,
          "sink: {format: jdbc, path: '" + tmp.getRoot() + "/run-" + runs.size() + "', jdbc: {url: '" + URL
              + "', user: sa, table: null_keys_" + runs.size() + ", mode: upsert, createTable: true}}", ""));
      runs.add(new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner"));
    }
    assertThat(runs.get(0).code, is(EtlJob.USAGE));
    assertThat(runs.get(0).err, containsString("upsert key \"region\" is a nullable field"));
    assertThat(runs.get(1).code, is(EtlJob.JOB_FAILED));
    assertThat(runs.get(1).err, containsString("sink.jdbc.keys: area is NULL in a row to upsert"));
  }

  /**
   * Rows are upserted in parallel batches: of two rows with one key, which the table kept could not be
   * told. A key that comes twice in a run fails it, naming the key; 1.5 and 1.50 are one numeric key.
   */
  @Test
  public void aKeyGivenTwiceInOneRunFailsTheUpsert() throws Exception {
    Path in = tmp.newFolder().toPath();
    Files.writeString(in.resolve("a.csv"), "id,price,v\n1,1.5,first\n2,2,x\n1,1.50,second\n");
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + in + "/*.csv', format: csv}",
        "schema: [{name: id, type: int}, {name: price, type: 'decimal(8,2)'}, {name: v, type: string}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/run', jdbc: {url: '" + URL
            + "', user: sa, table: twice, mode: upsert, keys: [id, price], createTable: true}}", ""));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, containsString("the key (id, price) = (\"1\", \"1.5\") comes in 2 rows of this run"));
  }

  /**
   * A table the job creates holds every text the schema accepts (a trial: 5,000 characters failed the
   * run on H2's VARCHAR(4000)), a key of 700 characters too; the rows read back whole.
   */
  public static List<String> longTextsRoundTrip(TemporaryFolder tmp, String url, String user) throws java.io.IOException,
      java.sql.SQLException {
    String key = "k".repeat(699) + "\u00e9";
    EtlJobTest.Run r = SpecRuns.csvThrough(tmp, "k,note\n" + key + "," + "x".repeat(5_000) + "\nb,"
            + "\u00fc".repeat(70_000) + "\n",
        "schema: [{name: k, type: string}, {name: note, type: string}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/long', jdbc: {url: '" + url
            + "', user: " + user + ", table: long_texts, mode: upsert, keys: [k], createTable: true}}");
    assertThat(r.err, r.code, is(EtlJob.OK));
    return SpecRuns.query(url, user, "", "SELECT k, note FROM long_texts ORDER BY k").stream()
        .map(row -> row.split("\\|")[0].length() + " " + row.split("\\|")[1].length()
            + " " + row.split("\\|")[1].substring(0, 1) + " " + row.split("\\|")[0].endsWith("\u00e9"))
        .collect(java.util.stream.Collectors.toList());
  }

  /** An unset passwordEnv is the set-up's error, found before the run (exit 2), not a failed run (a trial: exit 1). */
  @Test
  public void anUnsetPasswordVariableIsAUsageError() throws Exception {
    String[] spec = {"schema: [{name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/unset', jdbc: {url: '" + URL
            + "', user: sa, passwordEnv: BEAM_ETL_TEST_NEVER_SET, table: never, mode: overwrite, createTable: true}}"};
    EtlJobTest.Run r = SpecRuns.csvThrough(tmp, "region,amount\nEU,1\n", spec);
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("beam-etl: sink.jdbc: environment variable BEAM_ETL_TEST_NEVER_SET"
        + " (jdbc.passwordEnv) is not set"));
    // a dry run never connects to the sink: it needs no password
    EtlJobTest.Run dry = new EtlJobTest.Run("--pipeline=" + SpecRuns.csvSpec(tmp, "region,amount\nEU,1\n", spec),
        "--runner=DirectRunner", "--dryRun");
    assertThat(dry.err, dry.code, is(EtlJob.OK));
  }

  @Test
  public void aCreatedTableHoldsEveryTextTheSchemaAccepts() throws Exception {
    assertThat(longTextsRoundTrip(tmp, URL, "sa"), contains("1 70000 \u00fc false", "700 5000 x true"));
  }

  /** Days before the Gregorian reform are written as given (java.sql.Date is Julian there). */
  @Test
  public void datesBefore1582AreWrittenAsGiven() throws Exception {
    EtlJobTest.Run r = SpecRuns.csvThrough(tmp, "id,d\n1,0001-01-01\n2,1582-10-10\n3,2024-02-29\n",
        "schema: [{name: id, type: int}, {name: d, type: date}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/run', jdbc: {url: '" + URL
            + "', user: sa, table: old_days, mode: upsert, keys: [id], createTable: true}}");
    assertThat(r.err, r.code, is(EtlJob.OK));
    List<String> days = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(URL, "sa", "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT d FROM old_days ORDER BY id")) {
      while (rs.next()) {
        days.add(rs.getObject(1, java.time.LocalDate.class).toString());
      }
    }
    assertThat(days, contains("0001-01-01", "1582-10-10", "2024-02-29"));
  }

  @Test
  public void overwriteLeavesExactlyTheNewResult() throws Exception {
    runInto(tmp, URL, "sa", null, "totals_over", "overwrite", "EU,1.50\nNA,10.00\n");
    assertThat(runInto(tmp, URL, "sa", null, "totals_over", "overwrite", "APAC,2.00\n"), contains("APAC 2.00 1"));
  }

  @Test
  public void appendAddsRows() throws Exception {
    runInto(tmp, URL, "sa", null, "totals_append", "append", "EU,1.50\n");
    assertThat(runInto(tmp, URL, "sa", null, "totals_append", "append", "EU,1.50\n"), contains("EU 1.50 1", "EU 1.50 1"));
  }

  /** A table named with its schema is the database's to find: created once, and its staging tables go. */
  @Test
  public void aSchemaQualifiedTableIsCreatedOnceAndKeepsNoStagingTables() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "sa", ""); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS sales");
      s.execute("CREATE TABLE totals_qualified (region VARCHAR(10), total DECIMAL(10,2), orders BIGINT)");
    }
    runInto(tmp, URL, "sa", null, "sales.totals_qualified", "append", "EU,1.50\n");
    assertThat(runInto(tmp, URL, "sa", null, "sales.totals_qualified", "append", "NA,2.00\n"),
        contains("EU 1.50 1", "NA 2.00 1"));
    assertThat("the table of that name in the default schema is another", rows(URL, "sa", "", "totals_qualified"),
        hasSize(0));
    try (Connection c = DriverManager.getConnection(URL, "sa", "");
        ResultSet t = c.getMetaData().getTables(null, "SALES", "TOTALS_QUALIFIED_BEAMETL%", null)) {
      assertThat("the runs' staging tables are gone", t.next(), is(false));
    }
  }

  @Test
  public void missingTableWithoutCreateIsAOneLineError() throws Exception {
    EtlJobTest.Run r = SpecRuns.csvThrough(tmp, "region,amount\nEU,1\n",
        "schema: [{name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/run', jdbc: {url: '" + URL
            + "', user: sa, table: absent_table, mode: append}}");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("sink.jdbc: table absent_table does not exist; create it or set sink.jdbc.createTable: true"));
  }

  @Test
  public void aRunOverItsBadRecordLimitLeavesTheTableAsItWasForOverwriteAndAppend() throws Exception {
    for (String mode : List.of("overwrite", "append")) {
      String table = "totals_limit_" + mode;
      runInto(tmp, URL, "sa", null, table, mode, "EU,1.50\nNA,10.00\n");
      Path in = tmp.newFolder().toPath();
      Files.writeString(in.resolve("orders.csv"), "region,amount\nAPAC,2.00\nXX,not-a-number\n");
      Path spec = tmp.newFile().toPath();
      Files.writeString(spec, String.join("\n",
          "version: 1",
          "source: {path: '" + in + "/*.csv', format: csv}",
          "schema: [{name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
          "aggregate: {groupBy: [region], metrics: [{name: total, op: sum, field: amount}, {name: orders, op: count}]}",
          "sink: {format: jdbc, path: '" + tmp.getRoot() + "/limit-" + mode + "', jdbc: {url: '" + URL
              + "', user: sa, table: " + table + ", mode: " + mode + "}}",
          "deadLetter: {maxBadRatio: 0.1}", ""));
      EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
      assertThat(r.err, r.code, is(EtlJob.TOO_MANY_BAD));
      assertThat(mode, rows(URL, "sa", "", table), contains("EU 1.50 1", "NA 10.00 1"));
      try (Connection c = DriverManager.getConnection(URL, "sa", "");
          ResultSet t = c.getMetaData().getTables(null, null, table.toUpperCase() + "_BEAMETL_%", null)) {
        assertThat("the run's staging tables are gone", t.next(), is(false));
      }
    }
  }

  @Test
  public void aSecondRunIntoATableBeingWrittenIsRefusedAtOnce() throws Exception {
    dev.beametl.spec.JdbcSpec db = dev.beametl.spec.JdbcSpec.builder(URL).setUser("sa").build();
    try (dev.beametl.jdbc.TableLock held = dev.beametl.jdbc.TableLock.take(db, "totals_busy", "beam-etl other run")) {
      Path in = tmp.newFolder().toPath();
      Files.writeString(in.resolve("a.csv"), "region,amount\nEU,1\n");
      Path spec = tmp.newFile().toPath();
      Files.writeString(spec, String.join("\n",
          "version: 1",
          "source: {path: '" + in + "/*.csv', format: csv}",
          "schema: [{name: region, type: string}, {name: amount, type: 'decimal(8,2)'}]",
          "sink: {format: jdbc, path: '" + tmp.getRoot() + "/busy', jdbc: {url: '" + URL
              + "', user: sa, table: totals_busy, mode: overwrite, createTable: true, keys: [region]}}", ""));
      EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
      assertThat(r.code, is(EtlJob.USAGE));
      assertThat(r.err, containsString("table totals_busy is being written by another run (beam-etl other run)"));
    }
  }
}
