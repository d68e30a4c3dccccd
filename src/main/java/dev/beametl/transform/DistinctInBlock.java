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

  @Override
  public RoaringBitmap mergeAccumulators(Iterable<RoaringBitmap> bitmaps) {
    RoaringBitmap merged = null;
    for (RoaringBitmap b : bitmaps) {
      if (merged == null) {
        merged = b; // Beam lets a merge reuse its first accumulator
      } else {
        merged.or(b);
      }
    }
    return merged == null ? new RoaringBitmap() : merged;
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

  @Override
  public long bytes(RoaringBitmap bitmap) {
    return bitmap.getLongSizeInBytes();
  }

  @Override
  public Coder<RoaringBitmap> getAccumulatorCoder(CoderRegistry registry, Coder<Integer> inputCoder) {
    return BitmapCoder.INSTANCE;
  }

  /**
   * A bitmap in RoaringBitmap's portable format after its length: written and read as one array
   * (its DataOutput form wrote each of an array container's values with a call of its own).
   */
  static final class BitmapCoder extends AtomicCoder<RoaringBitmap> {
    static final BitmapCoder INSTANCE = new BitmapCoder();

    @Override
    public void encode(RoaringBitmap bitmap, OutputStream out) throws IOException {
      ByteBuffer bytes = ByteBuffer.allocate(bitmap.serializedSizeInBytes());
      bitmap.serialize(bytes);
      VarInt.encode(bytes.capacity(), out);
      out.write(bytes.array());
    }

    @Override
    public RoaringBitmap decode(InputStream in) throws IOException {
      byte[] bytes = new byte[VarInt.decodeInt(in)];
      new DataInputStream(in).readFully(bytes);
      RoaringBitmap bitmap = new RoaringBitmap();
      bitmap.deserialize(ByteBuffer.wrap(bytes));
      return bitmap;
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      throw new NonDeterministicException(this, "one set may be encoded as arrays, bitmaps or runs");
    }
  }
}
