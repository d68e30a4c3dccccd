package dev.beametl.runner.combine;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.values.Row;

/**
 * A pre-combine's key row as a hash-map key with a cheap hash and equals: its values' own. Beam's
 * {@code Row.hashCode} and {@code equals} look up each field's type for every value (is it a
 * collection, a map, bytes?), and the map's lookups of 160 sales groups were 4.7% of the job's
 * samples (JFR), most of it there. Only rows of plain fields qualify: numbers, text, booleans,
 * decimals, instants and logical types over them, whose values' {@code equals} holds only for
 * values that encode alike. The converse need not hold (a logical type may encode two unequal values
 * alike, as the job's scaled decimals do 1.5 and 1.50): that only folds less, never wrongly, because
 * the merge after the shuffle groups by encoded bytes.
 */
final class PlainRowKey {
  private static final Set<Schema.TypeName> PLAIN = EnumSet.of(Schema.TypeName.BYTE, Schema.TypeName.INT16,
      Schema.TypeName.INT32, Schema.TypeName.INT64, Schema.TypeName.DECIMAL, Schema.TypeName.FLOAT,
      Schema.TypeName.DOUBLE, Schema.TypeName.STRING, Schema.TypeName.BOOLEAN, Schema.TypeName.DATETIME);

  private final List<Object> values;
  private final int hash;

  private PlainRowKey(List<Object> values) {
    this.values = values;
    // A large odd multiplier, not List's 31: with 31, (region, block of order ids) keys collided
    // wherever 31 * region + block did (19,680 sales keys had 8,640 hashes), and each lookup then
    // compared rows along a chain. With it, keys apart by small numbers in two fields never share one.
    int h = 1;
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      h = 0x9E3779B1 * h + (v == null ? 0 : v.hashCode());
    }
    this.hash = h;
  }

  /**
   * Whether the keys {@code keyCoder} encodes are rows of plain fields only, so that
   * {@link #of(Object)} may stand for them in a map.
   */
  static boolean applies(Coder<?> keyCoder) {
    if (!(keyCoder instanceof SchemaCoder)) {
      return false;
    }
    Schema schema = ((SchemaCoder<?>) keyCoder).getSchema();
    return schema.getFields().stream().allMatch(f -> isPlain(f.getType()))
        && Row.class.equals(((SchemaCoder<?>) keyCoder).getEncodedTypeDescriptor().getRawType());
  }

  private static boolean isPlain(Schema.FieldType type) {
    if (type.getTypeName() == Schema.TypeName.LOGICAL_TYPE) {
      Schema.FieldType base = type.getLogicalType().getBaseType();
      return base.getTypeName() != Schema.TypeName.LOGICAL_TYPE && isPlain(base);
    }
    return PLAIN.contains(type.getTypeName());
  }

  /** The map key standing for the key row {@code key}. */
  static PlainRowKey of(Object key) {
    return new PlainRowKey(((Row) key).getValues());
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof PlainRowKey)) {
      return false;
    }
    PlainRowKey other = (PlainRowKey) o;
    if (other.hash != hash || other.values.size() != values.size()) {
      return false;
    }
    for (int i = 0; i < values.size(); i++) {
      Object a = values.get(i);
      Object b = other.values.get(i);
      if (a != b && (a == null || !a.equals(b))) {
        return false;
      }
    }
    return true;
  }
}
