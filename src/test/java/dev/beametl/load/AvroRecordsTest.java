package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** Rows to the Avro records Parquet is written from: decimals at their column's scale and within its precision. */
public class AvroRecordsTest {
  private static final OutputColumns COLUMNS = OutputColumns.derivedRows(
      List.of(FieldSpec.builder("d", FieldType.decimal(6, 2)).build()), List.of(), true);
  private static final Schema AVRO = AvroRecords.schema("Result", COLUMNS);

  private static BigDecimal written(String value) {
    Row row = Row.withSchema(COLUMNS.beamSchema()).attachValues(new BigDecimal(value)); // as the stages make rows
    ByteBuffer bytes = (ByteBuffer) AvroRecords.toRecord(row, AVRO, COLUMNS).get(0);
    byte[] unscaled = new byte[bytes.remaining()];
    bytes.get(unscaled);
    return new BigDecimal(new BigInteger(unscaled), 2);
  }

  @Test
  public void aDecimalIsWrittenAtItsColumnsScaleHalfEven() {
    assertThat(written("1234.5"), is(new BigDecimal("1234.50")));
    assertThat(written("0.125"), is(new BigDecimal("0.12"))); // a mean's extra places
    assertThat(written("-9999.99"), is(new BigDecimal("-9999.99")));
  }

  /**
   * A decimal wider than its column was written as it came, into a file Parquet readers refuse
   * ("Invalid decimal encoding"): a trial's rows of its own, through the Java API, exit 0.
   */
  @Test
  public void aDecimalBeyondItsColumnsPrecisionFailsNamingTheColumn() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> written("123456789.12"));
    assertThat(e.getMessage(), is("column d is decimal(6,2): 123456789.12 has 11 digits; a Parquet file would be"
        + " unreadable"));
    assertThrows(IllegalArgumentException.class, () -> written("9999.995")); // rounds up to 10000.00
  }

  /** Beam checks a row it builds, and a value it encodes, through the type: a decimal(6,2) holds 6 digits. */
  @Test
  public void aRowBuiltWithADecimalBeyondItsPrecisionIsRefused() {
    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> Row.withSchema(COLUMNS.beamSchema()).addValue(new BigDecimal("123456789.12")).build());
    assertThat(e.getMessage(), is("123456789.12 does not fit decimal(6,2)"));
    assertThrows(ArithmeticException.class,
        () -> Row.withSchema(COLUMNS.beamSchema()).addValue(new BigDecimal("-10000.00")).build());
    e = assertThrows(ArithmeticException.class,
        () -> Row.withSchema(COLUMNS.beamSchema()).addValue(new BigDecimal("1.125")).build());
    assertThat(e.getMessage(), is("1.125 does not fit decimal(6,2)")); // was Java's bare "Rounding necessary"
    assertThat(Row.withSchema(COLUMNS.beamSchema()).addValue(new BigDecimal("-9999.99")).build().getDecimal(0),
        is(new BigDecimal("-9999.99")));
  }
}
