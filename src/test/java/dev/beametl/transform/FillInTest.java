package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.Assert.assertThrows;

import dev.beametl.spec.MetricSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.CombineFnTester;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/** The join of a key's metrics row and distinct counts: partial rows filled in, in any order and grouping. */
@RunWith(JUnit4.class)
public class FillInTest {
  private static final Schema METRICS = Schema.builder()
      .addNullableField("revenue", Schema.FieldType.DECIMAL).addInt64Field("rows").build();
  private static final Schema PARTIAL = Aggregate.partialSchema(METRICS, List.of(
      MetricSpec.of("orders", MetricSpec.Op.COUNT_DISTINCT, "order_id"),
      MetricSpec.of("customers", MetricSpec.Op.COUNT_DISTINCT, "customer")));

  private static Row partial(Object... values) {
    return Row.withSchema(PARTIAL).attachValues(Arrays.asList(values));
  }

  private static final Row METRICS_ROW = Row.withSchema(METRICS).attachValues(new BigDecimal("12.50"), 3L);

  @Test
  public void fillsEachFieldFromItsBranchWhateverTheOrderAndGrouping() {
    // CombineFnTester adds the inputs in several orders, into several accumulators (empty ones
    // among them), merges those in several orders, and round-trips them through the coder.
    CombineFnTester.testCombineFn(new Aggregate.FillIn(PARTIAL),
        new ArrayList<>(List.of(partial(METRICS_ROW, null, null), partial(null, 7L, null), partial(null, null, 0L))),
        partial(METRICS_ROW, 7L, 0L));
  }

  @Test
  public void aFieldNoBranchGaveStaysNull() {
    CombineFnTester.testCombineFn(new Aggregate.FillIn(PARTIAL),
        new ArrayList<>(List.of(partial(METRICS_ROW, null, null), partial(null, 2L, null))),
        partial(METRICS_ROW, 2L, null));
  }

  @Test
  public void accumulatorsRoundTripThroughTheirCoder() throws Exception {
    Aggregate.FilledCoder coder = new Aggregate.FilledCoder(PARTIAL);
    Object[] filled = {METRICS_ROW, 7L, null};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    coder.encode(filled, bytes);
    assertThat(Arrays.asList(coder.decode(new ByteArrayInputStream(bytes.toByteArray()))),
        equalTo(Arrays.asList(filled)));
  }

  @Test
  public void twoDifferentValuesForOneFieldFailLoudly() {
    Aggregate.FillIn fill = new Aggregate.FillIn(PARTIAL);
    Object[] acc = fill.addInput(fill.createAccumulator(), partial(null, 7L, null));
    assertThrows(IllegalStateException.class, () -> fill.addInput(acc, partial(null, 8L, null)));
  }
}
