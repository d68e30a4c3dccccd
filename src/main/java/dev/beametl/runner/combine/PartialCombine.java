package dev.beametl.runner.combine;

import dev.beametl.record.SizedAccumulators;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VoidCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.util.common.ElementByteSizeObserver;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.operators.ChainingStrategy;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Folds inputs into one accumulator per key in a hash map of at most {@code maxKeys} keys; when it
 * is full, and at the end of the input, every accumulator is sent on. Memory stays bounded whatever
 * the number of keys; with few keys almost nothing crosses the shuffle.
 *
 * <p>The map starts small ({@link #FIRST_CAPACITY} keys) and doubles, up to {@code maxKeys}, while a
 * full map folded fewer than two inputs per key: keys that repeat further apart than it reaches.
 * Where keys come in runs (an order's lines, a day's events) a small map folds as well as a big
 * one, and its entries die young: with 10,000 keys always held, the young collections copied and
 * promoted them, ~200 ms of every second of the read (1.5M groups from 6M rows, -Xmx256m). When a
 * map of {@code maxKeys} sent on nearly as many accumulators as it took inputs (keys that hardly
 * repeat, as in a Distinct), the map only costs time, so the rest of the input passes through as
 * one accumulator per input.
 *
 * <p>A combine whose accumulators grow with what they fold ({@link SizedAccumulators}: a distinct
 * count's bitmaps) is held to a share of {@link #sizedBudget} bytes instead, whatever its number
 * of keys: 160 groups' order ids in blocks of 65,536 values are ~20,000 keys of a few hundred bytes
 * each, which a map of 10,000 keys sent on two or three inputs at a time. Its map is full by its
 * bytes alone, so it does not start small: keys in runs are held until the budget is spent.
 *
 * <p>What it sends is the subclass's: {@link Encoded} for a batch job's sorted merge,
 * {@link InGlobalWindow} for a streaming job's keyed combine.
 */
public abstract class PartialCombine<K, InputT, AccumT, OutT>
    extends BufferingOperator<WindowedValue<KV<K, InputT>>, OutT> {
  final CombineFn<InputT, AccumT, ?> fn;
  final Coder<K> keyCoder;
  /** The keys the map holds before it first sends its accumulators on. */
  static final int FIRST_CAPACITY = 1_024;

  private final int maxKeys;
  /** The fn, when its accumulators are held to a byte budget; else null. */
  private final @Nullable SizedAccumulators<AccumT> sized;
  /**
   * The sized maps open in this JVM: every task slot and every sized metric has one, and they share
   * one budget (the embedded runner runs all slots in one heap, as a task manager does).
   */
  private static final AtomicInteger SIZED_OPEN = new AtomicInteger();
  private transient long sizedBudget;
  /** Whether this map is one of {@link #SIZED_OPEN}: an open that failed before it counted must not uncount. */
  private transient boolean sizedOpen;
  /** What this sized map holds: its accumulators' bytes and {@link #KEY_BYTES} per key. */
  private transient long bytes;
  private transient int capacity;
  /** The held keys by their structural value, and the same slots in the order they came: what a flush walks. */
  private transient Map<Object, Slot<K, AccumT>> partial;
  private transient List<Slot<K, AccumT>> slots;
  private transient long inputsSinceFlush;
  private transient boolean passThrough;
  /** Whether keys are rows of plain fields, held as {@link PlainRowKey}s instead of Beam's structural values. */
  private transient boolean plainRows;
  /** A global combine's: one key, whose accumulator may be sent on before the end (see {@link #isFull}). */
  private transient boolean oneKey;
  /**
   * The last input's key and slot: keys that come in runs (an order's lines) skip the hash and the
   * lookup. Tried while at least one input in four repeats the key before it, judged every
   * {@link #LAST_KEY_WINDOW} inputs and again after each flush: where keys rarely repeat in a row
   * (160 groups over 16M sales rows) the failing comparison per input only cost time.
   */
  private transient @Nullable Object lastKey;
  private transient @Nullable Slot<K, AccumT> lastSlot;
  private transient boolean tryLastKey;
  private transient int lastKeyTries;
  private transient int lastKeyHits;
  static final int LAST_KEY_WINDOW = 1_024;

  /** No bound on a sized map's keys but its bytes: with {@link #KEY_BYTES} each, a budget holds far fewer. */
  static final int SIZED_MAX_KEYS = Integer.MAX_VALUE;
  /** About what a held key costs beside its accumulator: its row and values, the map's entry, the slot. */
  static final long KEY_BYTES = 240;

  @SuppressWarnings("unchecked")
  PartialCombine(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder, int maxKeys) {
    this.fn = fn;
    this.keyCoder = keyCoder;
    this.sized = fn instanceof SizedAccumulators ? (SizedAccumulators<AccumT>) fn : null;
    this.maxKeys = sized != null ? SIZED_MAX_KEYS : maxKeys;
    setChainingStrategy(ChainingStrategy.ALWAYS);
  }

  @Override
  public void open() throws Exception {
    super.open();
    partial = new HashMap<>();
    slots = new ArrayList<>();
    tryLastKey = true;
    capacity = sized != null ? maxKeys : Math.min(FIRST_CAPACITY, maxKeys); // a sized map is full by its bytes
    plainRows = PlainRowKey.applies(keyCoder);
    oneKey = keyCoder instanceof VoidCoder;
    if (sized != null) {
      sizedBudget = sizedBudget(Runtime.getRuntime().maxMemory());
      SIZED_OPEN.incrementAndGet();
      sizedOpen = true;
    }
  }

  /**
   * What all sized maps of a JVM may hold together: an eighth of the heap, at most 64 MiB; each
   * open map holds its share. The sales benchmark's order ids take ~20 MiB per slot to fold all at
   * once, within the 32 MiB shares of two slots with -Xmx512m.
   */
  static long sizedBudget(long maxHeap) {
    return Math.max(1 << 20, Math.min(64L << 20, maxHeap / 8));
  }

  /** Gives a sized map's share back; Flink closes an operator however its task ends. */
  @Override
  public void close() throws Exception {
    if (sizedOpen) {
      SIZED_OPEN.decrementAndGet();
      sizedOpen = false;
    }
    super.close();
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
    // Equal map keys, equal encodings
    Object structural = plainRows ? PlainRowKey.of(kv.getKey()) : keyCoder.structuralValue(kv.getKey());
    Slot<K, AccumT> slot = tryLastKey ? lastKeySlot(structural) : null;
    if (slot == null) {
      slot = partial.get(structural);
    }
    if (slot == null) {
      if (partial.size() >= capacity) {
        if (2L * partial.size() > inputsSinceFlush && capacity < maxKeys) {
          capacity = (int) Math.min(maxKeys, 2L * capacity); // folded poorly: reach further, keep what it has
        } else {
          passThrough = capacity >= maxKeys && partial.size() > 0.9 * inputsSinceFlush;
          flush();
        }
      }
      slot = new Slot<>(kv.getKey(), fn.createAccumulator());
      partial.put(structural, slot);
      slots.add(slot);
      bytes += sized != null ? KEY_BYTES + sized.bytes(slot.accumulator) : 0;
    }
    lastKey = structural;
    lastSlot = slot;
    long before = sized != null ? sized.bytes(slot.accumulator) : 0;
    try {
      slot.accumulator = fn.addInput(slot.accumulator, kv.getValue());
    } catch (ArithmeticException e) {
      throw DataErrors.inGroup(e, kv.getKey());
    }
    if (sized != null) {
      bytes += sized.bytes(slot.accumulator) - before;
      if (bytes > sizedBudget / Math.max(1, SIZED_OPEN.get())) {
        passThrough = partial.size() > 0.9 * inputsSinceFlush; // hardly a key repeated: each would be sent anyway
        flush();
      }
    }
    if (oneKey && isFull(slot.accumulator)) {
      flush();
    }
  }

  /**
   * Whether a global combine's accumulator is big enough to be sent on now: see {@link Encoded}.
   * Only with one key, whose accumulator can grow with the input (a lookup's table); keyed
   * accumulators stay as they are, and asking costs every input.
   */
  boolean isFull(AccumT accumulator) {
    return false;
  }

  /** The last key's slot if {@code structural} is that key, else null; decides whether to go on trying. */
  private @Nullable Slot<K, AccumT> lastKeySlot(Object structural) {
    Slot<K, AccumT> slot = lastSlot != null && structural.equals(lastKey) ? lastSlot : null;
    lastKeyHits += slot == null ? 0 : 1;
    if (++lastKeyTries == LAST_KEY_WINDOW) {
      tryLastKey = 4 * lastKeyHits >= lastKeyTries;
      lastKeyTries = 0;
      lastKeyHits = 0;
    }
    return slot;
  }

  /** Sends one key's accumulator on. */
  abstract void send(K key, AccumT accumulator);

  /**
   * Walks the slots, not the map: a map's iterator also visits its empty buckets, and HashMap's
   * table keeps the size it grew to (the iteration was 3% of the reading stage's samples, JFR).
   */
  @Override
  void flush() {
    for (Slot<K, AccumT> slot : slots) {
      send(slot.key, fn.compact(slot.accumulator));
    }
    partial.clear();
    slots.clear();
    lastKey = null;
    lastSlot = null;
    tryLastKey = true;
    lastKeyTries = 0;
    lastKeyHits = 0;
    inputsSinceFlush = 0;
    bytes = 0;
  }

  /** A key and its accumulator, replaced in place (a CombineFn may return a new one per input). */
  private static final class Slot<K, AccumT> {
    final K key;
    AccumT accumulator;

    Slot(K key, AccumT accumulator) {
      this.key = key;
      this.accumulator = accumulator;
    }
  }

  /** Batch: each accumulator encoded with its key and the key's hash (see {@link EncodedAccumulator}). */
  public static final class Encoded<K, InputT, AccumT>
      extends PartialCombine<K, InputT, AccumT, Tuple3<Long, byte[], byte[]>> {
    private final Coder<AccumT> accumulatorCoder;
    private transient EncodedAccumulator.Buffer buffer;

    public Encoded(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder, Coder<AccumT> accumulatorCoder, int maxKeys) {
      super(fn, keyCoder, maxKeys);
      this.accumulatorCoder = accumulatorCoder;
    }

    @Override
    public void open() throws Exception {
      super.open();
      buffer = new EncodedAccumulator.Buffer();
    }

    /**
     * Past {@link #MAX_RECORD_BYTES} encoded, when its coder can tell cheaply: a global combine's
     * accumulator then crosses the shuffle in records of about that size, merged on the other side,
     * instead of one record of the whole, which cost its size several times over in the sender's
     * buffers and serializer (a lookup's table of 46 MB failed with -Xmx320m there).
     */
    @Override
    boolean isFull(AccumT accumulator) {
      if (!accumulatorCoder.isRegisterByteSizeObserverCheap(accumulator)) {
        return false;
      }
      Size size = new Size();
      try {
        accumulatorCoder.registerByteSizeObserver(accumulator, size);
      } catch (Exception e) {
        return false;
      }
      size.advance();
      return size.bytes > MAX_RECORD_BYTES;
    }

    @Override
    void send(K key, AccumT accumulator) {
      byte[] keyBytes = buffer.encode(keyCoder, key);
      byte[] accumulatorBytes = buffer.encode(accumulatorCoder, accumulator);
      output.collect(new StreamRecord<>(Tuple3.of(EncodedAccumulator.hash(keyBytes), keyBytes, accumulatorBytes)));
    }
  }

  /** A global combine's accumulator is sent on when its encoding passes this. */
  static final long MAX_RECORD_BYTES = 4 << 20;

  /** Adds up what a coder reports. */
  private static final class Size extends ElementByteSizeObserver {
    long bytes;

    @Override
    protected void reportElementSize(long elementByteSize) {
      bytes += elementByteSize;
    }
  }

  /**
   * Streaming (resumable runs): each accumulator as an element of the global window, for
   * {@link KeyedMerge} to merge in Flink's keyed state. The map is emptied before every checkpoint
   * barrier, so a checkpoint never holds inputs here that the source has already passed (the
   * barrier follows what is sent), and before the watermark passes the end of the window, when the
   * merge sends its results. The elements carry the earliest timestamp there is, never later than
   * an input they fold; the merge stamps its results with the window's end, as Beam's combine does.
   */
  public static final class InGlobalWindow<K, InputT, AccumT>
      extends PartialCombine<K, InputT, AccumT, WindowedValue<KV<K, AccumT>>> {
    public InGlobalWindow(CombineFn<InputT, AccumT, ?> fn, Coder<K> keyCoder, int maxKeys) {
      super(fn, keyCoder, maxKeys);
    }

    /** Never early: the merge reads and writes a key's whole accumulator in its state for every record. */
    @Override
    boolean isFull(AccumT accumulator) {
      return false;
    }

    @Override
    void send(K key, AccumT accumulator) {
      output.collect(new StreamRecord<>(WindowedValue.of(KV.of(key, accumulator), BoundedWindow.TIMESTAMP_MIN_VALUE,
          GlobalWindow.INSTANCE, PaneInfo.NO_FIRING)));
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      flush();
      super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      if (mark.getTimestamp() > GlobalWindow.INSTANCE.maxTimestamp().getMillis()) {
        flush();
      }
      super.processWatermark(mark);
    }
  }
}
