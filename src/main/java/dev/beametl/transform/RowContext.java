package dev.beametl.transform;

import dev.beametl.spec.BeamTypes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.commons.jexl3.JexlContext;

/**
 * Lets an expression read the values of the row being transformed, by field name, without copying
 * them into a map. Categories are shown to expressions as their strings ({@code region == 'EU'}),
 * whatever their encoding in the row.
 */
final class RowContext implements JexlContext {
  private final Map<String, Integer> index = new HashMap<>();
  private final EnumerationType[] enumerations;
  private Object[] values;

  RowContext(Schema schema) {
    List<Schema.Field> fields = schema.getFields();
    enumerations = new EnumerationType[fields.size()];
    for (int i = 0; i < fields.size(); i++) {
      index.put(fields.get(i).getName(), i);
      enumerations[i] = BeamTypes.categories(fields.get(i).getType());
    }
  }

  /** Points the context at a new row's values; {@code values} may be longer than filled so far. */
  void reset(Object[] values) {
    this.values = values;
  }

  @Override
  public Object get(String name) {
    Integer i = index.get(name);
    if (i == null) {
      return null;
    }
    Object v = values[i];
    if (v instanceof EnumerationType.Value && enumerations[i] != null) {
      return enumerations[i].toString((EnumerationType.Value) v);
    }
    return v;
  }

  @Override
  public void set(String name, Object value) {
    throw new UnsupportedOperationException("expressions cannot assign fields");
  }

  @Override
  public boolean has(String name) {
    return index.containsKey(name);
  }
}
