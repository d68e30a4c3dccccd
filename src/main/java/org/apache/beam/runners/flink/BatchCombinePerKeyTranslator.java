package org.apache.beam.runners.flink;

// beam-etl: not a copy of a Beam class, but it lives in Beam's Flink package because the
// translator interface it implements is package-private there.
//
// On Flink's DataStream API in batch mode (--useDataStreamForBatch), Beam 2.62 translates
// Combine.perKey like a streaming combine: no combining before the shuffle, and per element a
// keyed work item, Beam state lookups and an end-of-window timer (measured: about 29 us per element
// on this job's count_distinct). This translator does what the DataSet translation and Dataflow do
// for a batch combine in the global window: a bounded hash map folds inputs into accumulators
// before the shuffle, and Flink's batch sort (on a 64-bit hash of the key) brings each key's
// accumulators together to be merged. Any other combine (streaming, other windows or triggers,
// side inputs, a CombineFnWithContext) keeps Beam's translation. Install with install(); delete
// when Beam's translator combines before the shuffle.

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.runners.flink.translation.types.CoderTypeInformation;
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
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/** Batch {@code Combine.perKey} on Flink's DataStream API: hash pre-combine, then a sorted merge. */
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
    TypeInformation<WindowedValue<KV<K, AccumT>>> accumulatorsType = new CoderTypeInformation<>(
        WindowedValue.getValueOnlyCoder(KvCoder.of(inputCoder.getKeyCoder(), accumulatorCoder)),
        context.getPipelineOptions());
    String name = context.getCurrentTransform().getFullName();

    DataStream<WindowedValue<KV<K, InputT>>> in = context.getInputDataStream(input);
    DataStream<WindowedValue<KV<K, OutputT>>> out = in
        .transform(name + "/Partial", accumulatorsType,
            new PartialCombine<>(fn, inputCoder.getKeyCoder(), MAX_PARTIAL_KEYS))
        .keyBy(new HashedKeySelector<K, AccumT>(inputCoder.getKeyCoder()))
        .transform(name + "/Merge", accumulatorsType, new MergeSortedKeys<>(fn, inputCoder.getKeyCoder()))
        .map(new ExtractOutput<>(fn))
        .returns(context.getTypeInfo(context.getOutput(transform)))
        .name(name + "/Extract");
    context.setOutputDataStream(context.getOutput(transform), out);
  }

  /**
   * An operator that holds elements back and sends them on in {@link #flush}: at the end of its
   * input, and before the final watermark, since anything sent after it is late and a GroupByKey
   * downstream (file sinks have one) drops it.
   */
  abstract static class BufferingOperator<InT, OutT> extends AbstractStreamOperator<WindowedValue<OutT>>
      implements OneInputStreamOperator<WindowedValue<InT>, WindowedValue<OutT>>, BoundedOneInput {
    abstract void flush();

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      if (mark.getTimestamp() == Long.MAX_VALUE) {
        flush();
      }
      super.processWatermark(mark);
    }

    @Override
    public void endInput() {
      flush();
    }
  }

  /**
   * Folds inputs into one accumulator per key in a hash map of at most {@code maxKeys} keys; when it
   * is full, and at the end of the input, every accumulator is sent on. Memory stays bounded whatever
   * the number of keys; with few keys almost nothing crosses the shuffle. When a full map sent on
   * nearly as many accumulators as it took inputs (keys that hardly repeat, as in a Distinct), the map
   * only costs time, so the rest of the input passes through as one accumulator per input.
   */
  static final class PartialCombine<K, InputT, AccumT> extends BufferingOperator<KV<K, InputT>, KV<K, AccumT>> {
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
    void flush() {
      for (KV<K, AccumT> entry : partial.values()) {
        output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(
            KV.of(entry.getKey(), fn.compact(entry.getValue())))));
      }
      partial.clear();
      inputsSinceFlush = 0;
    }
  }

  /**
   * A 64-bit hash of the encoded key. A fixed-length key lets Flink's batch sort compare keys as
   * normalized bytes inside its index; with the encoded key itself (variable length) every comparison
   * read both records, and the sort was the largest cost of a Distinct. Keys that share a hash are
   * told apart by {@link MergeSortedKeys}, so results stay exact.
   */
  static final class HashedKeySelector<K, AccumT> implements KeySelector<WindowedValue<KV<K, AccumT>>, Long> {
    private final Coder<K> keyCoder;
    private transient KeyBytes bytes;

    HashedKeySelector(Coder<K> keyCoder) {
      this.keyCoder = keyCoder;
    }

    @Override
    public Long getKey(WindowedValue<KV<K, AccumT>> value) throws Exception {
      if (bytes == null) {
        bytes = new KeyBytes();
      }
      bytes.count = 0;
      keyCoder.encode(value.getValue().getKey(), bytes);
      return Hashing.murmur3_128().hashBytes(bytes.buf, 0, bytes.count).asLong();
    }
  }

  /**
   * The encoded key, in one buffer reused for every element: Beam's encodeToByteArray goes through a
   * thread-local, a synchronized stream and a copy of the bytes, per element (JFR: ~4% of a run).
   */
  static final class KeyBytes extends java.io.OutputStream {
    byte[] buf = new byte[64];
    int count;

    @Override
    public void write(int b) {
      if (count == buf.length) {
        buf = java.util.Arrays.copyOf(buf, 2 * count);
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      if (count + len > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, count + len));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }
  }

  /**
   * Merges the accumulators of each key. In batch mode Flink sorts a keyed input, so all elements
   * of one hash arrive together: the operator keeps the keys of the current hash (almost always
   * one) and sends them on when the hash changes and at the end of the input.
   */
  static final class MergeSortedKeys<K, AccumT> extends BufferingOperator<KV<K, AccumT>, KV<K, AccumT>> {
    private final CombineFn<?, AccumT, ?> fn;
    private final Coder<K> keyCoder;
    private transient Object currentHash;
    private transient Map<Object, KV<K, AccumT>> group;

    MergeSortedKeys(CombineFn<?, AccumT, ?> fn, Coder<K> keyCoder) {
      this.fn = fn;
      this.keyCoder = keyCoder;
    }

    @Override
    public void open() throws Exception {
      super.open();
      group = new java.util.LinkedHashMap<>();
    }

    @Override
    public void processElement(StreamRecord<WindowedValue<KV<K, AccumT>>> element) {
      Object hash = getCurrentKey();
      if (!hash.equals(currentHash)) {
        flush();
        currentHash = hash;
      }
      KV<K, AccumT> kv = element.getValue().getValue();
      group.merge(keyCoder.structuralValue(kv.getKey()), kv, (a, b) ->
          KV.of(a.getKey(), fn.mergeAccumulators(Arrays.asList(a.getValue(), b.getValue()))));
    }

    @Override
    void flush() {
      for (KV<K, AccumT> kv : group.values()) {
        output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(kv)));
      }
      group.clear();
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
