package dev.beametl.runner.combine;

import dev.beametl.spec.BeamTypes;
import org.apache.beam.sdk.values.Row;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * A combine that fails on its data (a sum beyond a long's range) fails the same way on every retry:
 * the job is failed at once, without the restart strategy's attempts, with the group named.
 */
final class DataErrors {
  private DataErrors() {}

  static RuntimeException inGroup(ArithmeticException e, Object key) {
    return new SuppressRestartsException(new ArithmeticException(e.getMessage() + ", in group " + describe(key)));
  }

  private static String describe(Object key) {
    if (!(key instanceof Row)) {
      return String.valueOf(key);
    }
    Row row = (Row) key;
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < row.getFieldCount(); i++) {
      b.append(i == 0 ? "" : ", ").append(row.getSchema().getField(i).getName()).append("=")
          .append(BeamTypes.text(row.getSchema().getField(i), row.getValue(i)));
    }
    return b.append(')').toString();
  }
}
