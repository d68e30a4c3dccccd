package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.Locale;
import javax.annotation.Nullable;

/** A named aggregate: {@code count, sum, min, max, mean, count_distinct} over a field. */
@AutoValue
public abstract class MetricSpec implements Serializable {
  /** The aggregate functions. */
  public enum Op {
    COUNT, SUM, MIN, MAX, MEAN, COUNT_DISTINCT;

    public String specName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public abstract String name();

  public abstract Op op();

  /** The field aggregated; null only for {@code count}, which then counts rows. */
  public abstract @Nullable String field();

  /** The type of the sum of a decimal(p,s) column: decimal(38,s), as DuckDB gives it. */
  public static FieldType sumType(FieldType input) {
    return FieldType.decimal(FieldType.MAX_PRECISION, input.scale());
  }

  /**
   * The type of a decimal(p,s) field's mean: the input's integer digits (a mean lies between the
   * values), and up to six more places after the point, in 38 digits: decimal(10,2) gives
   * decimal(38,8), decimal(38,18) gives decimal(38,18).
   */
  public static FieldType meanType(FieldType input) {
    int integerDigits = input.precision() - input.scale();
    int scale = Math.max(input.scale(), Math.min(input.scale() + 6, FieldType.MAX_PRECISION - integerDigits));
    return FieldType.decimal(FieldType.MAX_PRECISION, scale);
  }

  /** Why {@code op} cannot aggregate a field of {@code type} (a spec's check and a Java caller's), or null. */
  public static @Nullable String fieldProblem(Op op, FieldType type) {
    FieldType.Kind k = type.kind();
    boolean ok;
    switch (op) {
      case SUM:
      case MEAN:
        ok = k.isNumeric();
        break;
      case MIN:
      case MAX:
        ok = k.isNumeric() || k == FieldType.Kind.DATE || k == FieldType.Kind.TIMESTAMP || k == FieldType.Kind.STRING;
        break;
      case COUNT_DISTINCT:
        ok = k != FieldType.Kind.DOUBLE;
        break;
      default:
        ok = true;
    }
    return ok ? null : op.specName() + " does not apply to a " + type + " field"
        + (op == Op.COUNT_DISTINCT ? " (doubles have no exact encoding)"
            : op == Op.MIN || op == Op.MAX
                ? "; it needs a number, date, timestamp or string (a category's values compare as text when it is"
                    + " declared a string)"
                : "; it needs a numeric field");
  }

  public static MetricSpec of(String name, Op op, @Nullable String field) {
    return new AutoValue_MetricSpec(name, op, field);
  }
}
