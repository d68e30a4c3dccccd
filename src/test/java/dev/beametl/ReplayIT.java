package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.isIn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@code beam-etl replay}, end to end on the embedded runner: dead letters of every stage run again
 * after a fix to the spec, the reference table or the dead letters themselves; each record lands
 * once, with its original origin if it fails again; a file is replayed once; what cannot be
 * replayed is counted by why; an aggregating spec replays only into a new directory.
 */
public class ReplayIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path root() {
    return tmp.getRoot().toPath();
  }

  private Path write(String name, String text) throws Exception {
    Path p = root().resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  private static List<JsonNode> deadLetters(Path dir) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).collect(Collectors.toList())) {
        for (String line : Files.readAllLines(p)) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }

  /** Header columns in another order than the schema, an extra column, and rows that fail in each stage. */
  private Path spec(String derive, String reference, String extra) throws Exception {
    write("in/orders.csv", String.join("\n",
        "amount,id,note,qty,product",
        "10.00,1,a,2,P1",
        "20.00,2,b,3,P1", // derive divides by qty - 3: zero
        "30.00,3,c,x,P2", // qty is not an int
        "40.00,4,d,4,P9", // no product P9
        "50.00,5,e,5,P2",
        "60.00,6,f,6,P2" + "y".repeat(300), // longer than maxRecordBytes: cut, not replayable
        ""));
    write(reference, "product_id,brand\nP1,Acme\nP2,Globex\n");
    return write("orders.yaml", String.join("\n",
        "version: 1",
        "name: orders",
        "source: {path: in/orders.csv, format: csv, maxRecordBytes: 200}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: qty, type: int}",
        "  - {name: amount, type: 'decimal(10,2)'}",
        "  - {name: product, type: string}",
        "lookups:",
        "  - name: products",
        "    source: {path: " + reference + ", format: csv}",
        "    schema: [{name: product_id, type: string}, {name: brand, type: string}]",
        "    key: product_id",
        "    on: product",
        "    fields: [brand]",
        "derive:",
        "  - {name: per_unit, type: 'decimal(10,2)', expr: '" + derive + "'}",
        extra,
        "sink: {format: parquet, path: out, ifExists: overwrite}",
        "deadLetter: {maxBadRatio: 0.9}", ""));
  }

  private List<String> rows(String dir) throws Exception {
    return SampleJobIT.query("SELECT id, qty, amount, brand, per_unit FROM read_parquet('" + root() + "/" + dir
        + "/*.parquet') ORDER BY id");
  }

  @Test
  public void deadLettersOfEveryStageLandOnceAfterAFix() throws Exception {
    Path spec = spec("amount / (qty - 3)", "products.csv", "");
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(rows("out"), containsInAnyOrder("1|2|10.00|Acme|-10.00", "5|5|50.00|Globex|25.00"));
    Path deadLetters = root().resolve("out-dead-letter");
    List<JsonNode> before = deadLetters(deadLetters);
    assertThat(before.stream().map(n -> n.get("stage").asText() + " " + n.get("reason_kind").asText() + " "
        + n.get("payload_format").asText()).collect(Collectors.toList()), containsInAnyOrder(
        "transform expression values", "validate type csv", "lookup lookup_miss values", "validate too_long none"));

    // The fixes: the expression, the reference table, and the bad value edited in the dead letter.
    Files.writeString(spec, Files.readString(spec).replace("amount / (qty - 3)", "amount / qty"));
    Files.writeString(root().resolve("products.csv"), "product_id,brand\nP1,Acme\nP2,Globex\nP9,Initech\n");
    try (Stream<Path> s = Files.list(deadLetters)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".jsonl")).collect(Collectors.toList())) {
        Files.writeString(p, Files.readString(p).replace("30.00,3,c,x,P2", "30.00,3,c,3,P2"));
      }
    }
    EtlJobTest.Run replay = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(replay.err, replay.code, is(EtlJob.OK));
    assertThat(replay.out, containsString("dead letters replayed"));
    assertThat(replay.out, containsString("too_long"));
    Map<String, Long> counts = RunCounts.read(root() + "/out/_run");
    assertThat(counts.get("replay.replayed"), is(3L));
    assertThat(counts.get("replay.skipped.too_long"), is(1L));
    assertThat("each row once, the replayed ones read by their columns' names", rows("out"), containsInAnyOrder(
        "1|2|10.00|Acme|-10.00", "2|3|20.00|Acme|6.67", "3|3|30.00|Globex|10.00", "4|4|40.00|Initech|10.00",
        "5|5|50.00|Globex|25.00"));

    // Replayed once: a second replay leaves the first file out (--from as a file: URI, as --output takes one).
    EtlJobTest.Run again = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=file://" + deadLetters);
    assertThat(again.err, again.code, is(EtlJob.OK));
    assertThat(again.err, containsString("(1 replayed before, left out)"));
    assertThat("the first replay's own dead-letter file holds nothing: nothing to replay", again.out,
        containsString("were replayed already"));
    assertThat(rows("out"), hasSize(5));
  }

  /**
   * The README's workflow, one fix at a time in the same file: each replay writes only what earlier
   * ones did not, whatever happened to the file (edited since, copied), and a record that failed
   * again stays replayable.
   */
  @Test
  public void recordsFixedOneAtATimeInTheSameFileLandOnce() throws Exception {
    write("in/src.csv", "id,qty\n1,5\n2,abc\n3,def\n4,7\n");
    Path spec = write("r3.yaml", String.join("\n",
        "version: 1",
        "source: {path: in/src.csv, format: csv}",
        "schema: [{name: id, type: int}, {name: qty, type: int}]",
        "sink: {format: csv, path: out}",
        "deadLetter: {maxBadRatio: 0.9}", ""));
    assertThat(new EtlJobTest.Run("--pipeline=" + spec).code, is(EtlJob.OK));
    Path deadLetters = root().resolve("out-dead-letter");
    Path file = deadLetters.resolve("bad-records-00000-of-00001.jsonl");

    Files.writeString(file, Files.readString(file).replace("2,abc", "2,20"));
    EtlJobTest.Run first = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(first.err, first.code, is(EtlJob.OK));
    assertThat(csvIds(), contains("1|1", "2|1", "4|1"));

    Files.writeString(file, Files.readString(file).replace("3,def", "3,30"));
    Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
    EtlJobTest.Run second = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(second.err, second.code, is(EtlJob.OK));
    assertThat("each id once", csvIds(), contains("1|1", "2|1", "3|1", "4|1"));
    Map<String, Long> counts = RunCounts.read(root() + "/out/_run");
    assertThat(counts.get("replay.replayed"), is(1L));
    assertThat("id 2, written by the first replay", counts.get("replay.skipped.replayed_before"), is(1L));
    assertThat("id 3 in the first replay's own dead letters", counts.get("replay.skipped.duplicate"), is(1L));
    assertThat(second.out, containsString("replayed_before"));

    // A copy of the file elsewhere, and the first replay's dead letters edited: nothing is written again.
    Path copy = Files.createDirectories(root().resolve("copied"));
    Files.copy(file, copy.resolve("bad-records-00000-of-00001.jsonl"));
    EtlJobTest.Run third = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + copy);
    assertThat(third.err, third.code, is(EtlJob.OK));
    assertThat(RunCounts.read(root() + "/out/_run").get("replay.skipped.replayed_before"), is(2L));
    try (Stream<Path> s = Files.list(deadLetters)) {
      for (Path p : s.filter(p -> p.getFileName().toString().matches("bad-records-[0-9a-f]{8}-.*\\.jsonl"))
          .collect(Collectors.toList())) {
        Files.writeString(p, Files.readString(p).replace("3,def", "3,33"));
      }
    }
    EtlJobTest.Run fourth = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(fourth.err, fourth.code, is(EtlJob.OK));
    assertThat(RunCounts.read(root() + "/out/_run").get("replay.skipped.replayed_before"), is(1L));
    assertThat(csvIds(), contains("1|1", "2|1", "3|1", "4|1"));
  }

  private List<String> csvIds() throws Exception {
    return SampleJobIT.query("SELECT id, count(*) FROM read_csv('" + root() + "/out/part-*.csv') GROUP BY id "
        + "ORDER BY id");
  }

  /** A replay into a table is two writes, the table's transaction and the replay's state: stopped in between, no record is added twice. */
  @Test
  public void aReplayIntoATableStoppedAfterItsCommitIsNotRepeated() throws Exception {
    String url = "jdbc:h2:mem:replay_it_table;DB_CLOSE_DELAY=-1";
    write("in/lines.csv", "id,amount\n1,1.00\n2,-2.00\n3,3.00\n4,-4.00\n");
    Path spec = write("lines.yaml", String.join("\n",
        "version: 1",
        "source: {path: in/lines.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: amount, type: 'decimal(10,2)', min: 0}]",
        "sink:",
        "  format: jdbc",
        "  path: out",
        "  jdbc: {url: '" + url + "', user: sa, table: lines, mode: append, createTable: true}",
        "deadLetter: {maxBadRatio: 0.9}", ""));
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec);
    assertThat(first.err, first.code, is(EtlJob.OK));
    Path deadLetters = root().resolve("out-dead-letter");
    try (Stream<Path> s = Files.list(deadLetters)) {
      for (Path p : s.filter(p -> p.toString().endsWith(".jsonl")).collect(Collectors.toList())) {
        Files.writeString(p, Files.readString(p).replace(",-", ","));
      }
    }
    EtlJobTest.Run stopped = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters,
        "--fault=commit.failAfterTable()");
    assertThat(stopped.err, stopped.code, is(EtlJob.JOB_FAILED));
    assertThat(tableRows(url), containsInAnyOrder("1|1.00", "2|2.00", "3|3.00", "4|4.00"));
    EtlJobTest.Run again = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(again.err, again.code, is(EtlJob.OK));
    assertThat(again.out, containsString("were replayed already"));
    assertThat(tableRows(url), containsInAnyOrder("1|1.00", "2|2.00", "3|3.00", "4|4.00"));
  }

  private static List<String> tableRows(String url) throws Exception {
    List<String> out = new ArrayList<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "sa", "");
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT id, amount FROM lines")) {
      while (rs.next()) {
        out.add(rs.getLong(1) + "|" + rs.getBigDecimal(2));
      }
    }
    return out;
  }

  @Test
  public void recordsThatFailAgainKeepTheirOriginalOrigin() throws Exception {
    Path spec = spec("amount / (qty - 3)", "products.csv", "");
    assertThat(new EtlJobTest.Run("--pipeline=" + spec).code, is(EtlJob.OK));
    Path deadLetters = root().resolve("out-dead-letter");
    List<String> origins = deadLetters(deadLetters).stream().map(n -> n.get("origin").asText())
        .collect(Collectors.toList());
    List<String> rows = rows("out");
    // Nothing was fixed: every record fails again, over the spec's limit. The output stays as it was,
    // _SUCCESS included: a replay that adds nothing does not hide a complete output from its readers.
    EtlJobTest.Run overLimit = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(overLimit.err, overLimit.code, is(EtlJob.TOO_MANY_BAD));
    assertThat(overLimit.err, allOf(containsString("Nothing was added to the output"),
        containsString("replay again with --maxBadRatio=1.0")));
    assertThat(rows("out"), is(rows));
    assertThat(Files.exists(root().resolve("out/_SUCCESS")), is(true));
    EtlJobTest.Run replay = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters,
        "--maxBadRatio=1.0");
    assertThat(replay.err, replay.code, is(EtlJob.OK));
    assertThat(rows("out"), is(rows));
    java.util.List<String> examples = new ArrayList<>();
    JSON.readTree(root().resolve("out/_run/report.json").toFile()).path("examples").fieldNames()
        .forEachRemaining(examples::add);
    assertThat("the replay's own reasons, not the first run's too_long", examples, containsInAnyOrder(
        "expression:per_unit", "type:qty", "lookup_miss:product"));
    List<JsonNode> now = deadLetters(deadLetters);
    assertThat("the first run's and the replay's", now, hasSize(origins.size() + 3));
    List<String> newOrigins = now.stream().map(n -> n.get("origin").asText()).collect(Collectors.toList());
    assertThat(newOrigins, everyItem(isIn(origins)));
    assertThat(newOrigins.stream().filter(o -> o.matches(".*orders\\.csv@byte \\d+")).count(), is((long) now.size()));
  }

  @Test
  public void anAggregatingSpecReplaysOnlyIntoANewDirectory() throws Exception {
    Path spec = spec("amount / (qty - 3)", "products.csv",
        "aggregate: {groupBy: [brand], metrics: [{name: total, op: sum, field: amount}]}");
    assertThat(new EtlJobTest.Run("--pipeline=" + spec).code, is(EtlJob.OK));
    Path deadLetters = root().resolve("out-dead-letter");
    Files.writeString(spec, Files.readString(spec).replace("amount / (qty - 3)", "amount / qty"));
    EtlJobTest.Run refused = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters);
    assertThat(refused.code, is(EtlJob.USAGE));
    assertThat(refused.err, containsString("would replace whole groups"));
    assertThat(refused.err, containsString("--output=NEW_DIR"));
    long files;
    try (java.util.stream.Stream<Path> before = Files.list(deadLetters)) {
      files = before.count();
    }
    EtlJobTest.Run ownInput = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters,
        "--output=" + root().resolve("fixes"), "--deadLetter=" + deadLetters);
    assertThat(ownInput.code, is(EtlJob.USAGE));
    assertThat(ownInput.err, containsString("--deadLetter=NEW_DIR"));
    // The same directory through a link (a review: compared as text, the guard let it through).
    Path link = Files.createSymbolicLink(root().resolve("dl-link"), deadLetters);
    EtlJobTest.Run linked = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + link,
        "--output=" + root().resolve("fixes"), "--deadLetter=" + deadLetters);
    assertThat(linked.err, linked.code, is(EtlJob.USAGE));
    assertThat(linked.err, containsString("--deadLetter=NEW_DIR"));
    try (java.util.stream.Stream<Path> after = Files.list(deadLetters)) {
      assertThat("the dead letters to replay are still there", after.count(), is(files));
    }
    EtlJobTest.Run elsewhere = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--from=" + deadLetters,
        "--output=" + root().resolve("fixes"));
    assertThat(elsewhere.err, elsewhere.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT brand, total FROM read_parquet('" + root() + "/fixes/*.parquet')"),
        containsInAnyOrder("Acme|20.00"));
  }

  /**
   * A replay into Parquet from dead letters in two files: its step of Validate, Transform, Load and
   * the replay's bookkeeping writes to eight shuffles, and two of its subtasks reserved more network
   * buffers than the embedded runner's 32 MB held - the job failed to start its last stages, every
   * attempt. The runner is now sized to the job's graph (EmbeddedFlink.networkBytesNeeded).
   */
  @Test
  public void aReplayWhoseStepsWriteToManyShufflesStarts() throws Exception {
    StringBuilder csv = new StringBuilder("id,qty\n");
    for (int i = 0; i < 200_000; i++) {
      csv.append(i).append(',').append(i % 2 == 0 ? 20 : 5).append('\n');
    }
    write("in/many.csv", csv.toString());
    Path spec = write("many.yaml", String.join("\n",
        "version: 1",
        "name: many",
        "source: {path: in/many.csv, format: csv}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: qty, type: int, max: 10}",
        "sink: {format: parquet, path: out}",
        "deadLetter: {maxBadRatio: 1.0}", ""));
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=" + spec, "--parallelism=2");
    assertThat(first.err, first.code, is(EtlJob.OK));
    Files.writeString(spec, Files.readString(spec).replace("max: 10", "max: 100"));
    EtlJobTest.Run replay = new EtlJobTest.Run("replay", "--pipeline=" + spec, "--parallelism=2",
        "--from=" + root().resolve("out-dead-letter"));
    assertThat(replay.err, replay.code, is(EtlJob.OK));
    assertThat(SampleJobIT.query("SELECT count(*), count(DISTINCT id) FROM read_parquet('" + root() + "/out/*.parquet')"),
        contains("200000|200000"));
  }

  @Test
  public void replayWithoutFromIsAUsageError() throws Exception {
    EtlJobTest.Run r = new EtlJobTest.Run("replay", "--pipeline=" + spec("amount", "products.csv", ""));
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("replay needs --from=DEAD_LETTER_DIR"));
  }
}
