package dev.beametl.jdbc;

import dev.beametl.spec.JdbcSpec;
import dev.beametl.spec.JdbcUrls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.commons.dbcp2.BasicDataSource;

/**
 * Opens database connections for a {@link JdbcSpec}. What travels in the job graph is the spec -
 * URL, user and where the password is - never the password: it is read from its environment
 * variable or file on the worker, when the pool is first made. One pool per worker JVM and database.
 */
public final class JdbcConnections implements SerializableFunction<Void, DataSource> {
  private static final Map<String, BasicDataSource> POOLS = new ConcurrentHashMap<>();
  /** The named in-memory H2 databases this JVM's runs opened, for {@link #closeAll} to drop. */
  private static final java.util.Set<JdbcSpec> IN_MEMORY = ConcurrentHashMap.newKeySet();
  private final JdbcSpec spec;

  private JdbcConnections(JdbcSpec spec) {
    this.spec = spec;
  }

  public static JdbcConnections to(JdbcSpec spec) {
    return new JdbcConnections(spec);
  }

  @Override
  public DataSource apply(Void ignored) {
    remember(spec);
    return POOLS.computeIfAbsent(spec.url() + "\u0000" + spec.user(), k -> {
      BasicDataSource ds = new BasicDataSource();
      ds.setUrl(JdbcUrls.forDriver(spec.url()));
      if (spec.user() != null) {
        ds.setUsername(spec.user());
      }
      String password = password(spec);
      if (password != null) {
        ds.setPassword(password);
      }
      utcDriver(spec.url()).forEach(ds::addConnectionProperty);
      ds.setMaxTotal(8);
      String utc = utcSession(spec.url());
      if (utc != null) {
        ds.setConnectionInitSqls(java.util.List.of(utc));
      }
      return ds;
    });
  }

  private static void remember(JdbcSpec spec) {
    if (IN_MEMORY_NAMED.matcher(spec.url()).lookingAt()) {
      IN_MEMORY.add(spec);
    }
  }

  private static final java.util.regex.Pattern IN_MEMORY_NAMED =
      java.util.regex.Pattern.compile("jdbc:h2:mem:[^;]+"); // as H2's driver takes its URLs

  /**
   * Closes every pool this JVM made, at the end of a run: the warm runner's JVM outlives its runs,
   * and a pool kept an embedded database open between them, and read its password file once. With
   * {@code dropInMemory} (the warm runner) also the named in-memory H2 databases the run opened, as
   * a JVM's exit does: one kept alive by {@code DB_CLOSE_DELAY=-1} (the JDBC sample's) gave the next
   * run the table its seed script had made before, not the data as it is now, exit 0.
   */
  public static void closeAll(boolean dropInMemory) {
    SharedSnapshot.releaseAll();
    for (String key : List.copyOf(POOLS.keySet())) {
      BasicDataSource pool = POOLS.remove(key);
      try {
        if (pool != null) {
          pool.close();
        }
      } catch (SQLException e) {
        // its connections are gone with it either way; the next run makes a new pool
      }
    }
    if (dropInMemory) {
      for (JdbcSpec spec : List.copyOf(IN_MEMORY)) {
        IN_MEMORY.remove(spec);
        java.util.regex.Matcher name = IN_MEMORY_NAMED.matcher(spec.url());
        if (name.lookingAt()) {
          dropInMemory(spec, name.group());
        }
      }
    }
  }

  /** Shuts down the in-memory database {@code base} names, if it is still there (no INIT script runs again). */
  private static void dropInMemory(JdbcSpec spec, String base) {
    java.util.Properties props = new java.util.Properties();
    if (spec.user() != null) {
      props.setProperty("user", spec.user());
    }
    try {
      String password = password(spec);
      if (password != null) {
        props.setProperty("password", password);
      }
      try (Connection c = java.sql.DriverManager.getConnection(base + ";IFEXISTS=TRUE", props);
          java.sql.Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
    } catch (SQLException | RuntimeException e) {
      // gone already (closed with its last connection), or never made
    }
  }

  /** A connection outside a pipeline, for the checks and planning done before a run. */
  public static Connection open(JdbcSpec spec) throws SQLException {
    remember(spec);
    java.util.Properties props = new java.util.Properties();
    if (spec.user() != null) {
      props.setProperty("user", spec.user());
    }
    String password = password(spec);
    if (password != null) {
      props.setProperty("password", password);
    }
    utcDriver(spec.url()).forEach(props::setProperty);
    String url = JdbcUrls.forDriver(spec.url());
    try {
      java.sql.DriverManager.getDriver(url);
    } catch (SQLException none) {
      // DriverManager says "No suitable driver found for <the whole URL>" (a secret in it included),
      // in SQL state 08001, which reads as a server that may answer later: no driver ever will.
      throw new SQLException("no JDBC driver here takes " + JdbcUrls.scheme(url) + " URLs (bundled: jdbc:postgresql:, "
          + "jdbc:mariadb: and jdbc:mysql:, jdbc:h2:); check the url");
    }
    Connection c = java.sql.DriverManager.getConnection(url, props);
    String utc = utcSession(spec.url());
    if (utc != null) {
      try (java.sql.Statement s = c.createStatement()) {
        s.execute(utc);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    }
    return c;
  }

  /**
   * The statement that puts a session in UTC, on PostgreSQL and H2; null elsewhere. Their drivers start
   * a session in the JVM's zone, in which they turn an instant into a column without time zone: with
   * TZ=America/New_York, 2024-01-01T00:00Z was stored as 2023-12-31 19:00, and the instants 05:30Z and
   * 06:30Z of a night the clocks go back both as 01:30. In UTC such a column holds the instant's UTC
   * wall-clock time, as the job reads it back (a timestamp without zone is placed in UTC unless the
   * field says otherwise), whatever the machine.
   */
  static String utcSession(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    return u.startsWith("jdbc:postgresql:") || u.startsWith("jdbc:h2:") ? "SET TIME ZONE 'UTC'" : null;
  }

  /**
   * MariaDB's and MySQL's driver options that put it and its session in UTC, as the statement above
   * does for PostgreSQL and H2, unless the URL chooses a zone. A TIMESTAMP column holds an instant
   * that the server gives in the session's zone: with a server in +02:00, a trial read every
   * TIMESTAMP two hours late, exit 0.
   */
  static Map<String, String> utcDriver(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    if (!JdbcUrls.isMariaDb(url) || u.contains("timezone=") || u.contains("connectiontimezone")) {
      return Map.of();
    }
    return Map.of("connectionTimeZone", "UTC", "forceConnectionTimeZoneToSession", "true");
  }

  /** The password passwordEnv or passwordFile gives, or null; IllegalStateException naming the key when it cannot be had. */
  public static String password(JdbcSpec spec) {
    if (spec.passwordEnv() != null) {
      String value = System.getenv(spec.passwordEnv());
      if (value == null) {
        // The warm runner has the environment it was started with, not the caller's (the property is
        // WarmRunnerMain.WARM_RUNNER: the command line is no package this one may import).
        throw new IllegalStateException("environment variable " + spec.passwordEnv() + " (jdbc.passwordEnv) is not set"
            + (Boolean.getBoolean("beametl.warmRunner") ? " in the warm runner, which has the environment it was "
                + "started with: start it again where the variable is set (bin/beam-etl daemon start), or run "
                + "with BEAM_ETL_WARM=0" : ""));
      }
      return value;
    }
    if (spec.passwordFile() != null) {
      try {
        return Files.readAllLines(Path.of(spec.passwordFile()), StandardCharsets.UTF_8).stream()
            .findFirst().orElse("");
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the password file " + spec.passwordFile()
            + " (jdbc.passwordFile)");
      }
    }
    return null;
  }

  /**
   * Whether an error is one a later attempt may not meet: a connection lost or refused (SQL state
   * class 08), a serialization failure or deadlock, a lock timeout, a server shutting down.
   */
  public static boolean isTransient(SQLException e) {
    // 08004, the server refusing the connection, is what PostgreSQL's driver says for a password
    // the server wants and the spec does not give: the set-up's error, not worth the same run again
    // (a trial). H2's 90020, its file held by another process, passes as the lock file's 08000 does.
    return anyInChain(e, (state, code) -> state.startsWith("08") && !state.equals("08004") || state.equals("40001")
        || state.equals("40P01") || state.equals("55P03") || state.startsWith("57P0") || state.equals("HYT00")
        || code == 1205 || code == 1213 || state.equals("90020") && code == 90020);
  }

  /** Whether the error or one chained to it ({@code getNextException}: a batch's) has the SQL state and code asked for. */
  private static boolean anyInChain(SQLException e, java.util.function.BiPredicate<String, Integer> stateAndCode) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (stateAndCode.test(x.getSQLState() == null ? "" : x.getSQLState(), x.getErrorCode())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the rows themselves caused an error, which every attempt meets again: SQL state class 22
   * (a data exception: a value too long, out of range, not a valid date) or 23 (an integrity
   * constraint: NOT NULL, a unique key, a CHECK) - but a foreign key (23503; MySQL's error 1452): the
   * row it names may be on its way, committed by another load, so a later attempt may pass.
   */
  public static boolean isTheData(SQLException e) {
    return anyInChain(e, (state, code) -> (state.startsWith("22") || state.startsWith("23")) && !state.equals("23503")
        && code != 1452);
  }

  /**
   * Whether the statement itself is refused, as it would be on every attempt: SQL state class 42 (a
   * column's type that does not take the value's, a missing column, no right to insert).
   */
  public static boolean isTheStatement(SQLException e) {
    return anyInChain(e, (state, code) -> state.startsWith("42"));
  }

  /**
   * Whether the connection is gone: SQL state class 08, or a server shutting down, crashed or not
   * taking connections yet (57P01, 57P02, 57P03; a trial restarted PostgreSQL).
   */
  public static boolean isConnectionLost(SQLException e) {
    return anyInChain(e, (state, code) -> state.startsWith("08") || state.startsWith("57P0"));
  }

  /** The database could not be reached or was going away while the run was planned: worth running again (exit 1). */
  public static final class Unreachable extends RuntimeException {
    public Unreachable(String message) {
      super(message);
    }
  }

  /**
   * As {@link #describe}, with the database's detail line where it gives one (PostgreSQL's "Detail:
   * Key (id)=(5) already exists."), and for a batch the error of the statement that failed, not the
   * batch's (whose message repeats the statement).
   */
  public static String describeWithDetail(SQLException e, JdbcSpec spec) {
    SQLException cause = e instanceof java.sql.BatchUpdateException && e.getNextException() != null
        ? e.getNextException() : e;
    String detail = String.valueOf(cause.getMessage()).lines().map(String::strip)
        .filter(l -> l.startsWith("Detail:")).map(l -> l.replaceFirst("\\.$", "")).findFirst().orElse(null);
    String described = describe(cause, spec);
    return detail == null ? described : described + "; " + describe(new SQLException(detail), spec);
  }

  /** A database error as one line, with the password, should a driver echo it, masked. */
  public static String describe(SQLException e, JdbcSpec spec) {
    // H2 puts the statement on the lines after "SQL statement:", which alone says nothing
    String message = String.valueOf(e.getMessage()).split("\n")[0].replaceFirst(";? *SQL statement: *$", "");
    try {
      String password = password(spec);
      if (password != null && !password.isEmpty()) {
        message = message.replace(password, "****");
      }
    } catch (IllegalStateException ignored) {
      // no password to mask
    }
    String state = e.getSQLState() == null ? "" : " (SQL state " + e.getSQLState() + ")";
    return JdbcUrls.scrub(message + state);
  }
}
