package dev.beametl.runner.combine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.junit.Test;

public class HashedKeySelectorTest {
  private static long expected(String key) throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(StringUtf8Coder.of(), key, Coder.Context.NESTED);
    return Hashing.murmur3_128().hashBytes(bytes).asLong();
  }

  @Test
  public void theReusedBufferHashesExactlyEachKeysEncoding() throws Exception {
    HashedKeySelector<String, Long> selector =
        new HashedKeySelector<>(StringUtf8Coder.of());
    // Long keys grow the buffer past its first 64 bytes; a short key after a long one must not see
    // the long one's leftover bytes.
    for (int length : new int[] {0, 3, 63, 64, 65, 300, 2, 1000, 5}) {
      String key = "k".repeat(length);
      long hash = selector.getKey(WindowedValue.valueInGlobalWindow(KV.of(key, 1L)));
      assertThat("length " + length, hash, equalTo(expected(key)));
    }
  }
}
