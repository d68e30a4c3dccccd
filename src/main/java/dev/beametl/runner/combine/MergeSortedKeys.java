package dev.beametl.runner.combine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Merges the accumulators of each key. In batch mode Flink sorts a keyed input, so all elements
 * of one hash arrive together: the operator keeps the keys of the current hash (almost always
 * one), told apart by their encoded bytes, and sends them on when the hash changes and at the end
 * of the input. Each key is decoded once, each accumulator once.
 */
public final class MergeSortedKeys<K, AccumT>
    extends BufferingOperator<Tuple3<Long, byte[], byte[]>, WindowedValue<KV<K, AccumT>>> {
  private final CombineFn<?, AccumT, ?> fn;
  private final Coder<K> keyCoder;
  private final Coder<AccumT> accumulatorCoder;
  private transient long currentHash;
  private transient SameHash<K, AccumT> group;

  public MergeSortedKeys(CombineFn<?, AccumT, ?> fn, Coder<K> keyCoder, Coder<AccumT> accumulatorCoder) {
    this.fn = fn;
    this.keyCoder = keyCoder;
    this.accumulatorCoder = accumulatorCoder;
  }

  @Override
  public void open() throws Exception {
    super.open();
    group = new SameHash<>(fn, keyCoder, accumulatorCoder);
  }

  @Override
  public void processElement(StreamRecord<Tuple3<Long, byte[], byte[]>> element) {
    Tuple3<Long, byte[], byte[]> encoded = element.getValue();
    if (encoded.f0 != currentHash) {
      flush();
      currentHash = encoded.f0;
    }
    group.add(encoded.f1, encoded.f2);
  }

  @Override
  void flush() {
    group.drain(kv -> output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(kv))));
  }

  /** The keys of one hash, each with its merged accumulator, in the order they came. */
  static final class SameHash<K, AccumT> {
    private final CombineFn<?, AccumT, ?> fn;
    private final Coder<K> keyCoder;
    private final Coder<AccumT> accumulatorCoder;
    private final List<byte[]> keys = new ArrayList<>(1);
    private final List<KV<K, AccumT>> merged = new ArrayList<>(1);

    SameHash(CombineFn<?, AccumT, ?> fn, Coder<K> keyCoder, Coder<AccumT> accumulatorCoder) {
      this.fn = fn;
      this.keyCoder = keyCoder;
      this.accumulatorCoder = accumulatorCoder;
    }

    void add(byte[] keyBytes, byte[] accumulatorBytes) {
      AccumT accumulator = EncodedAccumulator.decode(accumulatorCoder, accumulatorBytes);
      for (int i = 0; i < keys.size(); i++) {
        if (Arrays.equals(keys.get(i), keyBytes)) {
          KV<K, AccumT> kv = merged.get(i);
          try {
            merged.set(i, KV.of(kv.getKey(), fn.mergeAccumulators(Arrays.asList(kv.getValue(), accumulator))));
          } catch (ArithmeticException e) {
            throw DataErrors.inGroup(e, kv.getKey());
          }
          return;
        }
      }
      keys.add(keyBytes);
      merged.add(KV.of(EncodedAccumulator.decode(keyCoder, keyBytes), accumulator));
    }

    /** Gives each merged key to {@code to}; the group is empty afterwards. */
    void drain(java.util.function.Consumer<KV<K, AccumT>> to) {
      merged.forEach(to);
      keys.clear();
      merged.clear();
    }
  }
}
