package dev.beametl.bench;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The benchmark's DuckDB peer: the order-lines workloads ({@code runners/bench/order-lines-*.yaml}) as
 * one SQL query over the same files, through DuckDB's JDBC driver, with explicit column types. Rows
 * the job's schema gate refuses are left out the way a DuckDB user would: {@code ignore_errors} drops
 * what does not cast, a WHERE clause the rest (ranges, declared values, lengths, decimal places).
 * Also reads a job's Parquet output, so that both sides print the same summary (one JSON line) and
 * the benchmark can compare them.
 *
 * <pre>java -cp target/test-classes:... dev.beametl.bench.DuckDbPeer query pricing|by-order GLOB [pipe|csv|jsonl] [threads]
 * java -cp ... dev.beametl.bench.DuckDbPeer output pricing|by-order JOB_OUTPUT_DIR</pre>
 */
public final class DuckDbPeer {
  /** Read as DECIMAL(18,3) so that a third decimal place is seen and refused, not rounded away. */
  private static final String COLUMNS = "{'l_orderkey': 'BIGINT', 'l_partkey': 'INTEGER', 'l_suppkey': 'INTEGER', "
      + "'l_linenumber': 'INTEGER', 'l_quantity': 'DECIMAL(18,3)', 'l_extendedprice': 'DECIMAL(18,3)', "
      + "'l_discount': 'DECIMAL(18,3)', 'l_tax': 'DECIMAL(18,3)', 'l_returnflag': 'VARCHAR', "
      + "'l_linestatus': 'VARCHAR', 'l_shipdate': 'DATE', 'l_commitdate': 'DATE', 'l_receiptdate': 'DATE', "
      + "'l_shipinstruct': 'VARCHAR', 'l_shipmode': 'VARCHAR', 'l_comment': 'VARCHAR'}";
  static final String VALID = String.join(" AND ",
      "l_orderkey >= 1 AND l_partkey >= 1 AND l_suppkey >= 1 AND l_linenumber BETWEEN 1 AND 7",
      "l_quantity >= 0 AND l_extendedprice >= 0 AND l_discount BETWEEN 0 AND 0.10 AND l_tax BETWEEN 0 AND 0.08",
      "l_quantity = round(l_quantity, 2) AND l_extendedprice = round(l_extendedprice, 2)",
      "l_discount = round(l_discount, 2) AND l_tax = round(l_tax, 2)",
      "l_returnflag IN ('A', 'N', 'R') AND l_linestatus IN ('F', 'O')",
      "l_shipdate IS NOT NULL AND l_commitdate IS NOT NULL AND l_receiptdate IS NOT NULL",
      "length(l_shipinstruct) <= 25 AND length(l_shipmode) <= 10 AND length(l_comment) <= 44");

  private DuckDbPeer() {}

  static String source(String glob, String format) {
    String path = "'" + glob.replace("'", "''") + "'";
    return switch (format) {
      case "pipe" -> "read_csv(" + path + ", delim = '|', header = false, quote = '', columns = " + COLUMNS
          + ", ignore_errors = true)";
      case "csv" -> "read_csv(" + path + ", delim = ',', header = true, quote = '\"', columns = " + COLUMNS
          + ", ignore_errors = true)";
      case "jsonl" -> "read_json(" + path + ", format = 'newline_delimited', columns = " + COLUMNS
          + ", ignore_errors = true)";
      default -> throw new IllegalArgumentException("format: pipe, csv or jsonl, not " + format);
    };
  }

  static String query(String workload, String from) {
    String valid = "SELECT * FROM " + from + " WHERE " + VALID;
    return switch (workload) {
      case "pricing" -> "SELECT l_returnflag || '|' || l_linestatus AS g, "
          + "sum(CAST(l_quantity AS DECIMAL(15,2))) AS sum_qty, "
          + "sum(CAST(l_extendedprice AS DECIMAL(15,2))) AS sum_base_price, "
          + "sum(CAST(l_extendedprice AS DECIMAL(15,2)) * (1 - CAST(l_discount AS DECIMAL(15,2)))) AS sum_disc_price, "
          + "sum(CAST(l_extendedprice AS DECIMAL(15,2)) * (1 - CAST(l_discount AS DECIMAL(15,2)))"
          + " * (1 + CAST(l_tax AS DECIMAL(15,2)))) AS sum_charge, "
          + "avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, "
          + "count(*) AS count_order FROM (" + valid + ") WHERE l_shipdate <= DATE '1998-09-02' GROUP BY 1 ORDER BY 1";
      case "by-order" -> "SELECT count(*) AS groups, sum(revenue) AS revenue, sum(lines) AS lines, "
          + "sum(l_orderkey % 1000003 * lines) AS key_check FROM (SELECT l_orderkey, "
          + "sum(CAST(l_extendedprice AS DECIMAL(15,2)) * (1 - CAST(l_discount AS DECIMAL(15,2)))) AS revenue, "
          + "count(*) AS lines FROM (" + valid + ") GROUP BY l_orderkey)";
      default -> throw new IllegalArgumentException("workload: pricing or by-order, not " + workload);
    };
  }

  /** The same summary from a job's Parquet output. */
  static String output(String workload, String dir) {
    String from = "read_parquet('" + dir.replace("'", "''") + "/*.parquet')";
    return switch (workload) {
      case "pricing" -> "SELECT l_returnflag || '|' || l_linestatus AS g, sum_qty, sum_base_price, sum_disc_price, "
          + "sum_charge, avg_qty, avg_price, avg_disc, count_order FROM " + from + " ORDER BY 1";
      case "by-order" -> "SELECT count(*) AS groups, sum(revenue) AS revenue, sum(lines) AS lines, "
          + "sum(l_orderkey % 1000003 * lines) AS key_check FROM " + from;
      default -> throw new IllegalArgumentException("workload: pricing or by-order, not " + workload);
    };
  }

  /** One JSON line: each result row keyed by its first column (pricing) or the single row (by-order). */
  static String run(String sql, int threads) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("SET threads = " + threads);
      Map<String, Map<String, String>> rows = new TreeMap<>();
      try (ResultSet rs = s.executeQuery(sql)) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          Map<String, String> row = new TreeMap<>();
          for (int i = 1; i <= n; i++) {
            Object v = rs.getObject(i);
            row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT),
                v instanceof BigDecimal ? ((BigDecimal) v).toPlainString() : String.valueOf(v));
          }
          rows.put(rs.getMetaData().getColumnLabel(1).equals("g") ? row.remove("g") : "all", row);
        }
      }
      StringBuilder json = new StringBuilder("{");
      rows.forEach((key, row) -> {
        json.append(json.length() > 1 ? ", " : "").append('"').append(key).append("\": {");
        String sep = "";
        for (Map.Entry<String, String> e : row.entrySet()) {
          json.append(sep).append('"').append(e.getKey()).append("\": \"").append(e.getValue()).append('"');
          sep = ", ";
        }
        json.append('}');
      });
      return json.append('}').toString();
    }
  }

  public static void main(String[] args) throws SQLException {
    if (args.length < 3) {
      throw new IllegalArgumentException("usage: DuckDbPeer query WORKLOAD GLOB [FORMAT] [THREADS] | output WORKLOAD DIR");
    }
    String sql = args[0].equals("output") ? output(args[1], args[2])
        : query(args[1], source(args[2], args.length > 3 ? args[3] : "pipe"));
    System.out.println(run(sql, args.length > 4 ? Integer.parseInt(args[4]) : 2));
  }
}
