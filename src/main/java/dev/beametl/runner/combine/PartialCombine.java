package dev.beametl.runner.combine;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Folds inputs into one accumulator per key in a hash map of at most {@code maxKeys} keys; when it
 * is full, and at the end of the input, every accumulator is sent on, encoded (see
 * {@link EncodedAccumulator}). Memory stays bounded whatever the number of keys; with few keys
 * almost nothing crosses the shuffle.
 *
 * <p>The map starts small ({@link #FIRST_CAPACITY} keys) and doubles, up to {@code maxKeys}, while a
 * full map folded fewer than two inputs per key: keys that repeat further apart than it reaches.
 * Where keys come in runs (an order's lines, a day's events) a small map folds as well as a big
 * one, and its entries die young: with 10,000 keys always held, the young collections copied and
 * promoted them, ~200 ms of every second of the read (1.5M groups from 6M rows, -Xmx256m). When a
 * map of {@code maxKeys} sent on nearly as many accumulators as it took inputs (keys that hardly
 * repeat, as in a Distinct), the map only costs time, so the rest of the input passes through as
 * one accumulator per input.
 */
public final class PartialCombine<K, InputT, AccumT>
    extends BufferingOperator<WindowedValue<KV<K, InputT>>, Tuple3<Long, byte[], byte[]>> {
  private final CombineFn<InputT, AccumT, ?> fn;
  private final Coder<K> keyCoder;
  private final Coder<AccumT> accumulatorCoder;
  /** The keys the map holds before it first sends its accumulators on. */
  static final int FIRST_CAPACITY = 1_024;

  private final int maxKeys;
  private transient int capacity;
  private transient Map<Object, KV<K, AccumT>> partial;
  private transient long inputsSinceFlush;
  private transient boolean passThrough;
  private transient EncodedAccumulator.Buffer buffer;

  public PartialCombine(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder, Coder<AccumT> accumulatorCoder,
      int maxKeys) {
    this.fn = fn;
    this.keyCoder = keyCoder;
    this.accumulatorCoder = accumulatorCoder;
    this.maxKeys = maxKeys;
    setChainingStrategy(ChainingStrategy.ALWAYS);
  }

  @Override
  public void open() throws Exception {
    super.open();
    partial = new HashMap<>();
    capacity = Math.min(FIRST_CAPACITY, maxKeys);
    buffer = new EncodedAccumulator.Buffer();
  }

  @Override
  public void processElement(StreamRecord<WindowedValue<KV<K, InputT>>> element) {
    KV<K, InputT> kv = element.getValue().getValue();
    if (passThrough) {
      AccumT single;
      try {
        single = fn.addInput(fn.createAccumulator(), kv.getValue());
      } catch (ArithmeticException e) {
        throw DataErrors.inGroup(e, kv.getKey());
      }
      send(kv.getKey(), single);
      return;
    }
    inputsSinceFlush++;
    Object structural = keyCoder.structuralValue(kv.getKey()); // equal keys, equal encodings
    KV<K, AccumT> entry = partial.get(structural);
    boolean fresh = entry == null;
    if (fresh) {
      if (partial.size() >= capacity) {
        if (2L * partial.size() > inputsSinceFlush && capacity < maxKeys) {
          capacity = (int) Math.min(maxKeys, 2L * capacity); // folded poorly: reach further, keep what it has
        } else {
          passThrough = capacity >= maxKeys && partial.size() > 0.9 * inputsSinceFlush;
          flush();
        }
      }
      entry = KV.of(kv.getKey(), fn.createAccumulator());
    }
    try {
      AccumT before = entry.getValue();
      AccumT after = fn.addInput(before, kv.getValue());
      if (fresh || after != before) { // else it changed in place, as Beam's composed CombineFns do: no put per input
        partial.put(structural, after == before ? entry : KV.of(entry.getKey(), after));
      }
    } catch (ArithmeticException e) {
      throw DataErrors.inGroup(e, kv.getKey());
    }
  }

  private void send(K key, AccumT accumulator) {
    byte[] keyBytes = buffer.encode(keyCoder, key);
    byte[] accumulatorBytes = buffer.encode(accumulatorCoder, accumulator);
    output.collect(new StreamRecord<>(Tuple3.of(EncodedAccumulator.hash(keyBytes), keyBytes, accumulatorBytes)));
  }

  @Override
  void flush() {
    for (KV<K, AccumT> entry : partial.values()) {
      send(entry.getKey(), fn.compact(entry.getValue()));
    }
    partial.clear();
    inputsSinceFlush = 0;
  }
}
