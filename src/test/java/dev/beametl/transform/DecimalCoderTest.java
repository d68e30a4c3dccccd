package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Test;

public class DecimalCoderTest {
  @Test
  public void everyValueAndScaleComesBackAndEqualValuesEncodeEqually() throws Exception {
    Random rng = new Random(16);
    BigDecimal[] edges = {BigDecimal.ZERO, new BigDecimal("0.00"), new BigDecimal("-0.01"), BigDecimal.valueOf(Long.MAX_VALUE, 2),
        BigDecimal.valueOf(Long.MIN_VALUE, 4), new BigDecimal(BigInteger.ONE.shiftLeft(63), 1),
        new BigDecimal(BigInteger.ONE.shiftLeft(63).negate(), 1), new BigDecimal("-1E+30"), new BigDecimal("1E-40")};
    for (BigDecimal v : edges) {
      CoderProperties.coderDecodeEncodeEqual(DecimalCoder.of(), v);
      assertThat(CoderUtils.encodeToByteArray(DecimalCoder.of(), v),
          org.hamcrest.Matchers.equalTo(CoderUtils.encodeToByteArray(DecimalCoder.of(), new BigDecimal(v.unscaledValue(), v.scale()))));
    }
    for (int i = 0; i < 20_000; i++) {
      BigDecimal v = new BigDecimal(new BigInteger(rng.nextInt(i % 2 == 0 ? 66 : 130) + 1, rng).multiply(BigInteger.valueOf(rng.nextBoolean() ? 1 : -1)),
          rng.nextInt(60) - 20);
      CoderProperties.coderDecodeEncodeEqual(DecimalCoder.of(), v);
      assertThat(CoderUtils.encodeToByteArray(DecimalCoder.of(), v), org.hamcrest.Matchers.equalTo(reference(v)));
    }
  }

  /**
   * The encoding as first defined - scale, then the unscaled value as a zigzag varlong when under 64
   * bits, else its bytes - which the fast path for precision 18 or less must give byte for byte
   * (checkpoints and shuffles of one build mix both paths).
   */
  private static byte[] reference(BigDecimal v) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.apache.beam.sdk.coders.VarIntCoder.of().encode(v.scale(), out);
    BigInteger unscaled = v.unscaledValue();
    if (unscaled.bitLength() < 64) {
      out.write(0);
      long l = unscaled.longValue();
      org.apache.beam.sdk.coders.VarLongCoder.of().encode((l << 1) ^ (l >> 63), out);
    } else {
      out.write(1);
      org.apache.beam.sdk.coders.ByteArrayCoder.of().encode(unscaled.toByteArray(), out);
    }
    return out.toByteArray();
  }
}
