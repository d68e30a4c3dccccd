package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A spec unlike the sample: a headerless, '|'-delimited file (columns in schema order) with decimal
 * and date columns, derived fields, a date filter and a two-key group-by with sum, mean and count.
 */
public class HeaderlessPipeSpecTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void runsEndToEndWithExactDecimals() throws Exception {
    Path in = tmp.newFolder("ledger").toPath();
    Files.writeString(in.resolve("part1.txt"), String.join("\n",
        "2024-03-01|ACME|north|100.10|3",
        "2024-03-02|ACME|north|0.05|1",
        "2024-03-02|ACME|south|20.00|2",
        "2023-12-31|ACME|north|999.99|1",
        "2024-04-01|Globex|north|1.11|1",
        "2024-04-31|Globex|north|1.00|1",
        "2024-04-02|Globex|north|1.115|1",
        ""));
    Files.writeString(in.resolve("part2.txt"), "2024-05-05|Globex|north|2.22|5\n2024-05-06|Globex|NULL|3.00|1\n");
    Path spec = tmp.newFile("ledger.yaml").toPath();
    String out = tmp.getRoot() + "/out";
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source:",
        "  path: '" + in + "/*.txt'",
        "  format: csv",
        "  csv: {delimiter: '|', header: false, nullValues: ['', 'NULL']}",
        "schema:",
        "  - {name: day, type: date}",
        "  - {name: customer, type: string}",
        "  - {name: zone, type: string, nullable: true}",
        "  - {name: price, type: 'decimal(9,2)'}",
        "  - {name: units, type: long}",
        "derive:",
        "  - {name: amount, type: 'decimal(14,2)', expr: 'price * units'}",
        "  - {name: quarter, type: int, expr: '(month(day) - 1) / 3 + 1'}",
        "filter: \"day >= date('2024-01-01')\"",
        "aggregate:",
        "  groupBy: [customer, quarter]",
        "  metrics:",
        "    - {name: total, op: sum, field: amount}",
        "    - {name: avg_price, op: mean, field: price}",
        "    - {name: lines, op: count}",
        "sink: {format: csv, path: '" + out + "', shards: 1}",
        "deadLetter: {maxBadRatio: 0.5}",
        ""));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(EtlJob.OK));
    assertThat(JavaApiTest.readLines(out), containsInAnyOrder(
        "customer,quarter,total,avg_price,lines",
        "ACME,1,340.35,40.05000000,3",
        "Globex,2,15.21,2.11000000,3"));
    Map<String, Long> counts = RunCounts.read(out + "/_run");
    assertThat(counts.get("read"), is(9L));
    assertThat(counts.get("bad"), is(2L)); // 2024-04-31 and 1.115
    assertThat(counts.get("filtered"), is(1L));
  }

  /**
   * A trial: a header-less record's dead letter named its cells after that spec's fields, so a replay
   * after two fields were swapped back put each cell under its old name. It is read by position now,
   * as a fresh run of the fixed spec reads it.
   */
  @Test
  public void aReplayReadsAHeaderlessRecordByPositionUnderTheFixedSpec() throws Exception {
    Files.writeString(tmp.getRoot().toPath().resolve("in.csv"), "1,3,20.00,Mars\n2,4,10,EU\n");
    String wrong = String.join("\n", "version: 1", "name: swapped",
        "source: {path: in.csv, format: csv, csv: {header: false}}",
        "schema: [{name: id, type: long}, {name: price, type: 'decimal(10,2)'}, {name: qty, type: 'decimal(10,2)'},"
            + " {name: region, type: category, values: [EU]}]",
        "sink: {format: jsonl, path: out}", "deadLetter: {maxBadRatio: 1.0}", "");
    Path before = tmp.getRoot().toPath().resolve("before.yaml");
    Files.writeString(before, wrong);
    Path fixed = tmp.getRoot().toPath().resolve("fixed.yaml");
    Files.writeString(fixed, wrong.replace("name: price,", "name: tmp,").replace("name: qty,", "name: price,")
        .replace("name: tmp,", "name: qty,").replace("values: [EU]", "values: [EU, Mars]"));
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + before, "--runner=DirectRunner");
    assertThat(first.err, first.code, is(EtlJob.OK));
    EtlJobTest.Run replay = new EtlJobTest.Run("replay", "--pipeline=" + fixed, "--runner=DirectRunner",
        "--from=" + tmp.getRoot() + "/out-dead-letter", "--output=" + tmp.getRoot() + "/fixes");
    assertThat(replay.err, replay.code, is(EtlJob.OK));
    assertThat(dev.beametl.load.SpecRuns.partFiles(tmp.getRoot().toPath().resolve("fixes")).trim(), is("{\"id\":1,\"qty\":3.00,\"price\":20.00,\"region\":\"Mars\"}"));
  }
}
