package dev.beametl.runner.combine;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.Test;

/** The pre-combine's map key for plain key rows: equal exactly when the rows encode alike. */
public class PlainRowKeyTest {
  private static final Schema PLAIN = Schema.builder()
      .addNullableField("s", Schema.FieldType.STRING)
      .addNullableField("i", Schema.FieldType.INT32)
      .addNullableField("l", Schema.FieldType.INT64)
      .addNullableField("d", Schema.FieldType.DECIMAL)
      .addNullableField("x", Schema.FieldType.DOUBLE)
      .addNullableField("b", Schema.FieldType.BOOLEAN)
      .addNullableField("t", Schema.FieldType.DATETIME)
      .addNullableField("day", Schema.FieldType.logicalType(SqlTypes.DATE))
      .build();

  /**
   * Rows drawn from few values each (so that many pairs are equal, and some differ in one field
   * only: 1.0 and 1.00, 0.0 and -0.0, NaN, nulls): two keys are equal exactly when Beam's coder
   * gives both rows the same bytes, which is what the merge after the shuffle groups by.
   */
  @Test
  public void keysAreEqualExactlyWhenTheirRowsEncodeAlike() throws Exception {
    RowCoder coder = RowCoder.of(PLAIN);
    Random random = new Random(20261204);
    Object[][] choices = {
        {null, "a", "b", "ab", ""},
        {null, 0, 1, -1},
        {null, 0L, 7L, Long.MIN_VALUE},
        {null, new BigDecimal("1.0"), new BigDecimal("1.00"), BigDecimal.ZERO},
        {null, 0.0, -0.0, Double.NaN, 1.5},
        {null, true, false},
        {null, new Instant(0), new Instant(1000)},
        {null, java.time.LocalDate.of(2024, 2, 29), java.time.LocalDate.of(1970, 1, 1)}};
    Row[] rows = new Row[400];
    for (int r = 0; r < rows.length; r++) {
      Object[] values = new Object[choices.length];
      for (int f = 0; f < values.length; f++) {
        values[f] = choices[f][random.nextInt(choices[f].length)];
      }
      if (r >= 100) { // an earlier row's values, half the time with one field drawn again
        values = rows[random.nextInt(r)].getValues().toArray();
        int f = random.nextInt(values.length);
        values[f] = random.nextBoolean() ? values[f] : choices[f][random.nextInt(choices[f].length)];
      }
      rows[r] = Row.withSchema(PLAIN).attachValues(Arrays.asList(values));
    }
    int equalPairs = 0;
    for (Row a : rows) {
      for (Row b : rows) {
        boolean sameBytes = Arrays.equals(CoderUtils.encodeToByteArray(coder, a), CoderUtils.encodeToByteArray(coder, b));
        PlainRowKey ka = PlainRowKey.of(a);
        PlainRowKey kb = PlainRowKey.of(b);
        assertThat(a + " / " + b, ka.equals(kb), is(sameBytes));
        if (sameBytes) {
          assertThat(ka.hashCode(), is(kb.hashCode()));
          equalPairs++;
        }
      }
    }
    assertThat("pairs of equal rows that are not the same row", equalPairs, greaterThan(rows.length + 100));
  }

  @Test
  public void onlyRowsOfPlainFieldsQualify() {
    assertThat(PlainRowKey.applies(RowCoder.of(PLAIN)), is(true));
    assertThat(PlainRowKey.applies(RowCoder.of(Schema.builder().addField("c",
        Schema.FieldType.logicalType(EnumerationType.create("a", "b"))).build())), is(true));
    for (Schema.FieldType other : List.of(Schema.FieldType.BYTES, Schema.FieldType.array(Schema.FieldType.STRING),
        Schema.FieldType.map(Schema.FieldType.STRING, Schema.FieldType.STRING), Schema.FieldType.row(PLAIN))) {
      assertThat(other.toString(), PlainRowKey.applies(RowCoder.of(Schema.builder().addStringField("s")
          .addField("o", other).build())), is(false));
    }
    assertThat(PlainRowKey.applies(StringUtf8Coder.of()), is(false));
  }
}
