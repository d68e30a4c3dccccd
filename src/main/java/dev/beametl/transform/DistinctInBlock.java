package dev.beametl.transform;

import dev.beametl.record.SizedAccumulators;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.VarInt;
import org.roaringbitmap.RoaringBitmap;

/**
 * The exact number of distinct integers of one block, a key's values that share all but their
 * lowest {@link #BLOCK_BITS} bits: each input is a value's low bits, folded into a compressed
 * bitmap. A bitmap of one block holds at most 8 KiB however many values it folds, so accumulators
 * stay bounded (a set per group would not), and a pre-combine that holds a key per (group, block)
 * sends one record per key where pair rows sent one per distinct (group, value) pair.
 */
final class DistinctInBlock extends CombineFn<Integer, DistinctInBlock.Values, Long>
    implements SizedAccumulators<DistinctInBlock.Values> {
  /** A block holds 2^16 values: one bitmap container, the most a container of RoaringBitmap's holds. */
  static final int BLOCK_BITS = 16;
  static final long LOW_MASK = (1L << BLOCK_BITS) - 1;

  /** The block of {@code value}, a key field beside the group's. */
  static long block(long value) {
    return value >> BLOCK_BITS;
  }

  /** The bits of {@code value} that its block's bitmap holds. */
  static int low(long value) {
    return (int) (value & LOW_MASK);
  }

  /**
   * A block's values: the latest few as they came, the rest in a bitmap. Values of a key come in no
   * order, and a bitmap's sorted array took each with a search and a shift (13.5% of the sales
   * job's samples); {@link #PENDING} of them sorted go in by one merge, about half the time. A
   * key with a value or two (hashed or random ids) never gets a bitmap at all.
   */
  static final class Values {
    static final int PENDING = 64;
    int[] pending = new int[4];
    int count;
    @Nullable RoaringBitmap bitmap;
    /**
     * The bitmap's heap bytes as {@link #heapBytes} counted them when it last changed: the
     * pre-combine asks before and after every input, and walking the bitmap's objects each time
     * touched memory an input otherwise does not (JFR put 15% of the sales job's samples there,
     * most of it the accumulator's first touch, which then moved to the map's lookup).
     */
    long bitmapBytes;

    /** Only the pre-combine's own accumulators take inputs: the one place a bitmap changes. */
    void add(int low) {
      if (count == pending.length) {
        if (count < PENDING) {
          pending = Arrays.copyOf(pending, 2 * count);
        } else {
          Arrays.sort(pending);
          RoaringBitmap sorted = RoaringBitmap.bitmapOf(pending); // in order: each value appended
          if (bitmap == null) {
            bitmap = sorted;
          } else {
            bitmap.or(sorted);
          }
          bitmapBytes = heapBytes(bitmap);
          count = 0;
        }
      }
      pending[count++] = low;
    }

    /**
     * A new bitmap of the pending values. (RoaringBitmap's bitmapOfUnordered writes through a
     * buffer of a whole 8 KiB container: per key with a value or two, that was most of the work.)
     */
    RoaringBitmap pendingBitmap() {
      int[] sorted = Arrays.copyOf(pending, count);
      Arrays.sort(sorted);
      return RoaringBitmap.bitmapOf(sorted);
    }

    /** How many distinct values there are, without a bitmap when there is none yet. */
    long cardinality() {
      if (count == 0) {
        return bitmap == null ? 0 : bitmap.getLongCardinality();
      }
      if (bitmap != null) {
        return union().getLongCardinality();
      }
      int[] sorted = Arrays.copyOf(pending, count);
      Arrays.sort(sorted);
      long distinct = 1;
      for (int i = 1; i < sorted.length; i++) {
        distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
      }
      return distinct;
    }

    /** A new bitmap of all the values; this one is left as it is. */
    RoaringBitmap union() {
      RoaringBitmap all = pendingBitmap();
      if (bitmap != null) {
        all.or(bitmap);
      }
      return all;
    }

    static Values of(RoaringBitmap bitmap) {
      Values v = new Values();
      v.bitmap = bitmap;
      v.bitmapBytes = heapBytes(bitmap);
      return v;
    }
  }

  @Override
  public Values createAccumulator() {
    return new Values();
  }

  @Override
  public Values addInput(Values values, Integer low) {
    values.add(low);
    return values;
  }

  /**
   * A new accumulator, none of the merged changed: a streaming job's merge keeps its accumulators in
   * Flink's state, where a heap backend hands out the very object a running checkpoint may write.
   */
  @Override
  public Values mergeAccumulators(Iterable<Values> accumulators) {
    RoaringBitmap merged = new RoaringBitmap();
    for (Values v : accumulators) {
      if (v.bitmap != null) {
        merged.or(v.bitmap);
      }
      if (v.count > 0) {
        merged.or(v.pendingBitmap());
      }
    }
    return Values.of(merged);
  }

  /** All values in one bitmap, runs of consecutive values (ids given out in order) as runs, before crossing the shuffle. */
  @Override
  public Values compact(Values values) {
    if (values.count <= BitmapCoder.LISTED && values.bitmap == null) {
      return values; // crosses as a list
    }
    RoaringBitmap all = values.union();
    all.runOptimize();
    return Values.of(all);
  }

  @Override
  public Long extractOutput(Values values) {
    return values.cardinality();
  }

  /** The holder, its pending values' array and its bitmap. */
  @Override
  public long bytes(Values values) {
    return 32 + 16 + 4L * values.pending.length + values.bitmapBytes;
  }

  /**
   * RoaringBitmap's own estimate counts its containers' values, not the objects around them nor an
   * array's room to grow: measured, a bitmap of one value takes 123 bytes (estimate 16), of 100
   * values 424 (214). Half again and 112 bytes meets both. Past 4,096 values a block is a bitmap
   * of a fixed 8 KiB, with no room to grow.
   */
  static long heapBytes(RoaringBitmap bitmap) {
    long estimate = bitmap.getLongSizeInBytes();
    return (estimate >= 8_192 ? estimate : estimate + estimate / 2) + 112;
  }

  @Override
  public Coder<Values> getAccumulatorCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
    return BitmapCoder.INSTANCE;
  }

  /**
   * A block's few values as their count and the values, two bytes each; more as one bitmap in
   * RoaringBitmap's portable format after its length, written and read as one array (its
   * DataOutput form wrote each value with a call of its own). Values with no locality (hashed or
   * random ids) come one per (group, block): three bytes each, where the portable format took 19.
   */
  static final class BitmapCoder extends AtomicCoder<Values> {
    static final BitmapCoder INSTANCE = new BitmapCoder();
    /** Values not yet in a bitmap, at most this many, go as a list (repeats and all). */
    static final int LISTED = 8;

    @Override
    public void encode(Values values, OutputStream out) throws IOException {
      if (values.bitmap == null && values.count <= LISTED) { // the header's low bit tells the forms apart: odd, a list
        VarInt.encode(2 * values.count + 1, out);
        for (int i = 0; i < values.count; i++) {
          out.write(values.pending[i] >>> 8);
          out.write(values.pending[i]);
        }
        return;
      }
      RoaringBitmap all = values.count == 0 ? values.bitmap : values.union();
      ByteBuffer bytes = ByteBuffer.allocate(all.serializedSizeInBytes());
      all.serialize(bytes);
      VarInt.encode(2 * bytes.capacity(), out);
      out.write(bytes.array());
    }

    @Override
    public Values decode(InputStream in) throws IOException {
      int header = VarInt.decodeInt(in);
      DataInputStream data = new DataInputStream(in);
      if ((header & 1) == 1) {
        Values values = new Values();
        for (int i = 0; i < header >>> 1; i++) {
          values.add(data.readUnsignedShort());
        }
        return values;
      }
      byte[] bytes = new byte[header >>> 1];
      data.readFully(bytes);
      RoaringBitmap bitmap = new RoaringBitmap();
      bitmap.deserialize(ByteBuffer.wrap(bytes));
      return Values.of(bitmap);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      throw new NonDeterministicException(this, "one set may be encoded as a list, arrays, bitmaps or runs");
    }
  }
}
