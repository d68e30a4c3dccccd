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

  @Test
  public void aDatabaseThatQuotesNoNamesGetsThemAsWritten() {
    assertThat(new SqlNames("", SqlNames.Folding.UPPER).name("a.Month"), is("a.Month"));
  }
}
