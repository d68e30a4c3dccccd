package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BinaryFloat;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SourceSpec;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * A file's binary floating-point numbers (Parquet FLOAT and DOUBLE, written by {@link BinaryFloat})
 * reach their fields as the binary values they are, never as the decimal their shortest text reads;
 * and a JSON -0.0 stays negative zero in a double field.
 */
public class BinaryNumbersTest {
  private static Object binary(String type, String text) throws InvalidValue {
    return ValueParser.forField(FieldSpec.builder("f", FieldType.parse(type)).build()).parseBinary(text);
  }

  @Test
  public void aFloatInADoubleFieldIsItsExactValue() throws Exception {
    assertThat(binary("double", BinaryFloat.ofFloat(0.1f)), equalTo(0.10000000149011612));
    assertThat(binary("double", BinaryFloat.ofFloat(1e-10f)), equalTo((double) 1e-10f));
    assertThat(binary("double", BinaryFloat.ofFloat(3.4e38f)), equalTo((double) 3.4e38f));
    assertThat(1 / (Double) binary("double", BinaryFloat.ofFloat(-0.0f)), equalTo(Double.NEGATIVE_INFINITY));
  }

  @Test
  public void aDoubleInADecimalIsItsBinaryValueAtTheScale() throws Exception {
    assertThat(binary("decimal(38,0)", Double.toString(Math.pow(2, 60))), equalTo(new BigDecimal("1152921504606846976")));
    assertThat(binary("decimal(38,0)", Double.toString(1e22)), equalTo(new BigDecimal("10000000000000000000000")));
    assertThat(binary("decimal(10,2)", Double.toString(0.1)), equalTo(new BigDecimal("0.10")));
    assertThat(binary("decimal(10,2)", BinaryFloat.ofFloat(0.1f)), equalTo(new BigDecimal("0.10")));
    assertThat(binary("decimal(10,2)", "-0.0"), equalTo(new BigDecimal("0.00")));
    InvalidValue places = assertThrows(InvalidValue.class, () -> binary("decimal(10,2)", "0.125"));
    assertThat(places.kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(places.getMessage(), is("0.125 has more than 2 decimal places for decimal(10,2)"));
    assertThat(assertThrows(InvalidValue.class, () -> binary("decimal(10,2)", BinaryFloat.ofFloat(0.125f))).kind(),
        is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(assertThrows(InvalidValue.class, () -> binary("decimal(4,2)", "100.0")).getMessage(),
        is("100.0 does not fit decimal(4,2)"));
    assertThat(assertThrows(InvalidValue.class, () -> binary("decimal(38,2)", "1.0E300")).kind(),
        is(BadRecord.Kind.OUT_OF_RANGE));
    // a bound is checked on the value taken
    ValueParser bounded = ValueParser.forField(FieldSpec.builder("f", FieldType.parse("decimal(38,0)"))
        .setMax(new BigDecimal("1152921504606846976")).build());
    assertThat(bounded.parseBinary(Double.toString(Math.pow(2, 60))), equalTo(new BigDecimal("1152921504606846976")));
  }

  @Test
  public void placesAreCountedOnTheShortestText() {
    assertThat(NumberText.places("0.0020"), is(3L));
    assertThat(NumberText.places("1.5E-7"), is(8L));
    assertThat(NumberText.places("1.0E20"), is(-20L));
    assertThat(NumberText.places("1.15292150460684698E18"), is(-1L));
    assertThat(NumberText.places("-12.25"), is(2L));
    assertThat(NumberText.places("100.0"), is(0L));
  }

  /**
   * Random doubles and floats of every magnitude: where the shortest text fits the scale, the value is
   * the binary value rounded half-even to it (and fits the precision, or is out of range); where it
   * does not, out of range.
   */
  @Test
  public void randomDoublesAndFloatsAreTheirBinaryValuesWhereTheirTextFits() throws Exception {
    Random random = new Random(20250611);
    int[] scales = {0, 2, 6, 18};
    int taken = 0;
    for (int n = 0; n < 100_000; n++) {
      int scale = scales[n % scales.length];
      FieldType type = FieldType.decimal(38, scale);
      boolean single = random.nextBoolean();
      double magnitude = Math.pow(10, random.nextInt(60) - 25);
      double d = (random.nextBoolean() ? -1 : 1) * magnitude * (random.nextInt(4) == 0
          ? random.nextInt(100_000) / 1000.0 // short texts, which fit
          : random.nextDouble());
      String text;
      String shortest;
      if (single) {
        float f = (float) d;
        d = f;
        text = BinaryFloat.ofFloat(f);
        shortest = Float.toString(f);
      } else {
        text = Double.toString(d);
        shortest = text;
      }
      ValueParser parser = ValueParser.forField(FieldSpec.builder("f", type).build());
      BigDecimal expected = new BigDecimal(d).setScale(scale, RoundingMode.HALF_EVEN);
      boolean fits = new BigDecimal(shortest).stripTrailingZeros().scale() <= scale;
      boolean wide = expected.precision() - expected.scale() > 38 - scale;
      if (d == 0) {
        assertThat(text, parser.parseBinary(text), equalTo(BigDecimal.valueOf(0, scale)));
      } else if (fits && !wide) {
        assertThat(text, parser.parseBinary(text), equalTo(expected));
        taken++;
      } else {
        InvalidValue e = assertThrows(text, InvalidValue.class, () -> parser.parseBinary(text));
        assertThat(text, e.kind(), is(BadRecord.Kind.OUT_OF_RANGE));
      }
    }
    assertThat("enough values fit for their values to be compared", taken, greaterThan(20_000));
  }

  @Test
  public void aJsonNegativeZeroStaysNegativeInADoubleField() {
    List<FieldSpec> schema = List.of(FieldSpec.builder("f", FieldType.of(FieldType.Kind.DOUBLE)).build(),
        FieldSpec.builder("d", FieldType.decimal(10, 2)).build(), FieldSpec.builder("n", FieldType.of(FieldType.Kind.LONG)).build());
    SourceSpec json = SourceSpec.builder("f.jsonl", SourceSpec.Format.JSONL).build();
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(json, schema, true, false, treeOnly);
      for (String zero : new String[] {"-0.0", "-0.00", "-0e0", "-0.0E-3", "\"-0.0\""}) {
        RecordValidator.Outcome o = v.validate(SourceRecord.of("f", 0, 0,
            "{\"f\":" + zero + ",\"d\":" + zero + ",\"n\":-0}", null, false));
        assertThat(zero + " " + treeOnly, 1 / o.row.getDouble("f"), equalTo(Double.NEGATIVE_INFINITY));
        assertThat(o.row.getDecimal("d"), equalTo(new BigDecimal("0.00")));
        assertThat(o.row.getInt64("n"), equalTo(0L));
      }
      RecordValidator.Outcome integer = v.validate(SourceRecord.of("f", 0, 0, "{\"f\":-0,\"d\":1,\"n\":1}", null, false));
      assertThat("JSON -0 is the integer 0, as DuckDB reads it", 1 / integer.row.getDouble("f"),
          equalTo(Double.POSITIVE_INFINITY));
    }
  }

  /** A Parquet row's doubles, by the token reading and the tree reading alike, and replayed. */
  @Test
  public void aParquetRowsNumbersAreBinaryByBothReadings() {
    List<FieldSpec> schema = List.of(FieldSpec.builder("x", FieldType.decimal(38, 0)).build(),
        FieldSpec.builder("f", FieldType.of(FieldType.Kind.DOUBLE)).build(),
        FieldSpec.builder("s", FieldType.of(FieldType.Kind.STRING)).build(),
        FieldSpec.builder("n", FieldType.of(FieldType.Kind.INT)).setNullable(true).build());
    SourceSpec parquet = SourceSpec.builder("f.parquet", SourceSpec.Format.PARQUET).build();
    String row = "{\"x\":" + Math.pow(2, 60) + ",\"f\":" + BinaryFloat.ofFloat(0.1f) + ",\"s\":"
        + BinaryFloat.ofFloat(0.1f) + ",\"n\":null}";
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(parquet, schema, true, false, treeOnly);
      for (SourceRecord.Text format : new SourceRecord.Text[] {SourceRecord.Text.SOURCE, SourceRecord.Text.JSON}) {
        RecordValidator.Outcome o = v.validate(SourceRecord.of("f", 0, 0, row, null, false).withTextFormat(format));
        assertThat(treeOnly + " " + format, o.row.getDecimal("x"), equalTo(new BigDecimal("1152921504606846976")));
        assertThat(o.row.getDouble("f"), equalTo(0.10000000149011612));
        assertThat(o.row.getString("s"), equalTo("0.1"));
      }
      RecordValidator.Outcome bad = v.validate(SourceRecord.of("f", 0, 0,
          "{\"x\":1.0,\"f\":1.0,\"s\":\"\",\"n\":" + BinaryFloat.ofFloat(0.1f) + "}", null, false));
      assertThat(bad.bad.reason(), equalTo("n: \"0.1\" is not an int"));
    }
    // A number no file wrote - a fix typed into a replayed dead letter's payload - is the decimal it reads:
    // through a double, 12345678901234.5678 came back 12345678901234.5684 (the review found it)
    RecordValidator typed = new RecordValidator(parquet, List.of(FieldSpec.builder("x", FieldType.decimal(20, 4))
        .build()), true, false, false);
    for (String fix : new String[] {"12345678901234.5678", "0.10", "1.5E0"}) {
      assertThat(fix, typed.validate(SourceRecord.of("f", 0, 0, "{\"x\":" + fix + "}", null, false)
          .withTextFormat(SourceRecord.Text.JSON)).row.getDecimal("x"), equalTo(new BigDecimal(fix).setScale(4)));
    }
    // a JSON line's number is the decimal it reads, as before
    RecordValidator jsonl = new RecordValidator(SourceSpec.builder("f.jsonl", SourceSpec.Format.JSONL).build(),
        schema, true, false, false);
    assertThat(jsonl.validate(SourceRecord.of("f", 0, 0, row, null, false)).row.getDecimal("x"),
        equalTo(new BigDecimal("1152921504606846980")));
  }
}
