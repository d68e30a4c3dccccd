package dev.beametl.spec;

import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;

/**
 * How declared types travel inside the pipeline as Beam schema types. A category becomes an
 * {@link EnumerationType}: its value is the position in the declared list, encoded as a small int,
 * so a shuffle carries a varint instead of the string. Decimals up to 18 digits and timestamps are
 * carried as one long each ({@link ScaledDecimal}, {@link InstantMicros}).
 */
public final class BeamTypes {
  private BeamTypes() {}

  public static Schema.FieldType of(FieldType type, List<String> categoryValues, boolean encodeCategories) {
    switch (type.kind()) {
      case STRING:
        return Schema.FieldType.STRING;
      case INT:
        return Schema.FieldType.INT32;
      case LONG:
        return Schema.FieldType.INT64;
      case DOUBLE:
        return Schema.FieldType.DOUBLE;
      case DECIMAL:
        return type.precision() <= ScaledDecimal.MAX_PRECISION
            ? Schema.FieldType.logicalType(ScaledDecimal.of(type.precision(), type.scale()))
            : Schema.FieldType.DECIMAL;
      case BOOLEAN:
        return Schema.FieldType.BOOLEAN;
      case DATE:
        return Schema.FieldType.logicalType(SqlTypes.DATE);
      case TIMESTAMP:
        return Schema.FieldType.logicalType(new InstantMicros());
      case CATEGORY:
        return encodeCategories
            ? Schema.FieldType.logicalType(EnumerationType.create(categoryValues))
            : Schema.FieldType.STRING;
      default:
        throw new IllegalArgumentException("no Beam type for " + type);
    }
  }

  public static Schema.FieldType of(FieldType type) {
    if (type.kind() == FieldType.Kind.CATEGORY) {
      throw new IllegalArgumentException("a category needs its values");
    }
    return of(type, List.of(), false);
  }

  /** The category list of a field type encoded as categories, or null for any other type. */
  public static EnumerationType categories(Schema.FieldType type) {
    return type.getTypeName() == Schema.TypeName.LOGICAL_TYPE && type.getLogicalType() instanceof EnumerationType
        ? (EnumerationType) type.getLogicalType() : null;
  }

  /** The field option that names a coded category's values on a key field carried as its plain code. */
  private static final String CODE_OF = "beametl_category_values";

  /**
   * A category key field as its plain code (an int: one hash and compare per key), the values named
   * in an option so that a message can still say {@code g=a}, not {@code g=0}.
   */
  public static Schema.Field plainCode(String name, EnumerationType categories, boolean nullable) {
    Schema.Field field = Schema.Field.of(name, Schema.FieldType.INT32.withNullable(nullable));
    // Every serialized copy of the key schema carries the option: a list of thousands is left out.
    return categories.getValues().size() > NAMED_CODES ? field : field.withOptions(Schema.Options.builder()
        .setOption(CODE_OF, Schema.FieldType.array(Schema.FieldType.STRING), categories.getValues()).build());
  }

  /** The most values a plain category code's field names (see {@link #plainCode}). */
  static final int NAMED_CODES = 1_000;

  /** A value of {@code field} as the output writes it: a plain category code by its value. */
  public static String text(Schema.Field field, @javax.annotation.Nullable Object value) {
    if (value instanceof Integer && field.getOptions().hasOption(CODE_OF)) {
      List<String> values = field.getOptions().getValue(CODE_OF);
      int code = (Integer) value;
      return code >= 0 && code < values.size() ? values.get(code) : String.valueOf(value);
    }
    EnumerationType categories = categories(field.getType());
    if (categories != null && value != null) {
      return categories.toString(value instanceof EnumerationType.Value
          ? (EnumerationType.Value) value : categories.valueOf(((Number) value).intValue()));
    }
    return String.valueOf(value);
  }

  /** The value of column i of a row, with a category code turned back into its string. */
  public static Object plainValue(org.apache.beam.sdk.values.Row row, int i) {
    Object v = row.getValue(i);
    if (v instanceof EnumerationType.Value) {
      Schema.FieldType t = row.getSchema().getField(i).getType();
      return ((EnumerationType) t.getLogicalType()).toString((EnumerationType.Value) v);
    }
    return v;
  }

  /** The schema of validated input rows: the declared fields, in order. */
  public static Schema inputSchema(List<FieldSpec> fields, boolean encodeCategories) {
    Schema.Builder b = Schema.builder();
    for (FieldSpec f : fields) {
      Schema.FieldType t = of(f.type(), f.values() == null ? List.of() : f.values(), encodeCategories);
      b.addField(Schema.Field.of(f.name(), t).withNullable(f.nullable()));
    }
    return b.build();
  }
}
