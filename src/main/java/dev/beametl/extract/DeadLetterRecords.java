package dev.beametl.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Extract for a replay: the records of earlier dead letters ({@code bad-records-*.jsonl}), each
 * with its original origin, read as its {@code payload_format} says - a raw CSV record with the
 * columns it was read with, the source's JSON object, or a row's validated values. Dead letters
 * that cannot be replayed are counted by why, {@code replay.skipped.<why>}; the others
 * {@code replay.replayed}.
 */
public final class DeadLetterRecords extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<SourceRecord> RECORDS = new TupleTag<>("replayed") {};
  private final List<String> files;
  private final List<String> schemaFields;

  private DeadLetterRecords(List<String> files, List<String> schemaFields) {
    this.files = List.copyOf(files);
    this.schemaFields = List.copyOf(schemaFields);
  }

  /** The dead-letter files to replay, against a schema with these field names. */
  public static DeadLetterRecords from(List<String> files, List<String> schemaFields) {
    return new DeadLetterRecords(files, schemaFields);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionList<String> lines = PCollectionList.empty(begin.getPipeline());
    for (int i = 0; i < files.size(); i++) {
      lines = lines.and(begin.apply("Read dead letters " + i, TextIO.read().from(files.get(i))));
    }
    PCollectionTuple out = lines.apply("All dead letters", Flatten.pCollections())
        .apply("Dead letters to records", ParDo.of(new ToRecord(schemaFields))
            .withOutputTags(RECORDS, TupleTagList.of(BundleCounts.TAG)));
    out.get(RECORDS).setCoder(SourceRecord.RecordCoder.of());
    out.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  static final class ToRecord extends DoFn<String, SourceRecord> {
    private final List<String> schemaFields;
    private transient ObjectMapper json;
    private transient BundleCounts counts;

    ToRecord(List<String> schemaFields) {
      this.schemaFields = schemaFields;
    }

    @Setup
    public void setup() {
      json = dev.beametl.record.RowJson.readerOfOwnFiles(); // a payload as long as its record
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      counts.cell("replay.replayed");
    }

    @ProcessElement
    public void process(@Element String line, MultiOutputReceiver out) {
      JsonNode n;
      try {
        n = json.readTree(line);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        counts.increment("replay.skipped.not_a_dead_letter");
        return;
      }
      if (n == null || !n.isObject() || !n.path("origin").isTextual() || !n.path("payload").isTextual()) {
        counts.increment("replay.skipped.not_a_dead_letter");
        return;
      }
      String why = whyNot(n);
      if (why != null) {
        counts.increment("replay.skipped." + why);
        return;
      }
      String payload = n.get("payload").asText();
      SourceRecord record = SourceRecord.of(n.get("origin").asText(), -1, 0, payload, null, false);
      switch (n.path("payload_format").asText()) {
        case "csv":
          List<String> columns = new ArrayList<>();
          n.path("columns").forEach(c -> columns.add(c.isNull() ? "" : c.asText()));
          ColumnLayout layout = ColumnLayout.fromHeader(columns, schemaFields);
          record = SourceRecord.of(n.get("origin").asText(), -1, 0, payload, layout, false);
          break;
        case "json":
          record = record.withTextFormat(SourceRecord.Text.JSON);
          break;
        default:
          record = record.withTextFormat(SourceRecord.Text.VALUES);
      }
      counts.increment("replay.replayed");
      out.get(RECORDS).output(record);
    }

    /** Why a dead letter cannot be replayed (a short key), or null when it can. */
    private static String whyNot(JsonNode n) {
      String format = n.path("payload_format").asText("");
      String stage = n.path("stage").asText("");
      if (stage.startsWith("lookup:")) {
        return "reference_table_record"; // fixed in the reference table, not replayed through this job
      }
      if (format.isEmpty()) {
        return "written_before_replay_existed";
      }
      if (format.equals("none")) {
        String kind = n.path("reason_kind").asText("");
        return kind.equals("too_long") || kind.equals("unreadable") ? kind : "payload_not_a_whole_record";
      }
      if (n.path("reason_kind").asText("").equals("bad_encoding") && n.get("payload").asText().indexOf('\uFFFD') >= 0) {
        return "bad_encoding_not_fixed";
      }
      if (!format.equals("csv") && !format.equals("json") && !format.equals("values")) {
        return "unknown_payload_format";
      }
      if (format.equals("csv") && !n.path("columns").isArray()) {
        return "csv_without_columns";
      }
      return null;
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      counts.flush(context);
    }
  }
}
