package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code sink.partitionBy}, end to end: DuckDB reads the Hive-style tree (with
 * {@code hive_partitioning} and explicit {@code hive_types}) and finds exactly the rows of the same
 * job written unpartitioned - for values that try to leave their directory ({@code /}, {@code =},
 * {@code ..}), nulls, dates, timestamps and decimals, in Parquet, CSV and JSON lines, on the embedded
 * Flink runner and on DirectRunner.
 */
public class PartitionedOutputIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  /** Values a partition directory must hold without leaving it; "" is null in a CSV. */
  private static final String[] NAMES = {"plain", "a/b", "x=y", "..", "../../etc", "50% off", "with space",
      "quote\"d", "c:\\d", "#hash?", "ünïcode", "", "{[^]}", "*star'"};
  private static Path input;

  @BeforeClass
  public static void writeInput() throws Exception {
    input = TMP.newFolder("in").toPath();
    StringBuilder csv = new StringBuilder("id,name,day,ts,amount,kind\n");
    for (int i = 1; i <= 300; i++) {
      String name = NAMES[i % NAMES.length];
      csv.append(i).append(',')
          .append(name.isEmpty() ? "" : "\"" + name.replace("\"", "\"\"") + "\"").append(',')
          .append("2024-0").append(1 + i % 3).append("-1").append(i % 2).append(',')
          .append("2024-02-0").append(1 + i % 2).append("T0").append(i % 3).append(":30:00.25").append(i % 4)
          .append("Z,").append(i % 7).append('.').append(i % 10).append("5,")
          .append(new String[] {"red", "green", "blue"}[i % 3]).append('\n');
    }
    Files.writeString(input.resolve("rows.csv"), csv);
  }

  private static Path spec(String name, String format, String extra) throws Exception {
    Path spec = TMP.getRoot().toPath().resolve(name + ".yaml");
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + input + "/*.csv', format: csv}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: name, type: string, nullable: true}",
        "  - {name: day, type: date}",
        "  - {name: ts, type: timestamp}",
        "  - {name: amount, type: 'decimal(10,2)'}",
        "  - {name: kind, type: category, values: [red, green, blue]}",
        extra,
        "sink: {format: " + format + ", path: '" + TMP.getRoot() + "/" + name + "', ifExists: overwrite}", ""));
    return spec;
  }

  private static EtlJobTest.Run run(Path spec, String... flags) {
    List<String> args = new ArrayList<>(List.of("--pipeline=" + spec));
    args.addAll(List.of(flags));
    return new EtlJobTest.Run(args.toArray(new String[0]));
  }

  private static String out(String name) {
    return TMP.getRoot() + "/" + name;
  }

  @Test
  public void parquetPartitionsReadBackAsTheUnpartitionedRowsOnBothRunners() throws Exception {
    EtlJobTest.Run plain = run(spec("plain", "parquet", ""));
    assertThat(plain.err, plain.code, is(EtlJob.OK));
    List<String> expected = SampleJobIT.query("SELECT id, name, day, ts, amount, kind FROM read_parquet('"
        + out("plain") + "/*.parquet')");
    assertThat(expected, hasSize(300));
    for (String runner : List.of("FlinkRunner", "DirectRunner", "FlinkRunner --resumable")) {
      String name = "by-name-and-day-" + runner.replace(" --", "-");
      List<String> flags = new ArrayList<>(List.of(("--runner=" + runner).split(" ")));
      flags.add("--set=sink.partitionBy=[name, day]");
      EtlJobTest.Run r = run(spec(name, "parquet", ""), flags.toArray(new String[0]));
      assertThat(r.err, r.code, is(EtlJob.OK));
      assertThat(r.out, containsString("partitions"));
      List<String> read = SampleJobIT.query("SELECT id, NULLIF(name, '__HIVE_DEFAULT_PARTITION__'), day, ts, amount,"
          + " kind FROM read_parquet('" + out(name) + "/*/*/*.parquet', hive_partitioning = true,"
          + " hive_types = {'name': VARCHAR, 'day': DATE})");
      assertThat(runner, read, containsInAnyOrder(expected.toArray()));
      // The partition columns name the directories and are not repeated inside the files.
      assertThat(SampleJobIT.query("SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet('" + out(name)
          + "/*/*/*.parquet', hive_partitioning = false))"), containsInAnyOrder("id", "ts", "amount", "kind"));
      assertThat(RunCounts.read(out(name) + "/_run").get("partitions").toString(), equalTo(SampleJobIT.query(
          "SELECT count(*) FROM (SELECT DISTINCT name, day FROM read_parquet('" + out("plain") + "/*.parquet'))")
          .get(0)));
      assertEveryFileStaysInside(Path.of(out(name)));
      assertThat(topLevel(Path.of(out(name))), hasItem("name=__HIVE_DEFAULT_PARTITION__"));
      assertThat(topLevel(Path.of(out(name))), hasItem("name=a%2Fb"));
      assertThat(topLevel(Path.of(out(name))), hasItem("name=.."));
    }
  }

  @Test
  public void csvAndJsonLinesPartitionByTimestampsAndAggregatedKeys() throws Exception {
    String aggregate = "aggregate: {groupBy: [kind, ts], metrics: [{name: total, op: sum, field: amount},"
        + " {name: n, op: count}]}";
    EtlJobTest.Run plain = run(spec("agg-plain", "parquet", aggregate));
    assertThat(plain.err, plain.code, is(EtlJob.OK));
    List<String> expected = SampleJobIT.query("SELECT kind, ts, total, n FROM read_parquet('" + out("agg-plain")
        + "/*.parquet')");
    assertThat(expected, not(empty()));

    EtlJobTest.Run csv = run(spec("agg-csv", "csv", aggregate),
        "--set=sink.partitionBy=[kind, ts]");
    assertThat(csv.err, csv.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT kind, ts AT TIME ZONE 'UTC', total, n FROM read_csv('" + out("agg-csv")
        + "/*/*/*.csv', hive_partitioning = true, hive_types = {'kind': VARCHAR, 'ts': TIMESTAMPTZ},"
        + " columns = {'total': 'DECIMAL(38,2)', 'n': 'BIGINT'}, header = true, delim = ',', quote = '\"')"),
        containsInAnyOrder(SampleJobIT.query("SELECT kind, ts AT TIME ZONE 'UTC', total, n FROM read_parquet('"
            + out("agg-plain") + "/*.parquet')").toArray()));

    EtlJobTest.Run jsonl = run(spec("agg-jsonl", "jsonl", aggregate), "--set=sink.partitionBy=[kind]");
    assertThat(jsonl.err, jsonl.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT kind, ts::TIMESTAMPTZ AT TIME ZONE 'UTC', total, n FROM read_json('"
        + out("agg-jsonl") + "/kind=*/*.jsonl', hive_partitioning = true, hive_types = {'kind': VARCHAR},"
        + " columns = {'ts': 'VARCHAR', 'total': 'DECIMAL(38,2)', 'n': 'BIGINT'})"),
        containsInAnyOrder(SampleJobIT.query("SELECT kind, ts AT TIME ZONE 'UTC', total, n FROM read_parquet('"
            + out("agg-plain") + "/*.parquet')").toArray()));
  }

  @Test
  public void morePartitionsThanTheCapFailTheRunNamingTheCap() throws Exception {
    Path spec = spec("capped", "parquet", "");
    EtlJobTest.Run r = run(spec, "--set=sink.partitionBy=[id]", "--set=sink.maxPartitions=50");
    assertThat(r.code, is(EtlJob.JOB_FAILED));
    assertThat(r.err, containsString("more than sink.maxPartitions 50"));
    assertThat(r.err, r.err.lines().filter(l -> l.contains("failed")).count(), is(1L));
    assertThat("no success marker", Files.exists(Path.of(out("capped"), "_SUCCESS")), is(false));
  }

  @Test
  public void overwriteReplacesTheWholeTree() throws Exception {
    Path spec = spec("rewritten", "jsonl", "");
    EtlJobTest.Run first = run(spec, "--set=sink.partitionBy=[kind]");
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(topLevel(Path.of(out("rewritten"))), hasItem("kind=blue"));
    EtlJobTest.Run second = run(spec, "--set=sink.partitionBy=[kind]", "--set=filter=kind == 'red'");
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat(topLevel(Path.of(out("rewritten"))).stream().filter(n -> n.startsWith("kind="))
        .collect(Collectors.toList()), containsInAnyOrder("kind=red"));
  }

  /** A run whose filter keeps nothing writes no partition, not even an empty one named null. */
  @Test
  public void noRowsMakeNoPartitionInBatchAndResumableRuns() throws Exception {
    Path bad = TMP.newFolder("all-bad").toPath();
    Files.writeString(bad.resolve("rows.csv"), "id,name,day,ts,amount,kind\nx,a,2024-01-01,2024-01-01T00:00:00Z,1,red\n");
    for (String mode : List.of("batch", "resumable", "resumable, every row bad")) {
      String name = "nothing-" + mode.replaceAll("\\W+", "-");
      List<String> flags = new ArrayList<>(List.of("--set=sink.partitionBy=[kind]", "--set=filter=id < 0"));
      if (mode.startsWith("resumable")) {
        flags.add("--resumable");
      }
      if (mode.endsWith("bad")) { // exit 3: the run is not repeated, its empty file goes all the same
        flags.add("--set=source.path=" + bad + "/*.csv");
      }
      EtlJobTest.Run r = run(spec(name, "parquet", ""), flags.toArray(new String[0]));
      assertThat(r.err, r.code, is(mode.endsWith("bad") ? EtlJob.TOO_MANY_BAD : EtlJob.OK));
      assertThat(mode, topLevel(Path.of(out(name))).stream().filter(n -> !n.startsWith("_") && !n.startsWith(".beam-etl"))
          .collect(Collectors.toList()), empty());
    }
  }

  private static List<String> topLevel(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private static void assertEveryFileStaysInside(Path dir) throws Exception {
    Path root = dir.toRealPath();
    try (Stream<Path> s = Files.walk(root)) {
      List<Path> parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).collect(Collectors.toList());
      assertThat("a partition has one part file or more", parts.size(),
          greaterThanOrEqualTo(RunCounts.read(dir + "/_run").get("partitions").intValue()));
      assertThat(parts.stream().map(p -> root.relativize(p.normalize()).getNameCount()).collect(Collectors.toList()),
          everyItem(is(3)));
      assertThat(parts.stream().map(p -> root.relativize(p).toString()).collect(Collectors.toList()),
          everyItem(startsWith("name=")));
    }
  }
}
