package dev.beametl.spec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.util.List;
import org.junit.Test;

/** Names are quoted as each database folds them unquoted, so tables made without quotes are found. */
public class SqlNamesTest {
  @Test
  public void postgresFoldsToLowerCaseInDoubleQuotes() {
    assertThat(SqlNames.of("jdbc:postgresql://h/db").name("Sales.Order"), is("\"sales\".\"order\""));
  }

  @Test
  public void h2FoldsToUpperCaseUnlessItsUrlSaysOtherwise() {
    assertThat(SqlNames.of("jdbc:h2:mem:x").list(List.of("month", "Value")), is("\"MONTH\", \"VALUE\""));
    assertThat(SqlNames.of("jdbc:h2:mem:x;database_to_lower=true").name("Month"), is("\"month\""));
    assertThat(SqlNames.of("jdbc:h2:mem:x;DATABASE_TO_UPPER=FALSE").name("Month"), is("\"Month\""));
  }

  @Test
  public void mariaDbAndMySqlKeepTheNameInBackquotes() {
    assertThat(SqlNames.of("jdbc:mariadb://h/db").name("etl.Order"), is("`etl`.`Order`"));
    assertThat(SqlNames.of("jdbc:mysql://h/db").name("group"), is("`group`"));
  }

  @Test
  public void otherDatabasesGetTheNameAsWritten() {
    assertThat(SqlNames.of("jdbc:sqlserver://h;databaseName=db").name("dbo.Orders"), is("dbo.Orders"));
  }
}
