package dev.beametl.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.record.BadRecord;
import java.io.IOException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

/**
 * The dead-letter sink: one JSON object per bad record, with {@code origin}, {@code stage},
 * {@code field}, {@code reason_kind}, {@code reason} and the original {@code payload}, in
 * {@code <dir>/bad-records-*.jsonl}. For {@code beam-etl replay}: {@code payload_format} ({@code csv}, the
 * raw record, with {@code columns}, the schema field in each of its columns; {@code json}, the
 * source's JSON object; {@code values}, a row's validated values; {@code none}, not replayable).
 */
public final class DeadLetters extends PTransform<PCollection<BadRecord>, PDone> {
  private final String dir;
  private final String prefix;

  private DeadLetters(String dir, String prefix) {
    this.dir = dir.replaceAll("/+$", "");
    this.prefix = prefix;
  }

  public static DeadLetters to(String dir) {
    return new DeadLetters(dir, "bad-records");
  }

  /** Files named for the run, {@code bad-records-<run>-*.jsonl}, beside earlier runs' (an appending run). */
  public DeadLetters withRunNamedFiles(String run) {
    return new DeadLetters(dir, "bad-records-" + run);
  }

  @Override
  public PDone expand(PCollection<BadRecord> bad) {
    return bad
        .apply("Bad records to JSON", ParDo.of(new ToJson()))
        .setCoder(StringUtf8Coder.of())
        .apply("Write dead letters", TextIO.write().to(dir + "/" + prefix).withSuffix(".jsonl")
            .withNoSpilling()); // one destination: one writer per bundle, nothing to spill (see Load)
  }

  static final class ToJson extends DoFn<BadRecord, String> {
    private transient ObjectMapper json;

    @Setup
    public void setup() {
      json = new ObjectMapper();
    }

    @ProcessElement
    public void process(@Element BadRecord r, OutputReceiver<String> out) throws IOException {
      ObjectNode node = json.createObjectNode()
          .put("origin", r.origin())
          .put("stage", r.stage())
          .put("field", r.field())
          .put("reason_kind", r.kind().label())
          .put("reason", r.reason())
          .put("payload", r.payload())
          .put("payload_format", r.payloadFormat().label());
      if (r.columns() != null) {
        com.fasterxml.jackson.databind.node.ArrayNode columns = node.putArray("columns");
        r.columns().forEach(columns::add);
      }
      out.output(json.writeValueAsString(node));
    }
  }
}
