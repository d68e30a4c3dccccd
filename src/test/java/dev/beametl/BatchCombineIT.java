package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.BatchCombinePerKeyTranslator;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Mean;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Test;

/**
 * Combine.perKey on the embedded Flink runner in batch mode on the DataStream API, translated by
 * {@link BatchCombinePerKeyTranslator}: exact results with few keys (the hash map folds nearly
 * everything), with more keys than the map holds (it sends its accumulators on and starts again),
 * and with keys that never repeat (it stops folding and passes inputs through).
 */
public class BatchCombineIT {
  private static final int MANY = 3 * BatchCombinePerKeyTranslator.MAX_PARTIAL_KEYS;

  @Test
  public void combinesExactlyWhateverTheNumberOfKeys() {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setParallelism(2);
    options.setUseDataStreamForBatch(true);
    options.setObjectReuse(true);
    BatchCombinePerKeyTranslator.install();
    int before = BatchCombinePerKeyTranslator.translated();
    Pipeline p = Pipeline.create(options);

    List<KV<String, Long>> fewKeys = new ArrayList<>();
    List<KV<String, Long>> fewExpected = new ArrayList<>();
    for (int k = 0; k < 7; k++) {
      for (long v = 1; v <= 5_000; v++) {
        fewKeys.add(KV.of("k" + k, v * (k + 1)));
      }
      fewExpected.add(KV.of("k" + k, 5_000L * 5_001 / 2 * (k + 1)));
    }
    PAssert.that(p.apply("Few keys", Create.of(fewKeys)).apply("Sum few", Sum.longsPerKey()))
        .containsInAnyOrder(fewExpected);

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

    // Keys that never repeat: the map gives up folding and every input passes through.
    List<Integer> unique = new ArrayList<>();
    List<KV<Integer, Long>> ones = new ArrayList<>();
    for (int k = 0; k < MANY; k++) {
      unique.add(k);
      ones.add(KV.of(k, 1L));
    }
    PCollection<KV<Integer, Long>> counted = p.apply("Unique keys", Create.of(unique)).apply(Count.perElement());
    PAssert.that(counted).containsInAnyOrder(ones);

    p.run().waitUntilFinish();
    // Our three combines at least (PAssert adds its own); the job failed above if any result was wrong.
    assertThat(BatchCombinePerKeyTranslator.translated() - before, greaterThanOrEqualTo(3));
  }
}
