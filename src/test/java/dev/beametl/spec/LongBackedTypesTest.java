package dev.beametl.spec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

public class LongBackedTypesTest {
  @Test
  public void scaledDecimalIsExact() {
    ScaledDecimal t = ScaledDecimal.of(18, 3);
    for (String v : List.of("0.000", "-1.250", "999999999999999.999", "-999999999999999.999")) {
      assertThat(t.toInputType(t.toBaseType(new BigDecimal(v))), equalTo(new BigDecimal(v)));
    }
    assertThrows(IllegalArgumentException.class, () -> ScaledDecimal.of(19, 0));
  }

  @Test
  public void instantMicrosKeepsMicrosecondsBeforeAndAfterTheEpoch() {
    InstantMicros t = new InstantMicros();
    for (String v : List.of("1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "2024-01-05T10:00:00.123456Z",
        "0001-01-01T00:00:00Z")) {
      assertThat(t.toInputType(t.toBaseType(Instant.parse(v))), equalTo(Instant.parse(v)));
    }
  }

  /**
   * The range's first second: its seconds times a million are below a long, its micros bring it back
   * in (a trial's -290308-12-21T19:59:05.999999Z, valid, failed a Parquet write with "long overflow").
   * Every instant, the ends and random ones, against BigInteger's exact sum.
   */
  @Test
  public void instantMicrosHoldsTheWholeRangeExactly() {
    InstantMicros t = new InstantMicros();
    java.util.List<Instant> instants = new java.util.ArrayList<>(List.of(TemporalRange.FIRST_INSTANT,
        TemporalRange.FIRST_INSTANT.plusNanos(775_807_000L), TemporalRange.LAST_INSTANT,
        Instant.parse("-290308-12-21T19:59:06Z")));
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 10_000; i++) {
      instants.add(Instant.ofEpochSecond(random.nextLong() % 9_223_372_036_854L, random.nextInt(1_000_000) * 1_000L));
    }
    for (Instant i : instants) {
      java.math.BigInteger exact = java.math.BigInteger.valueOf(i.getEpochSecond()).multiply(
          java.math.BigInteger.valueOf(1_000_000)).add(java.math.BigInteger.valueOf(i.getNano() / 1_000));
      assertThat(i.toString(), t.toBaseType(i), is(exact.longValueExact()));
      assertThat(t.toInputType(t.toBaseType(i)), equalTo(i));
    }
    assertThat(t.toBaseType(TemporalRange.FIRST_INSTANT), is(Long.MIN_VALUE));
    assertThrows(ArithmeticException.class, () -> t.toBaseType(TemporalRange.FIRST_INSTANT.minusNanos(1_000)));
    assertThrows(ArithmeticException.class, () -> t.toBaseType(TemporalRange.LAST_INSTANT.plusNanos(1_000)));
  }

  @Test
  public void rowsWithThemEncodeDeterministically() throws Exception {
    Schema schema = BeamTypes.inputSchema(List.of(
        FieldSpec.builder("d", FieldType.decimal(10, 2)).build(),
        FieldSpec.builder("t", FieldType.of(FieldType.Kind.TIMESTAMP)).setNullable(true).build()), true);
    RowCoder coder = RowCoder.of(schema);
    coder.verifyDeterministic();
    Row row = Row.withSchema(schema).attachValues(new BigDecimal("12.50"), Instant.parse("2024-01-05T10:00:00.5Z"));
    CoderProperties.coderDecodeEncodeEqual(coder, row);
    Row nulls = Row.withSchema(schema).attachValues(new BigDecimal("-0.01"), null);
    assertThat(org.apache.beam.sdk.util.CoderUtils.clone(coder, nulls).getValue("t"), is((Object) null));
    CoderProperties.coderDecodeEncodeEqual(coder, nulls);
  }
}
