package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import dev.beametl.record.BadRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.schemas.logicaltypes.EnumerationType;
import org.junit.Test;

public class ValueParserTest {
  private static FieldSpec.Builder field(String type) {
    return FieldSpec.builder("f", FieldType.parse(type));
  }

  private static Object parse(FieldSpec.Builder f, String text) throws InvalidValue {
    return ValueParser.forField(f.build(), true).parse(text);
  }

  private static InvalidValue invalid(FieldSpec.Builder f, String text) {
    return assertThrows(InvalidValue.class, () -> parse(f, text));
  }

  /** A value's own quotes and line breaks are escaped in a reason: "a"" is not one of read as if the value were a. */
  @Test
  public void aValueInAReasonIsEscaped() {
    FieldSpec.Builder f = field("string").setValues(List.of("a", "b"));
    assertThat(invalid(f, "a\"").getMessage(), is("\"a\\\"\" is not one of [a, b]"));
    assertThat(invalid(f, "x\\y\nz").getMessage(), is("\"x\\\\y\\u000az\" is not one of [a, b]"));
  }

  @Test
  public void integers() throws Exception {
    assertThat(parse(field("int"), "-42"), equalTo(-42));
    assertThat(parse(field("long"), "9000000000"), equalTo(9_000_000_000L));
    assertThat(invalid(field("long"), "12x").getMessage(), is("\"12x\" is not a long"));
    assertThat(invalid(field("int"), "2147483648").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(invalid(field("long"), "99999999999999999999").getMessage(), is("99999999999999999999 is out of range for a long"));
    assertThat(invalid(field("int").setMin(new BigDecimal(1)), "0").getMessage(), is("0 is below min 1"));
    assertThat(invalid(field("int").setMax(new BigDecimal(10)), "11").getMessage(), is("11 is above max 10"));
    // around the 18 digits read without an overflow check, and the edges of a long
    assertThat(parse(field("long"), "999999999999999999"), equalTo(999_999_999_999_999_999L));
    assertThat(parse(field("long"), "-000000000000000001"), equalTo(-1L));
    assertThat(parse(field("long"), "9223372036854775807"), equalTo(Long.MAX_VALUE));
    assertThat(parse(field("long"), "-9223372036854775808"), equalTo(Long.MIN_VALUE));
    assertThat(invalid(field("long"), "9223372036854775808").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(invalid(field("long"), "-9223372036854775809").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(invalid(field("int"), "-2147483649").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(parse(field("int"), "-2147483648"), equalTo(Integer.MIN_VALUE));
    assertThat(invalid(field("int"), "1/2").getMessage(), is("\"1/2\" is not an int"));
    assertThat(invalid(field("int"), "1:2").getMessage(), is("\"1:2\" is not an int"));
    assertThat(invalid(field("long"), "+").getMessage(), is("\"+\" is not a long"));
  }

  @Test
  public void doublesAreFinite() throws Exception {
    assertThat(parse(field("double"), "1.5e3"), equalTo(1500.0));
    assertThat(invalid(field("double"), "NaN").kind(), is(BadRecord.Kind.TYPE));
    assertThat(invalid(field("double"), "Infinity").kind(), is(BadRecord.Kind.TYPE));
    assertThat(invalid(field("double"), "1e999").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(invalid(field("double"), "0x10").kind(), is(BadRecord.Kind.TYPE));
  }

  /** An exponent is checked before rescaling: 1E999999999 would ask for a billion-digit power of ten. */
  @Test(timeout = 10_000)
  public void hugeExponentsAreRefusedAtOnce() throws Exception {
    assertThat(invalid(field("decimal(15,2)"), "1E999999999").getMessage(), is("1E999999999 does not fit decimal(15,2)"));
    assertThat(invalid(field("decimal(15,2)"), "-7e+999999999").kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(invalid(field("decimal(15,2)"), "1E-999999999").getMessage(),
        is("1E-999999999 has more than 2 decimal places for decimal(15,2)"));
    assertThat(parse(field("decimal(15,2)"), "0E999999999"), equalTo(new BigDecimal("0.00")));
    assertThat(parse(field("decimal(15,2)"), "0E-999999999"), equalTo(new BigDecimal("0.00")));
    assertThat(parse(field("decimal(15,2)"), "1.2000000000000000000000000000E+3"), equalTo(new BigDecimal("1200.00")));
  }

  @Test
  public void decimalsAreExactAndScaled() throws Exception {
    assertThat(parse(field("decimal(6,2)"), "12.5"), equalTo(new BigDecimal("12.50")));
    assertThat(parse(field("decimal(6,2)"), "1E+2"), equalTo(new BigDecimal("100.00")));
    assertThat(invalid(field("decimal(6,2)"), "1.234").getMessage(), is("1.234 has more than 2 decimal places for decimal(6,2)"));
    assertThat(invalid(field("decimal(6,2)"), "12345.6").getMessage(), is("12345.6 does not fit decimal(6,2)"));
    assertThat(invalid(field("decimal(6,2)"), "12,5").getMessage(), is("\"12,5\" is not a decimal"));
    assertThat(invalid(field("decimal(6,2)").setMin(BigDecimal.ZERO), "-0.01").getMessage(), is("-0.01 is below min 0"));
  }

  @Test
  public void booleans() throws Exception {
    assertThat(parse(field("boolean"), "TRUE"), is(true));
    assertThat(parse(field("boolean"), "no"), is(false));
    assertThat(invalid(field("boolean"), "maybe").getMessage(), is("\"maybe\" is not a boolean"));
  }

  @Test
  public void datesAreStrict() throws Exception {
    assertThat(parse(field("date"), "2024-02-29"), equalTo(LocalDate.of(2024, 2, 29)));
    assertThat(invalid(field("date"), "2023-02-29").getMessage(), is("\"2023-02-29\" is not a date (ISO-8601)"));
    assertThat(invalid(field("date"), "1998-13-45").kind(), is(BadRecord.Kind.TYPE));
    assertThat(parse(field("date").setFormat("dd/MM/yyyy"), "31/01/2024"), equalTo(LocalDate.of(2024, 1, 31)));
    assertThat(invalid(field("date").setFormat("dd/MM/yyyy"), "31/02/2024").getMessage(),
        is("\"31/02/2024\" is not a date (format dd/MM/yyyy)"));
    assertThat(invalid(field("date").setMinText("2024-01-01"), "2023-12-31").getMessage(), is("2023-12-31 is before min 2024-01-01"));
  }

  @Test
  public void plainIsoTimestampsReadDigitByDigitAgreeWithTheFormatter() throws Exception {
    // Every shape the fast path takes, valid or not, against ISO parsing with no fast path (a
    // trailing "+00:00" sends the same text to the general formatter).
    List<String> texts = List.of("2024-01-05T10:00:00", "2024-01-05T10:00:00Z", "2024-01-05t23:59:59z",
        "2024-01-05 00:00:00", "2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-04-31T00:00:00Z",
        "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-05T24:00:00Z", "2024-01-05T10:60:00Z",
        "2024-01-05T10:00:60Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-03-31T02:30:00");
    for (String text : texts) {
      String general = text.endsWith("Z") || text.endsWith("z") ? text.substring(0, 19) + "+00:00" : text + "+00:00";
      Object fast;
      Object slow;
      try {
        fast = parse(field("timestamp"), text);
      } catch (InvalidValue e) {
        fast = e.kind();
      }
      try {
        slow = parse(field("timestamp"), general);
      } catch (InvalidValue e) {
        slow = e.kind();
      }
      assertThat(text, fast, equalTo(slow));
      // Read where it lies in a record, as a CSV cell is, and in a zone with rules and bounds.
      for (FieldSpec.Builder f : List.of(field("timestamp"), field("timestamp").setZone("Europe/Paris"),
          field("timestamp").setMinText("2024-01-05T10:00:00Z").setMaxText("2024-02-29T12:00:00Z"))) {
        Object whole;
        Object inPlace;
        try {
          whole = parse(f, text);
        } catch (InvalidValue e) {
          whole = e.kind();
        }
        try {
          inPlace = ValueParser.forField(f.build(), true).parse("x|" + text + "|y", 2, 2 + text.length());
        } catch (InvalidValue e) {
          inPlace = e.kind();
        }
        assertThat(text + " " + f.build(), inPlace, equalTo(whole));
      }
    }
    for (String otherShape : new String[] {"2024-01-05T10:00:00+02:00", "2024-1-05T10:00:00Z"}) {
      assertThat(DateTimeText.plainIsoTimestamp(otherShape, 0, otherShape.length(), java.time.ZoneOffset.UTC,
          dev.beametl.spec.WallClock.Ambiguous.DEAD_LETTER), is(nullValue()));
    }
  }

  /**
   * Exactly one 'T' or space between date and time (both were optional: {@code 2024-01-0110:00:00}
   * passed), and the offsets ISO-8601 allows: {@code +01}, {@code +0100}, {@code +01:00}, seconds.
   */
  @Test
  public void isoTimestampsTakeOneSeparatorAndEveryOffsetForm() throws Exception {
    java.time.Instant ten = java.time.Instant.parse("2024-01-01T10:00:00Z");
    for (String text : List.of("2024-01-01T11:00:00+01", "2024-01-01T11:00:00+0100", "2024-01-01 11:00:00+01:00",
        "2024-01-01t11:00:00+01:00:00", "2024-01-01T10:00:00z", "2024-01-01 10:00:00", "2024-01-01T09:30-00:30")) {
      assertThat(text, parse(field("timestamp"), text), equalTo(ten));
    }
    for (String text : List.of("2024-01-0110:00:00", "2024-01-01T 10:00:00", "2024-01-01 T10:00:00",
        "2024-01-01  10:00:00", "2024-01-0110:00", "2024-01-01", "2024-01-01T10:00:00+1", "2024-01-01T10:00:00+01:00+02",
        "2024-01-01T10:00:00ZZ", "2024-01-01T10:00:00Z+0000", "2024-01-01T11:00:00+01:00+0100+01", "2024-01-01T11:00:00+01:0")) {
      assertThat(text, invalid(field("timestamp"), text).kind(), is(BadRecord.Kind.TYPE));
    }
  }

  /** maxLength counts characters as length() does: three emoji are three, not six UTF-16 units. */
  @Test
  public void maxLengthCountsCodePoints() throws Exception {
    FieldSpec.Builder three = field("string").setMaxLength(3);
    assertThat(parse(three, "\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"), equalTo("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00"));
    assertThat(invalid(three, "a\uD83D\uDE00bc").getMessage(), is("4 characters, more than maxLength 3"));
  }

  @Test
  public void plainDecimalsReadDigitByDigitAreBigDecimalsOwnValueAndScale() {
    List<String> plain = List.of("0", "-0", "+0", "12.50", "-3.10", "+7", "007", "1.", ".5", "-.5", "0.000",
        "999999999999999999", "-99999999.99", "123456789012345.678");
    for (String text : plain) {
      java.math.BigDecimal want = new java.math.BigDecimal(text);
      java.math.BigDecimal got = NumberText.plainDecimal(text);
      assertThat(text, got, equalTo(want)); // BigDecimal.equals compares the scale too
    }
    // Not plain, or too long for a long: left to new BigDecimal(text), which parses or rejects them.
    for (String text : List.of("", ".", "-", "+-1", "1e3", "1.2.3", "1,5", " 1", "1 ", "9999999999999999999",
        "0.0000000000000000001", "--1", "NaN")) {
      assertThat(text, NumberText.plainDecimal(text), is(nullValue()));
    }
  }

  @Test
  public void timestampsWithAndWithoutZone() throws Exception {
    assertThat(parse(field("timestamp"), "2024-01-05T10:00:00Z"), equalTo(Instant.parse("2024-01-05T10:00:00Z")));
    assertThat(parse(field("timestamp"), "2024-01-05T12:00:00+02:00"), equalTo(Instant.parse("2024-01-05T10:00:00Z")));
    assertThat(parse(field("timestamp"), "2024-01-05 10:00:00"), equalTo(Instant.parse("2024-01-05T10:00:00Z")));
    assertThat(parse(field("timestamp").setZone("Europe/Paris"), "2024-01-05T11:00:00"),
        equalTo(Instant.parse("2024-01-05T10:00:00Z")));
    assertThat(parse(field("timestamp").setFormat("dd.MM.yyyy HH:mm"), "05.01.2024 10:00"),
        equalTo(Instant.parse("2024-01-05T10:00:00Z")));
    assertThat(invalid(field("timestamp"), "2024-02-30T10:00:00Z").kind(), is(BadRecord.Kind.TYPE));
  }

  @Test
  public void stringsAndCategories() throws Exception {
    assertThat(invalid(field("string").setPattern("P-[0-9]{4}"), "X-12").getMessage(),
        is("\"X-12\" does not match pattern P-[0-9]{4}"));
    assertThat(invalid(field("string").setMaxLength(3), "abcd").getMessage(), is("4 characters, more than maxLength 3"));
    assertThat(invalid(field("string").setValues(List.of("a", "b")), "c").kind(), is(BadRecord.Kind.NOT_ALLOWED));
    FieldSpec.Builder region = field("category").setValues(List.of("EU", "NA", "APAC"));
    Object code = parse(region, "APAC");
    assertThat(((EnumerationType.Value) code).getValue(), is(2));
    assertThat(invalid(region, "Mars").getMessage(), containsString("\"Mars\" is not one of [EU, NA, APAC]"));
    // Thousands of values are not spelled out in every dead letter (550 KB a record for 70,000).
    java.util.List<String> many = java.util.stream.IntStream.range(0, 70_000).mapToObj(i -> "v" + i)
        .collect(java.util.stream.Collectors.toList());
    assertThat(InvalidValue.listed(many), is("[v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, "
        + "v15, v16, v17, v18, v19, ... 69,980 more]"));
    assertThat(ValueParser.forField(region.build(), false).parse("NA"), equalTo("NA"));
  }

  /**
   * Dates and timestamps beyond a 64-bit microsecond count are out of range, not valid values that
   * later break the sink (a long overflow) or come out as another day (Parquet's 32-bit days).
   */
  @Test
  public void datesAndTimestampsKeepToWhatAMicrosecondCountHolds() throws Exception {
    assertThat(parse(field("date"), "+294247-01-10"), equalTo(java.time.LocalDate.of(294247, 1, 10)));
    assertThat(parse(field("date"), "-290308-12-22"), equalTo(java.time.LocalDate.of(-290308, 12, 22)));
    assertThat(parse(field("date"), "+10000-01-01"), equalTo(java.time.LocalDate.of(10000, 1, 1)));
    for (String date : new String[] {"+294247-01-11", "-290308-12-21", "+999999999-12-31", "-999999999-01-01"}) {
      InvalidValue e = invalid(field("date"), date);
      assertThat(date, e.kind(), is(BadRecord.Kind.OUT_OF_RANGE));
      assertThat(e.getMessage(), containsString("dates lie between -290308-12-22 and +294247-01-10"));
    }
    assertThat(parse(field("timestamp"), "+294247-01-10T04:00:54.775807Z"),
        equalTo(Instant.ofEpochSecond(Long.MAX_VALUE / 1_000_000L, 775_807_000L)));
    assertThat(parse(field("timestamp"), "-290308-12-21T19:59:05.224192Z"),
        equalTo(Instant.ofEpochSecond(Math.floorDiv(Long.MIN_VALUE, 1_000_000L), 224_192_000L)));
    for (String ts : new String[] {"+294247-01-10T04:00:54.775808Z", "-290308-12-21T19:59:05.224191Z",
        "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00"}) {
      InvalidValue e = invalid(field("timestamp"), ts);
      assertThat(ts, e.kind(), is(BadRecord.Kind.OUT_OF_RANGE));
      assertThat(e.getMessage(), containsString("timestamps lie between -290308-12-21T19:59:05.224192Z and "
          + "+294247-01-10T04:00:54.775807Z"));
    }
  }
}
