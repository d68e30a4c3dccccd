package dev.beametl.cli;

import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.load.JdbcTable;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.sql.SQLException;
import javax.annotation.Nullable;

/**
 * The client's side of a JDBC sink: the table prepared before the run, and (overwrite, append) the
 * staged rows committed after it in one transaction - only when the run succeeded within its
 * bad-record limit. A mistake in the sink's settings is a {@link SpecException} (exit 2); a database
 * that cannot be reached is a {@link Unavailable} (exit 1: the same run may work later).
 */
final class TableSink implements AutoCloseable {
  private final @Nullable JdbcSinkSpec sink;
  private final OutputColumns columns;

  private TableSink(@Nullable JdbcSinkSpec sink, OutputColumns columns) {
    this.sink = sink;
    this.columns = columns;
  }

  /** The database could not be reached or was busy: worth running again as it is. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  /** Prepares the spec's table, if it has one; nothing is written to it yet. */
  static TableSink prepare(PipelineSpec spec) throws Unavailable {
    TableSink t = new TableSink(spec.sink().jdbc(), OutputColumns.of(spec));
    if (t.sink != null) {
      try {
        JdbcTable.prepare(t.sink, t.columns);
      } catch (SQLException e) {
        throw classify(e, t.sink);
      }
    }
    return t;
  }

  /** After a successful run: what was staged becomes the table's. */
  void commit() throws SQLException {
    if (sink != null) {
      JdbcTable.commit(sink, columns);
    }
  }

  @Override
  public void close() {}

  private static Unavailable classify(SQLException e, JdbcSinkSpec sink) {
    String message = "sink.jdbc: " + JdbcConnections.describe(e, sink.connection());
    if (JdbcConnections.isTransient(e)) {
      return new Unavailable(message);
    }
    throw new SpecException(message);
  }
}
