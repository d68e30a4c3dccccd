package dev.beametl.runner.combine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;

import dev.beametl.spec.BeamTypes;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** A combine's data error names its group as the output would: a category by its value, not its code. */
public class DataErrorsTest {
  @Test
  public void aCategoryKeyIsNamedByItsValue() {
    Schema key = Schema.builder()
        .addField(BeamTypes.plainCode("g", EnumerationType.create("a", "b"), true))
        .addField(Schema.Field.of("store", Schema.FieldType.STRING))
        .build();
    String message = DataErrors.inGroup(new ArithmeticException("beyond a long's range"),
        Row.withSchema(key).addValues(1, "S1").build()).getCause().getMessage();
    assertThat(message, endsWith("beyond a long's range, in group (g=b, store=S1)"));
    String nullKey = DataErrors.inGroup(new ArithmeticException("x"),
        Row.withSchema(key).addValues(null, "S1").build()).getCause().getMessage();
    assertThat(nullKey, endsWith("in group (g=null, store=S1)"));
    // Every serialized copy of a key schema carries the names: thousands of them are left out.
    String[] many = java.util.stream.IntStream.range(0, 2_000).mapToObj(i -> "v" + i).toArray(String[]::new);
    Schema wide = Schema.builder().addField(BeamTypes.plainCode("g", EnumerationType.create(many), false)).build();
    assertThat(DataErrors.inGroup(new ArithmeticException("x"), Row.withSchema(wide).addValues(7).build())
        .getCause().getMessage(), endsWith("in group (g=7)"));
  }
}
