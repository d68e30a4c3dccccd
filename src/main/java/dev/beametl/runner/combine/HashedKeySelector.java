package dev.beametl.runner.combine;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * A 64-bit hash of the encoded key. A fixed-length key lets Flink's batch sort compare keys as
 * normalized bytes inside its index; with the encoded key itself (variable length) every comparison
 * read both records, and the sort was the largest cost of a Distinct. Keys that share a hash are
 * told apart by {@link MergeSortedKeys}, so results stay exact.
 */
public final class HashedKeySelector<K, AccumT> implements KeySelector<WindowedValue<KV<K, AccumT>>, Long> {
  private final Coder<K> keyCoder;
  private transient KeyBytes bytes;

  public HashedKeySelector(Coder<K> keyCoder) {
    this.keyCoder = keyCoder;
  }

  @Override
  public Long getKey(WindowedValue<KV<K, AccumT>> value) throws Exception {
    if (bytes == null) {
      bytes = new KeyBytes();
    }
    bytes.count = 0;
    keyCoder.encode(value.getValue().getKey(), bytes);
    return Hashing.murmur3_128().hashBytes(bytes.buf, 0, bytes.count).asLong();
  }

  /**
   * The encoded key, in one buffer reused for every element: Beam's encodeToByteArray goes through a
   * thread-local, a synchronized stream and a copy of the bytes, per element (JFR: ~4% of a run).
   */
  static final class KeyBytes extends java.io.OutputStream {
    byte[] buf = new byte[64];
    int count;
  
    @Override
    public void write(int b) {
      if (count == buf.length) {
        buf = java.util.Arrays.copyOf(buf, 2 * count);
      }
      buf[count++] = (byte) b;
    }
  
    @Override
    public void write(byte[] b, int off, int len) {
      if (count + len > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(2 * buf.length, count + len));
      }
      System.arraycopy(b, off, buf, count, len);
      count += len;
    }
  }
}
