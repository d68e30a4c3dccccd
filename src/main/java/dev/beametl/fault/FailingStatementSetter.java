package dev.beametl.fault;

import java.io.IOException;
import java.sql.PreparedStatement;
import org.apache.beam.sdk.io.jdbc.JdbcIO;

/**
 * Testing only: binds rows as the wrapped setter does, and fails once while binding the N-th row of
 * a task, so the batches the task committed before it are written again by the retried attempt.
 */
final class FailingStatementSetter<T> implements JdbcIO.PreparedStatementSetter<T> {
  private final JdbcIO.PreparedStatementSetter<T> setter;
  private final long afterRows;
  private final String marker;
  private transient long rows;

  FailingStatementSetter(JdbcIO.PreparedStatementSetter<T> setter, long afterRows, String marker) {
    this.setter = setter;
    this.afterRows = afterRows;
    this.marker = marker;
  }

  @Override
  public void setParameters(T element, PreparedStatement statement) throws Exception {
    if (++rows == afterRows) {
      try {
        FailOnce.failOnce(marker, "injected failure in the JDBC sink at row " + afterRows
            + " (--fault jdbcSink.failOnce)");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    setter.setParameters(element, statement);
  }
}
