package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.beametl.spec.JdbcSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.Test;

/** One table is one lock however the spec spells it; two tables are two locks. */
public class TableLockTest {
  private static final String URL = "jdbc:h2:mem:table_lock_test;DB_CLOSE_DELAY=-1";

  @Test
  public void aQualifiedAndAnUnqualifiedNameOfOneTableExcludeEachOther() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "sa", ""); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA IF NOT EXISTS other");
    }
    JdbcSpec db = JdbcSpec.builder(URL).setUser("sa").build();
    try (TableLock held = TableLock.take(db, "PUBLIC.Orders", "beam-etl first run")) {
      for (String spelling : new String[] {"orders", "public.orders", "ORDERS"}) {
        TableLock.Held refused = assertThrows(spelling, TableLock.Held.class,
            () -> TableLock.take(db, spelling, "beam-etl second run").close());
        assertThat(refused.getMessage(), containsString("table " + spelling + " is being written by another run "
            + "(beam-etl first run)"));
      }
      try (TableLock otherSchema = TableLock.take(db, "other.orders", "beam-etl third run");
          TableLock otherTable = TableLock.take(db, "orders_2", "beam-etl fourth run")) {
        // other tables are free while the first is held
      }
    }
    TableLock.take(db, "orders", "beam-etl after the first").close(); // closing lets go
  }
}
