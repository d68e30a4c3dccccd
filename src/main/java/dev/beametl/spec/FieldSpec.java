package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.List;
import javax.annotation.Nullable;

/** One declared field of the input schema, with its type, nullability and constraints. */
@AutoValue
public abstract class FieldSpec implements Serializable {
  public abstract String name();

  public abstract FieldType type();

  public abstract boolean nullable();

  /** Inclusive lower bound for numbers, dates and timestamps (as written, parsed with the field's type). */
  public abstract @Nullable BigDecimal min();

  public abstract @Nullable BigDecimal max();

  /** Dates and timestamps bounds, kept as text and parsed with the field's format. */
  public abstract @Nullable String minText();

  public abstract @Nullable String maxText();

  /** A regular expression the whole string value must match. */
  public abstract @Nullable String pattern();

  /** Allowed values (strings), or the declared values of a category in their code order. */
  public abstract @Nullable List<String> values();

  public abstract @Nullable Integer maxLength();

  /** java.time pattern for date and timestamp fields; ISO-8601 when absent. */
  public abstract @Nullable String format();

  /** Time zone for timestamps written without one; UTC when absent. */
  public abstract @Nullable String zone();

  /** How a timestamp the zone passes twice (the clocks go back) is read; see {@link WallClock}. */
  public abstract WallClock.Ambiguous ambiguous();

  /**
   * The field's name in the source (a CSV header, a JSON key, a Parquet column, a database column
   * label) when that is not a name a spec allows ({@code unit price}, {@code order-id}); else null.
   */
  public abstract @Nullable String column();

  /** The name the field has in the source: {@link #column()}, else its own name. */
  public String sourceName() {
    return column() == null ? name() : column();
  }

  /** Whether a spec allows {@code name} as a field's name. */
  public static boolean isValidName(String name) {
    return SpecNode.isIdentifier(name);
  }

  /** A valid field name close to a source column's name ({@code unit price}: {@code unit_price}). */
  public static String nameFor(String column) {
    return SpecNode.nameFor(column);
  }

  public static Builder builder(String name, FieldType type) {
    return new AutoValue_FieldSpec.Builder().setName(name).setType(type).setNullable(false)
        .setAmbiguous(WallClock.Ambiguous.DEAD_LETTER);
  }

  public abstract Builder toBuilder();

  /** Builder for {@link FieldSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setName(String name);

    public abstract Builder setType(FieldType type);

    public abstract Builder setNullable(boolean nullable);

    public abstract Builder setMin(@Nullable BigDecimal min);

    public abstract Builder setMax(@Nullable BigDecimal max);

    public abstract Builder setMinText(@Nullable String min);

    public abstract Builder setMaxText(@Nullable String max);

    public abstract Builder setPattern(@Nullable String pattern);

    public abstract Builder setValues(@Nullable List<String> values);

    public abstract Builder setMaxLength(@Nullable Integer maxLength);

    public abstract Builder setFormat(@Nullable String format);

    public abstract Builder setZone(@Nullable String zone);

    public abstract Builder setAmbiguous(WallClock.Ambiguous ambiguous);

    public abstract Builder setColumn(@Nullable String column);

    public abstract FieldSpec build();
  }
}
