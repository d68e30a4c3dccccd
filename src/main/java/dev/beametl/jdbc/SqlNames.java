package dev.beametl.jdbc;

import dev.beametl.spec.JdbcSpec;
import dev.beametl.spec.JdbcUrls;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A spec's table and column names as the SQL beam-etl writes them: quoted, so that a name the
 * database reserves works (H2's {@code month} and {@code value}, PostgreSQL's {@code order} and
 * {@code user}), and folded first as the database stores the same name unquoted, so that a quoted
 * name still finds the tables and columns that earlier runs and people created without quotes.
 *
 * <p>The database says how it folds ({@link DatabaseMetaData#storesUpperCaseIdentifiers()} and its
 * siblings) and how it quotes: its URL alone cannot say it. H2 takes its settings in several
 * spellings ({@code DATABASE_TO_LOWER=yes}, {@code =1}) and ignores them for a database already
 * open. A name folded otherwise than the database folds it would find no table, and a run would
 * create a second one beside the first. MariaDB and MySQL keep names as written: their servers fold
 * table names themselves where {@code lower_case_table_names} says so, and compare column names
 * without case. Names are validated plain identifiers ({@code SpecNode#sqlName}), so they hold no
 * quote to escape.
 *
 * <p>One answer per database and run ({@link #startRun}), whoever asks first, so that every statement
 * of a run names the same tables: a database that cannot be asked (not reached, or its driver does not
 * say) is guessed from its URL, with a warning, for the whole run.
 */
public final class SqlNames implements Serializable {
  private static final Logger LOG = LoggerFactory.getLogger(SqlNames.class);
  private static final Map<String, SqlNames> KNOWN = new ConcurrentHashMap<>();
  private static volatile boolean askDatabases = true;

  /** How the database stores a name written without quotes. */
  enum Folding { UPPER, LOWER, AS_WRITTEN }

  private final String quote;
  private final Folding folding;

  SqlNames(String quote, Folding folding) {
    this.quote = quote;
    this.folding = folding;
  }

  /**
   * Forgets what databases said in an earlier run (a warm runner's JVM runs many, and a database may
   * have changed). {@code askDatabases} false (a dry run) guesses from URLs, except for a database a
   * check connects to anyway ({@link #of(JdbcSpec, Connection)}): a dry run creates no database.
   */
  public static void startRun(boolean askDatabases) {
    KNOWN.clear();
    SqlNames.askDatabases = askDatabases;
  }

  /** The names of {@code spec}'s database: asked on a connection of its own the first time in a run. */
  public static SqlNames of(JdbcSpec spec) {
    SqlNames known = KNOWN.get(key(spec));
    if (known != null) {
      return known;
    }
    if (!askDatabases) {
      return remember(spec, guess(spec.url()));
    }
    try (Connection c = JdbcConnections.open(spec)) {
      return of(spec, c);
    } catch (SQLException e) {
      return guessed(spec, JdbcConnections.describe(e, spec));
    } catch (IllegalStateException e) { // no password
      return guessed(spec, e.getMessage());
    }
  }

  /** As {@link #of(JdbcSpec)}, asked on a connection to it the caller has open. */
  public static SqlNames of(JdbcSpec spec, Connection connection) {
    SqlNames known = KNOWN.get(key(spec));
    if (known != null) {
      return known;
    }
    try {
      return remember(spec, of(connection.getMetaData()));
    } catch (SQLException e) {
      return guessed(spec, JdbcConnections.describe(e, spec));
    }
  }

  private static SqlNames guessed(JdbcSpec spec, String why) {
    LOG.warn("Could not ask the database {} how it folds names ({}); they are folded as is usual for its "
        + "kind", JdbcUrls.scrub(spec.url()), why);
    return remember(spec, guess(spec.url()));
  }

  private static SqlNames remember(JdbcSpec spec, SqlNames names) {
    SqlNames first = KNOWN.putIfAbsent(key(spec), names);
    return first != null ? first : names;
  }

  private static String key(JdbcSpec spec) {
    return spec.url() + "\u0000" + spec.user();
  }

  /** The names a database's metadata describes. */
  static SqlNames of(DatabaseMetaData meta) throws SQLException {
    String product = String.valueOf(meta.getDatabaseProductName()).toLowerCase(Locale.ROOT);
    if (product.contains("mysql") || product.contains("mariadb")) {
      return new SqlNames("`", Folding.AS_WRITTEN);
    }
    String quote = meta.getIdentifierQuoteString();
    quote = quote == null ? "" : quote.trim(); // " " means the database quotes no names
    Folding folding = meta.storesUpperCaseIdentifiers() ? Folding.UPPER
        : meta.storesLowerCaseIdentifiers() ? Folding.LOWER : Folding.AS_WRITTEN;
    return new SqlNames(quote, folding);
  }

  /** The names of the usual database behind {@code url}, for when it cannot be asked. */
  static SqlNames guess(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return new SqlNames("\"", Folding.LOWER);
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return new SqlNames("`", Folding.AS_WRITTEN);
    }
    if (u.startsWith("jdbc:h2:")) {
      return new SqlNames("\"", Folding.UPPER);
    }
    return new SqlNames("", Folding.AS_WRITTEN);
  }

  /** {@code spec}'s table, its name quoted, or its query, as a relation a SELECT can read from. */
  public static String relation(JdbcSpec spec) {
    // A line break before the parenthesis closes it after a query's last line comment (-- ...), and a
    // query's final semicolon, as a SQL client takes it, is no part of a subquery: both failed as syntax.
    String base = spec.table() != null ? of(spec).name(spec.table())
        : "(" + spec.query().replaceAll("[\\s;]+$", "") + "\n) q";
    return spec.where() == null ? base : "(SELECT * FROM " + base + " WHERE " + spec.where() + ") w";
  }

  /** A table or column name, each part of a schema-qualified one quoted on its own. */
  public String name(String name) {
    if (quote.isEmpty()) {
      return name;
    }
    StringBuilder sql = new StringBuilder(name.length() + 4);
    for (String part : name.split("\\.", -1)) {
      if (sql.length() > 0) {
        sql.append('.');
      }
      sql.append(quote).append(fold(part)).append(quote);
    }
    return sql.toString();
  }

  /** A name as the database stores it written without quotes (one part), unquoted. */
  public String folded(String name) {
    return fold(name);
  }

  /** Names for a column list: {@code "a", "b"}. */
  public String list(List<String> names) {
    return names.stream().map(this::name).collect(Collectors.joining(", "));
  }

  private String fold(String part) {
    switch (folding) {
      case UPPER:
        return part.toUpperCase(Locale.ROOT);
      case LOWER:
        return part.toLowerCase(Locale.ROOT);
      default:
        return part;
    }
  }
}
