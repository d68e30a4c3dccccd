package dev.beametl.runner.combine;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.flink.translation.types.CoderTypeSerializer;
import org.apache.beam.runners.flink.translation.wrappers.streaming.FlinkKeyUtils;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed half of a streaming combine in the global window with the default trigger: merges the
 * accumulators {@link PartialCombine.InGlobalWindow} sends into one per key, kept in Flink's keyed
 * state (RocksDB in a resumable run, so checkpointed with everything else), and when the watermark
 * passes the end of the window - the input is over - sends each key's output and clears its
 * state, in one pass over the state's keys.
 *
 * <p>It is what Beam's own translation does for such a combine, without what that needs for windows
 * and triggers in general: per element a keyed work item, a watermark hold, an end-of-window
 * timer and its index entry, each read and written in RocksDB; at the end, per key, the timer
 * fired, the hold and pane read and cleared. With 150,000 keys that state's writes kept RocksDB
 * compacting, and its writes stalled, for most of the run. Here an input is one read and one write
 * of its key's accumulator. A failure restored from a checkpoint taken after the output was sent
 * finds the state cleared and sends nothing twice.
 */
public final class KeyedMerge<K, AccumT, OutputT> extends AbstractStreamOperator<WindowedValue<KV<K, OutputT>>>
    implements OneInputStreamOperator<WindowedValue<KV<K, AccumT>>, WindowedValue<KV<K, OutputT>>> {
  private final CombineFn<?, AccumT, OutputT> fn;
  private final Coder<K> keyCoder;
  private final ValueStateDescriptor<AccumT> descriptor;
  private static final Logger LOG = LoggerFactory.getLogger(KeyedMerge.class);
  private transient ValueState<AccumT> accumulators;
  /** Whether this instance has sent its results: once, and nothing may follow. */
  private transient boolean sent;

  public KeyedMerge(CombineFn<?, AccumT, OutputT> fn, Coder<K> keyCoder, Coder<AccumT> accumulatorCoder,
      SerializablePipelineOptions options) {
    this.fn = fn;
    this.keyCoder = keyCoder;
    this.descriptor = new ValueStateDescriptor<>("accumulator", new CoderTypeSerializer<>(accumulatorCoder, options));
  }

  @Override
  public void open() throws Exception {
    super.open();
    accumulators = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
  }

  @Override
  public void processElement(StreamRecord<WindowedValue<KV<K, AccumT>>> element) throws Exception {
    KV<K, AccumT> partial = element.getValue().getValue();
    if (sent) {
      // Beam's combine would drop it as late; here it would be kept and never sent. Neither is quiet.
      throw new IllegalStateException(step() + ": an input for key "
          + partial.getKey() + " arrived after the results were sent (after the final watermark)");
    }
    AccumT current = accumulators.value();
    AccumT merged;
    try {
      merged = current == null ? partial.getValue() : fn.mergeAccumulators(Arrays.asList(current, partial.getValue()));
    } catch (ArithmeticException e) {
      throw DataErrors.inGroup(e, partial.getKey());
    }
    if (merged == null) { // the state would take it for "no value", and the key would vanish
      throw new IllegalStateException(fn + " merged accumulators into null, for key " + partial.getKey());
    }
    accumulators.update(merged);
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() > GlobalWindow.INSTANCE.maxTimestamp().getMillis() && !sent) {
      sendAll();
      sent = true;
    }
    super.processWatermark(mark);
  }

  /** Each key's output, as Beam's combine gives it at the end of the window; then its state goes. */
  private void sendAll() throws Exception {
    long start = System.nanoTime();
    long[] keys = {0};
    this.<ByteBuffer>getKeyedStateBackend().applyToAllKeys(
        VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor,
        (ByteBuffer key, ValueState<AccumT> state) -> {
          AccumT accumulator = state.value();
          if (accumulator == null) {
            return;
          }
          K decoded = FlinkKeyUtils.decodeKey(key, keyCoder);
          OutputT result;
          try {
            result = fn.extractOutput(accumulator);
          } catch (ArithmeticException e) {
            throw DataErrors.inGroup(e, decoded);
          }
          output.collect(new StreamRecord<>(WindowedValue.of(KV.of(decoded, result),
              GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE, PaneInfo.ON_TIME_AND_ONLY_FIRING)));
          state.clear();
          keys[0]++;
        });
    LOG.info("{}: sent {} keys' results in {} ms", step(), keys[0],
        (System.nanoTime() - start) / 1_000_000);
  }

  /** The combine's step, without the operators chained after it. */
  private String step() {
    return getOperatorName().split(" -> ")[0];
  }
}
