package dev.beametl.load;

import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.spec.JdbcSinkSpec;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staging tables that earlier runs into a table left beside it: a run stopped outright (kill,
 * power loss) during its pipeline leaves its two, and its rows are not in the table; one stopped
 * after its commit, before it dropped them, leaves them with its {@code _ok} table holding
 * {@link JdbcTable#ROWS_COMMITTED}. Nothing named them, so they piled up unnoticed. A run names them
 * once it holds the table's lock (no other run into the table is going on); it does not drop them:
 * a state file (incremental, replay) may name them for its own spec's next run to settle.
 */
final class LeftoverStaging {
  private static final Logger LOG = LoggerFactory.getLogger(LeftoverStaging.class);

  private LeftoverStaging() {}

  /**
   * The leftover staging tables of {@code sink}'s table, sorted, as SQL names them (schema-qualified
   * as the table is), but {@code run}'s own; empty where the database cannot say, and for a table
   * whose name is too long for staging tables named after it ({@link JdbcTable#staging}).
   */
  static List<String> of(JdbcSinkSpec sink, String run) {
    String table = sink.connection().table();
    int dot = table.indexOf('.');
    if (!JdbcTable.staging(sink, run).startsWith(table + "_beametl_") || dot != table.lastIndexOf('.')) {
      return List.of();
    }
    SqlNames sql = JdbcTable.names(sink);
    String prefix = sql.folded(table.substring(dot + 1) + "_beametl_");
    // Run ids are 8 hex digits (EtlJob); a database that folds names to upper case holds them so.
    Pattern staging = Pattern.compile(Pattern.quote(prefix) + "[0-9a-f]{8}(_ok)?", Pattern.CASE_INSENSITIVE);
    String own = lastPart(JdbcTable.staging(sink, run));
    try (Connection c = JdbcConnections.open(sink.connection())) {
      DatabaseMetaData md = c.getMetaData();
      String escape = md.getSearchStringEscape();
      String container = dot < 0 ? null : sql.folded(table.substring(0, dot));
      // MariaDB and MySQL call a database a catalog; the others have schemas, the current one by default.
      boolean catalogs = JdbcTable.dialect(sink.connection().url()) == JdbcTable.Dialect.MYSQL;
      String catalog = catalogs ? (container != null ? container : c.getCatalog()) : null;
      String schema = catalogs ? null : container != null ? container : c.getSchema();
      List<String> found = new ArrayList<>();
      try (ResultSet rs = md.getTables(catalog, schema == null ? null : like(schema, escape), like(prefix, escape) + "%",
          null)) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (staging.matcher(name).matches() && !name.equalsIgnoreCase(sql.folded(own))
              && !name.equalsIgnoreCase(sql.folded(own + "_ok"))) {
            found.add((dot < 0 ? "" : table.substring(0, dot + 1)) + name);
          }
        }
      }
      found.sort(null);
      return found;
    } catch (SQLException | RuntimeException e) { // only a notice: never the run's failure
      LOG.info("Could not list leftover staging tables of {}: {}", table, e.toString());
      return List.of();
    }
  }

  /** The notice for {@code leftovers}, at most ten named. */
  static String notice(String table, List<String> leftovers, boolean lockedAcrossProcesses) {
    List<String> shown = leftovers.size() <= 10 ? leftovers : leftovers.subList(0, 10);
    // Without a lock other processes see (H2), a run still going has staging tables too (a trial: a
    // live run's were called killed, and dropping them would have broken it).
    return "sink.jdbc: " + leftovers.size() + " staging table" + (leftovers.size() == 1 ? "" : "s")
        + " of earlier runs into " + table + (lockedAcrossProcesses ? " that were stopped outright (killed)"
            : " that were stopped outright (killed), or of a run in another process still going (this database "
                + "has no lock other processes see)") + " are still there: "
        + String.join(", ", shown) + (shown.size() < leftovers.size() ? ", ..." : "") + ". A run's rows are in "
        + table + " only if its _ok table holds the row '" + JdbcTable.ROWS_COMMITTED + "'; drop them once you have"
        + " looked (an incremental or replay run settles and drops those its own state file names)";
  }

  private static String lastPart(String name) {
    return name.substring(name.lastIndexOf('.') + 1);
  }

  /** {@code text} as a LIKE pattern that matches only itself. */
  private static String like(String text, String escape) {
    if (escape == null || escape.isEmpty()) {
      return text; // '_' then also matches any one character: the names are checked again above
    }
    return text.replace(escape, escape + escape).replace("_", escape + "_").replace("%", escape + "%");
  }
}
