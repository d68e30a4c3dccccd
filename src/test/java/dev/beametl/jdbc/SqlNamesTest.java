package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.beametl.spec.JdbcSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import org.junit.Test;

/** Names are quoted as the database folds them unquoted, so tables made without quotes are found. */
public class SqlNamesTest {
  @org.junit.Rule public final org.junit.rules.TemporaryFolder tmp = new org.junit.rules.TemporaryFolder();

  private static String month(String url) {
    return SqlNames.of(JdbcSpec.builder(url).setUser("sa").setTable("t").build()).name("Month");
  }

  @Test
  public void h2IsAskedHowItFoldsWhateverTheUrlsSpelling() {
    assertThat(month("jdbc:h2:mem:names_a"), is("\"MONTH\""));
    assertThat(month("jdbc:h2:mem:names_b;DATABASE_TO_LOWER=TRUE"), is("\"month\""));
    assertThat(month("jdbc:h2:mem:names_c;database_to_lower=yes"), is("\"month\""));
    assertThat(month("jdbc:h2:mem:names_d;DATABASE_TO_UPPER=0"), is("\"Month\""));
  }

  /** An open database keeps the settings it was opened with; a URL without them joins it as it is. */
  @Test
  public void anOpenH2DatabaseIsAskedNotItsUrl() throws Exception {
    try (Connection open = DriverManager.getConnection(
        "jdbc:h2:mem:names_open;DB_CLOSE_DELAY=-1;DATABASE_TO_LOWER=TRUE", "sa", "")) {
      assertThat(month("jdbc:h2:mem:names_open"), is("\"month\""));
    }
  }

  @Test
  public void aDatabaseThatCannotBeReachedIsGuessedFromItsUrl() {
    assertThat(month("jdbc:postgresql://127.0.0.1:1/db?connectTimeout=1"), is("\"month\""));
    assertThat(SqlNames.guess("jdbc:postgresql://h/db").name("Sales.Order"), is("\"sales\".\"order\""));
    assertThat(SqlNames.guess("jdbc:h2:mem:x").list(List.of("month", "Value")), is("\"MONTH\", \"VALUE\""));
    assertThat(SqlNames.guess("jdbc:mariadb://h/db").name("etl.Order"), is("`etl`.`Order`"));
    assertThat(SqlNames.guess("jdbc:sqlserver://h;databaseName=db").name("dbo.Orders"), is("dbo.Orders"));
  }

  /**
   * A run names a database's tables one way from start to end: a guess made while it could not be
   * reached stands until the next run, though the database has come up since (an H2 TCP server that
   * folds to lower case).
   */
  @Test
  public void aRunKeepsItsFirstAnswerTheNextRunAsksAgain() throws Exception {
    java.nio.file.Path dir = tmp.newFolder().toPath();
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    String url = "jdbc:h2:tcp://localhost:" + port + "/" + dir + "/db;DATABASE_TO_LOWER=TRUE";
    SqlNames.startRun(true);
    assertThat(month(url), is("\"MONTH\"")); // not reached: guessed
    org.h2.tools.Server server = org.h2.tools.Server.createTcpServer("-tcpPort", String.valueOf(port),
        "-baseDir", dir.toString(), "-ifNotExists").start();
    try {
      assertThat(month(url), is("\"MONTH\""));
      SqlNames.startRun(true);
      assertThat(month(url), is("\"month\""));
    } finally {
      server.stop();
    }
  }

  /** A dry run connects to no database it does not check anyway: the sink's is guessed, not created. */
  @Test
  public void aDryRunGuessesWithoutConnecting() throws Exception {
    java.nio.file.Path dir = tmp.newFolder().toPath();
    SqlNames.startRun(false);
    try {
      assertThat(month("jdbc:h2:" + dir + "/db;DATABASE_TO_LOWER=TRUE"), is("\"MONTH\""));
      assertThat(dir.toFile().list(), org.hamcrest.Matchers.emptyArray());
    } finally {
      SqlNames.startRun(true);
    }
  }

  @Test
  public void mariaDbAndMySqlKeepNamesAsWrittenInBackquotes() throws Exception {
    java.sql.DatabaseMetaData mysqlFoldingTablesToLowerCase = (java.sql.DatabaseMetaData) java.lang.reflect.Proxy
        .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {java.sql.DatabaseMetaData.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "getDatabaseProductName":
                  return "MySQL";
                case "getIdentifierQuoteString":
                  return "`";
                case "storesLowerCaseIdentifiers":
                  return true;
                default:
                  return false;
              }
            });
    assertThat(SqlNames.of(mysqlFoldingTablesToLowerCase).name("etl.OrderId"), is("`etl`.`OrderId`"));
  }

  @Test
  public void aDatabaseThatQuotesNoNamesGetsThemAsWritten() {
    assertThat(new SqlNames("", SqlNames.Folding.UPPER).name("a.Month"), is("a.Month"));
  }
}
