package dev.beametl.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import java.io.IOException;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The dead-letter sink: one JSON object per bad record, with {@code origin}, {@code stage},
 * {@code field}, {@code reason_kind}, {@code reason} and the original {@code payload}, in
 * {@code <dir>/bad-records-*.jsonl}. For {@code beam-etl replay}: {@code payload_format} ({@code csv}, the
 * raw record, with {@code columns}, the schema field in each of its columns; {@code json}, the
 * source's JSON object; {@code values}, a row's validated values; {@code none}, not replayable).
 * Its output is the count {@value #COUNT}: the records handed to the files, which the job checks
 * against the files after the run (as {@code written} for the sink), so none is lost unnoticed.
 */
public final class DeadLetters extends PTransform<PCollection<BadRecord>, PCollection<KV<String, Long>>> {
  /** The count of the bad records handed to the files. */
  public static final String COUNT = "dead_letters";
  /** The files' names begin so: {@code bad-records-00000-of-00002.jsonl}. */
  public static final String FILE_PREFIX = "bad-records";
  private static final TupleTag<String> LINES = new TupleTag<>("dead-letter-lines") {};

  private final String dir;
  private final String prefix;

  private DeadLetters(String dir, String prefix) {
    this.dir = dir.replaceAll("/+$", "");
    this.prefix = prefix;
  }

  public static DeadLetters to(String dir) {
    return new DeadLetters(dir, FILE_PREFIX);
  }

  /** Files named for the run, {@code bad-records-<run>-*.jsonl}, beside earlier runs' (an appending run). */
  public DeadLetters withRunNamedFiles(String run) {
    return new DeadLetters(dir, FILE_PREFIX + "-" + run);
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<BadRecord> bad) {
    PCollectionTuple json = bad.apply("Bad records to JSON",
        ParDo.of(new ToJson()).withOutputTags(LINES, TupleTagList.of(BundleCounts.TAG)));
    json.get(LINES).setCoder(StringUtf8Coder.of())
        .apply("Write dead letters", TextIO.write().to(dir + "/" + prefix).withSuffix(".jsonl")
            .withNoSpilling()); // one destination: one writer per bundle, nothing to spill (see Load)
    return json.get(BundleCounts.TAG);
  }

  static final class ToJson extends DoFn<BadRecord, String> {
    private transient ObjectMapper json;
    private transient BundleCounts counts;
    private transient long[] written;

    @Setup
    public void setup() {
      json = new ObjectMapper();
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      written = counts.cell(COUNT);
    }

    @ProcessElement
    public void process(@Element BadRecord r, MultiOutputReceiver out) throws IOException {
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
      written[0]++;
      out.get(LINES).output(json.writeValueAsString(node));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      counts.flush(context);
    }
  }
}
