package dev.beametl.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class OrderLinesGeneratorTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  private Path write(String name, OrderLinesGenerator.Format format, long seed) throws Exception {
    Path dir = tmp.getRoot().toPath().resolve(name);
    new OrderLinesGenerator(5_000, 0.01, seed, format).write(dir, 2);
    return dir;
  }

  @Test
  public void sameSeedSameBytesAndTheBadShareIsKnown() throws Exception {
    Path a = write("a", OrderLinesGenerator.Format.PIPE, 7);
    Path b = write("b", OrderLinesGenerator.Format.PIPE, 7);
    Path c = write("c", OrderLinesGenerator.Format.PIPE, 8);
    for (String file : List.of("lines-00000.tbl", "lines-00001.tbl")) {
      assertThat(Files.readAllBytes(a.resolve(file)), equalTo(Files.readAllBytes(b.resolve(file))));
      assertThat(Files.readString(a.resolve(file)), not(equalTo(Files.readString(c.resolve(file)))));
    }
    List<String> lines = Files.readAllLines(a.resolve("lines-00000.tbl"));
    lines.addAll(Files.readAllLines(a.resolve("lines-00001.tbl")));
    assertThat(lines.size(), equalTo(5_000));
    assertThat(lines.stream().filter(l -> l.split("\\|", -1).length != 16).count(), equalTo(5L)); // 1 in 10 bad rows is cut
    assertThat(new OrderLinesGenerator(5_000, 0.01, 7, OrderLinesGenerator.Format.PIPE).badRows(), equalTo(50L));
    // and exactly that many rows fail the schema's checks, read by DuckDB
    assertThat(DuckDbPeer.run("SELECT count(*) AS valid FROM " + DuckDbPeer.source(a + "/*.tbl", "pipe")
        + " WHERE " + DuckDbPeer.VALID, 1), equalTo("{\"all\": {\"valid\": \"4950\"}}"));
  }

  /** The three formats hold the same rows: DuckDB, reading each with its own reader, gets one answer. */
  @Test
  public void theFormatsHoldTheSameRows() throws Exception {
    String pipe = DuckDbPeer.run(DuckDbPeer.query("pricing",
        DuckDbPeer.source(write("p", OrderLinesGenerator.Format.PIPE, 3) + "/*.tbl", "pipe")), 1);
    String csv = DuckDbPeer.run(DuckDbPeer.query("pricing",
        DuckDbPeer.source(write("c", OrderLinesGenerator.Format.CSV, 3) + "/*.csv", "csv")), 1);
    String json = DuckDbPeer.run(DuckDbPeer.query("pricing",
        DuckDbPeer.source(write("j", OrderLinesGenerator.Format.JSONL, 3) + "/*.jsonl", "jsonl")), 1);
    assertThat(pipe, containsString("\"N|O\""));
    assertThat(csv, equalTo(pipe));
    assertThat(json, equalTo(pipe));
  }
}
