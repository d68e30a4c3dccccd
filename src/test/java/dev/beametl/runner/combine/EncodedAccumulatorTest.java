package dev.beametl.runner.combine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.junit.Test;

/** The shuffle's encoded accumulators and the merge of the keys that share a hash. */
public class EncodedAccumulatorTest {
  @Test
  public void theReusedBufferGivesExactlyEachValuesEncoding() throws Exception {
    EncodedAccumulator.Buffer buffer = new EncodedAccumulator.Buffer();
    // Long keys grow the buffer past its first 64 bytes; a short key after a long one must not get
    // the long one's leftover bytes.
    for (int length : new int[] {0, 3, 63, 64, 65, 300, 2, 1000, 5}) {
      String key = "k".repeat(length);
      byte[] expected = CoderUtils.encodeToByteArray(StringUtf8Coder.of(), key, Coder.Context.NESTED);
      byte[] encoded = buffer.encode(StringUtf8Coder.of(), key);
      assertThat("length " + length, encoded, equalTo(expected));
      assertThat(EncodedAccumulator.decode(StringUtf8Coder.of(), encoded), equalTo(key));
      assertThat(EncodedAccumulator.hash(encoded), equalTo(EncodedAccumulator.hash(expected)));
    }
    assertThat(EncodedAccumulator.hash(buffer.encode(StringUtf8Coder.of(), "a")),
        is(not(EncodedAccumulator.hash(buffer.encode(StringUtf8Coder.of(), "b")))));
  }

  /**
   * Encodings past one chunk (a lookup's table as an accumulator) go on in chunks: whole and exact
   * at every size around a chunk's edges, written byte by byte or in bulk, and a small one after a
   * big one gets none of its bytes.
   */
  @Test
  public void encodingsBiggerThanAChunkComeOutWholeAndExact() throws Exception {
    EncodedAccumulator.Buffer buffer = new EncodedAccumulator.Buffer();
    int chunk = EncodedAccumulator.Buffer.CHUNK;
    java.util.Random random = new java.util.Random(3);
    for (int length : new int[] {chunk - 3, chunk, chunk + 1, 2 * chunk - 1, 2 * chunk, 3 * chunk + 7, 5, 2 * chunk + 5, 1}) {
      byte[] value = new byte[length];
      random.nextBytes(value);
      for (boolean bulk : new boolean[] {true, false}) {
        Coder<byte[]> coder = bulk ? org.apache.beam.sdk.coders.ByteArrayCoder.of() : new ByteByByte();
        byte[] expected = CoderUtils.encodeToByteArray(coder, value, Coder.Context.NESTED);
        assertThat("length " + length + (bulk ? " in bulk" : " byte by byte"),
            java.util.Arrays.equals(buffer.encode(coder, value), expected), is(true));
      }
    }
  }

  /** Writes a length, then every byte alone. */
  private static final class ByteByByte extends org.apache.beam.sdk.coders.AtomicCoder<byte[]> {
    @Override
    public void encode(byte[] value, java.io.OutputStream out) throws java.io.IOException {
      VarLongCoder.of().encode((long) value.length, out);
      for (byte b : value) {
        out.write(b);
      }
    }

    @Override
    public byte[] decode(java.io.InputStream in) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A 64-bit hash almost never repeats, so the merge is given two keys under one hash by hand:
   * each keeps its own sum, whatever the order their accumulators arrive in.
   */
  @Test
  @SuppressWarnings("unchecked")
  public void keysThatShareAHashAreMergedApartByTheirBytes() throws Exception {
    CombineFn<Long, long[], Long> fn = (CombineFn<Long, long[], Long>) (CombineFn<?, ?, ?>) Sum.ofLongs();
    Coder<long[]> accumulators = fn.getAccumulatorCoder(null, VarLongCoder.of());
    EncodedAccumulator.Buffer buffer = new EncodedAccumulator.Buffer();
    MergeSortedKeys.SameHash<String, long[]> group =
        new MergeSortedKeys.SameHash<>(fn, StringUtf8Coder.of(), accumulators);
    String[] keys = {"x", "y", "x", "x", "y"};
    long[] values = {1, 10, 2, 3, 20};
    for (int i = 0; i < keys.length; i++) {
      long[] accumulator = fn.addInput(fn.createAccumulator(), values[i]);
      group.add(buffer.encode(StringUtf8Coder.of(), keys[i]), buffer.encode(accumulators, accumulator));
    }
    List<String> merged = new ArrayList<>();
    group.drain(kv -> merged.add(kv.getKey() + "=" + fn.extractOutput(kv.getValue())));
    assertThat(merged, contains("x=6", "y=30"));

    group.add(buffer.encode(StringUtf8Coder.of(), "z"),
        buffer.encode(accumulators, fn.addInput(fn.createAccumulator(), 7L)));
    List<KV<String, long[]>> after = new ArrayList<>();
    group.drain(after::add);
    assertThat("drained keys are gone", after.size(), is(1));
    assertThat(after.get(0).getKey(), is("z"));
  }

  /** The lock-free stream reads as ByteArrayInputStream does: byte by byte, in bulk, at and past its end. */
  @Test
  public void theUnsynchronizedStreamReadsAsByteArrayInputStreamDoes() throws Exception {
    byte[] bytes = {0, 1, (byte) 0x80, (byte) 0xff, 42, 7};
    for (int chunk : new int[] {1, 2, 4, 6, 10}) {
      java.io.InputStream expected = new java.io.ByteArrayInputStream(bytes);
      java.io.InputStream actual = new EncodedAccumulator.UnsynchronizedBytes(bytes);
      assertThat(actual.skip(1), is(expected.skip(1)));
      assertThat(actual.read(), is(expected.read()));
      for (int round = 0; round < 4; round++) {
        byte[] a = new byte[chunk + 2];
        byte[] e = new byte[chunk + 2];
        assertThat("chunk " + chunk, actual.available(), is(expected.available()));
        assertThat("chunk " + chunk, actual.read(a, 1, chunk), is(expected.read(e, 1, chunk)));
        assertThat("chunk " + chunk, a, equalTo(e));
      }
      assertThat(actual.read(), is(-1));
      assertThat(actual.read(new byte[0], 0, 0), is(0));
      assertThat(actual.skip(5), is(0L));
    }
  }
}
