package dev.beametl.runner.combine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Objects;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;

/**
 * What crosses the shuffle between {@link PartialCombine} and {@link MergeSortedKeys}: a 64-bit
 * hash of the encoded key, the key's bytes and the accumulator's bytes, encoded once by the sender.
 * As Beam objects, the receiver's sort decoded and encoded each accumulator three times and more
 * (into its buffers, while spilling, out of them) and encoded its key twice more for the hash; as
 * bytes, Flink's sort copies them, and only the merge decodes, once. The fixed-length hash lets the
 * sort compare keys as normalized bytes inside its index; keys that share a hash are told apart by
 * their bytes, so results stay exact (Beam groups keys by their encoding too).
 */
public final class EncodedAccumulator {
  /** Flink's type of (hash, key bytes, accumulator bytes). */
  public static final TypeInformation<Tuple3<Long, byte[], byte[]>> TYPE = new TupleTypeInfo<>(Types.LONG,
      PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);

  private EncodedAccumulator() {}

  /**
   * The hash the shuffle keys by: FarmHash's 64-bit fingerprint, made for short inputs such as
   * encoded keys (murmur3_128's streaming hasher was 1.3% of the sales run's samples). Only within
   * one run: nothing stores it.
   */
  public static long hash(byte[] keyBytes) {
    return Hashing.farmHashFingerprint64().hashBytes(keyBytes).asLong();
  }

  /** Keys the shuffle by the hash the sender computed: nothing is encoded or hashed again. */
  public static final class ByHash implements KeySelector<Tuple3<Long, byte[], byte[]>, Long> {
    @Override
    public Long getKey(Tuple3<Long, byte[], byte[]> value) {
      return value.f0;
    }
  }

  static <T> T decode(Coder<T> coder, byte[] bytes) {
    try {
      return coder.decode(new UnsynchronizedBytes(bytes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The bytes of one encoding as a stream whose reads take no lock. ByteArrayInputStream's read()
   * is synchronized, and Beam's varints are read a byte at a time: in a merge of 1.5M groups those
   * reads were 11% of the stage's samples (JFR), most of it the lock.
   */
  static final class UnsynchronizedBytes extends InputStream {
    private final byte[] bytes;
    private int next;

    UnsynchronizedBytes(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int read() {
      return next < bytes.length ? bytes[next++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      int n = Math.min(len, bytes.length - next);
      if (n <= 0) {
        return -1;
      }
      System.arraycopy(bytes, next, b, off, n);
      next += n;
      return n;
    }

    @Override
    public long skip(long n) {
      int skipped = (int) Math.max(0, Math.min(n, bytes.length - next));
      next += skipped;
      return skipped;
    }

    @Override
    public int available() {
      return bytes.length - next;
    }
  }

  /**
   * One buffer, reused for every encoding, then copied out at its exact length: Beam's
   * encodeToByteArray goes through a thread-local, a synchronized stream and a copy per call. Past
   * {@link #CHUNK} an encoding goes on in chunks of that size instead of a buffer doubled (and
   * copied) as it grows, and the chunks are not kept: a big accumulator (a lookup's table) costs
   * its size once more while it is copied out, not three times; the buffer kept is at most a chunk.
   */
  static final class Buffer extends java.io.OutputStream {
    static final int CHUNK = 1 << 20;
    byte[] buf = new byte[64];
    int count;
    /** The chunks an encoding filled before {@code buf}, when it outgrew one chunk. */
    private java.util.List<byte[]> filled;
    private long filledBytes;

    <T> byte[] encode(Coder<T> coder, T value) {
      count = 0;
      filled = null; // what an encoding that failed left
      filledBytes = 0;
      try {
        coder.encode(value, this);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (filled == null) {
        return Arrays.copyOf(buf, count);
      }
      byte[] out = new byte[Math.toIntExact(filledBytes + count)];
      int at = 0;
      for (byte[] chunk : filled) {
        System.arraycopy(chunk, 0, out, at, chunk.length);
        at += chunk.length;
      }
      System.arraycopy(buf, 0, out, at, count);
      filled = null;
      filledBytes = 0;
      return out;
    }

    @Override
    public void write(int b) {
      if (count == buf.length) {
        makeRoom(1);
      }
      buf[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        if (count == buf.length) {
          makeRoom(len);
        }
        int n = Math.min(len, buf.length - count);
        System.arraycopy(b, off, buf, count, n);
        count += n;
        off += n;
        len -= n;
      }
    }

    /** {@code buf} is full: doubles it up to a chunk, then sets it aside and starts another. */
    private void makeRoom(int wanted) {
      if (buf.length < CHUNK) {
        buf = Arrays.copyOf(buf, (int) Math.min(CHUNK, Math.max(2L * buf.length, (long) count + wanted)));
        return;
      }
      if (filled == null) {
        filled = new java.util.ArrayList<>();
      }
      filled.add(buf);
      filledBytes += buf.length;
      buf = new byte[CHUNK];
      count = 0;
    }
  }
}
