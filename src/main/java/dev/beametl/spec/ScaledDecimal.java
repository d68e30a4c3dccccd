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

  /**
   * The unscaled long; a value wider than decimal(p,s) is refused as one that needs rounding is,
   * here where Beam checks a row it builds and encodes a value (a row of a caller's own, through
   * the Java API, carried 123456789.12 as a decimal(6,2)).
   */
  @Override
  public Long toBaseType(BigDecimal input) {
    if (input == null) {
      return null;
    }
    long unscaled;
    try {
      unscaled = input.setScale(scale).unscaledValue().longValueExact(); // more places: no rounding
    } catch (ArithmeticException e) {
      unscaled = Long.MIN_VALUE;
    }
    if (unscaled >= POWERS_OF_TEN[precision] || unscaled <= -POWERS_OF_TEN[precision]) {
      throw new ArithmeticException(input.toPlainString() + " does not fit decimal(" + precision + "," + scale + ")");
    }
    return unscaled;
  }

  private static final long[] POWERS_OF_TEN = new long[MAX_PRECISION + 1];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i <= MAX_PRECISION; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
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
