package dev.beametl.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * The exact sum of a decimal column's non-null values (a {@link DecimalSum}); a group with none gives
 * null, as in SQL. {@code check} is given the sum before it is output (its digits against the
 * column's). The accumulator travels as the sum itself, a nullable {@link DecimalCoder} value.
 */
final class DecimalSumFn extends CombineFn<BigDecimal, DecimalSum, BigDecimal> {
  private final SerializableFunction<BigDecimal, BigDecimal> check;

  DecimalSumFn(SerializableFunction<BigDecimal, BigDecimal> check) {
    this.check = check;
  }

  @Override
  public DecimalSum createAccumulator() {
    return new DecimalSum();
  }

  @Override
  public DecimalSum addInput(DecimalSum sum, BigDecimal input) {
    if (input != null) {
      sum.add(input);
    }
    return sum;
  }

  @Override
  public DecimalSum mergeAccumulators(Iterable<DecimalSum> sums) {
    DecimalSum merged = new DecimalSum();
    for (DecimalSum s : sums) {
      merged.add(s);
    }
    return merged;
  }

  @Override
  public BigDecimal extractOutput(DecimalSum sum) {
    return sum.isEmpty() ? null : check.apply(sum.value());
  }

  @Override
  public Coder<DecimalSum> getAccumulatorCoder(CoderRegistry registry, Coder<BigDecimal> inputCoder) {
    return SumCoder.INSTANCE;
  }

  @Override
  public Coder<BigDecimal> getDefaultOutputCoder(CoderRegistry registry, Coder<BigDecimal> inputCoder) {
    return NullableCoder.of(DecimalCoder.of());
  }

  /** A sum as its value, null when empty. */
  static final class SumCoder extends AtomicCoder<DecimalSum> {
    static final SumCoder INSTANCE = new SumCoder();
    private static final Coder<BigDecimal> VALUE = NullableCoder.of(DecimalCoder.of());

    @Override
    public void encode(DecimalSum sum, OutputStream out) throws IOException {
      VALUE.encode(sum.isEmpty() ? null : sum.value(), out);
    }

    @Override
    public DecimalSum decode(InputStream in) throws IOException {
      BigDecimal value = VALUE.decode(in);
      return value == null ? new DecimalSum() : DecimalSum.of(value);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
