package org.apache.beam.runners.flink;

// beam-etl: not a copy of a Beam class, but it lives in Beam's Flink package because the
// translator interface it implements is package-private there. Its operators live in
// dev.beametl.runner.combine; only what must be here is here.
//
// On Flink's DataStream API in batch mode (--useDataStreamForBatch), Beam 2.62 translates
// Combine.perKey like a streaming combine: no combining before the shuffle, and per element a
// keyed work item, Beam state lookups and an end-of-window timer (measured: about 29 us per element
// on this job's count_distinct). This translator does what the DataSet translation and Dataflow do
// for a batch combine in the global window: a bounded hash map folds inputs into accumulators
// before the shuffle, which carries them encoded, and Flink's batch sort (on a 64-bit hash of the
// key) brings each key's accumulators together to be merged. It applies only where Flink itself runs the job in BATCH
// mode (a sorted keyed input is what the merge relies on); any other combine (streaming, other
// windows or triggers, side inputs, a CombineFnWithContext), and any combine it cannot set up, keeps
// Beam's translation. Install with install(); delete when Beam's translator combines before the
// shuffle.

import dev.beametl.runner.combine.ExtractOutput;
import dev.beametl.runner.combine.EncodedAccumulator;
import dev.beametl.runner.combine.MergeSortedKeys;
import dev.beametl.runner.combine.PartialCombine;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.flink.translation.types.CoderTypeInformation;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Batch {@code Combine.perKey} on Flink's DataStream API: hash pre-combine, then a sorted merge. */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class BatchCombinePerKeyTranslator<K, InputT, AccumT, OutputT>
    extends FlinkStreamingPipelineTranslator.StreamTransformTranslator<
        PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>>> {

  /** Keys one pre-combining task holds before it sends its accumulators on and starts again. */
  public static final int MAX_PARTIAL_KEYS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(BatchCombinePerKeyTranslator.class);
  private static final AtomicInteger TRANSLATED = new AtomicInteger();

  private final FlinkStreamingPipelineTranslator.StreamTransformTranslator beams;

  /** How many combines this translator has translated in this JVM, so a test can tell it ran. */
  public static int translated() {
    return TRANSLATED.get();
  }

  private BatchCombinePerKeyTranslator(FlinkStreamingPipelineTranslator.StreamTransformTranslator beams) {
    this.beams = beams;
  }

  /** Puts this translator in front of Beam's for Combine.perKey; safe to call more than once. */
  public static synchronized void install() {
    try {
      Field field = FlinkStreamingTransformTranslators.class.getDeclaredField("TRANSLATORS");
      field.setAccessible(true);
      Map<String, FlinkStreamingPipelineTranslator.StreamTransformTranslator> translators =
          (Map) field.get(null);
      String urn = org.apache.beam.sdk.util.construction.PTransformTranslation.COMBINE_PER_KEY_TRANSFORM_URN;
      FlinkStreamingPipelineTranslator.StreamTransformTranslator current = translators.get(urn);
      if (!(current instanceof BatchCombinePerKeyTranslator)) {
        translators.put(urn, new BatchCombinePerKeyTranslator(current));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the batch combine translator", e);
    }
  }

  @Override
  boolean canTranslate(PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> transform,
      FlinkStreamingTranslationContext context) {
    return beams.canTranslate(transform, context);
  }

  @Override
  void translateNode(PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> transform,
      FlinkStreamingTranslationContext context) {
    Plan<K, InputT, AccumT, OutputT> plan = null;
    if (isPlainBatchCombine(transform, context)) {
      try {
        plan = new Plan<>(transform, context);
      } catch (RuntimeException e) {
        LOG.warn("Combine {}: Beam's translation instead of the batch pre-combine ({})",
            context.getCurrentTransform().getFullName(), e.toString());
      }
    }
    if (plan == null) {
      beams.translateNode(transform, context);
      return;
    }
    TRANSLATED.incrementAndGet();
    SingleOutputStreamOperator<Tuple3<Long, byte[], byte[]>> partial =
        context.<WindowedValue<KV<K, InputT>>>getInputDataStream(plan.input)
            .transform(plan.name + "/Partial", EncodedAccumulator.TYPE,
                new PartialCombine<>(plan.fn, plan.keyCoder, plan.accumulatorCoder, MAX_PARTIAL_KEYS));
    MergeSortedKeys<K, AccumT> merge = new MergeSortedKeys<>(plan.fn, plan.keyCoder, plan.accumulatorCoder);
    SingleOutputStreamOperator<WindowedValue<KV<K, OutputT>>> out;
    if (plan.keyCoder instanceof VoidCoder) {
      // Combine.globally, and so every side input (the runner concatenates one into a single list):
      // one key, one merging task, and no sort. A sort buffer holds a record of at most half its
      // managed memory, and one accumulator here can be a whole lookup table (a 34 MB table failed).
      out = partial.global()
          .transform(plan.name + "/Merge", plan.accumulatorsType, merge).setParallelism(1)
          .map(new ExtractOutput<>(plan.fn)).setParallelism(1);
    } else {
      out = partial.keyBy(new EncodedAccumulator.ByHash(), Types.LONG)
          .transform(plan.name + "/Merge", plan.accumulatorsType, merge)
          .map(new ExtractOutput<>(plan.fn));
    }
    context.setOutputDataStream(context.getOutput(transform),
        out.returns(context.getTypeInfo(context.getOutput(transform))).name(plan.name + "/Extract"));
  }

  /**
   * A combine in the global window with the default trigger, no side inputs and a plain CombineFn,
   * in a job Flink runs in BATCH mode: keyed inputs then arrive sorted by key, which the merge needs.
   */
  static boolean isPlainBatchCombine(PTransform<?, ?> transform, FlinkStreamingTranslationContext context) {
    Combine.PerKey<?, ?, ?> combine = (Combine.PerKey<?, ?, ?>) transform;
    WindowingStrategy<?, ?> windowing = ((PCollection<?>) context.getInput((PTransform) transform))
        .getWindowingStrategy();
    return !context.isStreaming()
        && context.getExecutionEnvironment().getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
            == RuntimeExecutionMode.BATCH
        && windowing.getWindowFn() instanceof GlobalWindows
        && windowing.getTrigger() instanceof DefaultTrigger
        && combine.getSideInputs().isEmpty()
        && combine.getFn() instanceof CombineFn;
  }

  /** Everything the translation needs that can fail, found before any operator is added to the job. */
  private static final class Plan<K, InputT, AccumT, OutputT> {
    final PCollection<KV<K, InputT>> input;
    final CombineFn<InputT, AccumT, OutputT> fn;
    final Coder<K> keyCoder;
    final Coder<AccumT> accumulatorCoder;
    final TypeInformation<WindowedValue<KV<K, AccumT>>> accumulatorsType;
    final String name;

    Plan(PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> transform,
        FlinkStreamingTranslationContext context) {
      input = context.getInput(transform);
      fn = (CombineFn<InputT, AccumT, OutputT>) ((Combine.PerKey<K, InputT, OutputT>) transform).getFn();
      KvCoder<K, InputT> inputCoder = (KvCoder<K, InputT>) input.getCoder();
      keyCoder = inputCoder.getKeyCoder();
      try {
        accumulatorCoder = fn.getAccumulatorCoder(input.getPipeline().getCoderRegistry(), inputCoder.getValueCoder());
      } catch (org.apache.beam.sdk.coders.CannotProvideCoderException e) {
        throw new IllegalStateException("no accumulator coder for " + fn, e);
      }
      accumulatorsType = new CoderTypeInformation<>(
          WindowedValue.getValueOnlyCoder(KvCoder.of(keyCoder, accumulatorCoder)), context.getPipelineOptions());
      name = context.getCurrentTransform().getFullName();
    }
  }
}
