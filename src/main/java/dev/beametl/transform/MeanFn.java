package dev.beametl.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Mean of the non-null values. Integers and decimals are summed exactly; a decimal mean has the
 * input's scale + 6 digits (see MetricSpec#meanType), rounded half-even; integer and double means are doubles.
 */
final class MeanFn extends CombineFn<Number, MeanFn.Accum, Number> {
  private final int decimalScale; // -1: the result is a double
  /** Checks a decimal mean against its column's type (see Metric#fitting); null for doubles. */
  private final @javax.annotation.Nullable SerializableFunction<BigDecimal, BigDecimal> check;

  private MeanFn(int decimalScale, @javax.annotation.Nullable SerializableFunction<BigDecimal, BigDecimal> check) {
    this.decimalScale = decimalScale;
    this.check = check;
  }

  static MeanFn asDecimal(int scale, SerializableFunction<BigDecimal, BigDecimal> check) {
    return new MeanFn(scale, check);
  }

  static MeanFn asDouble() {
    return new MeanFn(-1, null);
  }

  /** Exact sum (integers, decimals) or double sum, and the count of values seen. */
  static final class Accum {
    final DecimalSum exact = new DecimalSum();
    final DoubleSumFn.Sum inexact = new DoubleSumFn.Sum(); // exact once it leaves a double's range
    long count;
  }

  @Override
  public Accum createAccumulator() {
    return new Accum();
  }

  @Override
  public Accum addInput(Accum acc, Number input) {
    if (input == null) {
      return acc;
    }
    if (input instanceof Double) {
      acc.inexact.add(input.doubleValue());
    } else if (input instanceof BigDecimal) {
      acc.exact.add((BigDecimal) input);
    } else {
      acc.exact.add(input.longValue());
    }
    acc.count++;
    return acc;
  }

  @Override
  public Accum mergeAccumulators(Iterable<Accum> accumulators) {
    Accum merged = new Accum();
    for (Accum a : accumulators) {
      merged.exact.add(a.exact);
      merged.inexact.add(a.inexact);
      merged.count += a.count;
    }
    return merged;
  }

  @Override
  public Number extractOutput(Accum acc) {
    if (acc.count == 0) {
      return null;
    }
    BigDecimal count = BigDecimal.valueOf(acc.count);
    BigDecimal exact = acc.exact.value();
    if (decimalScale >= 0) {
      return check.apply(exact.divide(count, decimalScale, RoundingMode.HALF_EVEN));
    }
    if (exact.signum() != 0) {
      return exact.divide(count, MathContext.DECIMAL128).doubleValue(); // 34 digits: the double nearest the mean
    }
    if (acc.inexact.overflowed()) { // the sum left a double's range: the mean of the exact one
      return acc.inexact.exactValue().divide(count, MathContext.DECIMAL128).doubleValue();
    }
    return acc.inexact.value() / acc.count;
  }

  @Override
  public Coder<Accum> getAccumulatorCoder(CoderRegistry registry, Coder<Number> inputCoder) {
    return AccumCoder.INSTANCE;
  }

  static final class AccumCoder extends AtomicCoder<Accum> {
    static final AccumCoder INSTANCE = new AccumCoder();

    @Override
    public void encode(Accum a, OutputStream out) throws IOException {
      DecimalCoder.of().encode(a.exact.value(), out);
      DoubleSumFn.SumCoder.INSTANCE.encode(a.inexact, out);
      VarLongCoder.of().encode(a.count, out);
    }

    @Override
    public Accum decode(InputStream in) throws IOException {
      Accum a = new Accum();
      a.exact.add(DecimalCoder.of().decode(in));
      a.inexact.add(DoubleSumFn.SumCoder.INSTANCE.decode(in));
      a.count = VarLongCoder.of().decode(in);
      return a;
    }
  }
}
