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
}
