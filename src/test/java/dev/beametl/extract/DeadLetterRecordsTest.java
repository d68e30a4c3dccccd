package dev.beametl.extract;

import dev.beametl.record.SourceRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Which dead letters a replay takes: each positioned record once, a database row's every time. */
public class DeadLetterRecordsTest {
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final class OriginAndText extends SimpleFunction<SourceRecord, String> {
    @Override
    public String apply(SourceRecord r) {
      return r.origin() + " " + r.text();
    }
  }

  private static String deadLetter(String origin, String payload) {
    return "{\"origin\":\"" + origin + "\",\"stage\":\"validate\",\"field\":\"qty\",\"reason_kind\":\"type\","
        + "\"reason\":\"qty: x\",\"payload\":\"" + payload + "\",\"payload_format\":\"json\"}";
  }

  /**
   * A database row's origin is its table (and partition key): three rows of one table shared one
   * identity, so a replay wrote one of them, counted two as duplicates, and listed the table's
   * identity as replayed - every later dead letter of that table skipped for good.
   */
  @Test
  public void databaseRowsWithoutAPositionAreEachReplayedAndNeverListed() throws Exception {
    Path file = tmp.newFile("bad-records-00000-of-00001.jsonl").toPath();
    List<String> lines = new ArrayList<>();
    for (int id = 1; id <= 3; id++) {
      lines.add(deadLetter("items", "{\\\"id\\\":" + id + ",\\\"qty\\\":" + id + "}"));
    }
    lines.add(deadLetter("/in/a.csv:line 7", "{\\\"id\\\":7,\\\"qty\\\":7}"));
    lines.add(deadLetter("/in/a.csv:line 7", "{\\\"id\\\":7,\\\"qty\\\":7}")); // the same record twice
    lines.add(deadLetter("/in/a.csv:line 9", "{\\\"id\\\":9,\\\"qty\\\":9}")); // replayed before
    Files.write(file, lines);

    PCollectionTuple out = p.apply(DeadLetterRecords.from(List.of(file.toString()), List.of("id", "qty"))
        .withReplayedBefore(Set.of(DeadLetterRecords.identity("/in/a.csv:line 9"))));
    PAssert.that(out.get(DeadLetterRecords.RECORDS).apply(MapElements.via(new OriginAndText()))).containsInAnyOrder(
        "items {\"id\":1,\"qty\":1}", "items {\"id\":2,\"qty\":2}", "items {\"id\":3,\"qty\":3}",
        "/in/a.csv:line 7 {\"id\":7,\"qty\":7}");
    PAssert.that(out.get(DeadLetterRecords.REPLAYED))
        .containsInAnyOrder(DeadLetterRecords.identity("/in/a.csv:line 7"));
    p.run().waitUntilFinish();
  }
  /**
   * Identities replayed before, read from the lists earlier replays left (one a line) and given in
   * memory: their dead letters are left out, each line counted, however many lines hold one. The
   * lists are grouped with the dead letters as the runner shuffles; held in a set, they grew with
   * every record replayed, in the job's memory and every worker's.
   */
  @Test
  public void recordsListedAsReplayedBeforeAreLeftOutAndCounted() throws Exception {
    // In a directory whose name a glob would read as a pattern: read as a glob, nothing was found.
    Path dir = tmp.newFolder("out[1]{a}?").toPath();
    Path file = Files.createFile(dir.resolve("bad-records-00000-of-00001.jsonl"));
    List<String> lines = new ArrayList<>();
    for (int line : new int[] {7, 9, 9, 11, 12}) {
      lines.add(deadLetter("/in/a.csv:line " + line, "{\\\"id\\\":" + line + ",\\\"qty\\\":1}"));
    }
    Files.write(file, lines);
    Path first = Files.writeString(dir.resolve("0a1b2c3d-replayed-records-00000-of-00001.txt"),
        DeadLetterRecords.identity("/in/a.csv:line 9") + "\n\n" + DeadLetterRecords.identity("/in/a.csv:line 99") + "\n");
    Path second = Files.writeString(dir.resolve("1a1b2c3d-replayed-records-00000-of-00001.txt"),
        DeadLetterRecords.identity("/in/a.csv:line 11") + "\n");

    PCollectionTuple out = p.apply(DeadLetterRecords.from(List.of(file.toString()), List.of("id", "qty"))
        .withReplayedBefore(Set.of(DeadLetterRecords.identity("/in/a.csv:line 7")))
        .withReplayedBeforeIn(List.of(first.toString(), second.toString())));
    PAssert.that(out.get(DeadLetterRecords.RECORDS).apply(MapElements.via(new OriginAndText())))
        .containsInAnyOrder("/in/a.csv:line 12 {\"id\":12,\"qty\":1}");
    PAssert.that(out.get(dev.beametl.record.BundleCounts.TAG).apply(org.apache.beam.sdk.transforms.Sum.longsPerKey()))
        .containsInAnyOrder(org.apache.beam.sdk.values.KV.of("replay.replayed", 1L),
            org.apache.beam.sdk.values.KV.of("replay.skipped.replayed_before", 4L));
    p.run().waitUntilFinish();
  }

  /**
   * A fix added beside the line it fixes, not over it: two versions of one record in one file. The
   * replay took the line whose text sorted first, whichever that was, and counted the other as a
   * duplicate; it now replays neither and says why. Across files the first file given still wins,
   * and the same line twice in a file is one version.
   */
  @Test
  public void twoVersionsOfARecordInOneFileAreNotReplayedAndSaySo() throws Exception {
    Path newer = tmp.newFile("bad-records-00000-of-00002.jsonl").toPath();
    Path older = tmp.newFile("bad-records-00001-of-00002.jsonl").toPath();
    Files.write(newer, List.of(
        deadLetter("/in/a.csv:line 7", "{\\\"id\\\":7,\\\"qty\\\":\\\"x\\\"}"),
        deadLetter("/in/a.csv:line 8", "{\\\"id\\\":8,\\\"qty\\\":8}"),
        deadLetter("/in/a.csv:line 7", "{\\\"id\\\":7,\\\"qty\\\":7}"), // the fix, appended
        deadLetter("/in/a.csv:line 8", "{\\\"id\\\":8,\\\"qty\\\":8}"))); // the same line again
    Files.write(older, List.of(deadLetter("/in/a.csv:line 8", "{\\\"id\\\":8,\\\"qty\\\":\\\"y\\\"}")));

    PCollectionTuple out = p.apply(DeadLetterRecords.from(List.of(newer.toString(), older.toString()),
        List.of("id", "qty")));
    PAssert.that(out.get(DeadLetterRecords.RECORDS).apply(MapElements.via(new OriginAndText())))
        .containsInAnyOrder("/in/a.csv:line 8 {\"id\":8,\"qty\":8}");
    PAssert.that(out.get(DeadLetterRecords.REPLAYED))
        .containsInAnyOrder(DeadLetterRecords.identity("/in/a.csv:line 8"));
    PAssert.that(out.get(dev.beametl.record.BundleCounts.TAG).apply(org.apache.beam.sdk.transforms.Sum.longsPerKey()))
        .containsInAnyOrder(org.apache.beam.sdk.values.KV.of("replay.replayed", 1L),
            org.apache.beam.sdk.values.KV.of("replay.skipped.two_versions_in_one_file", 2L),
            org.apache.beam.sdk.values.KV.of("replay.skipped.duplicate", 2L));
    p.run().waitUntilFinish();
  }
}
