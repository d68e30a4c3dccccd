package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.JdbcSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * An existing table is checked against the run's output before the run, on real PostgreSQL,
 * MariaDB and H2: the types each database reports for tables that hold the output exactly pass, and
 * a column that would round, cut or merge values (a hostile trial's integer for decimals, date for
 * timestamps, char(n) and citext keys; a case-insensitive MariaDB collation) is named.
 */
public class TableFitIT {
  private static final List<String> KEYS = List.of("id", "k");
  private static final OutputColumns OUTPUT = OutputColumns.derivedRows(List.of(
      FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
      FieldSpec.builder("k", FieldType.of(FieldType.Kind.STRING)).build(),
      FieldSpec.builder("amt", FieldType.decimal(12, 2)).build(),
      FieldSpec.builder("ts", FieldType.of(FieldType.Kind.TIMESTAMP)).build(),
      FieldSpec.builder("d", FieldType.of(FieldType.Kind.DATE)).build(),
      FieldSpec.builder("f", FieldType.of(FieldType.Kind.DOUBLE)).build(),
      FieldSpec.builder("b", FieldType.of(FieldType.Kind.BOOLEAN)).build(),
      FieldSpec.builder("n", FieldType.of(FieldType.Kind.INT)).build()), List.of(), false);
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static EmbeddedPostgres postgres;
  private static EmbeddedMariaDb mariadb;
  private static String mariadbUrl;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    mariadb = EmbeddedMariaDb.start("fit");
    mariadbUrl = mariadb.url;
  }

  @AfterClass
  public static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.close();
    }
  }

  /**
   * PostgreSQL's driver sends a date or timestamp before 4713 BC, the earliest PostgreSQL holds, as
   * -infinity, without an error (a hostile trial: exit 0, -infinity in both columns). Such a value
   * fails the write, naming the column; the earliest date PostgreSQL holds is written as it is.
   */
  @Test
  public void postgresDatesBeforeItsFirstDayFailTheWriteNotInfinity() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    String schema = "schema: [{name: id, type: int}, {name: d, type: date}, {name: ts, type: timestamp}]";
    String sink = "sink: {format: jdbc, path: '" + tmp.getRoot() + "/%s', jdbc: {url: '" + url
        + "', user: postgres, table: %s, mode: upsert, keys: [id], createTable: true}}";
    EtlJobTest.Run first = SpecRuns.csvThrough(tmp, "id,d,ts\n1,-4712-01-01,-4712-01-01T00:00:00Z\n", schema,
        String.format(sink, "first", "first_days"));
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(SpecRuns.query(url, "postgres", "", "SELECT d, ts AT TIME ZONE 'UTC' FROM first_days"),
        contains("4713-01-01 BC|4713-01-01 00:00:00 BC"));
    for (String row : List.of("2,-4713-12-31,2024-01-01T00:00:00Z", "3,2024-01-01,-10000-06-01T00:00:00Z")) {
      EtlJobTest.Run before = SpecRuns.csvThrough(tmp, "id,d,ts\n" + row + "\n", schema,
          String.format(sink, "before" + row.charAt(0), "before_days"));
      assertThat(before.err, before.code, is(EtlJob.JOB_FAILED));
      assertThat(before.err, containsString("is before 4713 BC, the earliest date PostgreSQL holds"));
    }
    assertThat(SpecRuns.query(url, "postgres", "", "SELECT COUNT(*) FROM before_days WHERE d = '-infinity' OR ts = "
        + "'-infinity'"), contains("0"));
  }

  /**
   * A trial: "abcde  " into a varchar(5) column was stored as "abcde", exit 0 - PostgreSQL cuts an
   * excess of spaces without an error (other excess fails the statement). Both ways of writing (an
   * upsert binds rows into the table, an overwrite stages them and copies) fail the write naming the
   * column; a value that fits, trailing spaces and all, is written as it is.
   */
  @Test
  public void postgresVarcharsDoNotLoseTrailingSpacesBeyondTheirWidth() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DOMAIN code5 AS VARCHAR(5)"); // a domain's width counts as the column's (a trial)
      s.execute("CREATE TABLE narrow_up (id BIGINT PRIMARY KEY, code CODE5)");
      s.execute("CREATE TABLE narrow_over (id BIGINT, code VARCHAR(5))");
    }
    String schema = "schema: [{name: id, type: long}, {name: code, type: string}]";
    for (String mode : List.of("upsert, keys: [id]", "overwrite")) {
      String table = mode.startsWith("upsert") ? "narrow_up" : "narrow_over";
      String sink = "sink: {format: jdbc, path: '" + tmp.getRoot() + "/" + table + "', ifExists: overwrite, jdbc: {url: '" + url
          + "', user: postgres, table: " + table + ", mode: " + mode + "}}";
      EtlJobTest.Run fits = SpecRuns.csvThrough(tmp, "id,code\n1,\"ab   \"\n", "name: " + table, schema, sink);
      assertThat(fits.err, fits.code, is(EtlJob.OK));
      assertThat(SpecRuns.query(url, "postgres", "", "SELECT '[' || code || ']' FROM " + table), contains("[ab   ]"));
      EtlJobTest.Run spaces = SpecRuns.csvThrough(tmp, "id,code\n1,\"abcde  \"\n", "name: " + table, schema, sink);
      assertThat(mode + ": " + spaces.err, spaces.code, is(EtlJob.JOB_FAILED));
      assertThat(spaces.err, containsString("column code: a value of 7 characters, more than the 5 the table's column "
          + "holds (the database would drop its trailing spaces without an error)"));
      assertFailedOnce(spaces, table);
      assertThat(SpecRuns.query(url, "postgres", "", "SELECT '[' || code || ']' FROM " + table), contains("[ab   ]"));
    }
  }

  /**
   * A trial: 5000000000 into an integer column failed the run with PostgreSQL's "integer out of
   * range", which names neither the column nor the row (a numeric(p,s) overflow says "numeric field
   * overflow"). Both ways of writing refuse such a value first, naming the column, its type's bound
   * and the row; the table is left as it was.
   */
  @Test
  public void postgresNumbersBeyondTheirColumnAreNamedWithTheirRow() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
      for (String table : List.of("bounded_up", "bounded_over")) {
        s.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, n INTEGER, small SMALLINT, amt NUMERIC(5,2))");
      }
    }
    String schema = "schema: [{name: id, type: long}, {name: n, type: long}, {name: small, type: int},"
        + " {name: amt, type: 'decimal(8,2)'}]";
    String[][] misfits = {
        {"1,5000000000,1,1.00", "column n: 5000000000 is beyond the range of its column's type int4 (-2147483648 to "
            + "2147483647), in the row {\"id\":1,\"n\":5000000000,\"small\":1,\"amt\":1.00}"},
        {"1,7,-40000,1.00", "column small: -40000 is beyond the range of its column's type int2 (-32768 to 32767)"},
        {"1,7,1,1234.50", "column amt: 1234.50 has 4 digits before the point, more than the 3 of its column's type "
            + "numeric(5,2)"}};
    for (String mode : List.of("upsert, keys: [id]", "overwrite")) {
      String table = mode.startsWith("upsert") ? "bounded_up" : "bounded_over";
      String sink = "sink: {format: jdbc, path: '" + tmp.getRoot() + "/" + table + "', ifExists: overwrite, jdbc: {url: '"
          + url + "', user: postgres, table: " + table + ", mode: " + mode + "}}";
      EtlJobTest.Run fits = SpecRuns.csvThrough(tmp, "id,n,small,amt\n1,2147483647,-32768,999.99\n", "name: " + table,
          schema, sink);
      assertThat(fits.err, fits.code, is(EtlJob.OK));
      for (String[] misfit : misfits) {
        EtlJobTest.Run run = SpecRuns.csvThrough(tmp, "id,n,small,amt\n" + misfit[0] + "\n", "name: " + table, schema,
            sink);
        assertThat(mode + ": " + run.err, run.code, is(EtlJob.JOB_FAILED));
        assertThat(run.err, containsString(misfit[1]));
        assertFailedOnce(run, table);
        assertThat(SpecRuns.query(url, "postgres", "", "SELECT n || ' ' || small || ' ' || amt FROM " + table),
            contains("2147483647 -32768 999.99"));
      }
    }
  }

  /**
   * A row the table refuses (a unique index beside the key, a CHECK) failed the job only after the
   * runner had restarted it until its attempts ran out, each time meeting the same row, and the error gave neither
   * the key nor the row (a trial). It fails at once now, on the embedded runner, with the database's
   * reason and its detail - the key that is taken.
   */
  @Test
  public void aRowThePostgresTableRefusesFailsAtOnceWithTheDatabasesDetail() throws Exception {
    String url = postgres.getJdbcUrl("postgres", "postgres");
    try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE refusing (id BIGINT PRIMARY KEY, email TEXT UNIQUE, amt NUMERIC(12,2) CHECK (amt >= 0))");
      s.execute("INSERT INTO refusing VALUES (99, 'taken@example.com', 1)");
    }
    String schema = "schema: [{name: id, type: long}, {name: email, type: string}, {name: amt, type: 'decimal(12,2)'}]";
    String sink = "sink: {format: jdbc, path: '" + tmp.getRoot() + "/%s', jdbc: {url: '" + url
        + "', user: postgres, table: refusing, mode: upsert, keys: [id]}}";
    EtlJobTest.Run taken = new EtlJobTest.Run("--pipeline=" + SpecRuns.csvSpec(tmp,
        "id,email,amt\n1,a@example.com,5\n2,taken@example.com,3\n", schema, String.format(sink, "taken")),
        "--progressSeconds=0");
    assertThat(taken.err, taken.code, is(EtlJob.JOB_FAILED));
    assertThat(taken.err, allOf(containsString("sink table refusing refuses a row: ERROR: duplicate key value violates "
        + "unique constraint"), containsString("Detail: Key (email)=(taken@example.com) already exists"),
        containsString("Not retried"), containsString("are upserted, and a rerun after the fix is safe")));
    String log = java.nio.file.Files.readString(tmp.getRoot().toPath().resolve("taken/_run/job.log"));
    assertThat("failed once, not restarted", log, allOf(containsString("The failure is not recoverable"),
        not(containsString("Recovery is suppressed by"))));
    EtlJobTest.Run negative = new EtlJobTest.Run("--pipeline=" + SpecRuns.csvSpec(tmp,
        "id,email,amt\n3,b@example.com,-1\n", schema, String.format(sink, "negative")), "--progressSeconds=0");
    assertThat(negative.err, negative.code, is(EtlJob.JOB_FAILED));
    assertThat(negative.err, containsString("violates check constraint \"refusing_amt_check\""));
    assertThat(SpecRuns.query(url, "postgres", "", "SELECT COUNT(*) FROM refusing WHERE id = 3"), contains("0"));
  }

  /**
   * The run into {@code table} failed as a DataError, which Flink does not restart: JdbcIO wrapped what
   * the job's own width and range checks threw in a RuntimeException, and Flink restarted the job five
   * times to meet it again (a trial).
   */
  private static void assertFailedOnce(EtlJobTest.Run run, String table) {
    assertThat(run.err, allOf(containsString("sink table " + table + " refuses a row: column "),
        containsString("Not retried: the same rows meet the same refusal")));
  }

  /** The check's answer for a table made by {@code columns}: null when it fits, else the message. */
  private static String check(JdbcSpec spec, String table, String columns) throws Exception {
    return check(spec, table, columns, null);
  }

  /** As above, after {@code session} (a statement setting the session up), when given. */
  private static String check(JdbcSpec spec, String table, String columns, String session) throws Exception {
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(spec); Statement s = c.createStatement()) {
      if (columns != null) {
        s.execute("CREATE TABLE " + table + " (" + columns + ")");
      }
      if (session != null) {
        s.execute(session);
      }
      try {
        TableFit.check(c, JdbcTable.dialect(spec.url()), table, SqlNames.of(spec, c), OUTPUT, KEYS);
        return null;
      } catch (SQLException e) {
        assertThat(e.getSQLState(), is("42804"));
        return e.getMessage();
      }
    }
  }

  @Test
  public void postgresTablesThatHoldTheOutputPassAndOthersAreNamed() throws Exception {
    JdbcSpec pg = JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("x").build();
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(pg); Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION IF NOT EXISTS citext");
    }
    assertThat(check(pg, "good1", "id BIGINT PRIMARY KEY, k TEXT, amt NUMERIC(12,2), ts TIMESTAMPTZ, d DATE,"
        + " f DOUBLE PRECISION, b BOOLEAN, n INTEGER"), is((String) null));
    assertThat(check(pg, "good2", "ID NUMERIC, K VARCHAR(20), amt NUMERIC, ts TIMESTAMP, d TIMESTAMPTZ, f FLOAT8,"
        + " b BOOL, n BIGINT, extra TEXT"), is((String) null));
    // Narrower integer parts fail their statement on PostgreSQL when a value does not fit: left to it.
    assertThat(check(pg, "good3", "id INTEGER, k TEXT, amt NUMERIC(10,4), ts TIMESTAMP(6), d DATE, f FLOAT,"
        + " b BOOLEAN, n SMALLINT"), is((String) null));
    String bad = check(pg, "bad1", "id BIGINT, k CHAR(3), amt INTEGER, ts DATE, d DATE, f REAL, b BOOLEAN, n INTEGER");
    assertThat(bad, allOf(containsString("table bad1 cannot hold"), containsString("column k (bpchar) is of fixed width"),
        containsString("column amt (int4) would round or cut decimal(12,2)"),
        containsString("column ts (date) would cut timestamps to their day"), containsString("column f (float4) would round"),
        not(containsString("column id ")), not(containsString("column d ")), not(containsString("column n "))));
    // A trial: PostgreSQL's name (its catalogs' type, the driver says VARCHAR) cut values to 63 bytes, exit 0.
    assertThat(check(pg, "bad4", "id BIGINT, k NAME, amt NUMERIC(12,2), ts TIMESTAMPTZ, d DATE, f FLOAT8,"
        + " b BOOLEAN, n INTEGER"), containsString("column k (name) is PostgreSQL's name type, which cuts text to 63"));
    bad = check(pg, "bad2", "id BIGINT, k CITEXT, amt NUMERIC(14,1), ts TIMESTAMPTZ(0), d DATE, f MONEY, b INTEGER");
    assertThat(bad, allOf(containsString("column k (citext) is a key that ignores case"),
        containsString("column amt (numeric(14,1)) would round or cut decimal(12,2)"),
        containsString("column ts (timestamptz) would round timestamps to 0 fractional digits"),
        containsString("column f (money)"), containsString("column b (int4) does not hold booleans"),
        containsString("it has no column n (int)")));
    // Domains are judged by the type under them (a trial: left unjudged, a domain over numeric(12,2)
    // rounded a decimal(12,4), one over varchar(2) merged two keys, exit 0), through domains over domains.
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(pg); Statement s = c.createStatement()) {
      s.execute("CREATE DOMAIN txt AS TEXT");
      s.execute("CREATE DOMAIN money4 AS NUMERIC(12,4) CHECK (VALUE >= 0)");
      s.execute("CREATE DOMAIN money1 AS NUMERIC(14,1)");
      s.execute("CREATE DOMAIN money1b AS money1 CHECK (VALUE > -1000)");
      s.execute("CREATE DOMAIN ts0 AS TIMESTAMPTZ(0)");
      s.execute("CREATE DOMAIN flag AS INTEGER");
    }
    assertThat(check(pg, "good4", "id BIGINT, k TXT, amt MONEY4, ts TIMESTAMPTZ, d DATE, f FLOAT8, b BOOLEAN,"
        + " n INTEGER"), is((String) null));
    assertThat(check(pg, "bad5", "id BIGINT, k TXT, amt MONEY1B, ts TS0, d DATE, f FLOAT8, b FLAG, n INTEGER"),
        allOf(containsString("column amt (numeric(14,1)) would round or cut decimal(12,2)"),
            containsString("column ts (timestamptz) would round timestamps to 0 fractional digits"),
            containsString("column b (int4) does not hold booleans"), not(containsString("column k "))));
    // A quoted column in mixed case is not the one the job's SQL names (it folds to lower case).
    assertThat(check(pg, "bad3", "id BIGINT, k TEXT, \"Amt\" NUMERIC(12,2), ts TIMESTAMPTZ, d DATE, f FLOAT8,"
        + " b BOOLEAN, n INTEGER"), containsString("it has no column amt"));
  }

  /**
   * A column the job writes no value to that is NOT NULL without a default refuses every row: named
   * before the run (it was found only by the staged run's commit, all its work done). Columns the
   * database fills in itself - a default, an identity, a serial, a generated column - and nullable
   * ones pass, on each database.
   */
  @Test
  public void aNotNullColumnWithoutADefaultTheJobDoesNotWriteIsNamed() throws Exception {
    String written = "id BIGINT, k VARCHAR(20), amt DECIMAL(12,2), ts %s, d DATE, f DOUBLE PRECISION, b BOOLEAN,"
        + " n INTEGER, ";
    JdbcSpec pg = JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("x").build();
    String pgWritten = String.format(written, "TIMESTAMPTZ");
    assertThat(check(pg, "req_bad", pgWritten + "created_by TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''"),
        allOf(containsString("column created_by is NOT NULL without a default, and the job writes no value to it"),
            not(containsString("column note"))));
    assertThat(check(pg, "req_good", pgWritten + "note TEXT NOT NULL DEFAULT '', serial_id BIGSERIAL,"
        + " ident BIGINT GENERATED ALWAYS AS IDENTITY, doubled BIGINT GENERATED ALWAYS AS (id * 2) STORED,"
        + " other TEXT"), is((String) null));
    // A BEFORE INSERT trigger may fill a column in: PostgreSQL checks NOT NULL after it (a review).
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(pg); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE req_trig (" + pgWritten + "created_by TEXT NOT NULL)");
      s.execute("CREATE FUNCTION fill_created_by() RETURNS trigger AS $$ BEGIN NEW.created_by := current_user;"
          + " RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute("CREATE TRIGGER fill BEFORE INSERT ON req_trig FOR EACH ROW EXECUTE FUNCTION fill_created_by()");
    }
    assertThat(check(pg, "req_trig", null), is((String) null));
    // The job's own columns may be NOT NULL: it writes them.
    assertThat(check(pg, "req_own", pgWritten.replace("k VARCHAR(20)", "k VARCHAR(20) NOT NULL")
        + "other TEXT"), is((String) null));

    JdbcSpec maria = JdbcSpec.builder(mariadbUrl).setUser("root").setTable("x").build();
    String mariaWritten = String.format(written, "DATETIME(6)").replace("VARCHAR(20)", "VARCHAR(20) CHARACTER SET"
        + " utf8mb4 COLLATE utf8mb4_nopad_bin");
    assertThat(check(maria, "req_bad", mariaWritten + "created_by TEXT NOT NULL, note VARCHAR(5) NOT NULL DEFAULT ''"),
        allOf(containsString("column created_by is NOT NULL without a default"), not(containsString("column note"))));
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(maria); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE req_trig (" + mariaWritten + "created_by VARCHAR(80) NOT NULL)");
      s.execute("CREATE TRIGGER fill BEFORE INSERT ON req_trig FOR EACH ROW SET NEW.created_by = CURRENT_USER()");
    }
    assertThat(check(maria, "req_trig", null), is((String) null));
    assertThat(check(maria, "req_enum", mariaWritten + "kind ENUM('a', 'b') NOT NULL"), is((String) null));
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(maria); Statement s = c.createStatement()) {
      s.execute("INSERT INTO req_enum (id, k) VALUES (1, 'x')"); // strict mode too: the enum's first value
    }
    assertThat(check(maria, "req_set", mariaWritten + "tags SET('x', 'y') NOT NULL"),
        containsString("column tags is NOT NULL without a default")); // "Field 'tags' doesn't have a default value"
    assertThat(check(maria, "req_good", mariaWritten + "note VARCHAR(5) NOT NULL DEFAULT '', auto BIGINT NOT NULL"
        + " AUTO_INCREMENT, doubled BIGINT AS (id * 2) PERSISTENT, other TEXT, KEY (auto)"), is((String) null));

    JdbcSpec h2 = JdbcSpec.builder("jdbc:h2:mem:req" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa")
        .setTable("x").build();
    String h2Written = String.format(written, "TIMESTAMP WITH TIME ZONE");
    assertThat(check(h2, "req_bad", h2Written + "created_by VARCHAR NOT NULL, note VARCHAR NOT NULL DEFAULT ''"),
        allOf(containsString("column CREATED_BY is NOT NULL without a default"), not(containsString("column NOTE"))));
    assertThat(check(h2, "req_good", h2Written + "note VARCHAR NOT NULL DEFAULT '', ident BIGINT GENERATED ALWAYS AS"
        + " IDENTITY, doubled BIGINT GENERATED ALWAYS AS (id * 2), other VARCHAR"), is((String) null));
  }

  /** The tables the job creates itself (createTable) pass, sums of decimal(38,s) and categories among them. */
  @Test
  public void tablesTheJobCreatesPassOnEveryDatabase() throws Exception {
    OutputColumns output = OutputColumns.derivedRows(List.of(
        FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
        FieldSpec.builder("k", FieldType.of(FieldType.Kind.STRING)).build(),
        FieldSpec.builder("c", FieldType.of(FieldType.Kind.CATEGORY)).setValues(List.of("x", "y")).build(),
        FieldSpec.builder("total", FieldType.decimal(38, 2)).setNullable(true).build(),
        FieldSpec.builder("ts", FieldType.of(FieldType.Kind.TIMESTAMP)).setNullable(true).build(),
        FieldSpec.builder("d", FieldType.of(FieldType.Kind.DATE)).setNullable(true).build(),
        FieldSpec.builder("f", FieldType.of(FieldType.Kind.DOUBLE)).setNullable(true).build(),
        FieldSpec.builder("b", FieldType.of(FieldType.Kind.BOOLEAN)).setNullable(true).build(),
        FieldSpec.builder("n", FieldType.of(FieldType.Kind.INT)).setNullable(true).build()), List.of(), false);
    for (JdbcSpec db : List.of(
        JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("made").build(),
        JdbcSpec.builder(mariadbUrl).setUser("root").setTable("made").build(),
        JdbcSpec.builder("jdbc:h2:mem:made" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa").setTable("made")
            .build())) {
      dev.beametl.spec.JdbcSinkSpec sink = dev.beametl.spec.JdbcSinkSpec.of(db, dev.beametl.spec.JdbcSinkSpec.Mode.UPSERT,
          List.of("id", "k", "c"), 100, true, 1);
      try (Connection c = dev.beametl.jdbc.JdbcConnections.open(db); Statement s = c.createStatement()) {
        JdbcTable.Dialect dialect = JdbcTable.dialect(db.url());
        s.execute(JdbcTable.createTable("made", sink, output,
            dialect == JdbcTable.Dialect.MYSQL ? JdbcTable.binaryCollation(c) : null));
        TableFit.check(c, dialect, "made", SqlNames.of(db, c), output, sink.keys()); // throws if it does not fit
        assertThat(db.url(), c.getAutoCommit(), is(true));
      }
    }
  }

  /**
   * A loader that may only insert is not refused: PostgreSQL's catalog gives it the columns (another
   * database's probe would be refused, and the check skipped, as JdbcTable.exists allows); nor is a
   * table another session holds locked, where the run's writes wait and retry.
   */
  @Test
  public void aLoaderThatMayOnlyInsertIsNotRefused() throws Exception {
    JdbcSpec pg = JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("x").build();
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(pg); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE insert_only (id BIGINT, k TEXT, amt NUMERIC(12,2), ts TIMESTAMPTZ, d DATE, f FLOAT8,"
          + " b BOOLEAN, n INTEGER)");
      s.execute("CREATE ROLE loader LOGIN PASSWORD 'loader'");
      s.execute("GRANT INSERT ON insert_only TO loader");
    }
    String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres"; // no user in it
    JdbcSpec loader = JdbcSpec.builder(url).setUser("loader").setTable("insert_only").build();
    try (Connection c = DriverManager.getConnection(url, "loader", "loader")) {
      assertThat("the loader may not read the table", assertThrowsSql(c), is("42501"));
      TableFit.check(c, JdbcTable.Dialect.POSTGRESQL, "insert_only", SqlNames.of(loader, c), OUTPUT, KEYS);
    }
    try (Connection holder = dev.beametl.jdbc.JdbcConnections.open(pg); Statement s = holder.createStatement();
        Connection c = dev.beametl.jdbc.JdbcConnections.open(pg)) {
      holder.setAutoCommit(false);
      s.execute("LOCK TABLE insert_only IN ACCESS EXCLUSIVE MODE");
      try (Statement t = c.createStatement()) {
        t.execute("SET lock_timeout = '2s'"); // the probe would wait this long, then fail
      }
      TableFit.check(c, JdbcTable.Dialect.POSTGRESQL, "insert_only", SqlNames.of(pg, c), OUTPUT, KEYS);
      holder.rollback();
    }
  }

  @Test
  public void mariadbTablesThatHoldTheOutputPassAndOthersAreNamed() throws Exception {
    JdbcSpec maria = JdbcSpec.builder(mariadbUrl).setUser("root").setTable("x").build();
    assertThat(check(maria, "good1", "id BIGINT, k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,"
        + " amt DECIMAL(12,2), ts DATETIME(6), d DATE, f DOUBLE, b BOOLEAN, n INT"), is((String) null));
    assertThat(check(maria, "good2", "id DECIMAL(20,0), k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,"
        + " amt DECIMAL(30,10), ts TIMESTAMP(6), d DATETIME(6), f DOUBLE, b TINYINT(1), n SMALLINT"), is((String) null));
    String bad = check(maria, "bad1", "id BIGINT, k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
        + " amt DECIMAL(12,1), ts DATETIME, d DATE, f FLOAT, b BOOLEAN, n INT");
    assertThat(bad, allOf(containsString("column k (varchar) is a key compared by the collation utf8mb4_general_ci"),
        containsString("COLLATE utf8mb4_nopad_bin"), containsString("column amt"),
        containsString("column ts (datetime) would round timestamps to 0"),
        containsString("column f (float) would round doubles"), not(containsString("column id ")),
        not(containsString("column b ")), not(containsString("column n "))));
    // utf8mb4_bin still pads ('a' and 'a ' one key), and this server has one that does not.
    assertThat(check(maria, "bad2", "id BIGINT, k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,"
        + " amt DECIMAL(12,2), ts DATETIME(6), d DATE, f DOUBLE, b BOOLEAN, n INT"),
        containsString("column k (varchar) is a key compared by the collation utf8mb4_bin"));
    // Without a strict SQL mode MariaDB cuts a value that does not fit (a number, a text) with a warning only.
    assertThat(check(maria, "good2", null, "SET SESSION sql_mode = ''"), allOf(containsString("the connection's SQL "
        + "mode is not strict"), not(containsString("column n ")), not(containsString("column id "))));
    // DOUBLE(M,D) rounds to D places; an upsert updates the row any unique index finds, and a prefix index
    // makes keys that share a prefix one.
    String collated = "CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin";
    assertThat(check(maria, "bad3", "id BIGINT, k VARCHAR(20) " + collated + ", amt DECIMAL(12,2), ts DATETIME(6),"
        + " d DATE, f DOUBLE(10,2), b BOOLEAN, n INT, PRIMARY KEY (id, k), UNIQUE (n)"),
        allOf(containsString("column f (double) would round doubles"), containsString("its unique index n on [n]")));
    assertThat(check(maria, "bad4", "id BIGINT, k VARCHAR(20) " + collated + ", amt DECIMAL(12,2), ts DATETIME(6),"
        + " d DATE, f DOUBLE, b BOOLEAN, n INT, PRIMARY KEY (id, k(3))"), containsString("(over a prefix of a column)"));
    assertThat(check(maria, "good3", "id BIGINT, k VARCHAR(20) " + collated + ", amt DECIMAL(12,2), ts DATETIME(6),"
        + " d DATE, f DOUBLE, b BOOLEAN, n INT, PRIMARY KEY (k, id), KEY (n)"), is((String) null));
    // A trial: into MyISAM an overwrite whose commit failed kept 100 of 101 new rows and none of the old,
    // and an append stored 3000000000 as 2147483647, exit 0. Such engines do not do transactions. (check()
    // closes the column list; the SQL comment takes its parenthesis after the table options.)
    // A view has no engine: the table under it is judged (a trial: a view over MyISAM cut values, exit 0).
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(maria); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE under_view (id BIGINT, k VARCHAR(20) " + collated + ", amt DECIMAL(12,2),"
          + " ts DATETIME(6), d DATE, f DOUBLE, b BOOLEAN, n INT, PRIMARY KEY (id, k)) ENGINE=MyISAM");
      s.execute("CREATE VIEW over_myisam AS SELECT * FROM under_view");
      s.execute("CREATE VIEW over_view AS SELECT id, k, amt, ts, d, f, b, n FROM over_myisam");
      s.execute("CREATE VIEW over_innodb AS SELECT * FROM good3");
    }
    assertThat(check(maria, "over_myisam", null), containsString("its storage engine MyISAM (of "));
    assertThat(check(maria, "over_view", null), containsString("under_view, under the view) is not transactional"));
    assertThat(check(maria, "over_innodb", null), is((String) null));
    for (String engine : List.of("MyISAM", "Aria", "MEMORY")) {
      assertThat(check(maria, "engine_" + engine, "id BIGINT, k VARCHAR(20) " + collated + ", amt DECIMAL(12,2),"
          + " ts DATETIME(6), d DATE, f DOUBLE, b BOOLEAN, n INT, PRIMARY KEY (id, k)) ENGINE=" + engine + " -- ("),
          containsString("its storage engine " + engine + " is not transactional"));
    }
  }

  /**
   * The tables the job makes on MariaDB/MySQL - the table (createTable) and a staged run's two - are
   * InnoDB on a server whose default engine is MyISAM: there the commit mark, written in the
   * commit's transaction, would outlive a rolled-back commit, and the table keep a failed commit's half.
   */
  @Test
  public void tablesTheJobMakesOnMariadbDoTransactions() throws Exception {
    JdbcSpec maria = JdbcSpec.builder(mariadbUrl).setUser("root").setTable("made_myisam").build();
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(maria); Statement s = c.createStatement()) {
      String engineBefore;
      try (java.sql.ResultSet rs = s.executeQuery("SELECT @@GLOBAL.default_storage_engine")) {
        rs.next();
        engineBefore = rs.getString(1);
      }
      s.execute("SET GLOBAL default_storage_engine = MyISAM");
      try {
        dev.beametl.spec.JdbcSinkSpec append = dev.beametl.spec.JdbcSinkSpec.of(maria,
            dev.beametl.spec.JdbcSinkSpec.Mode.APPEND, List.of(), 100, true, 1);
        JdbcTable.prepare(append, OUTPUT, "r1");
        List<String> made = new java.util.ArrayList<>(List.of("made_myisam"));
        made.addAll(JdbcTable.stagingTables(append, "r1"));
        for (String table : made) {
          try (java.sql.ResultSet rs = s.executeQuery("SELECT ENGINE FROM information_schema.TABLES WHERE"
              + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '" + table + "'")) {
            assertThat(table, rs.next() ? rs.getString(1) : "none", is("InnoDB"));
          }
        }
        JdbcTable.dropStaged(append, "r1");
      } finally {
        s.execute("SET GLOBAL default_storage_engine = " + engineBefore);
      }
    }
  }

  /**
   * Keys are checked where rows are merged by them, an upsert: appending into a table with another
   * unique index (or a case-insensitive key) is a plain INSERT, which fails a statement rather than
   * merging rows, so it is not refused.
   */
  @Test
  public void keysAreCheckedForAnUpsertOnly() throws Exception {
    JdbcSpec maria = JdbcSpec.builder(mariadbUrl).setUser("root").setTable("appended").build();
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(maria); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE appended (id BIGINT, k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
          + " amt DECIMAL(12,2), ts DATETIME(6), d DATE, f DOUBLE, b BOOLEAN, n INT, PRIMARY KEY (id, k), UNIQUE (n))");
    }
    dev.beametl.spec.JdbcSinkSpec append = dev.beametl.spec.JdbcSinkSpec.of(maria,
        dev.beametl.spec.JdbcSinkSpec.Mode.APPEND, KEYS, 100, false, 1);
    JdbcTable.prepare(append, OUTPUT, "r1");
    JdbcTable.dropStaged(append, "r1");
    dev.beametl.spec.JdbcSinkSpec upsert = dev.beametl.spec.JdbcSinkSpec.of(maria,
        dev.beametl.spec.JdbcSinkSpec.Mode.UPSERT, KEYS, 100, false, 1);
    SQLException refused = org.junit.Assert.assertThrows(SQLException.class, () -> JdbcTable.prepare(upsert, OUTPUT, "r2"));
    assertThat(refused.getMessage(), allOf(containsString("utf8mb4_general_ci"), containsString("its unique index n")));
  }

  @Test
  public void h2TablesThatHoldTheOutputPassAndOthersAreNamed() throws Exception {
    JdbcSpec h2 = JdbcSpec.builder("jdbc:h2:mem:fit" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa")
        .setTable("x").build();
    assertThat(check(h2, "good1", "id BIGINT, k VARCHAR(20), amt DECIMAL(12,2), ts TIMESTAMP WITH TIME ZONE, d DATE,"
        + " f DOUBLE PRECISION, b BOOLEAN, n INTEGER"), is((String) null));
    assertThat(check(h2, "bad3", "id BIGINT, k VARCHAR(20), amt DECIMAL(12,2), ts TIMESTAMP WITH TIME ZONE, d DATE,"
        + " f DOUBLE PRECISION, b BOOLEAN, n DECFLOAT(5)"), containsString("column N (decfloat(5,0)) is a decimal floating"));
    JdbcSpec collated = JdbcSpec.builder("jdbc:h2:mem:coll" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa")
        .setTable("x").build();
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(collated); Statement s = c.createStatement()) {
      s.execute("SET COLLATION ENGLISH STRENGTH PRIMARY");
    }
    assertThat(check(collated, "good1", "id BIGINT, k VARCHAR(20), amt DECIMAL(12,2), ts TIMESTAMP WITH TIME ZONE,"
        + " d DATE, f DOUBLE PRECISION, b BOOLEAN, n INTEGER"), containsString("compares text by the collation"));
    assertThat(check(h2, "bad2", "id BIGINT, k VARCHAR_IGNORECASE(20), amt DECIMAL(12,2), ts TIMESTAMP WITH TIME ZONE,"
        + " d DATE, f DOUBLE PRECISION, b BOOLEAN, n INTEGER"), containsString("column K (varchar_ignorecase) is a key "
        + "that ignores case"));
    assertThat(check(h2, "bad1", "id BIGINT, k CHAR(5), amt INTEGER, ts TIMESTAMP(3), d DATE, f REAL, b BOOLEAN,"
        + " n INTEGER"), allOf(containsString("column K (character) is of fixed width"),
        containsString("column AMT (integer) would round"), containsString("column TS (timestamp) would round "
            + "timestamps to 3"), containsString("column F (real) would round doubles")));
  }

  /**
   * A run stopped outright leaves its staging tables, which nothing named: the next run into the
   * table names them (not the tables of its own run, of another table, or of names only like them).
   */
  @Test
  public void leftoverStagingTablesAreNamedOnEveryDatabase() throws Exception {
    List<JdbcSpec> databases = List.of(
        JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("lt").build(),
        JdbcSpec.builder(postgres.getJdbcUrl("postgres", "postgres")).setUser("postgres").setTable("s_1.lt").build(),
        JdbcSpec.builder(mariadbUrl).setUser("root").setTable("lt").build(),
        JdbcSpec.builder("jdbc:h2:mem:left" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa").setTable("lt")
            .build());
    for (JdbcSpec db : databases) {
      String q = db.table().contains(".") ? "s_1." : "";
      try (Connection c = dev.beametl.jdbc.JdbcConnections.open(db); Statement s = c.createStatement()) {
        if (!q.isEmpty()) {
          s.execute("CREATE SCHEMA s_1");
        }
        for (String t : List.of("lt", "lt_beametl_0123abcd", "lt_beametl_0123abcd_ok", "lt_beametl_9f9f9f9f_ok",
            "lt_beametl_nothex12", "ltx_beametl_0123abcd", "lt_beametlx01234567", "lt_beametl_0123abcd_old")) {
          s.execute("CREATE TABLE " + q + t + " (id BIGINT)");
        }
        if (!q.isEmpty()) {
          s.execute("CREATE TABLE lt_beametl_aaaabbbb (id BIGINT)"); // the same name in another schema: not its
        }
      }
      dev.beametl.spec.JdbcSinkSpec append = dev.beametl.spec.JdbcSinkSpec.of(db,
          dev.beametl.spec.JdbcSinkSpec.Mode.APPEND, List.of(), 100, false, 1);
      JdbcTable.prepare(append, OutputColumns.derivedRows(List.of(
          FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build()), List.of(), false), "feedbeef");
      List<String> leftovers = LeftoverStaging.of(append, "feedbeef");
      assertThat(db.url() + " " + db.table(), leftovers.stream().map(t -> t.toLowerCase(java.util.Locale.ROOT))
          .collect(java.util.stream.Collectors.toList()),
          contains(q + "lt_beametl_0123abcd", q + "lt_beametl_0123abcd_ok", q + "lt_beametl_9f9f9f9f_ok"));
      String notice = JdbcTable.leftoverStagingNotice(append, "feedbeef");
      assertThat(notice, containsString("3 staging tables of earlier runs"));
      // H2's lock is this JVM's only: the tables may be a live run's in another process (a trial).
      assertThat(db.url() + ": " + notice, notice.contains("or of a run in another process still going"),
          is(db.url().startsWith("jdbc:h2:")));
      JdbcTable.dropStaged(append, "feedbeef");
    }
  }

  private static String assertThrowsSql(Connection c) {
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT * FROM insert_only").close();
      return "no error";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }
}
