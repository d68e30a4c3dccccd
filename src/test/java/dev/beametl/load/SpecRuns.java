package dev.beametl.load;

import dev.beametl.cli.EtlJobTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.rules.TemporaryFolder;

/** For tests that run one CSV file through a spec into a table, and read the table back. */
public final class SpecRuns {
  private SpecRuns() {}

  /**
   * Runs {@code csv}, the only input file, through a spec of {@code lines} (all but its version and
   * source) on the DirectRunner.
   */
  public static EtlJobTest.Run csvThrough(TemporaryFolder tmp, String csv, String... lines) throws IOException {
    return new EtlJobTest.Run("--pipeline=" + csvSpec(tmp, csv, lines), "--runner=DirectRunner");
  }

  /** The spec {@link #csvThrough} runs, written with its input file, for a run with other flags. */
  public static Path csvSpec(TemporaryFolder tmp, String csv, String... lines) throws IOException {
    Path in = tmp.newFolder().toPath();
    Files.writeString(in.resolve("input.csv"), csv);
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, "version: 1\nsource: {path: '" + in + "/*.csv', format: csv}\n"
        + String.join("\n", lines) + "\n");
    return spec;
  }

  /** The text of every part file an output directory holds (part-*), in name order, headers included. */
  public static String partFiles(Path dir) throws IOException {
    StringBuilder text = new StringBuilder();
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted()::iterator) {
        text.append(Files.readString(f));
      }
    }
    return text.toString();
  }

  /** The rows {@code query} returns, each its columns' texts joined by '|'. */
  public static List<String> query(String url, String user, String password, String query) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url, user, password);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        out.add(String.join("|", row));
      }
    }
    return out;
  }
}
