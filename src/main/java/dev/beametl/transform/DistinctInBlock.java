package dev.beametl.transform;

import dev.beametl.record.SizedAccumulators;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
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
final class DistinctInBlock extends CombineFn<Integer, RoaringBitmap, Long>
    implements SizedAccumulators<RoaringBitmap> {
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

  @Override
  public RoaringBitmap createAccumulator() {
    return new RoaringBitmap();
  }

  @Override
  public RoaringBitmap addInput(RoaringBitmap bitmap, Integer low) {
    bitmap.add(low.intValue());
    return bitmap;
  }

  /**
   * A new bitmap, never one of the merged: a streaming job's merge keeps its accumulators in Flink's
   * state, where a heap backend hands out the very object a running checkpoint may be writing.
   */
  @Override
  public RoaringBitmap mergeAccumulators(Iterable<RoaringBitmap> bitmaps) {
    return RoaringBitmap.or(bitmaps.iterator());
  }

  /** Runs of consecutive values (ids given out in order) as runs, before a bitmap crosses the shuffle. */
  @Override
  public RoaringBitmap compact(RoaringBitmap bitmap) {
    bitmap.runOptimize();
    return bitmap;
  }

  @Override
  public Long extractOutput(RoaringBitmap bitmap) {
    return bitmap.getLongCardinality();
  }

  /**
   * RoaringBitmap's own estimate counts its containers' values, not the objects around them nor an
   * array's room to grow: measured, a bitmap of one value takes 123 bytes (estimate 16), of 100
   * values 424 (214). Half again and 112 bytes meets both. Past 4,096 values a block is a bitmap
   * of a fixed 8 KiB, with no room to grow.
   */
  @Override
  public long bytes(RoaringBitmap bitmap) {
    long estimate = bitmap.getLongSizeInBytes();
    return (estimate >= 8_192 ? estimate : estimate + estimate / 2) + 112;
  }

  @Override
  public Coder<RoaringBitmap> getAccumulatorCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
    return BitmapCoder.INSTANCE;
  }

  /**
   * A bitmap of a few values as their count and the values, two bytes each; any other in
   * RoaringBitmap's portable format after its length, written and read as one array (its DataOutput
   * form wrote each value with a call of its own). Values with no locality (hashed or random ids)
   * come one per (group, block): three bytes a bitmap, where the portable format took 19.
   */
  static final class BitmapCoder extends AtomicCoder<RoaringBitmap> {
    static final BitmapCoder INSTANCE = new BitmapCoder();
    /** Bitmaps of at most this many values go as a list. */
    static final int LISTED = 8;

    @Override
    public void encode(RoaringBitmap bitmap, OutputStream out) throws IOException {
      int cardinality = bitmap.getCardinality();
      if (cardinality <= LISTED && (cardinality == 0 || Integer.compareUnsigned(bitmap.last(), 0xFFFF) <= 0)) {
        // the header's low bit tells the forms apart: odd, a list of two-byte values
        VarInt.encode(2 * cardinality + 1, out);
        for (int v : bitmap) {
          out.write(v >>> 8);
          out.write(v);
        }
        return;
      }
      ByteBuffer bytes = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
      bitmap.serialize(bytes);
      VarInt.encode(2 * bytes.capacity(), out);
      out.write(bytes.array());
    }

    @Override
    public RoaringBitmap decode(InputStream in) throws IOException {
      int header = VarInt.decodeInt(in);
      RoaringBitmap bitmap = new RoaringBitmap();
      DataInputStream data = new DataInputStream(in);
      if ((header & 1) == 1) {
        for (int i = 0; i < header >>> 1; i++) {
          bitmap.add(data.readUnsignedShort());
        }
        return bitmap;
      }
      byte[] bytes = new byte[header >>> 1];
      data.readFully(bytes);
      bitmap.deserialize(ByteBuffer.wrap(bytes));
      return bitmap;
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      throw new NonDeterministicException(this, "one set may be encoded as arrays, bitmaps or runs");
    }
  }
}
