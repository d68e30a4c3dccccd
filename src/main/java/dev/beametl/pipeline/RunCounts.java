package dev.beametl.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.record.BundleCounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The run's counts as data: every stage's per-bundle counts summed by name and written as one JSON
 * lines file, which the job reads after the pipeline finishes. Exact after retries (see
 * {@link BundleCounts}), and the same on every runner.
 */
public final class RunCounts extends PTransform<PCollectionList<KV<String, Long>>, PDone> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String dir;

  private RunCounts(String dir) {
    this.dir = dir;
  }

  public static RunCounts writeTo(String dir) {
    return new RunCounts(dir);
  }

  /** The counts every run writes, zero or not, so a reader of counts.jsonl finds each of them. */
  public static final List<String> ALWAYS = List.of("read", "valid", "bad", "filtered", "kept", "failed", "written");

  @Override
  public PDone expand(PCollectionList<KV<String, Long>> counts) {
    List<KV<String, Long>> zeros = ALWAYS.stream().map(name -> KV.of(name, 0L)).collect(Collectors.toList());
    PCollection<KV<String, Long>> zero = counts.getPipeline()
        .apply("Counts every run has", Create.of(zeros).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
    return counts.and(zero)
        .apply("All counts", Flatten.pCollections())
        .apply("Sum counts by name", Sum.longsPerKey())
        .apply("Counts to JSON", MapElements.into(TypeDescriptors.strings())
            .via(kv -> "{\"name\":\"" + kv.getKey() + "\",\"count\":" + kv.getValue() + "}"))
        .setCoder(StringUtf8Coder.of())
        .apply("Write counts", TextIO.write().to(dir + "/counts").withSuffix(".jsonl").withoutSharding());
  }

  /** Reads the counts a finished run wrote in {@code dir}. */
  public static Map<String, Long> read(String dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    MatchResult match = FileSystems.match(dir + "/counts*.jsonl");
    for (MatchResult.Metadata m : match.metadata()) {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(
          Channels.newInputStream(FileSystems.open(m.resourceId())), StandardCharsets.UTF_8))) {
        for (String line = r.readLine(); line != null; line = r.readLine()) {
          JsonNode n = JSON.readTree(line);
          out.merge(n.get("name").asText(), n.get("count").asLong(), Long::sum);
        }
      }
    }
    return out;
  }
}
