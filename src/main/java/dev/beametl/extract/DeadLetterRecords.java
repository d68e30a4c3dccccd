package dev.beametl.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.Origins;
import dev.beametl.record.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MetadataCoderV2;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
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
 *
 * <p>A dead letter is known by its origin ({@link #identity}): the source record it stands for,
 * wherever its line is now (an edited, copied or renamed file, or the replay's own dead letters,
 * which keep the origin). One that an earlier replay wrote to the output is left out,
 * {@code replay.skipped.replayed_before}: the identities of those records are grouped with the dead
 * letters by identity, as the runner shuffles, so however many there are they take no memory; one
 * found in several lines is replayed once, from the
 * first file given ({@code replay.skipped.duplicate} for the others). The identities of the records
 * replayed come out as {@link #REPLAYED}. A dead letter whose origin has no position (a database
 * row's: its table and partition key, which rows share) is replayed as its line says, every time.
 */
public final class DeadLetterRecords extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<SourceRecord> RECORDS = new TupleTag<>("replayed") {};
  /** The {@link #identity} of each record replayed (one per record in {@link #RECORDS}). */
  public static final TupleTag<String> REPLAYED = new TupleTag<>("replayed-identities") {};
  /** How the key of a dead letter without a position begins: not an identity (Base64 has no '~'). */
  private static final String UNPOSITIONED = "~";
  /** The rank of an identity replayed before, grouped with the dead letters of that identity. */
  private static final int REPLAYED_BEFORE = -1;
  private final List<String> files;
  private final List<String> schemaFields;
  private final List<String> replayedBefore;
  private final List<String> replayedBeforeLists;

  private DeadLetterRecords(List<String> files, List<String> schemaFields, Collection<String> replayedBefore,
      List<String> replayedBeforeLists) {
    this.files = List.copyOf(files);
    this.schemaFields = List.copyOf(schemaFields);
    this.replayedBefore = List.copyOf(new java.util.LinkedHashSet<>(replayedBefore));
    this.replayedBeforeLists = List.copyOf(replayedBeforeLists);
  }

  /**
   * The dead-letter files to replay, against a schema with these field names; a dead letter found
   * in several of them is replayed from the first.
   */
  public static DeadLetterRecords from(List<String> files, List<String> schemaFields) {
    return new DeadLetterRecords(files, schemaFields, Set.of(), List.of());
  }

  /** Leaves out the dead letters with these {@link #identity identities}: earlier replays wrote their records. */
  public DeadLetterRecords withReplayedBefore(Collection<String> identities) {
    return new DeadLetterRecords(files, schemaFields, identities, replayedBeforeLists);
  }

  /** As {@link #withReplayedBefore}, the identities read from these files, one a line. */
  public DeadLetterRecords withReplayedBeforeIn(List<String> lists) {
    return new DeadLetterRecords(files, schemaFields, replayedBefore, lists);
  }

  /**
   * What identifies a dead letter: its source record's origin (file and byte, line or row), hashed
   * to 128 bits. Not its payload (the fix), nor its stage or reason (a record that fails again in a
   * replay gets a new dead letter with the same origin, and another stage or reason).
   */
  public static String identity(String origin) {
    try {
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(origin.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(sha, 16));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionList<KV<Integer, String>> lines = PCollectionList.empty(begin.getPipeline());
    for (int i = 0; i < files.size(); i++) {
      lines = lines.and(exactly(begin, "Read dead letters " + i, List.of(files.get(i)))
          .apply("Rank dead letters " + i, MapElements.via(new Ranked(i)))
          .setCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())));
    }
    PCollectionTuple candidates = lines.apply("All dead letters", Flatten.pCollections())
        .apply("Replayable dead letters", ParDo.of(new Candidates())
            .withOutputTags(Candidates.BY_IDENTITY, TupleTagList.of(BundleCounts.TAG)));
    KvCoder<String, KV<Integer, String>> byIdentity = KvCoder.of(StringUtf8Coder.of(),
        KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()));
    candidates.get(Candidates.BY_IDENTITY).setCoder(byIdentity);
    candidates.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    PCollectionList<KV<String, KV<Integer, String>>> keyed = PCollectionList.of(candidates.get(Candidates.BY_IDENTITY));
    PCollectionList<String> before = PCollectionList.empty(begin.getPipeline());
    if (!replayedBefore.isEmpty()) {
      before = before.and(begin.apply("Records replayed before", Create.of(replayedBefore)
          .withCoder(StringUtf8Coder.of())));
    }
    if (!replayedBeforeLists.isEmpty()) {
      before = before.and(exactly(begin, "Read lists of records replayed before", replayedBeforeLists));
    }
    if (before.size() > 0) {
      keyed = keyed.and(before.apply("All records replayed before", Flatten.pCollections())
          .apply("Marked as replayed before", MapElements.via(new ReplayedBefore()))
          .setCoder(byIdentity));
    }
    PCollectionTuple out = keyed.apply("Dead letters and records replayed before", Flatten.pCollections())
        .apply("Dead letters by origin", GroupByKey.create())
        .apply("Dead letters to records", ParDo.of(new ToRecord(schemaFields))
            .withOutputTags(RECORDS, TupleTagList.of(BundleCounts.TAG).and(REPLAYED)));
    out.get(RECORDS).setCoder(SourceRecord.RecordCoder.of());
    out.get(REPLAYED).setCoder(StringUtf8Coder.of());
    PCollection<KV<String, Long>> counts = PCollectionList.of(candidates.get(BundleCounts.TAG))
        .and(out.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("Replay counts", Flatten.pCollections());
    return PCollectionTuple.of(RECORDS, out.get(RECORDS)).and(REPLAYED, out.get(REPLAYED))
        .and(BundleCounts.TAG, counts);
  }

  /**
   * The lines of exactly these files. Not TextIO.read().from(path) nor FileIO.matchAll: both take a
   * path as a glob, so an output directory named {@code out[1]} or {@code {a}} matched nothing, and
   * the records listed as replayed there were replayed again.
   */
  private static PCollection<String> exactly(PBegin begin, String step, List<String> paths) {
    List<MatchResult.Metadata> files = new ArrayList<>();
    for (String path : paths) {
      try {
        java.nio.file.attribute.BasicFileAttributes attrs = java.nio.file.Files.readAttributes(
            java.nio.file.Path.of(path), java.nio.file.attribute.BasicFileAttributes.class);
        files.add(MatchResult.Metadata.builder().setResourceId(FileSystems.matchNewResource(path, false))
            .setSizeBytes(attrs.size()).setIsReadSeekEfficient(true)
            .setLastModifiedMillis(attrs.lastModifiedTime().toMillis()).build());
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException("replay: cannot read " + path + ": " + e.getMessage(), e);
      }
    }
    return begin.apply(step, Create.of(files).withCoder(MetadataCoderV2.of()))
        .apply(step + ": open", FileIO.readMatches())
        .apply(step + ": lines", TextIO.readFiles());
  }

  /** A dead-letter line with its file's rank; static, so it holds no more than the rank. */
  static final class Ranked extends org.apache.beam.sdk.transforms.SimpleFunction<String, KV<Integer, String>> {
    private final int rank;

    Ranked(int rank) {
      this.rank = rank;
    }

    @Override
    public KV<Integer, String> apply(String line) {
      return KV.of(rank, line);
    }
  }

  /** An identity replayed before, as a mark grouped with the dead letters of the same identity. */
  static final class ReplayedBefore
      extends org.apache.beam.sdk.transforms.SimpleFunction<String, KV<String, KV<Integer, String>>> {
    @Override
    public KV<String, KV<Integer, String>> apply(String identity) {
      return KV.of(identity.strip(), KV.of(REPLAYED_BEFORE, ""));
    }
  }

  /** What both steps over dead-letter lines share: a JSON reader, and the bundle's replay counts. */
  abstract static class ReplayStep<I, O> extends DoFn<I, O> {
    transient ObjectMapper json;
    transient BundleCounts counts;

    @Setup
    public void setup() {
      json = dev.beametl.record.RowJson.readerOfOwnFiles(); // a payload as long as its record
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      counts.cell("replay.replayed"); // shown even when nothing is replayed
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      counts.flush(context);
    }
  }

  /** The replayable dead letters, by their {@link #identity}, with their file's rank; the others counted by why. */
  static final class Candidates extends ReplayStep<KV<Integer, String>, KV<String, KV<Integer, String>>> {
    static final TupleTag<KV<String, KV<Integer, String>>> BY_IDENTITY = new TupleTag<>("by-identity") {};

    @ProcessElement
    public void process(@Element KV<Integer, String> ranked, MultiOutputReceiver out) {
      JsonNode n = parse(json, ranked.getValue());
      if (n == null) {
        counts.increment("replay.skipped.not_a_dead_letter");
        return;
      }
      String why = ToRecord.whyNot(n);
      if (why != null) {
        counts.increment("replay.skipped." + why);
        return;
      }
      String origin = n.get("origin").asText();
      if (!Origins.isPosition(origin)) {
        // A database row's origin, its table (and partition key), is no record's alone: such a dead
        // letter is replayed as its line says, never merged with another, and not listed as replayed.
        out.get(BY_IDENTITY).output(KV.of(UNPOSITIONED + java.util.UUID.randomUUID(), ranked));
        return;
      }
      out.get(BY_IDENTITY).output(KV.of(identity(origin), ranked));
    }
  }

  /** A dead letter's JSON, or null when the line is not one. */
  static JsonNode parse(ObjectMapper json, String line) {
    JsonNode n;
    try {
      n = json.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
    if (n == null || !n.isObject() || !n.path("origin").isTextual() || !n.path("payload").isTextual()) {
      return null;
    }
    return n;
  }

  /**
   * One record per origin: the line of the first file given, the others counted; none when an
   * earlier replay wrote the origin's record (each line counted), and none when that file has two
   * versions of it ({@code two_versions_in_one_file}: a fix added beside the line it fixes, where it
   * should replace it) - which one is the fix is not for the replay to guess. The same line twice is
   * one version.
   */
  static final class ToRecord extends ReplayStep<KV<String, Iterable<KV<Integer, String>>>, SourceRecord> {
    private final List<String> schemaFields;

    ToRecord(List<String> schemaFields) {
      this.schemaFields = schemaFields;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<Integer, String>>> byOrigin, MultiOutputReceiver out) {
      List<String> firstFile = new ArrayList<>(1); // its lines of the first file given that has any
      int firstRank = Integer.MAX_VALUE;
      long lines = 0;
      boolean replayedBefore = false;
      for (KV<Integer, String> line : byOrigin.getValue()) {
        if (line.getKey() == REPLAYED_BEFORE) {
          replayedBefore = true;
          continue;
        }
        lines++;
        if (line.getKey() < firstRank) {
          firstRank = line.getKey();
          firstFile.clear();
        }
        if (line.getKey() == firstRank) {
          firstFile.add(line.getValue());
        }
      }
      if (replayedBefore || firstFile.isEmpty()) { // none: only an identity replayed before, no dead letter of it
        if (lines > 0) {
          counts.add("replay.skipped.replayed_before", lines); // an earlier replay wrote its record
        }
        return;
      }
      List<JsonNode> letters = new ArrayList<>(firstFile.size());
      Set<String> versions = new HashSet<>();
      for (String line : firstFile) {
        letters.add(parse(json, line));
        versions.add(version(letters.get(letters.size() - 1)));
      }
      if (versions.size() > 1) {
        counts.add("replay.skipped.two_versions_in_one_file", firstFile.size());
        if (lines > firstFile.size()) {
          counts.add("replay.skipped.duplicate", lines - firstFile.size());
        }
        // Which record: the count alone does not say which lines to mend (rare, so each is logged)
        org.slf4j.LoggerFactory.getLogger(DeadLetterRecords.class).warn(
            "Not replayed: {} versions of the record from {} in one dead-letter file; keep the one you mean",
            versions.size(), letters.get(0).get("origin").asText());
        return;
      }
      if (lines > 1) {
        counts.add("replay.skipped.duplicate", lines - 1); // the same record in other lines: replayed once
      }
      JsonNode n = letters.get(0); // any: one origin, one version
      String payload = n.get("payload").asText();
      SourceRecord record = SourceRecord.of(n.get("origin").asText(), -1, 0, payload, null, false);
      switch (n.path("payload_format").asText()) {
        case "csv":
          List<String> columns = new ArrayList<>();
          n.path("columns").forEach(c -> columns.add(c.isNull() ? "" : c.asText()));
          // No columns: a file without a header, read by position, as a fresh run of this spec reads it
          ColumnLayout layout = columns.isEmpty() ? null : ColumnLayout.fromHeader(columns, schemaFields);
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
      if (!byOrigin.getKey().startsWith(UNPOSITIONED)) {
        out.get(REPLAYED).output(byOrigin.getKey());
      }
    }

    /** What a replay reads of a dead letter: two lines alike in this are the same version of the record. */
    private static String version(JsonNode n) {
      return n.path("payload_format").asText("") + '\u0000' + n.path("payload").asText() + '\u0000'
          + n.path("columns");
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
  }
}
