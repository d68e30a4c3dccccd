package dev.beametl.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;

/**
 * The exact sum of a long field, or null for a group without a value. A partial sum may leave a
 * long's range as long as the total does not: the accumulator counts how often its sum wrapped
 * around, so the total is {@code sum + wraps * 2^64}, whatever order the runner adds and merges in
 * (with {@code Math.addExact} on each step, 9e18 + 9e18 - 9e18 failed or not by that order). A
 * total beyond a long's range fails the run, naming the metric.
 */
final class LongSumFn extends CombineFn<Number, LongSumFn.Sum, Long> {
  private final String metric;
  private final String field;

  LongSumFn(String metric, String field) {
    this.metric = metric;
    this.field = field;
  }

  /** The running sum, modulo 2^64, and how many times it wrapped (+1 up, -1 down). */
  static final class Sum {
    boolean seen;
    long sum;
    long wraps;

    void add(long v) {
      long r = sum + v;
      if (((sum ^ r) & (v ^ r)) < 0) { // both operands' sign differs from the result's: it wrapped
        wraps += v < 0 ? -1 : 1;
      }
      sum = r;
      seen = true;
    }
  }

  @Override
  public Sum createAccumulator() {
    return new Sum();
  }

  @Override
  public Sum addInput(Sum acc, Number input) { // an Integer or a Long
    if (input != null) {
      acc.add(input.longValue());
    }
    return acc;
  }

  @Override
  public Sum mergeAccumulators(Iterable<Sum> accumulators) {
    Sum merged = new Sum();
    for (Sum s : accumulators) {
      if (s.seen) {
        merged.add(s.sum);
        merged.wraps += s.wraps;
      }
    }
    return merged;
  }

  @Override
  public Long extractOutput(Sum acc) {
    if (acc.wraps != 0) {
      throw new ArithmeticException("metric " + metric + " (sum of " + field + ") is beyond a long's range ("
          + Long.MIN_VALUE + " to " + Long.MAX_VALUE + "); declare " + field + " as a decimal to sum it without limit");
    }
    return acc.seen ? acc.sum : null;
  }

  @Override
  public Coder<Sum> getAccumulatorCoder(CoderRegistry registry, Coder<Number> inputCoder) {
    return SumCoder.INSTANCE;
  }

  @Override
  public Coder<Long> getDefaultOutputCoder(CoderRegistry registry, Coder<Number> inputCoder) {
    return NullableCoder.of(VarLongCoder.of());
  }

  /** 0: no value; 1 and the sum; 2, the sum and its wraps. */
  static final class SumCoder extends AtomicCoder<Sum> {
    static final SumCoder INSTANCE = new SumCoder();

    @Override
    public void encode(Sum s, OutputStream out) throws IOException {
      out.write(!s.seen ? 0 : s.wraps == 0 ? 1 : 2);
      if (s.seen) {
        VarLongCoder.of().encode(s.sum, out);
        if (s.wraps != 0) {
          VarLongCoder.of().encode(s.wraps, out);
        }
      }
    }

    @Override
    public Sum decode(InputStream in) throws IOException {
      int tag = in.read();
      if (tag < 0) {
        throw new java.io.EOFException("a long sum's accumulator ended early");
      }
      Sum s = new Sum();
      if (tag > 0) {
        s.seen = true;
        s.sum = VarLongCoder.of().decode(in);
        s.wraps = tag == 2 ? VarLongCoder.of().decode(in) : 0;
      }
      return s;
    }
  }
}
