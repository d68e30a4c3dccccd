package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;
import static org.junit.Assert.assertThrows;

import dev.beametl.record.DataError;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.JdbcSpec;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;

/** Which database errors the JDBC sink retries, which fail the job at once, and what they say. */
public class TransientErrorsTest {
  private static final JdbcSpec DB = JdbcSpec.builder("jdbc:postgresql://db:5432/shop").setUser("etl")
      .setPasswordEnv("BEAM_ETL_TEST_NEVER_SET_" + System.nanoTime()).setTable("sales").build();

  private static JdbcTable.TransientErrors strategy(JdbcSinkSpec.Mode mode) {
    return new JdbcTable.TransientErrors(JdbcSinkSpec.of(DB, mode, List.of("id"), 500, false, 3));
  }

  /** PostgreSQL's way: the batch's exception repeats the statement; the next one is the server's, with its detail. */
  private static SQLException batchFailing(String state, String serverMessage) {
    BatchUpdateException batch = new BatchUpdateException("Batch entry 3 INSERT INTO sales VALUES (('7'::int8), "
        + "('taken@example.com')) was aborted: " + serverMessage.lines().findFirst().orElse("") + "  Call getNextException "
        + "to see other errors in the batch.", state, 0, new int[0]);
    batch.setNextException(new SQLException(serverMessage, state));
    return batch;
  }

  @Test
  public void aRowTheTableRefusesFailsAtOnceWithTheServersReasonAndDetail() {
    SQLException unique = batchFailing("23505", "ERROR: duplicate key value violates unique constraint \"sales_email_key\"\n"
        + "  Detail: Key (email)=(taken@example.com) already exists.");
    DataError e = assertThrows(DataError.class, () -> strategy(JdbcSinkSpec.Mode.UPSERT).apply(unique));
    assertThat(e.getMessage(), allOf(
        containsString("sink table sales refuses a row: ERROR: duplicate key value violates unique constraint "
            + "\"sales_email_key\" (SQL state 23505); Detail: Key (email)=(taken@example.com) already exists."),
        containsString("Not retried: the same rows meet the same refusal; the batches the job's tasks wrote before it stopped are upserted"),
        not(containsString("Batch entry")), not(containsString("Call getNextException")), not(containsString(".."))));
    assertThat(e.getCause(), sameInstance(unique));
    DataError staged = assertThrows(DataError.class, () -> strategy(JdbcSinkSpec.Mode.OVERWRITE)
        .apply(new SQLException("ERROR: value too long for type character varying(12)", "22001")));
    assertThat(staged.getMessage(), containsString("(SQL state 22001). Not retried: the same rows meet the same refusal; "
        + "nothing was committed, the table is as it was"));
  }

  /**
   * Deadlocks, serialization failures and lock timeouts are retried on the connection; a lost
   * connection is not (JdbcIO would retry on the dead one): the task fails and the runner restarts
   * it. A foreign key may name a row another load is about to commit: not a data error.
   */
  @Test
  public void deadlocksAndLockTimeoutsAreRetriedAndALostConnectionIsLeftToTheRunner() throws SQLException {
    JdbcTable.TransientErrors errors = strategy(JdbcSinkSpec.Mode.UPSERT);
    for (String state : List.of("40001", "40P01", "55P03", "HYT00")) {
      assertThat(state, errors.apply(new SQLException("busy", state)), is(true));
    }
    for (String state : List.of("08006", "08003", "57P01", "57P02", "57P03")) {
      assertThat(state, errors.apply(new SQLException("gone", state)), is(false));
      // transient for the run as a whole: a read planned then is exit 1, "try again" (a trial: 57P01 was exit 2)
      assertThat(state, dev.beametl.jdbc.JdbcConnections.isTransient(new SQLException("gone", state)), is(true));
    }
    DataError statement = assertThrows(DataError.class, () -> errors.apply(new SQLException("ERROR: column \"s\" is of"
        + " type jsonb but expression is of type character varying", "42804")));
    assertThat(statement.getMessage(), containsString("sink table sales refuses the job's statement: ERROR: column \"s\""
        + " is of type jsonb"));
    assertThat("a foreign key", errors.apply(new SQLException("fk", "23503")), is(false));
    assertThat("MySQL's foreign key", errors.apply(new SQLException("fk", "23000", 1452)), is(false));
    assertThat("no state at all", errors.apply(new SQLException("odd")), is(false));
  }

  @Rule public final org.junit.rules.TemporaryFolder tmp = new org.junit.rules.TemporaryFolder();

  @Test
  public void aPasswordADriverEchoesIsMaskedInTheDetailToo() throws Exception {
    String password = "Zx9-distinct-" + System.nanoTime();
    java.nio.file.Path file = tmp.newFile("password").toPath();
    java.nio.file.Files.writeString(file, password + "\n");
    JdbcSpec withPassword = JdbcSpec.builder("jdbc:postgresql://db:5432/shop").setUser("etl")
        .setPasswordFile(file.toString()).setTable("sales").build();
    SQLException echoed = batchFailing("23514", "ERROR: new row violates check constraint \"c\"\n  Detail: Failing row "
        + "contains (1, " + password + ").");
    DataError e = assertThrows(DataError.class, () -> new JdbcTable.TransientErrors(
        JdbcSinkSpec.of(withPassword, JdbcSinkSpec.Mode.UPSERT, List.of("id"), 500, false, 3)).apply(echoed));
    assertThat(e.getMessage(), allOf(containsString("Failing row contains (1, ****)"), not(containsString(password))));
  }
}
