package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.junit.Test;

/** min and max of strings follow code points, as DuckDB and Parquet's statistics do (UTF-8 bytes). */
public class ReduceFnTest {
  @Test
  public void aCharacterAboveTheBmpIsAboveEveryCharacterInIt() {
    ReduceFn<String> min = ReduceFn.min(StringUtf8Coder.of());
    ReduceFn<String> max = ReduceFn.max(StringUtf8Coder.of());
    List<String> values = List.of("\uFFFD", "\uD83D\uDE00", "z"); // U+FFFD, U+1F600, z
    assertThat(min.extractOutput(fold(min, values)), is("z"));
    assertThat(max.extractOutput(fold(max, values)), is("\uD83D\uDE00")); // String.compareTo: U+FFFD
  }

  @Test
  public void codePointOrderIsUtf8ByteOrder() {
    Random random = new Random(3);
    char[] from = {'a', '\u00e9', '\uD7FF', '\uE000', '\uFFFD', '\uFFFF'};
    for (int round = 0; round < 20_000; round++) {
      String a = randomText(random, from);
      String b = randomText(random, from);
      int bytes = Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
      assertThat(a + " / " + b, Integer.signum(ReduceFn.compareCodePoints(a, b)), is(Integer.signum(bytes)));
    }
  }

  private static String randomText(Random random, char[] from) {
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(4); i > 0; i--) {
      if (random.nextInt(3) == 0) {
        b.appendCodePoint(0x10000 + random.nextInt(0x100000)); // a surrogate pair
      } else {
        b.append(from[random.nextInt(from.length)]);
      }
    }
    return b.toString();
  }

  private static ReduceFn.Holder<String> fold(ReduceFn<String> fn, List<String> values) {
    ReduceFn.Holder<String> h = fn.createAccumulator();
    for (String v : values) {
      fn.addInput(h, v);
    }
    return h;
  }
}
