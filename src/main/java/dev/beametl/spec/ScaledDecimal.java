package dev.beametl.spec;

import java.math.BigDecimal;
import java.util.Objects;
import org.apache.beam.sdk.schemas.Schema;

/**
 * A {@code decimal(p,s)} with p <= 18 carried as its unscaled long: exact, a varint on the wire, and
 * far cheaper than Beam's BigDecimal coding, which formats a message string on every value it
 * encodes. Rows still hold {@link BigDecimal}s; only the encoding changes.
 */
public final class ScaledDecimal implements Schema.LogicalType<BigDecimal, Long> {
  public static final String IDENTIFIER = "beametl:scaled_decimal:v1";
  /** The most digits a long holds in full. */
  public static final int MAX_PRECISION = 18;

  private final int precision;
  private final int scale;

  private ScaledDecimal(int precision, int scale) {
    this.precision = precision;
    this.scale = scale;
  }

  public static ScaledDecimal of(int precision, int scale) {
    if (precision > MAX_PRECISION) {
      throw new IllegalArgumentException("decimal(" + precision + "," + scale + ") does not fit a long");
    }
    return new ScaledDecimal(precision, scale);
  }

  @Override
  public String getIdentifier() {
    return IDENTIFIER;
  }

  @Override
  public Schema.FieldType getArgumentType() {
    return Schema.FieldType.STRING;
  }

  @Override
  public String getArgument() {
    return precision + "," + scale;
  }

  @Override
  public Schema.FieldType getBaseType() {
    return Schema.FieldType.INT64;
  }

  @Override
  public Long toBaseType(BigDecimal input) {
    return input == null ? null : input.setScale(scale).unscaledValue().longValueExact();
  }

  @Override
  public BigDecimal toInputType(Long base) {
    return base == null ? null : BigDecimal.valueOf(base, scale);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScaledDecimal && ((ScaledDecimal) o).precision == precision && ((ScaledDecimal) o).scale == scale;
  }

  @Override
  public int hashCode() {
    return Objects.hash(precision, scale);
  }
}
