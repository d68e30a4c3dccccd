package dev.beametl.transform;

import dev.beametl.spec.FieldType;
import dev.beametl.spec.InstantMicros;
import dev.beametl.spec.ScaledDecimal;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;

/**
 * One value for each type an expression handles, standing for every value of that type when an
 * expression is type-checked: the checker runs each operation on these instead of on data, so a
 * result's type is what the operation itself gives (JEXL's own arithmetic), and no sample is zero
 * or one, so {@code 100 / (quantity - 7)} is not refused for a division by zero that only some
 * values would cause. A string stands as a date in ISO form, the one shape a string may need to
 * have ({@code date(text)}), and is no number.
 */
final class TypeSamples {
  private TypeSamples() {}

  static Object of(FieldType type) {
    switch (type.kind()) {
      case INT:
        return 7;
      case LONG:
        return 11L;
      case DOUBLE:
        return 1.25;
      case DECIMAL:
        return BigDecimal.valueOf(250, Math.min(type.scale(), 2)).setScale(type.scale());
      case BOOLEAN:
        return Boolean.TRUE;
      case DATE:
        return LocalDate.of(2024, 1, 31);
      case TIMESTAMP:
        return Instant.parse("2024-01-31T10:15:30Z");
      default:
        return "2024-01-31";
    }
  }

  /** The sample of a row field of this Beam type, as an expression reads it (a category as its string). */
  static Object of(Schema.FieldType type) {
    if (type.getTypeName() == Schema.TypeName.LOGICAL_TYPE) {
      Schema.LogicalType<?, ?> logical = type.getLogicalType();
      if (logical instanceof ScaledDecimal) {
        int scale = Integer.parseInt(((ScaledDecimal) logical).getArgument().split(",")[1]);
        return of(FieldType.decimal(18, scale));
      }
      if (logical instanceof InstantMicros) {
        return of(FieldType.of(FieldType.Kind.TIMESTAMP));
      }
      if (logical instanceof EnumerationType) {
        return of(FieldType.of(FieldType.Kind.STRING));
      }
      if (logical.getIdentifier().equals(SqlTypes.DATE.getIdentifier())) {
        return of(FieldType.of(FieldType.Kind.DATE));
      }
      return of(logical.getBaseType());
    }
    switch (type.getTypeName()) {
      case BYTE:
      case INT16:
      case INT32:
        return 7;
      case INT64:
        return 11L;
      case FLOAT:
      case DOUBLE:
        return 1.25;
      case DECIMAL:
        return BigDecimal.valueOf(250, 2);
      case BOOLEAN:
        return Boolean.TRUE;
      default:
        return of(FieldType.of(FieldType.Kind.STRING));
    }
  }

  /** The sample of {@code v}'s type, or {@code v} itself for a type without one. */
  static Object of(Object v) {
    if (v instanceof Integer) {
      return 7;
    }
    if (v instanceof Long) {
      return 11L;
    }
    if (v instanceof Short) {
      return (short) 7;
    }
    if (v instanceof Byte) {
      return (byte) 7;
    }
    if (v instanceof BigInteger) {
      return BigInteger.valueOf(13);
    }
    if (v instanceof BigDecimal) {
      return BigDecimal.valueOf(250, 2).setScale(Math.max(2, ((BigDecimal) v).scale()));
    }
    if (v instanceof Double) {
      return 1.25;
    }
    if (v instanceof Float) {
      return 1.25f;
    }
    if (v instanceof String) {
      return "2024-01-31";
    }
    if (v instanceof LocalDate) {
      return LocalDate.of(2024, 1, 31);
    }
    if (v instanceof Instant) {
      return Instant.parse("2024-01-31T10:15:30Z");
    }
    return v;
  }
}
