package dev.beametl.record;

/**
 * A combine whose accumulators grow with what they fold (a set of values, not a sum), each to a
 * bounded size. The Flink runner's pre-combine holds such accumulators to a byte budget instead of
 * a number of keys: keys whose accumulators stay small can then all be held, and folded, at once.
 */
public interface SizedAccumulators<AccumT> {
  /** About the heap bytes {@code accumulator} holds; cheap, as it is asked on every input. */
  long bytes(AccumT accumulator);
}
