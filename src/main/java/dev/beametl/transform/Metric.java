package dev.beametl.transform;

import dev.beametl.spec.FieldType;
import dev.beametl.spec.InstantMicros;
import dev.beametl.spec.MetricSpec;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.Row;

/**
 * One metric of an aggregation, as the pieces {@code CombineFns.compose()} needs: how to take its
 * input from a row, the built-in or own {@link CombineFn} that folds it, the coder of that input, and
 * how the folded value becomes an output column. Dates and timestamps are folded as longs (epoch day,
 * epoch microsecond), ints as longs, so every accumulator has a compact coder.
 */
final class Metric implements Serializable {
  private static final InstantMicros MICROS = new InstantMicros();
  private final MetricSpec spec;
  private final FieldType inputType; // null for count(*)
  private final int inputIndex; // -1 for count(*)

  Metric(MetricSpec spec, FieldType inputType, int inputIndex) {
    this.spec = spec;
    this.inputType = inputType;
    this.inputIndex = inputIndex;
  }

  String name() {
    return spec.name();
  }

  Object extract(Row row) {
    if (spec.op() == MetricSpec.Op.COUNT) {
      return inputIndex < 0 || row.getValue(inputIndex) != null ? 1L : 0L;
    }
    Object v = row.getValue(inputIndex);
    if (v == null) {
      return null;
    }
    if (v instanceof Integer) { // sum and mean take any Number: no Long per value (JFR: 3.6% in Long.valueOf)
      return spec.op() == MetricSpec.Op.SUM || spec.op() == MetricSpec.Op.MEAN ? v : (Object) ((Integer) v).longValue();
    }
    if (v instanceof LocalDate) {
      return ((LocalDate) v).toEpochDay();
    }
    if (v instanceof Instant) {
      return MICROS.toBaseType((Instant) v);
    }
    return v;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  CombineFn<Object, ?, Object> combineFn() {
    switch (spec.op()) {
      case COUNT:
        return (CombineFn) Sum.ofLongs();
      case SUM:
        switch (inputType.kind()) {
          case DOUBLE:
            return (CombineFn) new DoubleSumFn();
          case DECIMAL:
            return (CombineFn) new DecimalSumFn(fitting(MetricSpec.sumType(inputType)));
          default:
            return (CombineFn) new LongSumFn(spec.name(), spec.field());
        }
      case MEAN:
        return (CombineFn) (inputType.kind() == FieldType.Kind.DECIMAL
            ? MeanFn.asDecimal(MetricSpec.meanType(inputType).scale(), fitting(MetricSpec.meanType(inputType)))
            : MeanFn.asDouble());
      case MIN:
        return (CombineFn) ReduceFn.min((Coder) foldedCoder());
      case MAX:
        return (CombineFn) ReduceFn.max((Coder) foldedCoder());
      default:
        throw new IllegalStateException(spec.op() + " is not combined here");
    }
  }

  /**
   * A decimal result as it is, when it fits {@code column}; else the run fails naming the metric (a
   * Parquet file with a wider value is unreadable, a CSV one states a type its value breaks), as a
   * long sum beyond a long's range does, and as DuckDB's sum stops with an overflow.
   */
  private SerializableFunction<BigDecimal, BigDecimal> fitting(FieldType column) {
    String name = spec.name();
    String what = spec.op().name().toLowerCase(java.util.Locale.ROOT) + " of " + spec.field();
    int integerDigits = column.precision() - column.scale();
    return v -> {
      if (v.precision() - v.scale() > integerDigits) {
        throw new ArithmeticException("metric " + name + " (" + what + ") is " + v.toPlainString()
            + ", more digits than its column's type " + column + " holds");
      }
      return v;
    };
  }

  /** The coder of what {@link #extract} returns. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  Coder<Object> inputCoder() {
    if (spec.op() == MetricSpec.Op.COUNT) {
      return (Coder) VarLongCoder.of();
    }
    if (inputType.kind() == FieldType.Kind.INT
        && (spec.op() == MetricSpec.Op.SUM || spec.op() == MetricSpec.Op.MEAN)) {
      return (Coder) NullableCoder.of(VarIntCoder.of()); // extract leaves these ints as they are
    }
    return (Coder) NullableCoder.of(foldedCoder());
  }

  private Coder<?> foldedCoder() {
    switch (inputType.kind()) {
      case DOUBLE:
        return DoubleCoder.of();
      case DECIMAL:
        return DecimalCoder.of();
      case STRING:
        return StringUtf8Coder.of();
      default:
        return VarLongCoder.of();
    }
  }

  /** The folded value as the output column's Java value. */
  Object toOutput(Object folded) {
    if (folded == null || spec.op() == MetricSpec.Op.COUNT || spec.op() == MetricSpec.Op.MEAN
        || spec.op() == MetricSpec.Op.SUM) {
      return folded;
    }
    switch (inputType.kind()) {
      case INT:
        return ((Long) folded).intValue();
      case DATE:
        return LocalDate.ofEpochDay((Long) folded);
      case TIMESTAMP:
        return MICROS.toInputType((Long) folded);
      default:
        return folded;
    }
  }
}
