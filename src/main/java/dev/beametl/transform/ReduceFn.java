package dev.beametl.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StructuredCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.SerializableBiFunction;
import org.apache.beam.sdk.transforms.SerializableFunction;

/**
 * Folds non-null values with an associative function (sum, min, max). Nulls are skipped; a group
 * with no value at all gives null, as in SQL. The accumulator has a real coder, so runners combine
 * partially before the shuffle and send one accumulator per key and bundle.
 */
final class ReduceFn<T> extends CombineFn<T, ReduceFn.Holder<T>, T> {
  private final SerializableBiFunction<T, T, T> reduce;
  private final Coder<T> valueCoder;

  /** Checks the result before it is given out (a sum's digits against its column's); null: none. */
  private final @javax.annotation.Nullable SerializableFunction<T, T> check;

  ReduceFn(SerializableBiFunction<T, T, T> reduce, Coder<T> valueCoder) {
    this(reduce, valueCoder, null);
  }

  ReduceFn(SerializableBiFunction<T, T, T> reduce, Coder<T> valueCoder,
      @javax.annotation.Nullable SerializableFunction<T, T> check) {
    this.reduce = reduce;
    this.valueCoder = valueCoder;
    this.check = check;
  }

  static <T extends Comparable<T>> ReduceFn<T> min(Coder<T> coder) {
    return new ReduceFn<>((a, b) -> compare(a, b) <= 0 ? a : b, coder);
  }

  static <T extends Comparable<T>> ReduceFn<T> max(Coder<T> coder) {
    return new ReduceFn<>((a, b) -> compare(a, b) >= 0 ? a : b, coder);
  }

  /** Natural order, strings by code point: as SQL engines and Parquet order them (UTF-8 bytes). */
  static <T extends Comparable<T>> int compare(T a, T b) {
    return a instanceof String ? compareCodePoints((String) a, (String) b) : a.compareTo(b);
  }

  /**
   * Strings by code point. String.compareTo compares UTF-16 units, which puts a character above
   * U+FFFF (a surrogate pair, 0xD800-0xDFFF) below one in U+E000-U+FFFF; only those two ranges
   * trade places, so the first differing unit decides after moving them.
   */
  static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        return codePointRank(x) - codePointRank(y);
      }
    }
    return a.length() - b.length();
  }

  private static int codePointRank(char c) {
    return c < 0xD800 ? c : c < 0xE000 ? c + 0x2000 : c - 0x800;
  }

  /** A mutable box for the running value. */
  static final class Holder<T> {
    T value;

    Holder(T value) {
      this.value = value;
    }
  }

  @Override
  public Holder<T> createAccumulator() {
    return new Holder<>(null);
  }

  @Override
  public Holder<T> addInput(Holder<T> acc, T input) {
    if (input != null) {
      acc.value = acc.value == null ? input : reduce.apply(acc.value, input);
    }
    return acc;
  }

  @Override
  public Holder<T> mergeAccumulators(Iterable<Holder<T>> accumulators) {
    Holder<T> merged = createAccumulator();
    for (Holder<T> h : accumulators) {
      addInput(merged, h.value);
    }
    return merged;
  }

  @Override
  public T extractOutput(Holder<T> acc) {
    return check == null || acc.value == null ? acc.value : check.apply(acc.value);
  }

  @Override
  public Coder<Holder<T>> getAccumulatorCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return new HolderCoder<>(NullableCoder.of(valueCoder));
  }

  @Override
  public Coder<T> getDefaultOutputCoder(CoderRegistry registry, Coder<T> inputCoder) {
    return NullableCoder.of(valueCoder);
  }

  static final class HolderCoder<T> extends StructuredCoder<Holder<T>> {
    private final Coder<T> valueCoder;

    HolderCoder(Coder<T> valueCoder) {
      this.valueCoder = valueCoder;
    }

    @Override
    public void encode(Holder<T> holder, OutputStream out) throws IOException {
      valueCoder.encode(holder.value, out);
    }

    @Override
    public Holder<T> decode(InputStream in) throws IOException {
      return new Holder<>(valueCoder.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of(valueCoder);
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      valueCoder.verifyDeterministic();
    }
  }
}
