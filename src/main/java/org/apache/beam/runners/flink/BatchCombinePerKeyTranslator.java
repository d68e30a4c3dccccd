package org.apache.beam.runners.flink;

// beam-etl: not a copy of a Beam class, but it lives in Beam's Flink package because the
// translator interface it implements is package-private there.
//
// On Flink's DataStream API in batch mode (--useDataStreamForBatch), Beam 2.62 translates
// Combine.perKey like a streaming combine: no combining before the shuffle, and per element a
// keyed work item, Beam state lookups and an end-of-window timer (measured: about 29 us per element
// on this job's count_distinct). This translator does what the DataSet translation and Dataflow do
// for a batch combine in the global window: a bounded hash map folds inputs into accumulators
// before the shuffle, and Flink's own sorted batch reduce merges the accumulators per key. Any other
// combine (streaming, other windows or triggers, side inputs, a CombineFnWithContext) keeps Beam's
// translation. Install with install(); delete when Beam's translator combines before the shuffle.

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.translation.types.CoderTypeInformation;
import org.apache.beam.runners.flink.translation.wrappers.streaming.KvToByteBufferKeySelector;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.DefaultTrigger;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Batch {@code Combine.perKey} on Flink's DataStream API: hash pre-combine, then a sorted reduce. */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class BatchCombinePerKeyTranslator<K, InputT, AccumT, OutputT>
    extends FlinkStreamingPipelineTranslator.StreamTransformTranslator<
        PTransform<PCollection<KV<K, InputT>>, PCollection<KV<K, OutputT>>>> {

  /** Keys one pre-combining task holds before it sends its accumulators on and starts again. */
  public static final int MAX_PARTIAL_KEYS = 10_000;

  private static final java.util.concurrent.atomic.AtomicInteger TRANSLATED = new java.util.concurrent.atomic.AtomicInteger();

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
    Combine.PerKey<K, InputT, OutputT> combine = (Combine.PerKey<K, InputT, OutputT>) transform;
    PCollection<KV<K, InputT>> input = context.getInput(transform);
    WindowingStrategy<?, ?> windowing = input.getWindowingStrategy();
    boolean plainBatch = !context.isStreaming()
        && windowing.getWindowFn() instanceof GlobalWindows
        && windowing.getTrigger() instanceof DefaultTrigger
        && combine.getSideInputs().isEmpty()
        && combine.getFn() instanceof CombineFn;
    if (!plainBatch) {
      beams.translateNode(transform, context);
      return;
    }
    TRANSLATED.incrementAndGet();
    CombineFn<InputT, AccumT, OutputT> fn = (CombineFn<InputT, AccumT, OutputT>) combine.getFn();
    KvCoder<K, InputT> inputCoder = (KvCoder<K, InputT>) input.getCoder();
    Coder<AccumT> accumulatorCoder;
    try {
      accumulatorCoder = fn.getAccumulatorCoder(input.getPipeline().getCoderRegistry(), inputCoder.getValueCoder());
    } catch (CannotProvideCoderException e) {
      throw new IllegalStateException("no accumulator coder for " + fn, e);
    }
    SerializablePipelineOptions options = new SerializablePipelineOptions(context.getPipelineOptions());
    TypeInformation<WindowedValue<KV<K, AccumT>>> accumulatorsType = new CoderTypeInformation<>(
        WindowedValue.getValueOnlyCoder(KvCoder.of(inputCoder.getKeyCoder(), accumulatorCoder)),
        context.getPipelineOptions());
    String name = context.getCurrentTransform().getFullName();

    DataStream<WindowedValue<KV<K, InputT>>> in = context.getInputDataStream(input);
    DataStream<WindowedValue<KV<K, OutputT>>> out = in
        .transform(name + "/Partial", accumulatorsType,
            new PartialCombine<>(fn, inputCoder.getKeyCoder(), MAX_PARTIAL_KEYS))
        .keyBy(new KvToByteBufferKeySelector<>(inputCoder.getKeyCoder(), options))
        .reduce(new MergeAccumulators<>(fn))
        .name(name + "/Merge")
        .map(new ExtractOutput<>(fn))
        .returns(context.getTypeInfo(context.getOutput(transform)))
        .name(name + "/Extract");
    context.setOutputDataStream(context.getOutput(transform), out);
  }

  /**
   * Folds inputs into one accumulator per key in a hash map of at most {@code maxKeys} keys; when it
   * is full, and at the end of the input, every accumulator is sent on. Memory stays bounded whatever
   * the number of keys; with few keys almost nothing crosses the shuffle. When a full map sent on
   * nearly as many accumulators as it took inputs (keys that hardly repeat, as in a Distinct), the map
   * only costs time, so the rest of the input passes through as one accumulator per input.
   */
  static final class PartialCombine<K, InputT, AccumT>
      extends AbstractStreamOperator<WindowedValue<KV<K, AccumT>>>
      implements OneInputStreamOperator<WindowedValue<KV<K, InputT>>, WindowedValue<KV<K, AccumT>>>,
      BoundedOneInput {
    private final CombineFn<InputT, AccumT, ?> fn;
    private final Coder<K> keyCoder;
    private final int maxKeys;
    private transient Map<Object, KV<K, AccumT>> partial;
    private transient long inputsSinceFlush;
    private transient boolean passThrough;

    PartialCombine(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder, int maxKeys) {
      this.fn = fn;
      this.keyCoder = keyCoder;
      this.maxKeys = maxKeys;
      setChainingStrategy(ChainingStrategy.ALWAYS);
    }

    @Override
    public void open() throws Exception {
      super.open();
      partial = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<WindowedValue<KV<K, InputT>>> element) {
      KV<K, InputT> kv = element.getValue().getValue();
      if (passThrough) {
        AccumT single = fn.addInput(fn.createAccumulator(), kv.getValue());
        output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(KV.of(kv.getKey(), single))));
        return;
      }
      inputsSinceFlush++;
      Object structural = keyCoder.structuralValue(kv.getKey()); // equal keys, equal encodings
      KV<K, AccumT> entry = partial.get(structural);
      if (entry == null) {
        if (partial.size() >= maxKeys) {
          passThrough = partial.size() > 0.9 * inputsSinceFlush;
          flush();
        }
        entry = KV.of(kv.getKey(), fn.createAccumulator());
      }
      partial.put(structural, KV.of(entry.getKey(), fn.addInput(entry.getValue(), kv.getValue())));
    }

    @Override
    public void endInput() {
      flush();
    }

    private void flush() {
      for (KV<K, AccumT> entry : partial.values()) {
        output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(
            KV.of(entry.getKey(), fn.compact(entry.getValue())))));
      }
      partial.clear();
      inputsSinceFlush = 0;
    }
  }

  static final class MergeAccumulators<K, AccumT> implements ReduceFunction<WindowedValue<KV<K, AccumT>>> {
    private final CombineFn<?, AccumT, ?> fn;

    MergeAccumulators(CombineFn<?, AccumT, ?> fn) {
      this.fn = fn;
    }

    @Override
    public WindowedValue<KV<K, AccumT>> reduce(WindowedValue<KV<K, AccumT>> a, WindowedValue<KV<K, AccumT>> b) {
      AccumT merged = fn.mergeAccumulators(Arrays.asList(a.getValue().getValue(), b.getValue().getValue()));
      return WindowedValue.valueInGlobalWindow(KV.of(a.getValue().getKey(), merged));
    }
  }

  /** The combine's output, timestamped at the end of the global window as Beam's combine is. */
  static final class ExtractOutput<K, AccumT, OutputT>
      implements MapFunction<WindowedValue<KV<K, AccumT>>, WindowedValue<KV<K, OutputT>>> {
    private final CombineFn<?, AccumT, OutputT> fn;

    ExtractOutput(CombineFn<?, AccumT, OutputT> fn) {
      this.fn = fn;
    }

    @Override
    public WindowedValue<KV<K, OutputT>> map(WindowedValue<KV<K, AccumT>> kv) {
      return WindowedValue.of(KV.of(kv.getValue().getKey(), fn.extractOutput(kv.getValue().getValue())),
          GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE, PaneInfo.ON_TIME_AND_ONLY_FIRING);
    }
  }
}
