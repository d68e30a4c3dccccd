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
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.Test;

/**
 * The batch combine translator takes over a combine only where Flink runs the job in BATCH mode:
 * there keyed inputs arrive sorted, which its merge relies on. In any other runtime mode it leaves
 * the combine to Beam's translation, and the job translates as without it.
 */
public class BatchCombinePerKeyTranslatorTest {
  /** The operators of a one-combine pipeline translated as the runner does, with Flink in {@code mode}. */
  private static List<String> operatorsIn(RuntimeExecutionMode mode) {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    options.setUseDataStreamForBatch(true);
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(KV.of("a", 1L), KV.of("b", 2L), KV.of("a", 3L))).apply("Sum", Sum.longsPerKey());
    BatchCombinePerKeyTranslator.install();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
    env.setRuntimeMode(mode);
    SplittableParDo.convertReadBasedSplittableDoFnsToPrimitiveReadsIfNecessary(p);
    p.replaceAll(FlinkTransformOverrides.getDefaultOverrides(options));
    new FlinkStreamingPipelineTranslator(env, options, false).translate(p);
    return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getOperatorName)
        .collect(Collectors.toList());
  }

  @Test
  public void inBatchModeTheCombinePreCombinesBeforeTheShuffle() {
    int before = BatchCombinePerKeyTranslator.translated();
    assertThat(operatorsIn(RuntimeExecutionMode.BATCH), hasItem("Sum/Partial"));
    assertThat(BatchCombinePerKeyTranslator.translated(), is(before + 1));
  }

  @Test
  public void inAnyOtherModeBeamsTranslationIsKept() {
    int before = BatchCombinePerKeyTranslator.translated();
    List<String> operators = operatorsIn(RuntimeExecutionMode.STREAMING);
    assertThat(operators, not(hasItem("Sum/Partial")));
    assertThat(BatchCombinePerKeyTranslator.translated(), is(before));
  }
}
