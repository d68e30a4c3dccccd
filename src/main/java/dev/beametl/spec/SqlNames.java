package dev.beametl.spec;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A spec's table and column names as the SQL beam-etl writes them: quoted, so that a name the
 * database reserves works (H2's {@code month} and {@code value}, PostgreSQL's {@code order} and
 * {@code user}), and folded first as the database folds the same name unquoted, so that a quoted
 * name still finds the tables and columns that earlier runs and people created without quotes.
 * PostgreSQL folds to lower case; H2 to upper case, or to lower case with {@code DATABASE_TO_LOWER=TRUE}
 * and not at all with {@code DATABASE_TO_UPPER=FALSE} in its URL; MariaDB and MySQL names go in
 * backquotes as written (their column names ignore case either way, their table names never do).
 * Other databases get the names as written, unquoted, as before: their folding is not known here.
 * Names are validated plain identifiers ({@code SpecNode#sqlName}), so they hold no quote to escape.
 */
public final class SqlNames implements Serializable {
  /** How the database stores a name written without quotes. */
  private enum Folding { UPPER, LOWER, AS_WRITTEN }

  private final String quote;
  private final Folding folding;

  private SqlNames(String quote, Folding folding) {
    this.quote = quote;
    this.folding = folding;
  }

  /** The names of the database at {@code url}. */
  public static SqlNames of(String url) {
    String u = url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return new SqlNames("\"", Folding.LOWER);
    }
    if (u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:")) {
      return new SqlNames("`", Folding.AS_WRITTEN);
    }
    if (u.startsWith("jdbc:h2:")) {
      String settings = u.replace(" ", "");
      if (settings.contains(";database_to_lower=true")) {
        return new SqlNames("\"", Folding.LOWER);
      }
      return new SqlNames("\"", settings.contains(";database_to_upper=false") ? Folding.AS_WRITTEN : Folding.UPPER);
    }
    return new SqlNames("", Folding.AS_WRITTEN);
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
