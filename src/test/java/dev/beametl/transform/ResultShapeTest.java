package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

import java.math.BigDecimal;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** An aggregate's output rows: keys (category codes as their values), distinct counts and metrics, by name. */
public class ResultShapeTest {
  private static final EnumerationType REGIONS = EnumerationType.create("north", "south");
  private static final Schema OUTPUT = Schema.builder()
      .addLogicalTypeField("region", REGIONS)
      .addInt64Field("store")
      .addDecimalField("revenue")
      .addInt64Field("customers")
      .addInt64Field("lines")
      .build();
  private static final Schema METRICS = Schema.builder().addInt64Field("lines").addDecimalField("revenue").build();

  @Test
  public void eachOutputFieldComesFromTheKeyTheCountsOrTheMetricsByName() {
    ResultShape shape = new ResultShape(OUTPUT, List.of("customers"));
    Schema keys = Schema.builder().addInt32Field("region").addInt64Field("store").build();
    Row metrics = Row.withSchema(METRICS).addValues(4L, new BigDecimal("12.50")).build();

    Row first = shape.shape(Row.withSchema(keys).addValues(1, 7L).build(), metrics, new long[] {3L});
    Row second = shape.shape(Row.withSchema(keys).addValues(0, 8L).build(), metrics, new long[] {0L});

    assertThat(first.getValues(), contains(REGIONS.valueOf(1), 7L, new BigDecimal("12.50"), 3L, 4L));
    assertThat(second.getValues(), contains(REGIONS.valueOf(0), 8L, new BigDecimal("12.50"), 0L, 4L));
  }

  @Test
  public void rowsOfAnotherSchemaAreShapedByTheirOwnFieldOrder() {
    ResultShape shape = new ResultShape(OUTPUT, List.of("customers"));
    Schema keys = Schema.builder().addInt32Field("region").addInt64Field("store").build();
    Schema otherOrder = Schema.builder().addInt64Field("store").addInt32Field("region").build();
    Schema otherMetrics = Schema.builder().addDecimalField("revenue").addInt64Field("lines").build();

    shape.shape(Row.withSchema(keys).addValues(1, 7L).build(),
        Row.withSchema(METRICS).addValues(4L, BigDecimal.ONE).build(), new long[] {3L});
    Row other = shape.shape(Row.withSchema(otherOrder).addValues(9L, 0).build(),
        Row.withSchema(otherMetrics).addValues(BigDecimal.TEN, 5L).build(), new long[] {2L});

    assertThat(other.getValues(), contains(REGIONS.valueOf(0), 9L, BigDecimal.TEN, 2L, 5L));
  }

  @Test
  public void distinctCountsArePlacedByTheirNamesOrderNotTheOutputs() {
    Schema output = Schema.builder().addInt64Field("store").addInt64Field("returns").addInt64Field("customers").build();
    ResultShape shape = new ResultShape(output, List.of("customers", "returns"));
    Row row = shape.shape(Row.withSchema(Schema.builder().addInt64Field("store").build()).addValues(7L).build(),
        Row.withSchema(Schema.builder().build()).build(), new long[] {3L, 5L});
    assertThat(row.getValues(), contains(7L, 5L, 3L));
  }
}
