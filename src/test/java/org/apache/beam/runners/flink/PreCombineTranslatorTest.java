package org.apache.beam.runners.flink;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.joda.time.Duration;
import org.junit.Test;

/**
 * The translator takes over a plain combine in the global window in two cases: a batch translation
 * where Flink runs the job in BATCH mode (keyed inputs arrive sorted, which its merge relies on),
 * and a streaming job (its keyed merge keeps one accumulator per key in Flink's state). Anywhere
 * else - a batch translation in Flink's STREAMING mode, other windows - it leaves the combine to
 * Beam's translation, and the job translates as without it.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public class PreCombineTranslatorTest {
  /** The operators of a one-combine pipeline translated as the runner does, with Flink in {@code mode}. */
  private static List<String> operatorsIn(RuntimeExecutionMode mode) {
    return operatorsIn(mode, false, null);
  }

  /** The same for a streaming job ({@code streaming}), its input windowed by {@code windows} if given. */
  private static List<String> operatorsIn(RuntimeExecutionMode mode, boolean streaming,
      Window<KV<String, Long>> windows) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setUseDataStreamForBatch(true);
    options.setStreaming(streaming);
    Pipeline p = Pipeline.create(options);
    PCollection<KV<String, Long>> input = p.apply(Create.of(KV.of("a", 1L), KV.of("b", 2L), KV.of("a", 3L)));
    if (windows != null) {
      input = input.apply(windows);
    }
    input.apply("Sum", Sum.longsPerKey());
    PreCombineTranslator.install();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.setRuntimeMode(mode);
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReadsIfNecessary(p);
    p.replaceAll(FlinkTransformOverrides.getDefaultOverrides(options));
    new FlinkStreamingPipelineTranslator(env, options, streaming).translate(p);
    return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName)
        .collect(Collectors.toList());
  }

  @Test
  public void inBatchModeTheCombinePreCombinesBeforeTheShuffle() {
    int before = PreCombineTranslator.translated();
    assertThat(operatorsIn(RuntimeExecutionMode.BATCH), hasItem("Sum/Partial"));
    assertThat(PreCombineTranslator.translated(), is(before + 1));
  }

  @Test
  public void inAnyOtherModeBeamsTranslationIsKept() {
    int before = PreCombineTranslator.translated();
    List<String> operators = operatorsIn(RuntimeExecutionMode.STREAMING);
    assertThat(operators, not(hasItem("Sum/Partial")));
    assertThat(PreCombineTranslator.translated(), is(before));
  }

  @Test
  public void inAStreamingJobTheCombinePreCombinesAndMergesPerKey() {
    int before = PreCombineTranslator.translated();
    List<String> operators = operatorsIn(RuntimeExecutionMode.STREAMING, true, null);
    assertThat(operators, hasItem("Sum/Partial"));
    assertThat(operators, hasItem("Sum/Merge"));
    assertThat(PreCombineTranslator.translated(), is(before + 1));
  }

  @Test
  public void inAStreamingJobWithOtherWindowsBeamsTranslationIsKept() {
    int before = PreCombineTranslator.translated();
    List<String> operators = operatorsIn(RuntimeExecutionMode.STREAMING, true,
        Window.into(FixedWindows.of(Duration.standardMinutes(1))));
    assertThat(operators, not(hasItem("Sum/Partial")));
    assertThat(PreCombineTranslator.translated(), is(before));
  }

  /** Both translations stamp results with the window's end: a combine asking for its inputs' earliest keeps Beam's. */
  @Test
  public void aCombineWithAnotherTimestampKeepsBeamsTranslationInEitherMode() {
    int before = PreCombineTranslator.translated();
    Window<KV<String, Long>> earliest = Window.<KV<String, Long>>into(new GlobalWindows())
        .withTimestampCombiner(TimestampCombiner.EARLIEST);
    assertThat(operatorsIn(RuntimeExecutionMode.BATCH, false, earliest), not(hasItem("Sum/Partial")));
    assertThat(operatorsIn(RuntimeExecutionMode.STREAMING, true, earliest), not(hasItem("Sum/Partial")));
    assertThat(PreCombineTranslator.translated(), is(before));
  }
}
