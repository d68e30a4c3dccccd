package dev.beametl.jdbc;

import dev.beametl.spec.JdbcSpec;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A spec's table and column names as the SQL beam-etl writes them: quoted, so that a name the
 * database reserves works (H2's {@code month} and {@code value}, PostgreSQL's {@code order} and
 * {@code user}), and folded first as the database stores the same name unquoted, so that a quoted
 * name still finds the tables and columns that earlier runs and people created without quotes.
 *
 * <p>The database says how it folds ({@link DatabaseMetaData#storesUpperCaseIdentifiers()} and its
 * siblings) and how it quotes, once per database until {@link #forgetAsked}: its URL alone cannot say it. H2 takes its
 * settings in several spellings ({@code DATABASE_TO_LOWER=yes}, {@code =1}) and ignores them for a
 * database already open, and MariaDB's table names follow the server's {@code lower_case_table_names}.
 * A name folded otherwise than the database folds it would find no table, and a run would create a
 * second one beside the first. Names are validated plain identifiers ({@code SpecNode#sqlName}), so
 * they hold no quote to escape.
 */
public final class SqlNames implements Serializable {
  private static final Map<String, SqlNames> ASKED = new ConcurrentHashMap<>();

  /** How the database stores a name written without quotes. */
  enum Folding { UPPER, LOWER, AS_WRITTEN }

  private final String quote;
  private final Folding folding;

  SqlNames(String quote, Folding folding) {
    this.quote = quote;
    this.folding = folding;
  }

  /**
   * The names of {@code spec}'s database, asked of it on a connection of its own the first time. A
   * database that cannot be reached is asked again next time; until then its names are
   * {@link #guess guessed} from the URL (the statement that needs the connection fails anyway).
   */
  public static SqlNames of(JdbcSpec spec) {
    String key = spec.url() + "\u0000" + spec.user();
    SqlNames known = ASKED.get(key);
    if (known != null) {
      return known;
    }
    try (Connection c = JdbcConnections.open(spec)) {
      SqlNames asked = of(c.getMetaData());
      ASKED.put(key, asked);
      return asked;
    } catch (SQLException | IllegalStateException e) {
      return guess(spec.url());
    }
  }

  /** Forgets what databases said, for a JVM that goes on to another run (a database may have changed). */
  public static void forgetAsked() {
    ASKED.clear();
  }

  /** The names a database's metadata describes. */
  static SqlNames of(DatabaseMetaData meta) throws SQLException {
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
    String base = spec.table() != null ? of(spec).name(spec.table()) : "(" + spec.query() + ") q";
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
