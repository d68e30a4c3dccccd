package dev.beametl.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * The sum of a double field, or null for a group without a value: a compensated sum (Neumaier's:
 * what each addition rounds away is kept and added at the end, so 1e308 + 233 ordinary values -
 * 1e308 keeps the ordinary ones, where a plain sum gave 2,480,499.37 for 1,646,466.21, a trial), until
 * a step leaves a double's range; from then on the group's exact sum, rounded to the nearest double
 * at the end (Infinity only when the exact total is beyond a double's range). The
 * values are finite (the schema gate refuses NaN and Infinity), so a sum is never NaN: a trial's
 * group of 1.8e308, 1e308 and -1e308 values, exactly 1.6e308, came out NaN, one partial sum having
 * overflowed to Infinity and another to -Infinity, merged.
 */
final class DoubleSumFn extends CombineFn<Double, DoubleSumFn.Sum, Double> {

  /** A running compensated double sum and, once it has left a double's range, the exact sum instead. */
  static final class Sum {
    boolean seen;
    double sum;
    double lost; // what the additions to sum rounded away
    BigDecimal exact; // null until a step overflowed

    void add(double v) {
      seen = true;
      if (exact != null) {
        exact = exact.add(new BigDecimal(v));
        return;
      }
      double r = sum + v;
      if (Double.isInfinite(r)) { // two finite values past the range: go on exactly
        exact = new BigDecimal(sum).add(new BigDecimal(lost)).add(new BigDecimal(v));
      } else {
        lost += Math.abs(sum) >= Math.abs(v) ? (sum - r) + v : (v - r) + sum; // exact: the rounding error of r
        sum = r;
      }
    }

    void add(Sum other) {
      if (!other.seen) {
        return;
      }
      if (other.exact != null) {
        seen = true;
        exact = exactValue().add(other.exact);
      } else {
        add(other.sum);
        add(other.lost);
      }
    }

    /** The sum as a double: nearest to the exact one where that was kept. */
    double value() {
      return exact != null ? exact.doubleValue() : sum + lost;
    }

    /** The exact sum, where it was kept; else the compensated one's parts, exactly. */
    BigDecimal exactValue() {
      return exact != null ? exact : new BigDecimal(sum).add(new BigDecimal(lost));
    }

    boolean overflowed() {
      return exact != null;
    }
  }

  @Override
  public Sum createAccumulator() {
    return new Sum();
  }

  @Override
  public Sum addInput(Sum acc, Double input) {
    if (input != null) {
      acc.add(input);
    }
    return acc;
  }

  @Override
  public Sum mergeAccumulators(Iterable<Sum> accumulators) {
    Sum merged = new Sum();
    for (Sum s : accumulators) {
      merged.add(s);
    }
    return merged;
  }

  @Override
  public Double extractOutput(Sum acc) {
    return acc.seen ? acc.value() : null;
  }

  @Override
  public Coder<Sum> getAccumulatorCoder(CoderRegistry registry, Coder<Double> inputCoder) {
    return SumCoder.INSTANCE;
  }

  @Override
  public Coder<Double> getDefaultOutputCoder(CoderRegistry registry, Coder<Double> inputCoder) {
    return NullableCoder.of(DoubleCoder.of());
  }

  /** 0: no value; 1, the double sum and what it rounded away; 2 and the exact sum. */
  static final class SumCoder extends AtomicCoder<Sum> {
    static final SumCoder INSTANCE = new SumCoder();

    @Override
    public void encode(Sum s, OutputStream out) throws IOException {
      out.write(!s.seen ? 0 : s.exact == null ? 1 : 2);
      if (s.seen && s.exact == null) {
        DoubleCoder.of().encode(s.sum, out);
        DoubleCoder.of().encode(s.lost, out);
      } else if (s.seen) {
        DecimalCoder.of().encode(s.exact, out);
      }
    }

    @Override
    public Sum decode(InputStream in) throws IOException {
      int tag = in.read();
      if (tag < 0) {
        throw new java.io.EOFException("a double sum's accumulator ended early");
      }
      Sum s = new Sum();
      s.seen = tag > 0;
      if (tag == 1) {
        s.sum = DoubleCoder.of().decode(in);
        s.lost = DoubleCoder.of().decode(in);
      } else if (tag == 2) {
        s.exact = DecimalCoder.of().decode(in);
      }
      return s;
    }
  }
}
