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
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.execution.CancelTaskException;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
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
 *
 * <p>Sending takes time in proportion to the keys (3M keys: tens of seconds, longer on a busy
 * cluster), in the task's thread, inside one watermark, and a checkpoint must be able to complete
 * meanwhile, or it expires and fails the job, which restores from before the end and begins it
 * again. So between keys the task's mail runs - an unaligned checkpoint's barrier is processed
 * there - and a checkpoint then holds the keys not yet sent, every key sent before it being in the
 * output ahead of its barrier: a restore sends the rest. The sending also stops when the task is
 * cancelled: RocksDB's calls do not see an interrupt.
 */
public final class KeyedMerge<K, AccumT, OutputT> extends AbstractStreamOperator<WindowedValue<KV<K, OutputT>>>
    implements OneInputStreamOperator<WindowedValue<KV<K, AccumT>>, WindowedValue<KV<K, OutputT>>> {
  private final CombineFn<?, AccumT, OutputT> fn;
  private final Coder<K> keyCoder;
  private final ValueStateDescriptor<AccumT> descriptor;
  private static final Logger LOG = LoggerFactory.getLogger(KeyedMerge.class);
  /** Keys sent between two looks at the mailbox: a look is one volatile read when it is empty. */
  private static final int YIELD_EVERY = 64;
  private transient ValueState<AccumT> accumulators;
  /**
   * The task's mailbox at its lowest priority, so every mail of the task runs, barriers and
   * checkpoint triggers among them (Flink 1.19 puts them there; one at this operator's own priority
   * would not see them). Safe because this operator heads its chain (its input is keyed): no mail
   * of an operator before it can send it an element, and a yield never runs the task's input.
   */
  private transient MailboxExecutor mailbox;
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
    mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(TaskMailbox.MIN_PRIORITY);
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

  /**
   * Each key's output, as Beam's combine gives it at the end of the window; then its state goes,
   * so a checkpoint taken meanwhile (see the class) holds only the keys still to send. ResumableOutputIT
   * waits for the first line logged here.
   */
  private void sendAll() throws Exception {
    LOG.info("{}: input ended, sending each key's result", step());
    Progress progress = new Progress();
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
          progress.afterKey();
        });
    LOG.info("{}: sent {} keys' results in {} ms", step(), progress.keys,
        (System.nanoTime() - progress.start) / 1_000_000);
  }

  /** The keys sent so far; between keys, the task's mail and a look at whether it was cancelled. */
  private final class Progress {
    final long start = System.nanoTime();
    long keys;
    long lastLog = start;

    void afterKey() throws Exception {
      if (++keys % YIELD_EVERY != 0) {
        return;
      }
      if (getContainingTask().isCanceled()) {
        throw new CancelTaskException(step() + ": cancelled after sending " + keys + " keys' results");
      }
      while (mailbox.tryYield()) {
        // each call runs one mail
      }
      long now = System.nanoTime();
      if (now - lastLog > 30_000_000_000L) {
        LOG.info("{}: sent {} keys' results so far", step(), keys);
        lastLog = now;
      }
    }
  }

  /** The combine's step, without the operators chained after it. */
  private String step() {
    return getOperatorName().split(" -> ")[0];
  }
}
