package dev.beametl.load;

import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.record.DataError;
import dev.beametl.record.OutputColumns;
import dev.beametl.record.RowJson;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.JdbcSinkSpec;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * The SQL of a table sink, per database: PostgreSQL {@code INSERT ... ON CONFLICT}, MariaDB/MySQL
 * {@code ON DUPLICATE KEY UPDATE}, H2 {@code MERGE}; the table's DDL from the output columns; the
 * staging table an overwrite writes first; and which errors are worth a retry. Names come from a
 * validated spec (plain identifiers only) and are quoted as {@link SqlNames} says.
 */
public final class JdbcTable {
  private JdbcTable() {}

  enum Dialect { POSTGRESQL, MYSQL, H2, OTHER }

  static Dialect dialect(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return Dialect.POSTGRESQL;
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return Dialect.MYSQL;
    }
    return u.startsWith("jdbc:h2:") ? Dialect.H2 : Dialect.OTHER;
  }

  /** The column of a staging table that says which bundle of which task attempt wrote the row. */
  static final String BUNDLE = "beametl_bundle";

  /**
   * What the commit's transaction adds to the run's committed-bundles table beside its rows (bundles
   * are UUIDs, so no bundle is this): whoever finds it knows the run's rows are in the table.
   */
  public static final String ROWS_COMMITTED = "beam-etl: rows committed";

  /**
   * Whether the run's rows go to a staging table first: overwrite and append do, so a retried task
   * can be told from the attempt that failed and a run over its bad-record limit leaves the table as
   * it was. Upsert writes the table itself: writing a key twice leaves one row.
   */
  static boolean staged(JdbcSinkSpec sink) {
    return sink.mode() != JdbcSinkSpec.Mode.UPSERT;
  }

  /** The run's staging table, beside the target: the rows with the bundle that wrote each. */
  static String staging(JdbcSinkSpec sink, String run) {
    String table = sink.connection().table();
    String name = table + "_beametl_" + run;
    return name.length() <= 56 ? name : qualifier(table) + "beametl_" + run;
  }

  /** The bundles whose writes count: those of the task attempts whose output the runner kept. */
  static String committedBundles(JdbcSinkSpec sink, String run) {
    return staging(sink, run) + "_ok";
  }

  private static String qualifier(String table) {
    int dot = table.indexOf('.');
    return dot < 0 ? "" : table.substring(0, dot + 1);
  }

  /** The table the pipeline writes: the target for an upsert, else the run's staging table. */
  static String writtenTable(JdbcSinkSpec sink, String run) {
    return staged(sink) ? staging(sink, run) : sink.connection().table();
  }

  /** Names as this sink's database takes them in SQL ({@link SqlNames}). */
  static SqlNames names(JdbcSinkSpec sink) {
    return SqlNames.of(sink.connection());
  }

  static String statement(JdbcSinkSpec sink, OutputColumns columns, String run) {
    SqlNames sql = names(sink);
    List<String> names = columns.columns().stream().map(OutputColumns.Column::name).collect(Collectors.toList());
    String cols = sql.list(names);
    String params = names.stream().map(n -> "?").collect(Collectors.joining(", "));
    if (staged(sink)) {
      return "INSERT INTO " + sql.name(staging(sink, run)) + " (" + cols + ", " + sql.name(BUNDLE) + ") VALUES (" + params
          + ", ?)";
    }
    String table = sql.name(sink.connection().table());
    List<String> others = names.stream().filter(n -> !sink.keys().contains(n)).map(sql::name)
        .collect(Collectors.toList());
    String keys = sql.list(sink.keys());
    switch (dialect(sink.connection().url())) {
      case POSTGRESQL:
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON CONFLICT (" + keys + ") "
            + (others.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + others.stream().map(n -> n + " = EXCLUDED." + n).collect(Collectors.joining(", ")));
      case MYSQL:
        String firstKey = sql.name(sink.keys().get(0));
        String update = others.isEmpty() ? firstKey + " = " + firstKey
            : others.stream().map(n -> n + " = VALUES(" + n + ")").collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + params + ") ON DUPLICATE KEY UPDATE " + update;
      default:
        return "MERGE INTO " + table + " (" + cols + ") KEY (" + keys + ") VALUES (" + params + ")";
    }
  }

  /** The statement that notes a finished bundle in the run's committed-bundles table. */
  static String noteBundle(JdbcSinkSpec sink, String run) {
    SqlNames sql = names(sink);
    return "INSERT INTO " + sql.name(committedBundles(sink, run)) + " (" + sql.name(BUNDLE) + ") VALUES (?)";
  }

  /**
   * {@code collation}: of the text columns on MariaDB and MySQL ({@link #binaryCollation}); null
   * elsewhere.
   */
  static String createTable(String table, JdbcSinkSpec sink, OutputColumns columns, @Nullable String collation) {
    return createTable(table, sink, columns, collation, "");
  }

  /**
   * As above, with {@code more} (", " and column definitions) after the output's columns. On
   * MariaDB/MySQL in InnoDB whatever the server's default engine: in MyISAM the commit mark written
   * with the rows would stay after a rolled-back commit, and the table would keep a failed commit's
   * half (TableFit refuses such a table when it exists).
   */
  private static String createTable(String table, JdbcSinkSpec sink, OutputColumns columns, @Nullable String collation,
      String more) {
    Dialect d = dialect(sink.connection().url());
    SqlNames sql = names(sink);
    int keyText = textKeyLength(columns, sink.keys());
    String body = columns.columns().stream()
        .map(c -> sql.name(c.name()) + " " + sqlType(c.type(), d, sink.keys().contains(c.name()) ? keyText : 0, collation)
            + (c.nullable() && !sink.keys().contains(c.name()) ? "" : " NOT NULL"))
        .collect(Collectors.joining(", "));
    String key = sink.keys().isEmpty() ? "" : ", PRIMARY KEY (" + sql.list(sink.keys()) + ")";
    return "CREATE TABLE " + sql.name(table) + " (" + body + key + more + ")" + engine(d);
  }

  /**
   * The collation that compares text as the job does - byte for byte - on this MariaDB or MySQL
   * server. Their default ignores case (keys abc and ABC, two groups of the run, were one row of the
   * table, the later group's values under the earlier's key), and utf8mb4_bin still pads: 'abc' and
   * 'abc ' were one key. MariaDB 10.2 and MySQL 8.0.17 have a binary collation without padding (asked
   * of the server, not guessed from its version); older servers keep utf8mb4_bin.
   */
  static String binaryCollation(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME "
            + "IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')")) {
      return rs.next() ? rs.getString(1) : "utf8mb4_bin";
    }
  }

  /**
   * The characters of each text key column on MariaDB/MySQL: InnoDB's 3,072 bytes are the whole key's
   * (a review: two VARCHAR(768) keys made a key CREATE TABLE refused), so the text columns share what
   * the others leave, at four bytes a character and two for each one's length; 768 for a key of one text.
   */
  static int textKeyLength(OutputColumns columns, List<String> keys) {
    int texts = 0;
    int otherBytes = 0;
    for (OutputColumns.Column c : columns.columns()) {
      if (!keys.contains(c.name())) {
        continue;
      }
      switch (c.type().kind()) {
        case STRING:
        case CATEGORY:
          texts++;
          break;
        case DECIMAL:
          otherBytes += 18; // DECIMAL(38,s): 4 bytes for each 9 digits of each side, at most 18
          break;
        default:
          otherBytes += 8;
      }
    }
    return texts == 0 ? 0 : Math.min(768, (3_072 - otherBytes - 2 * texts) / (4 * texts));
  }

  private static String sqlType(FieldType t, Dialect d, int keyTextLength, @Nullable String collation) {
    boolean key = keyTextLength > 0;
    switch (t.kind()) {
      case INT:
        return "INTEGER";
      case LONG:
        return "BIGINT";
      case DOUBLE:
        return d == Dialect.MYSQL ? "DOUBLE" : "DOUBLE PRECISION";
      case DECIMAL:
        return "DECIMAL(" + t.precision() + "," + t.scale() + ")";
      case BOOLEAN:
        return "BOOLEAN";
      case DATE:
        return "DATE";
      case TIMESTAMP:
        return d == Dialect.MYSQL ? "DATETIME(6)" : "TIMESTAMP WITH TIME ZONE";
      default:
        // Text as long as the schema lets it be (a trial's 5,000 characters failed the run on H2's
        // VARCHAR(4000)): H2's CHARACTER VARYING without a length holds its most, 1,000,000,000 characters;
        // MariaDB/MySQL's LONGTEXT 4 GB, but a key there is at most 3,072 bytes (see textKeyLength).
        if (d == Dialect.MYSQL) {
          return (key ? "VARCHAR(" + keyTextLength + ")" : "LONGTEXT") + " CHARACTER SET utf8mb4 COLLATE " + collation;
        }
        return d == Dialect.POSTGRESQL ? "TEXT" : d == Dialect.H2 ? "CHARACTER VARYING" : key ? "VARCHAR(255)" : "VARCHAR(4000)";
    }
  }

  /** Before the run: create the table when asked and absent; for a staged write, the run's staging tables. */
  public static void prepare(JdbcSinkSpec sink, OutputColumns columns, String run) throws SQLException {
    try (Connection c = JdbcConnections.open(sink.connection());
        Statement s = c.createStatement()) {
      String table = sink.connection().table();
      String collation = dialect(sink.connection().url()) == Dialect.MYSQL ? binaryCollation(c) : null;
      if (!exists(c, names(sink).name(table))) {
        if (!sink.createTable()) {
          throw new SQLException("table " + table + " does not exist; create it or set sink.jdbc.createTable: true",
              "42P01");
        }
        s.execute(createTable(table, sink, columns, collation));
      } else {
        // Keys matter where rows are merged by them: an upsert. A plain INSERT (overwrite, append) into a
        // looser unique index fails its statement instead.
        TableFit.check(c, dialect(sink.connection().url()), table, names(sink), columns,
            sink.mode() == JdbcSinkSpec.Mode.UPSERT ? sink.keys() : List.of());
      }
      if (staged(sink)) {
        Dialect d = dialect(sink.connection().url());
        SqlNames sql = names(sink);
        s.execute(createTable(staging(sink, run), JdbcSinkSpec.of(sink.connection(), sink.mode(), List.of(),
            sink.batchSize(), true, sink.attempts()), columns, collation,
            ", " + sql.name(BUNDLE) + " " + bundleType(d) + " NOT NULL"));
        s.execute("CREATE TABLE " + sql.name(committedBundles(sink, run)) + " (" + sql.name(BUNDLE) + " "
            + bundleType(d) + " NOT NULL)" + engine(d));
      }
    }
  }

  private static String engine(Dialect d) {
    return d == Dialect.MYSQL ? " ENGINE=InnoDB" : "";
  }

  private static String bundleType(Dialect d) {
    return d == Dialect.POSTGRESQL ? "TEXT" : "VARCHAR(64)";
  }

  /**
   * After a successful run within its bad-record limit: the rows of the bundles whose output the
   * runner kept become the table's, in one transaction - replacing its rows (overwrite) or added to
   * them (append). Rows a failed task attempt wrote before it failed are left out: a retried task
   * writes them again under bundles of its own. Returns how many rows were left out so. The same
   * transaction marks the run committed ({@link #commitOf}); the staging tables stay until
   * {@link #dropStaged}, so that mark can be read after a job that died right after its commit.
   */
  public static long commit(JdbcSinkSpec sink, OutputColumns columns, String run) throws SQLException {
    return commit(sink, columns, run, new Stop());
  }

  /**
   * How another thread stops a commit (the JVM exiting mid-commit): it sets the flag, which the
   * commit checks before each statement and before its COMMIT, and cancels the statement running.
   * The transaction is then rolled back, unless the database had committed it.
   */
  public static final class Stop {
    private final java.util.concurrent.atomic.AtomicBoolean requested = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicReference<Statement> running =
        new java.util.concurrent.atomic.AtomicReference<>();

    /** Asks the commit to stop; cancels the statement it runs, if any. */
    public void request() throws SQLException {
      requested.set(true);
      Statement s = running.get();
      if (s != null) {
        s.cancel();
      }
    }

    private void check() throws SQLException {
      if (requested.get()) {
        throw new SQLException("the commit was stopped: the run is ending", "57014");
      }
    }

    private Statement run(Statement s) throws SQLException {
      running.set(s);
      check(); // a request made before the statement was set
      return s;
    }
  }

  /** A commit whose outcome is not known: its COMMIT failed, and the table's mark could not be read. */
  public static final class CommitInDoubt extends SQLException {
    CommitInDoubt(SQLException cause) {
      super(cause.getMessage(), cause.getSQLState(), cause);
    }
  }

  /**
   * As {@link #commit(JdbcSinkSpec, OutputColumns, String)}, stopped by {@code stop} if another
   * thread asks (rolled back, unless the database had committed it). Returns when the rows are
   * committed; throws {@link CommitInDoubt} when that is not known, any other error when they are not.
   */
  public static long commit(JdbcSinkSpec sink, OutputColumns columns, String run, Stop stop) throws SQLException {
    if (!staged(sink)) {
      return 0;
    }
    SqlNames sql = names(sink);
    String kept = sql.name(BUNDLE) + " IN (SELECT " + sql.name(BUNDLE) + " FROM " + sql.name(committedBundles(sink, run))
        + ")";
    try (Connection c = JdbcConnections.open(sink.connection())) {
      long discarded;
      try (Statement s = stop.run(c.createStatement());
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + sql.name(staging(sink, run)) + " WHERE NOT (" + kept
              + ")")) {
        rs.next();
        discarded = rs.getLong(1);
      }
      c.setAutoCommit(false);
      CommitWatch watch = null;
      try (Statement s = stop.run(c.createStatement())) {
        if (sink.mode() == JdbcSinkSpec.Mode.OVERWRITE) {
          s.executeUpdate("DELETE FROM " + sql.name(sink.connection().table()));
          stop.check();
        }
        String cols = sql.list(columns.columns().stream().map(OutputColumns.Column::name).collect(Collectors.toList()));
        // Named columns: a table made by hand may order its columns differently from the result.
        s.executeUpdate("INSERT INTO " + sql.name(sink.connection().table()) + " (" + cols + ") SELECT " + cols + " FROM "
            + sql.name(staging(sink, run)) + " WHERE " + kept);
        stop.check();
        s.executeUpdate("INSERT INTO " + sql.name(committedBundles(sink, run)) + " (" + sql.name(BUNDLE) + ") VALUES ('"
            + ROWS_COMMITTED + "')");
        stop.check(); // the last moment: from the COMMIT on, a stop waits for its answer
        // The answer the watch stands in for is the commit's: a statement before it changes nothing yet.
        watch = CommitWatch.start(c, () -> commitOf(sink, run, PROBE_TIMEOUT_MILLIS) == Commit.COMMITTED);
        c.commit();
      } catch (SQLException e) {
        if (watch != null) {
          watch.close();
          if (watch.sawCommitted()) {
            return discarded; // done, its answer lost (CommitWatch); the connection is aborted
          }
        }
        try {
          c.rollback();
        } catch (SQLException rollbackFailed) { // a connection gone: the commit's own error is the one to tell
          e.addSuppressed(rollbackFailed);
        }
        if (watch != null) {
          Commit outcome = outcome(sink, run);
          if (outcome == Commit.COMMITTED) {
            // The connection broke at the COMMIT, after the database had made it durable (a trial: the
            // server crashed then; the job said "the commit failed", and a rerun appended every row again).
            org.slf4j.LoggerFactory.getLogger(JdbcTable.class).warn("The commit's connection failed ({}), but the"
                + " table holds the run's commit mark: the rows are committed", e.getMessage());
            return discarded;
          }
          if (outcome == Commit.UNKNOWN) {
            throw new CommitInDoubt(e);
          }
        }
        throw e;
      } finally {
        stop.running.set(null);
        if (watch != null) {
          watch.close();
        }
      }
      if (dialect(sink.connection().url()) == Dialect.H2) {
        syncH2(c);
      }
      return discarded;
    }
  }

  /**
   * What to tell of the staging tables that earlier runs into this table left ({@link LeftoverStaging}),
   * or null when there are none; asked while the run holds the table's lock.
   */
  public static @Nullable String leftoverStagingNotice(JdbcSinkSpec sink, String run) {
    List<String> leftovers = LeftoverStaging.of(sink, run);
    return leftovers.isEmpty() ? null : LeftoverStaging.notice(sink.connection().table(), leftovers,
        dev.beametl.jdbc.TableLock.seenByOtherProcesses(sink.connection().url()));
  }

  /** What the table says of a run that stopped before confirming its state. */
  public enum Commit { COMMITTED, NOT_COMMITTED, UNKNOWN }

  /**
   * Whether the run {@code run} committed its rows into the table: its committed-bundles table holds
   * the mark of the commit's transaction, or not; UNKNOWN when that table is gone (the job keeps it
   * until the run's state is confirmed or settled, so someone else dropped it).
   */
  public static Commit commitOf(JdbcSinkSpec sink, String run) throws SQLException {
    return commitOf(sink, run, 0);
  }

  /**
   * After a COMMIT that failed: whether the table holds the run's commit mark, asked again while the
   * database cannot be reached (a restart), for up to a minute; UNKNOWN if it never answered.
   */
  private static Commit outcome(JdbcSinkSpec sink, String run) {
    long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(outcomeWaitSeconds);
    while (true) {
      try {
        return commitOf(sink, run, PROBE_TIMEOUT_MILLIS);
      } catch (SQLException e) {
        if (System.nanoTime() > until) {
          return Commit.UNKNOWN;
        }
        try {
          Thread.sleep(2_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return Commit.UNKNOWN;
        }
      }
    }
  }

  /** How long a failed commit's outcome is asked for while the database is away. Tests shorten it. */
  static long outcomeWaitSeconds = 60;

  /** How long the commit's watch waits for the table's answer: its own connection may meet the same fault. */
  private static final int PROBE_TIMEOUT_MILLIS = 15_000;

  private static Commit commitOf(JdbcSinkSpec sink, String run, int timeoutMillis) throws SQLException {
    SqlNames sql = names(sink);
    try (Connection c = JdbcConnections.open(sink.connection())) {
      if (timeoutMillis > 0) {
        c.setNetworkTimeout(Runnable::run, timeoutMillis);
      }
      if (!exists(c, sql.name(committedBundles(sink, run)))) {
        return Commit.UNKNOWN;
      }
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + sql.name(committedBundles(sink, run)) + " WHERE "
              + sql.name(BUNDLE) + " = '" + ROWS_COMMITTED + "'")) {
        rs.next();
        return rs.getLong(1) > 0 ? Commit.COMMITTED : Commit.NOT_COMMITTED;
      }
    }
  }

  /**
   * H2 writes a commit to its file up to half a second later (WRITE_DELAY): a job killed after
   * confirming its state lost rows the state said were loaded (5 of 10 kill -9s in a trial). A
   * checkpoint writes them now; it needs admin rights, without which the delay stays (README).
   */
  private static void syncH2(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("CHECKPOINT SYNC");
    } catch (SQLException e) {
      org.slf4j.LoggerFactory.getLogger(JdbcTable.class).warn("H2: CHECKPOINT SYNC after the commit failed ({}); "
          + "the commit reaches the disk after H2's write delay", e.getMessage());
    }
  }

  /** The run's two staging tables: its rows, and the bundles (and commit mark) that count. */
  public static List<String> stagingTables(JdbcSinkSpec sink, String run) {
    return List.of(staging(sink, run), committedBundles(sink, run));
  }

  /** Drops the run's staging tables, committed or not; the table itself stays as it is. */
  public static void dropStaged(JdbcSinkSpec sink, String run) throws SQLException {
    try (Connection c = JdbcConnections.open(sink.connection());
        Statement s = c.createStatement()) {
      for (String t : stagingTables(sink, run)) {
        if (exists(c, names(sink).name(t))) {
          s.execute("DROP TABLE " + names(sink).name(t));
        }
      }
    }
  }

  /**
   * Whether {@code table} (a name as SQL takes it, {@link SqlNames}) exists, asked of the database: it
   * resolves a schema-qualified name, case and search path as it does in every other statement. (The
   * driver's metadata took "s.lines" for a table of that name, so a qualified table was created again
   * on the second run, and found tables of the same name in any schema.)
   */
  private static boolean exists(Connection c, String table) throws SQLException {
    if (dialect(c.getMetaData().getURL()) == Dialect.POSTGRESQL) {
      // The catalog's answer, without a lock on the table: a table another session holds locked would
      // make the probe below wait, and fail the run before it wrote anything.
      try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
        ps.setString(1, table);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return rs.getBoolean(1);
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT 1 FROM " + table + " WHERE 1 = 0").close();
      return true;
    } catch (SQLException e) {
      String state = String.valueOf(e.getSQLState());
      if (NO_SUCH_TABLE.contains(state)) {
        return false;
      }
      if (state.equals("42501") || e.getErrorCode() == 1142) {
        return true; // not allowed to read it (a loader that may only insert): it is there
      }
      throw e;
    }
  }

  /** "No such table": PostgreSQL 42P01, MariaDB/MySQL and H2 42S02 (H2 also 42S03, 42S04). */
  private static final java.util.Set<String> NO_SUCH_TABLE = java.util.Set.of("42P01", "42S02", "42S03", "42S04");

  /** Binds a staged row and the bundle that wrote it: the row's columns in order, then the bundle. */
  static final class StagedBinder implements JdbcIO.PreparedStatementSetter<KV<String, Row>> {
    private final JdbcSinkSpec sink;
    private final Dialect dialect;
    private final ColumnBounds bounds;

    StagedBinder(JdbcSinkSpec sink) {
      this.sink = sink;
      this.dialect = dialect(sink.connection().url());
      this.bounds = new ColumnBounds(sink);
    }

    @Override
    public void setParameters(KV<String, Row> staged, PreparedStatement ps) throws SQLException {
      // The target table's bounds: the staging table's columns hold any value, the copy into it would fail or cut
      Binder.bind(sink, staged.getValue(), ps, dialect, bounds.of(staged.getValue()));
      ps.setString(staged.getValue().getFieldCount() + 1, staged.getKey());
    }
  }

  /**
   * The sink table's bounds ({@link TableFit#bounds}), read once per binder on a connection of its
   * own: inside the write's transaction a failed catalog read would abort it on PostgreSQL, and
   * MariaDB would hold a lock on the table until its commit.
   */
  static final class ColumnBounds implements java.io.Serializable {
    private final JdbcSinkSpec sink;
    private transient TableFit.Bounds bounds;

    ColumnBounds(JdbcSinkSpec sink) {
      this.sink = sink;
    }

    TableFit.Bounds of(Row row) throws SQLException {
      if (bounds == null) {
        try (Connection c = JdbcConnections.open(sink.connection())) {
          bounds = TableFit.bounds(c, dialect(sink.connection().url()), sink.connection().table(), names(sink),
              row.getSchema().getFieldNames());
        }
      }
      return bounds;
    }
  }

  /** Binds a result row to the statement's parameters, in column order. */
  static final class Binder implements JdbcIO.PreparedStatementSetter<Row> {
    /** The upsert's key columns, by position in the row; a NULL in one fails the write. */
    private final int[] keys;
    private final List<String> keyNames;
    private final JdbcSinkSpec sink;
    private final Dialect dialect;
    private final ColumnBounds bounds;

    Binder(JdbcSinkSpec sink, List<String> keyNames, OutputColumns columns) {
      this.sink = sink;
      this.dialect = dialect(sink.connection().url());
      this.bounds = new ColumnBounds(sink);
      this.keyNames = List.copyOf(keyNames);
      this.keys = columns.positionsOf(keyNames);
    }

    @Override
    public void setParameters(Row row, PreparedStatement ps) throws SQLException {
      for (int k = 0; k < keys.length; k++) {
        if (keys[k] >= 0 && row.getValue(keys[k]) == null) {
          // NULL equals nothing in SQL: the row would be added again by every run, never replaced. The
          // spec refuses nullable schema fields as keys; a derived or looked-up key is checked here.
          throw new DataError("sink.jdbc.keys: " + keyNames.get(k) + " is NULL in a row to upsert, and "
              + "an upsert never matches a NULL key (each run would add the row again); filter such rows out or key "
              + "by coalesce(" + keyNames.get(k) + ", ...). Rows before it were upserted; a rerun is safe");
        }
      }
      bind(sink, row, ps, dialect, bounds.of(row));
    }

    /**
     * {@link #bind}, a value the table's column cannot hold failing the job at once: JdbcIO wraps what
     * a statement setter throws in a RuntimeException, out of its retry strategy's reach, and Flink
     * restarted the job five times, the source read again each time, to meet the same value (a trial:
     * 30 s instead of 3).
     */
    static void bind(JdbcSinkSpec sink, Row row, PreparedStatement ps, Dialect dialect, TableFit.Bounds bounds)
        throws SQLException {
      try {
        bind(row, ps, dialect, bounds);
      } catch (SQLException e) {
        if (JdbcConnections.isTheData(e)) {
          throw TransientErrors.refusedRow(sink, e);
        }
        throw e;
      }
    }

    /**
     * A text longer than its column's width fails the write, as the database fails it - also where
     * the excess is only spaces, which PostgreSQL and MariaDB/MySQL cut without an error.
     */
    private static void checkWidth(Row row, int i, String v, int width) throws SQLException {
      int characters = v.codePointCount(0, v.length());
      if (characters > width) {
        throw new SQLException("column " + row.getSchema().getField(i).getName() + ": a value of " + characters
            + " characters, more than the " + width + " the table's column holds"
            + (v.substring(v.offsetByCodePoints(0, width)).chars().allMatch(c -> c == ' ')
                ? " (the database would drop its trailing spaces without an error)" : "")
            + ", in the row " + abbreviated(row)
            + "; widen the column, or bound the field's length in the schema (maxLength:)", "22001");
      }
    }

    /** The row's values as JSON, cut after 300 characters: enough to find it, not a page of text. */
    private static String abbreviated(Row row) {
      String json = RowJson.values(row);
      return json.length() <= 300 ? json : json.substring(0, 300) + "...}";
    }

    /** From here on, in every time zone, a Timestamp's wall-clock time is Gregorian (the reform was 1582-10-15). */
    private static final Instant GREGORIAN_EVERYWHERE = Instant.parse("1582-10-17T00:00:00Z");

    /**
     * Whether timestamps are bound as OffsetDateTime (JDBC 4.2) rather than java.sql.Timestamp, which is
     * Julian before 1582-10-15: PostgreSQL stored 0001-01-01T00:00Z as 0001-01-03. The same instant
     * and, in a column without time zone, the same wall-clock time as before for later years
     * (checked on PostgreSQL and H2); MariaDB/MySQL and unknown drivers keep the Timestamp after the
     * reform (a connection's own time-zone setting applies to it) and get the JVM zone's wall-clock
     * time before it (checked on MariaDB 10.11: the same as the Timestamp's from 1900 to 9999; with a
     * time zone set on the connection, those early values stay in the JVM's).
     */
    static boolean instantsWithOffset(Dialect d) {
      return d == Dialect.POSTGRESQL || d == Dialect.H2;
    }

    /**
     * PostgreSQL's earliest date, 4713 BC (ISO year -4712): its driver sends anything before it as
     * -infinity, without an error (a hostile trial: -4713-12-31 and -10000-06-01 stored as -infinity,
     * exit 0). Such a value fails the write instead, as one past the latest date fails in the database.
     */
    private static final LocalDate POSTGRES_FIRST_DATE = LocalDate.of(-4712, 1, 1);
    private static final Instant POSTGRES_FIRST_INSTANT = Instant.parse("-4712-01-01T00:00:00Z");

    static void bind(Row row, PreparedStatement ps, Dialect dialect, TableFit.Bounds bounds) throws SQLException {
      boolean offsets = instantsWithOffset(dialect);
      int[] widths = bounds.widths;
      for (int i = 0; i < row.getFieldCount(); i++) {
        Object v = BeamTypes.plainValue(row, i);
        if (v instanceof String && i < widths.length && widths[i] > 0 && ((String) v).length() > widths[i]) {
          checkWidth(row, i, (String) v, widths[i]);
        }
        String misfit = v == null ? null : bounds.misfit(i, v);
        if (misfit != null) {
          throw new SQLException("column " + row.getSchema().getField(i).getName() + ": " + misfit + ", in the row "
              + abbreviated(row) + "; widen the column, or bound the field in the schema (min:, max:)", "22003");
        }
        if (dialect == Dialect.POSTGRESQL && (v instanceof LocalDate && ((LocalDate) v).isBefore(POSTGRES_FIRST_DATE)
            || v instanceof Instant && ((Instant) v).isBefore(POSTGRES_FIRST_INSTANT))) {
          throw new SQLException("column " + row.getSchema().getField(i).getName() + ": " + v + " is before 4713 BC, the "
              + "earliest date PostgreSQL holds (its driver would write -infinity); filter such rows out, or check the "
              + "field's range in the schema (min:)", "22008");
        }
        if (v == null) {
          ps.setNull(i + 1, Types.NULL);
        } else if (v instanceof BigDecimal) {
          ps.setBigDecimal(i + 1, (BigDecimal) v);
        } else if (v instanceof LocalDate) {
          ps.setObject(i + 1, v); // not java.sql.Date: it is Julian before 1582-10-15
        } else if (v instanceof Instant && offsets) {
          ps.setObject(i + 1, ((Instant) v).atOffset(java.time.ZoneOffset.UTC));
        } else if (v instanceof Instant && ((Instant) v).isBefore(GREGORIAN_EVERYWHERE)) {
          // java.sql.Timestamp is Julian here (MariaDB stored 0001-01-01T00:00Z as 0001-01-03): the same
          // wall-clock time in the JVM's zone as the Timestamp would give later, in the calendar java.time uses
          ps.setObject(i + 1, java.time.LocalDateTime.ofInstant((Instant) v, java.time.ZoneId.systemDefault()));
        } else if (v instanceof Instant) {
          ps.setTimestamp(i + 1, java.sql.Timestamp.from((Instant) v));
        } else {
          ps.setObject(i + 1, v);
        }
      }
    }
  }

  /**
   * Retries, on the same connection, what passes there: serialization failures (40001), deadlocks
   * (40P01, MySQL 1213), lock timeouts (55P03, HYT00, MySQL 1205). A connection lost (class 08) or a
   * server shutting down (57P01) is not retried here: JdbcIO retries on the connection it holds, which
   * is gone, so its "retry" failed at once (a trial); the task fails and the runner restarts it, on
   * new connections, backing off. A row the table refuses (SQL state class 22 or 23, see
   * {@link JdbcConnections#isTheData}) fails the job at once as a {@link DataError} naming the table and
   * the database's reason: the runner restarted the job until its attempts ran out to meet it again (a
   * trial: 41 s, its progress counting the re-reads).
   */
  static final class TransientErrors implements JdbcIO.RetryStrategy {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TransientErrors.class);
    /** Retries decided in this JVM; what an operator sees in the log, and what tests check. */
    static final java.util.concurrent.atomic.AtomicLong RETRIED = new java.util.concurrent.atomic.AtomicLong();
    private final JdbcSinkSpec sink;

    TransientErrors(JdbcSinkSpec sink) {
      this.sink = sink;
    }

    @Override
    public boolean apply(SQLException e) {
      if (JdbcConnections.isTheData(e)) {
        throw refusedRow(sink, e);
      }
      if (JdbcConnections.isTheStatement(e)) {
        // A column the check could not judge (an extension's type: a string into jsonb) refuses the job's
        // statement itself: restarted six times over 28 s to fail the same way (a trial)
        throw refused(sink, "the job's statement", "every row meets it", "fix the table's column types", e);
      }
      if (!JdbcConnections.isTransient(e) || JdbcConnections.isConnectionLost(e)) {
        return false;
      }
      RETRIED.incrementAndGet();
      LOG.warn("Transient database error, retrying the batch: {}", JdbcConnections.describe(e, sink.connection()));
      return true;
    }

    /** The job fails at once on a row the table refuses, or the job's own check of its columns does. */
    static DataError refusedRow(JdbcSinkSpec sink, SQLException e) {
      return refused(sink, "a row", "the same rows meet the same refusal", "the batches the job's tasks wrote before "
          + "it stopped are upserted, and a rerun after the fix is safe", e);
    }

    /** The job fails at once on {@code what} the table refused, saying why it is not retried and what was left. */
    private static DataError refused(JdbcSinkSpec sink, String what, String why, String ifUpserted, SQLException e) {
      return new DataError("sink table " + sink.connection().table() + " refuses " + what + ": "
          + JdbcConnections.describeWithDetail(e, sink.connection()) + ". Not retried: " + why + "; "
          + (staged(sink) ? "nothing was committed, the table is as it was" : ifUpserted), e);
    }
  }
}
