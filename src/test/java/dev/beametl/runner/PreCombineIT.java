package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.beametl.cli.EtlOptions;
import dev.beametl.record.SizedAccumulators;
import dev.beametl.runner.FlinkSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.StreamSupport;
import org.apache.beam.runners.flink.PreCombineTranslator;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SetCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Mean;
import org.apache.beam.sdk.transforms.Sample;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;
import org.junit.AfterClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Combine.perKey on the embedded Flink runner on the DataStream API, in batch mode and in a streaming job, translated by
 * {@link PreCombineTranslator}: exact results with few keys (the hash map folds nearly
 * everything), with more keys than the map holds (it grows, sends its accumulators on and starts
 * again), with keys in runs (a small map folds them),
 * with keys that never repeat (it stops folding and passes inputs through), with accumulators held
 * to a byte budget (a distinct count's bitmaps), through a file sink,
 * whose GroupByKey drops elements that arrive after the final watermark, and a global combine
 * whose one accumulator is bigger than a sort buffer (as a lookup's table is).
 */
public class PreCombineIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();
  private static final int MANY = 3 * PreCombineTranslator.MAX_PARTIAL_KEYS;

  /**
   * Beam's local Flink environment closes a job's cluster on a thread of its own after the job's
   * result is out, and that close empties the cluster's io.tmp.dirs (under conf/). TemporaryFolder
   * deletes once and stops silently at the first directory it cannot delete: every full build here
   * left this class's folder in /tmp (conf/flink-tmp and the checkpoint directories, emptied later),
   * though a run of this class alone did not. Deleted here until nothing is left (10 s at most).
   */
  @AfterClass
  public static void deleteOnceTheClustersHaveClosed() throws Exception {
    for (int attempt = 0; attempt < 100 && Files.exists(TMP.getRoot().toPath()); attempt++) {
      try {
        MoreFiles.deleteRecursively(TMP.getRoot().toPath(), RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException stillClosing) { // a file came or went meanwhile: again
        Thread.sleep(100);
      }
    }
  }

  @Test
  public void combinesExactlyWhateverTheNumberOfKeys() throws Exception {
    EtlOptions etl = PipelineOptionsFactory.as(EtlOptions.class);
    etl.setRunner(FlinkRunner.class);
    FlinkSettings.applyDefaults(etl, List.of()); // the job's runner settings; installs the translator
    FlinkSettings.useEmbeddedConfig(etl, TMP.newFolder("conf").toPath()); // its memory sizes too
    combinesExactly(etl.as(FlinkPipelineOptions.class), "batch");
  }

  /**
   * A global combine whose accumulator's coder tells its size cheaply (a lookup's table) is sent on
   * in parts of about 4 MiB as it grows, and merged exactly after the shuffle: 40 MB of inputs in
   * one accumulator per task came to the merge as many, not two (before, each task sent its whole
   * accumulator as one record, which took its size several times over in the sender's buffers).
   */
  @Test
  public void aGlobalCombinesBigAccumulatorCrossesTheShuffleInParts() throws Exception {
    EtlOptions etl = PipelineOptionsFactory.as(EtlOptions.class);
    etl.setRunner(FlinkRunner.class);
    FlinkSettings.applyDefaults(etl, List.of());
    FlinkSettings.useEmbeddedConfig(etl, TMP.newFolder("conf-parts").toPath());
    FlinkPipelineOptions options = etl.as(FlinkPipelineOptions.class);
    options.setParallelism(2);
    MERGED_ACCUMULATORS.set(0);
    Pipeline p = Pipeline.create(options);
    PCollection<Long> total = p.apply("Big", GenerateSequence.from(0).to(1_000))
        .apply("Pad", MapElements.into(TypeDescriptors.strings()).via(i -> i + "x".repeat(40_000)))
        .apply("Characters", org.apache.beam.sdk.transforms.Combine.globally(new SizedCharacters()));
    PAssert.thatSingleton(total).isEqualTo(1_000 * 40_000L + 10 + 90 * 2 + 900 * 3);
    p.run().waitUntilFinish();
    assertThat("accumulators that reached the merge", MERGED_ACCUMULATORS.get(), greaterThan(4L));
  }

  static final AtomicLong MERGED_ACCUMULATORS = new AtomicLong();

  /** Keeps its inputs (as a lookup's table keeps rows) and counts their characters; its coder knows its size. */
  static final class SizedCharacters
      extends org.apache.beam.sdk.transforms.Combine.CombineFn<String, ArrayList<String>, Long> {
    @Override
    public ArrayList<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public ArrayList<String> addInput(ArrayList<String> all, String s) {
      all.add(s);
      return all;
    }

    @Override
    public ArrayList<String> mergeAccumulators(Iterable<ArrayList<String>> accumulators) {
      ArrayList<String> merged = new ArrayList<>();
      for (ArrayList<String> a : accumulators) {
        MERGED_ACCUMULATORS.incrementAndGet();
        merged.addAll(a);
      }
      return merged;
    }

    @Override
    public Long extractOutput(ArrayList<String> all) {
      return all.stream().mapToLong(String::length).sum();
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<ArrayList<String>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<String> input) {
      return new SizedListCoder();
    }
  }

  static final class SizedListCoder extends org.apache.beam.sdk.coders.AtomicCoder<ArrayList<String>> {
    private static final org.apache.beam.sdk.coders.Coder<java.util.List<String>> LIST =
        org.apache.beam.sdk.coders.ListCoder.of(org.apache.beam.sdk.coders.StringUtf8Coder.of());

    @Override
    public void encode(ArrayList<String> value, java.io.OutputStream out) throws java.io.IOException {
      LIST.encode(value, out);
    }

    @Override
    public ArrayList<String> decode(java.io.InputStream in) throws java.io.IOException {
      return new ArrayList<>(LIST.decode(in));
    }

    @Override
    public boolean isRegisterByteSizeObserverCheap(ArrayList<String> value) {
      return true;
    }

    @Override
    public void registerByteSizeObserver(ArrayList<String> value,
        org.apache.beam.sdk.util.common.ElementByteSizeObserver observer) {
      observer.update(value.stream().mapToLong(s -> s.length() + 3L).sum());
    }
  }

  /**
   * The same combines in a streaming job, as a resumable run has them: checkpoints every 100 ms
   * while the pre-combine holds accumulators (each barrier empties its map), the keyed merge's
   * state in RocksDB, then in the heap backend (the merge clears each key's state as it sends it).
   */
  @Test
  public void combinesExactlyInAStreamingJobWithCheckpoints() throws Exception {
    for (String backend : List.of("rocksdb", "filesystem")) {
      EtlOptions etl = PipelineOptionsFactory.as(EtlOptions.class);
      etl.setRunner(FlinkRunner.class);
      FlinkSettings.applyDefaults(etl, List.of());
      FlinkPipelineOptions options = etl.as(FlinkPipelineOptions.class);
      options.setStreaming(true);
      options.setCheckpointingInterval(100L);
      options.setShutdownSourcesAfterIdleMs(1_000L);
      options.setStateBackend(backend);
      options.setStateBackendStoragePath(TMP.newFolder("checkpoints-" + backend).toURI().toString());
      combinesExactly(options, "streaming-" + backend);
    }
  }

  private static final long ROWS = 60_000;
  private static final AtomicBoolean FAILED = new AtomicBoolean();

  /**
   * A streaming job that fails once, late in its input, after checkpoints have completed, and is
   * restored from the last one: the sums are exact only if what the pre-combine held at each barrier
   * went out before it, and the keyed merge's state came back with the checkpoint.
   */
  @Test
  public void aStreamingJobRestoredFromACheckpointCombinesExactly() throws Exception {
    Pipeline p = Pipeline.create(streaming("checkpoints-restored", 2));
    PCollection<KV<Long, Long>> sums = p.apply(GenerateSequence.from(0).to(ROWS))
        .apply("Slowly, failing once", ParDo.of(new FailOnceLate()))
        .apply("Sum", Sum.longsPerKey());
    List<KV<Long, Long>> expected = new ArrayList<>();
    for (long k = 0; k < 500; k++) {
      long sum = 0;
      for (long i = k; i < ROWS; i += 500) {
        sum += i;
      }
      expected.add(KV.of(k, sum));
    }
    PAssert.that(sums).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
    assertThat("the job failed once and was restored", FAILED.get(), is(true));
  }

  /** About 1.5 s per reader (a millisecond per 20 inputs), so checkpoints complete; fails once near the end. */
  static final class FailOnceLate extends DoFn<Long, KV<Long, Long>> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, Long>> out) throws InterruptedException {
      if (i % 20 == 0) {
        Thread.sleep(1);
      }
      if (i == ROWS - 1_000 && FAILED.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure");
      }
      out.output(KV.of(i % 500, i));
    }
  }

  private static final int END_KEYS = 20_000;
  private static final AtomicLong SENT = new AtomicLong();
  private static final AtomicBoolean FAILED_IN_END = new AtomicBoolean();

  /** A streaming job as a resumable run has it, its merge's state in RocksDB. */
  private static FlinkPipelineOptions streaming(String checkpoints, int retries) throws Exception {
    EtlOptions etl = PipelineOptionsFactory.as(EtlOptions.class);
    etl.setRunner(FlinkRunner.class);
    FlinkSettings.applyDefaults(etl, List.of());
    FlinkPipelineOptions options = etl.as(FlinkPipelineOptions.class);
    options.setStreaming(true);
    options.setParallelism(2);
    options.setCheckpointingInterval(100L);
    options.setUnalignedCheckpointEnabled(true);
    options.setShutdownSourcesAfterIdleMs(1_000L);
    options.setNumberOfExecutionRetries(retries);
    options.setExecutionRetryDelay(100L);
    options.setStateBackend("rocksdb");
    options.setStateBackendStoragePath(TMP.newFolder(checkpoints).toURI().toString());
    return options;
  }

  /**
   * The keyed merge sends its results at the end, 20,000 keys through a slow step (about 5 s a
   * subtask), while checkpoints time out after 2 s: the job finishes only if checkpoints complete
   * during that end phase (before, each one expired, the job failed and began the end phase again
   * until its retries ran out). It fails once at 60% of the keys sent and is restored from a
   * checkpoint taken in the end phase (fewer keys are sent again than were sent before), and every
   * key's result arrives once: what that checkpoint holds and what went out before its barrier fit
   * together.
   */
  @Test
  public void checkpointsCompleteWhileTheMergeSendsAndARestoreThereSendsEachKeyOnce() throws Exception {
    FlinkPipelineOptions options = streaming("checkpoints-end-phase", 2);
    options.setCheckpointTimeoutMillis(2_000L);
    SENT.set(0);
    FAILED_IN_END.set(false);
    Pipeline p = Pipeline.create(options);
    PCollection<KV<Long, Long>> counts = p.apply(GenerateSequence.from(0).to(END_KEYS))
        .apply("Each key once", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
            .via(i -> KV.of(i, 1L)))
        .apply("Count", Sum.longsPerKey())
        .apply("Slowly, failing once at 60%", ParDo.of(new SlowlyFailingOnce()));
    List<KV<Long, Long>> expected = new ArrayList<>();
    for (long k = 0; k < END_KEYS; k++) {
      expected.add(KV.of(k, 1L));
    }
    PAssert.that(counts).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
    assertThat("the job failed in its end phase and was restored", FAILED_IN_END.get(), is(true));
    // Restored from before the end phase, the merge would have sent all 20,000 keys again.
    assertThat("results sent, the failed attempt's and the restored one's", SENT.get(),
        lessThan(END_KEYS + END_KEYS * 6L / 10));
  }

  private static final AtomicLong FAILED_AT = new AtomicLong();

  /**
   * A job that fails while the merge sends, with no retries: the other subtask, whose next step
   * spins (as RocksDB's calls do, deaf to an interrupt), stops soon after the cancel (within
   * 64 keys, a third of a second; 15 s allowed) instead of sending its ~10,000 remaining keys at
   * 5 ms each (50 s; on a cluster, Flink's watchdog killed the TaskManager after 180 s).
   */
  @Test
  public void aJobFailingWhileTheMergeSendsStopsAtOnce() throws Exception {
    FlinkPipelineOptions options = streaming("checkpoints-cancelled", 0);
    Pipeline p = Pipeline.create(options);
    p.apply(GenerateSequence.from(0).to(END_KEYS))
        .apply("Each key once", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.longs(), TypeDescriptors.longs()))
            .via(i -> KV.of(i, 1L)))
        .apply("Count", Sum.longsPerKey())
        .apply("Spinning, one subtask failing", ParDo.of(new SpinningOneFailing()));
    FAILED_AT.set(0);
    try {
      p.run().waitUntilFinish();
      throw new AssertionError("the job should have failed");
    } catch (RuntimeException expected) {
      assertThat(expected.toString(), FAILED_AT.get(), greaterThan(0L));
    }
    long stopMillis = (System.nanoTime() - FAILED_AT.get()) / 1_000_000;
    assertThat("ms from the failure to the job's end", stopMillis, lessThan(15_000L));
  }

  /** About 1 ms per 2 results; fails once at 60% of them. */
  static final class SlowlyFailingOnce extends DoFn<KV<Long, Long>, KV<Long, Long>> {
    @ProcessElement
    public void process(@Element KV<Long, Long> kv, OutputReceiver<KV<Long, Long>> out) throws InterruptedException {
      long sent = SENT.incrementAndGet();
      if (sent % 2 == 0) {
        Thread.sleep(1);
      }
      if (sent == END_KEYS * 6 / 10 && FAILED_IN_END.compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure in the end phase");
      }
      out.output(kv);
    }
  }

  /** Spins 5 ms per result, deaf to interrupts; the first subtask to reach its 200th result fails. */
  static final class SpinningOneFailing extends DoFn<KV<Long, Long>, Long> {
    private transient long seen;

    @ProcessElement
    public void process(@Element KV<Long, Long> kv, OutputReceiver<Long> out) {
      if (++seen == 200 && FAILED_AT.compareAndSet(0, System.nanoTime())) {
        throw new IllegalStateException("injected failure in the end phase");
      }
      long until = System.nanoTime() + 5_000_000;
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      out.output(kv.getKey());
    }
  }

  private static void combinesExactly(FlinkPipelineOptions options, String run) throws Exception {
    options.setParallelism(2);
    int before = PreCombineTranslator.translated();
    Pipeline p = Pipeline.create(options);

    List<KV<String, Long>> fewKeys = new ArrayList<>();
    List<KV<String, Long>> fewExpected = new ArrayList<>();
    for (int k = 0; k < 7; k++) {
      for (long v = 1; v <= 5_000; v++) {
        fewKeys.add(KV.of("k" + k, v * (k + 1)));
      }
      fewExpected.add(KV.of("k" + k, 5_000L * 5_001 / 2 * (k + 1)));
    }
    PCollection<KV<String, Long>> sums = p.apply("Few keys", Create.of(fewKeys)).apply("Sum few", Sum.longsPerKey());
    PAssert.that(sums).containsInAnyOrder(fewExpected);
    // Through a file sink, as the job's counts go: a GroupByKey in it drops what arrives after the
    // final watermark, so the combine must send everything before it.
    sums.apply("As text", MapElements.into(TypeDescriptors.strings()).via(kv -> kv.getKey() + "=" + kv.getValue()))
        .apply("Write", TextIO.write().to(TMP.getRoot() + "/sums-" + run).withSuffix(".txt").withoutSharding());

    // Each key twice, far apart: the map fills up and flushes, and the halves meet after the shuffle.
    List<KV<Integer, Long>> twice = new ArrayList<>();
    List<KV<Integer, Double>> twiceExpected = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < MANY; k++) {
        twice.add(KV.of(k, (long) k + round));
      }
    }
    for (int k = 0; k < MANY; k++) {
      twiceExpected.add(KV.of(k, k + 0.5));
    }
    PAssert.that(p.apply("Keys twice", Create.of(twice)).apply("Mean twice", Mean.perKey()))
        .containsInAnyOrder(twiceExpected);

    // Keys in runs of three (an order's lines): the map stays small, sends on each full map, and
    // a run cut by a send meets its other part after the shuffle.
    List<KV<Long, Long>> runs = new ArrayList<>();
    List<KV<Long, Long>> runsExpected = new ArrayList<>();
    for (long k = 0; k < MANY; k++) {
      for (long line = 1; line <= 3; line++) {
        runs.add(KV.of(k, line));
      }
      runsExpected.add(KV.of(k, 6L));
    }
    PAssert.that(p.apply("Keys in runs", Create.of(runs)).apply("Sum runs", Sum.longsPerKey()))
        .containsInAnyOrder(runsExpected);

    // Keys that never repeat: the map gives up folding and every input passes through.
    List<Integer> unique = new ArrayList<>();
    List<KV<Integer, Long>> ones = new ArrayList<>();
    for (int k = 0; k < MANY; k++) {
      unique.add(k);
      ones.add(KV.of(k, 1L));
    }
    PCollection<KV<Integer, Long>> counted = p.apply("Unique keys", Create.of(unique)).apply(Count.perElement());
    PAssert.that(counted).containsInAnyOrder(ones);

    // A combine whose accumulators tell their size (a distinct count's bitmaps) is held to a byte
    // budget, not a number of keys: sets that claim 1 MiB a value fill it every few dozen inputs,
    // hardly folding (it then passes inputs through), and each key's parts meet after the shuffle.
    List<KV<Integer, Long>> values = new ArrayList<>();
    List<KV<Integer, Long>> distinctExpected = new ArrayList<>();
    for (int round = 0; round < 10; round++) {
      for (int k = 0; k < 300; k++) {
        values.add(KV.of(k, (long) round % 5 + k));
      }
    }
    for (int k = 0; k < 300; k++) {
      distinctExpected.add(KV.of(k, 5L));
    }
    PAssert.that(p.apply("Values", Create.of(values)).apply("Distinct values", Combine.perKey(new ClaimedSizeSet())))
        .containsInAnyOrder(distinctExpected);
    SETS_MERGED.set(0);

    // A global combine whose one accumulator is bigger than a sort buffer (half of the managed
    // memory, 16 MB at this parallelism), as a lookup's table is: a sample that keeps all 1,000 of
    // its 40 KB inputs. Sorted, this failed ("the record exceeds the maximum size of a sort buffer").
    PCollection<Long> sampled = p.apply("Big", GenerateSequence.from(0).to(1_000))
        .apply("Pad", MapElements.into(TypeDescriptors.strings()).via(i -> "x".repeat(40_000)))
        .apply("Keep all", Sample.fixedSizeGlobally(1_000))
        .apply("Characters", MapElements.into(TypeDescriptors.longs())
            .via(all -> StreamSupport.stream(all.spliterator(), false).mapToLong(String::length).sum()));
    PAssert.thatSingleton(sampled).isEqualTo(40_000_000L);

    p.run().waitUntilFinish();
    List<String> written = Files.readAllLines(Path.of(TMP.getRoot() + "/sums-" + run + ".txt"));
    assertThat(written, containsInAnyOrder(fewExpected.stream().map(kv -> kv.getKey() + "=" + kv.getValue()).toArray()));
    // Our five combines at least (PAssert adds its own); the job failed above if any result was wrong.
    assertThat(PreCombineTranslator.translated() - before, greaterThanOrEqualTo(5));
    // Folded by a count of keys, each task would send at most its 300 sets, 600 to merge in all.
    assertThat("sets merged: the budget sent them on", SETS_MERGED.get(), greaterThan(1_000L));
  }

  static final AtomicLong SETS_MERGED = new AtomicLong();

  /** The number of distinct values per key, from a set that claims 1 MiB a value: its map is soon full by bytes. */
  static final class ClaimedSizeSet extends Combine.CombineFn<Long, Set<Long>, Long>
      implements SizedAccumulators<Set<Long>> {
    @Override
    public Set<Long> createAccumulator() {
      return new HashSet<>();
    }

    @Override
    public Set<Long> addInput(Set<Long> set, Long value) {
      set.add(value);
      return set;
    }

    @Override
    public Set<Long> mergeAccumulators(Iterable<Set<Long>> sets) {
      Set<Long> merged = new HashSet<>();
      sets.forEach(set -> {
        SETS_MERGED.incrementAndGet();
        merged.addAll(set);
      });
      return merged;
    }

    @Override
    public Long extractOutput(Set<Long> set) {
      return (long) set.size();
    }

    @Override
    public long bytes(Set<Long> set) {
      return (long) set.size() << 20;
    }

    @Override
    public Coder<Set<Long>> getAccumulatorCoder(CoderRegistry registry, Coder<Long> inputCoder) {
      return SetCoder.of(VarLongCoder.of());
    }
  }
}
