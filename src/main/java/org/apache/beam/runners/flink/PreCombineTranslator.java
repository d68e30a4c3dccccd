package org.apache.beam.runners.flink;

// beam-etl: not a copy of a Beam class, but it lives in Beam's Flink package because the
// translator interface it implements is package-private there. Its operators live in
// dev.beametl.runner.combine; only what must be here is here.
//
// Beam 2.62 translates Combine.perKey on Flink's DataStream API without combining before the
// shuffle: per element a keyed work item, Beam state lookups and an end-of-window timer.
// - In BATCH mode (--useDataStreamForBatch; measured: about 29 us per element on this job's
//   count_distinct) this translator does what the DataSet translation and Dataflow do for a batch
//   combine in the global window: a bounded hash map folds inputs into accumulators before the
//   shuffle, which carries them encoded, and Flink's batch sort (on a 64-bit hash of the key)
//   brings each key's accumulators together to be merged.
// - In a streaming job (resumable runs) every element read and wrote RocksDB state several times
//   (the accumulator, a watermark hold, the timer and its index), and RocksDB's flushes and
//   compactions of those writes took most of the run: 600,000 rows in 150,000 groups, 110 s against
//   6.7 s in batch. The same hash map folds inputs before the shuffle (emptied before every
//   checkpoint barrier, so what a checkpoint records is exact), and KeyedMerge keeps one
//   accumulator per key in Flink's keyed state, without timers or holds: 11.3 s.
// Either applies only in the global window with the default trigger, no side inputs and a plain
// CombineFn; any other combine, and any combine it cannot set up, keeps Beam's translation.
// Install with install(); delete when Beam's translator combines before the shuffle.

import dev.beametl.runner.combine.EncodedAccumulator;
import dev.beametl.runner.combine.ExtractOutput;
import dev.beametl.runner.combine.KeyedMerge;
import dev.beametl.runner.combine.MergeSortedKeys;
import dev.beametl.runner.combine.PartialCombine;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.translation.types.CoderTypeInformation;
import org.apache.beam.runners.flink.translation.wrappers.streaming.KvToByteBufferKeySelector;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code Combine.perKey} on Flink's DataStream API with a hash pre-combine before the shuffle: then
 * a sorted merge (batch) or {@link KeyedMerge}, one accumulator per key in Flink's state (streaming).
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class PreCombineTranslator<K, InputT, AccumT, OutputT>
    extends FlinkStreamingPipelineTranslator.StreamTransformTranslator<
        PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>>> {

  /** Keys one pre-combining task holds before it sends its accumulators on and starts again. */
  public static final int MAX_PARTIAL_KEYS = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(PreCombineTranslator.class);
  private static final AtomicInteger TRANSLATED = new AtomicInteger();

  private final FlinkStreamingPipelineTranslator.StreamTransformTranslator beams;

  /** How many combines this translator has translated in this JVM, so a test can tell it ran. */
  public static int translated() {
    return TRANSLATED.get();
  }

  private PreCombineTranslator(FlinkStreamingPipelineTranslator.StreamTransformTranslator beams) {
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
      if (!(current instanceof PreCombineTranslator)) {
        translators.put(urn, new PreCombineTranslator(current));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot install the pre-combine translator", e);
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
    boolean batch = isPlainBatchCombine(transform, context);
    if (batch || isPlainStreamingCombine(transform, context)) {
      try {
        plan = new Plan<>(transform, context);
      } catch (RuntimeException e) {
        LOG.warn("Combine {}: Beam's translation instead of the pre-combine ({})",
            context.getCurrentTransform().getFullName(), e.toString());
      }
    }
    if (plan == null) {
      beams.translateNode(transform, context);
      return;
    }
    TRANSLATED.incrementAndGet();
    if (!batch) {
      translateStreaming(plan, transform, context);
      return;
    }
    SingleOutputStreamOperator<Tuple3<Long, byte[], byte[]>> partial =
        context.<WindowedValue<KV<K, InputT>>>getInputDataStream(plan.input)
            .transform(plan.name + "/Partial", EncodedAccumulator.TYPE,
                new PartialCombine.Encoded<>(plan.fn, plan.keyCoder, plan.accumulatorCoder, MAX_PARTIAL_KEYS));
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
   * Streaming: the pre-combine sends accumulators as elements of the global window, keyed by their
   * encoded key as Beam keys its own combine's input, and {@link KeyedMerge} merges them per key.
   */
  private void translateStreaming(Plan<K, InputT, AccumT, OutputT> plan,
      PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>> transform,
      FlinkStreamingTranslationContext context) {
    SerializablePipelineOptions options = new SerializablePipelineOptions(context.getPipelineOptions());
    SingleOutputStreamOperator<WindowedValue<KV<K, AccumT>>> partial =
        context.<WindowedValue<KV<K, InputT>>>getInputDataStream(plan.input)
            .transform(plan.name + "/Partial", plan.accumulatorsInWindowType,
                new PartialCombine.InGlobalWindow<>(plan.fn, plan.keyCoder, MAX_PARTIAL_KEYS))
            .uid(plan.name + "/Partial");
    // Its own uid, not the name Beam's combine operator had: a checkpoint of that operator's state
    // (another layout) is refused at restore instead of being read as this one's.
    SingleOutputStreamOperator<WindowedValue<KV<K, OutputT>>> merged = partial
        .keyBy(new KvToByteBufferKeySelector<K, AccumT>(plan.keyCoder, options))
        .transform(plan.name + "/Merge", context.getTypeInfo(context.getOutput(transform)),
            new KeyedMerge<>(plan.fn, plan.keyCoder, plan.accumulatorCoder, options))
        .uid(plan.name + "/Merge");
    context.setOutputDataStream(context.getOutput(transform), merged);
  }

  /**
   * A combine in the global window with the default trigger, no side inputs and a plain CombineFn,
   * in a job Flink runs in BATCH mode: keyed inputs then arrive sorted by key, which the merge needs.
   */
  static boolean isPlainBatchCombine(PTransform<?, ?> transform, FlinkStreamingTranslationContext context) {
    return !context.isStreaming()
        && context.getExecutionEnvironment().getConfiguration().get(ExecutionOptions.RUNTIME_MODE)
            == RuntimeExecutionMode.BATCH
        && isPlain(transform, context);
  }

  /** The same combine in a streaming job: {@link KeyedMerge} keeps its accumulators in Flink's keyed state. */
  static boolean isPlainStreamingCombine(PTransform<?, ?> transform, FlinkStreamingTranslationContext context) {
    return context.isStreaming() && isPlain(transform, context);
  }

  /**
   * The global window with the default trigger and the default timestamp, its end: both
   * translations stamp every result with it, whatever the inputs' timestamps (EARLIEST or LATEST
   * would need them carried through).
   */
  private static boolean isPlain(PTransform<?, ?> transform, FlinkStreamingTranslationContext context) {
    Combine.PerKey<?, ?, ?> combine = (Combine.PerKey<?, ?, ?>) transform;
    WindowingStrategy<?, ?> windowing = ((PCollection<?>) context.getInput((PTransform) transform))
        .getWindowingStrategy();
    return windowing.getWindowFn() instanceof GlobalWindows
        && windowing.getTrigger() instanceof DefaultTrigger
        && windowing.getTimestampCombiner() == TimestampCombiner.END_OF_WINDOW
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
    final TypeInformation<WindowedValue<KV<K, AccumT>>> accumulatorsInWindowType;
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
      if (fn.createAccumulator() == null) {
        // Flink's value state takes null as "no value": a key's accumulator would vanish.
        throw new IllegalStateException(fn + " starts from a null accumulator");
      }
      accumulatorsType = new CoderTypeInformation<>(
          WindowedValue.getValueOnlyCoder(KvCoder.of(keyCoder, accumulatorCoder)), context.getPipelineOptions());
      accumulatorsInWindowType = new CoderTypeInformation<>(
          WindowedValue.getFullCoder(KvCoder.of(keyCoder, accumulatorCoder), GlobalWindow.Coder.INSTANCE),
          context.getPipelineOptions());
      name = context.getCurrentTransform().getFullName();
    }
  }
}
