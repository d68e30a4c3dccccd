package dev.beametl.runner.combine;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Merges the accumulators of each key. In batch mode Flink sorts a keyed input, so all elements
 * of one hash arrive together: the operator keeps the keys of the current hash (almost always
 * one) and sends them on when the hash changes and at the end of the input.
 */
public final class MergeSortedKeys<K, AccumT> extends BufferingOperator<KV<K, AccumT>, KV<K, AccumT>> {
  private final CombineFn<?, AccumT, ?> fn;
  private final Coder<K> keyCoder;
  private transient Object currentHash;
  private transient Map<Object, KV<K, AccumT>> group;

  public MergeSortedKeys(CombineFn<?, AccumT, ?> fn, Coder<K> keyCoder) {
    this.fn = fn;
    this.keyCoder = keyCoder;
  }

  @Override
  public void open() throws Exception {
    super.open();
    group = new LinkedHashMap<>();
  }

  @Override
  public void processElement(StreamRecord<WindowedValue<KV<K, AccumT>>> element) {
    Object hash = getCurrentKey();
    if (!hash.equals(currentHash)) {
      flush();
      currentHash = hash;
    }
    KV<K, AccumT> kv = element.getValue().getValue();
    try {
      group.merge(keyCoder.structuralValue(kv.getKey()), kv, (a, b) ->
          KV.of(a.getKey(), fn.mergeAccumulators(Arrays.asList(a.getValue(), b.getValue()))));
    } catch (ArithmeticException e) {
      throw DataErrors.inGroup(e, kv.getKey());
    }
  }

  @Override
  void flush() {
    for (KV<K, AccumT> kv : group.values()) {
      output.collect(new StreamRecord<>(WindowedValue.valueInGlobalWindow(kv)));
    }
    group.clear();
  }
}
