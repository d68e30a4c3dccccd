package dev.beametl.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.load.DeadLetters;
import dev.beametl.record.BundleCounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SortedMapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;

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
  public static final List<String> ALWAYS = List.of("read", "valid", "bad", "filtered", "kept", "failed", "written",
      DeadLetters.COUNT);

  @Override
  public PDone expand(PCollectionList<KV<String, Long>> counts) {
    List<KV<String, Long>> zeros = ALWAYS.stream().map(name -> KV.of(name, 0L)).collect(Collectors.toList());
    PCollection<KV<String, Long>> zero = counts.getPipeline()
        .apply("Counts every run has", Create.of(zeros).withCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())));
    // One combine and one file written whole, not a keyed sum and TextIO: the counts are a few lines
    // the job reads back itself, and TextIO's temp-file steps (six stages, 80 of the pipeline's 400
    // steps) ran last in every job, after everything else had finished (1,000 rows: ~0.3 s).
    counts.and(zero)
        .apply("All counts", Flatten.pCollections())
        // Without defaults: the zero counts above make the input never empty, and a default would add
        // a side input's steps for nothing.
        .apply("Sum counts by name", Combine.globally(new SumByName()).withoutDefaults())
        .apply("Write counts", ParDo.of(new WriteCounts(dir)));
    return PDone.in(counts.getPipeline());
  }

  /** Every count summed by its name, in name order. */
  static final class SumByName
      extends Combine.CombineFn<KV<String, Long>, SortedMap<String, Long>, SortedMap<String, Long>> {
    @Override
    public SortedMap<String, Long> createAccumulator() {
      return new TreeMap<>();
    }

    @Override
    public SortedMap<String, Long> addInput(SortedMap<String, Long> sums, KV<String, Long> count) {
      add(sums, count.getKey(), count.getValue());
      return sums;
    }

    @Override
    public SortedMap<String, Long> mergeAccumulators(Iterable<SortedMap<String, Long>> accumulators) {
      SortedMap<String, Long> all = new TreeMap<>();
      for (SortedMap<String, Long> sums : accumulators) {
        sums.forEach((name, n) -> add(all, name, n));
      }
      return all;
    }

    @Override
    public SortedMap<String, Long> extractOutput(SortedMap<String, Long> sums) {
      return sums; // one firing: the global window, the default trigger, a bounded input
    }

    @Override
    public Coder<SortedMap<String, Long>> getAccumulatorCoder(CoderRegistry registry, Coder<KV<String, Long>> input) {
      return SortedMapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    @Override
    public Coder<SortedMap<String, Long>> getDefaultOutputCoder(CoderRegistry registry, Coder<KV<String, Long>> input) {
      return SortedMapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    private static void add(SortedMap<String, Long> sums, String name, long n) {
      try {
        sums.merge(name, n, Math::addExact);
      } catch (ArithmeticException e) {
        throw new ArithmeticException("the count " + name + " went beyond a long");
      }
    }
  }

  /**
   * Writes counts.jsonl whole: to a file of this attempt's own, then renamed over the name, so a
   * retried write leaves one complete file and a reader never sees half of one. Its input is one
   * element per run (a global combine of a bounded input in the global window).
   */
  static final class WriteCounts extends DoFn<SortedMap<String, Long>, Void> {
    private final String dir;

    WriteCounts(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element SortedMap<String, Long> sums) throws IOException {
      write(dir, sums);
    }
  }

  /**
   * Writes {@code sums} as the counts.jsonl of {@code dir}, whole (see {@link WriteCounts}): the
   * pipeline's, or the job's correction of them after the pipeline (a table's commit that failed).
   */
  public static void write(String dir, SortedMap<String, Long> sums) throws IOException {
    StringBuilder lines = new StringBuilder();
    sums.forEach((name, n) -> lines.append(JSON.createObjectNode().put("name", name).put("count", n)).append('\n'));
    ResourceId directory = FileSystems.matchNewResource(dir, true);
    ResourceId target = directory.resolve("counts.jsonl", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    ResourceId attempt = directory.resolve(".counts-" + UUID.randomUUID() + ".tmp",
        ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try {
      try (WritableByteChannel channel = FileSystems.create(attempt, "application/json")) {
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
      FileSystems.rename(List.of(attempt), List.of(target)); // no options: a missing file fails the write
    } catch (IOException | RuntimeException e) {
      FileSystems.delete(List.of(attempt), MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      throw e;
    }
  }

  /** Reads the counts a finished run wrote in {@code dir}. */
  public static Map<String, Long> read(String dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    // Opened by its name, not matched: an output path may hold a glob's characters ("o[1]").
    ResourceId file = FileSystems.matchNewResource(dir, true)
        .resolve("counts.jsonl", ResolveOptions.StandardResolveOptions.RESOLVE_FILE);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        Channels.newInputStream(FileSystems.open(file)), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        JsonNode n = JSON.readTree(line);
        out.merge(n.get("name").asText(), n.get("count").asLong(), Long::sum);
      }
    }
    return out;
  }
}
