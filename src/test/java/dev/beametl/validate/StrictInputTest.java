package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.record.BadRecord;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.WallClock;
import dev.beametl.spec.SourceSpec;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.Test;

/**
 * Input the hostile trial found accepted, silently changed or fatal: each is now a bad record with
 * its reason, or a documented rule, the same for CSV and JSON lines.
 */
public class StrictInputTest {
  private static final List<FieldSpec> SCHEMA = List.of(
      FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
      FieldSpec.builder("note", FieldType.of(FieldType.Kind.STRING)).setNullable(true).build());
  private static final SourceSpec JSON = SourceSpec.builder("f.jsonl", SourceSpec.Format.JSONL).build();
  private static final SourceSpec CSV = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).setHeader(false).build();

  private static RecordValidator.Outcome check(SourceSpec source, List<FieldSpec> schema, String text) {
    return new RecordValidator(source, schema, true).validate(SourceRecord.of("f", 0, 0, text, null, false));
  }

  private static BadRecord bad(SourceSpec source, String text) {
    RecordValidator.Outcome o = check(source, SCHEMA, text);
    assertThat(text + " is a bad record", o.bad, notNullValue());
    return o.bad;
  }

  /**
   * A quote inside a value that does not start with one is malformed: read as text, the second line
   * of a quoted value cut by a line break ({@code 8,second",9}) was a valid row the input does not have.
   */
  @Test
  public void aQuoteInsideAnUnquotedValueIsMalformed() {
    BadRecord tail = bad(CSV, "8,second\"");
    assertThat(tail.kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(tail.reason(), containsString("a quote inside a value that does not start with one, at character 9"));
    assertThat(tail.reason(), containsString("set csv.multiline: true"));
    assertThat(bad(CSV, "20,ab\"cd").kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(bad(CSV, "7,\"first line").reason(), containsString("(if quoted values hold line breaks, set csv.multiline: true)"));
    // Quotes around a whole value, doubled inside one, or spaces around it are well-formed.
    assertThat(check(CSV, SCHEMA, "8,\"say \"\"hi\"\", ok\"").bad, nullValue());
    assertThat(check(CSV, SCHEMA, "8, \"x\" ").bad, nullValue());
  }

  /**
   * A quoted string is exactly its text, never a null marker: the CSV sink writes an empty string as
   * {@code ""} and a null as nothing, and read back the empty string was null. Unquoted markers,
   * and quoted ones in other types, are still null.
   */
  @Test
  public void aQuotedStringIsNeverANullMarker() {
    SourceSpec markers = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).setHeader(false)
        .setNullValues(List.of("", "NULL")).build();
    List<FieldSpec> nullableId = List.of(
        FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).setNullable(true).build(),
        FieldSpec.builder("note", FieldType.of(FieldType.Kind.STRING)).setNullable(true).build());
    assertThat(check(markers, nullableId, "8,\"\"").row.getValue("note"), equalTo(""));
    assertThat(check(markers, nullableId, "8,\"NULL\"").row.getValue("note"), equalTo("NULL"));
    assertThat(check(markers, nullableId, "\"8\",\"say \"\"hi\"\"\"").row.getValue("note"), equalTo("say \"hi\""));
    assertThat(check(markers, nullableId, "8,").row.getValue("note"), nullValue());
    assertThat(check(markers, nullableId, "8,NULL").row.getValue("note"), nullValue());
    assertThat(check(markers, nullableId, "\"\",x").row.getValue("id"), nullValue());
    assertThat(check(markers, nullableId, "\"NULL\",x").row.getValue("id"), nullValue());
    // A category that declares the text "NULL": quoted, it is that value (a re-trial found it null)
    List<FieldSpec> category = List.of(FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
        FieldSpec.builder("c", FieldType.of(FieldType.Kind.CATEGORY)).setValues(List.of("x", "NULL")).setNullable(true)
            .build());
    assertThat(check(markers, category, "8,\"NULL\"").row.getValue("c"), notNullValue());
    assertThat(check(markers, category, "8,NULL").row.getValue("c"), notNullValue()); // declared: the value
    assertThat(check(markers, category, "8,").row.getValue("c"), nullValue());
  }

  /**
   * A quoted category is its text, as a quoted string is, declared or not: a quoted {@code ""} or
   * {@code "NA"} it does not list was a null counted valid where a string field with the same values
   * rejected it. Unquoted markers are still null in both.
   */
  @Test
  public void aQuotedCategoryIsItsTextNeverANullMarker() {
    SourceSpec markers = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).setHeader(false)
        .setNullValues(List.of("", "NA")).build();
    for (FieldType.Kind kind : List.of(FieldType.Kind.STRING, FieldType.Kind.CATEGORY)) {
      List<FieldSpec> schema = List.of(FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
          FieldSpec.builder("c", FieldType.of(kind)).setValues(List.of("a", "b")).setNullable(true).build());
      for (String quoted : List.of("8,\"\"", "8,\"NA\"")) {
        BadRecord bad = check(markers, schema, quoted).bad;
        assertThat(kind + " " + quoted + " is a bad record", bad, notNullValue());
        assertThat(bad.kind(), is(BadRecord.Kind.NOT_ALLOWED));
        assertThat(bad.field(), is("c"));
      }
      assertThat(kind + " \"a\" is valid", check(markers, schema, "8,\"a\"").bad, nullValue());
      assertThat(check(markers, schema, "8,").row.getValue("c"), nullValue());
      assertThat(check(markers, schema, "8,NA").row.getValue("c"), nullValue());
    }
  }

  /** A null marker a field's values declare is that value there, not null (a trial: NA, North America, was null). */
  @Test
  public void aDeclaredValueIsNoNullMarker() {
    SourceSpec markers = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).setHeader(false)
        .setNullValues(List.of("", "NA")).build();
    for (FieldType.Kind kind : List.of(FieldType.Kind.STRING, FieldType.Kind.CATEGORY)) {
      List<FieldSpec> schema = List.of(FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
          FieldSpec.builder("c", FieldType.of(kind)).setValues(List.of("EU", "NA")).setNullable(true).build(),
          FieldSpec.builder("s", FieldType.of(FieldType.Kind.STRING)).setNullable(true).build());
      org.apache.beam.sdk.values.Row row = check(markers, schema, "8,NA,NA").row;
      assertThat(kind + " NA", row.getValue("c"), notNullValue());
      if (kind == FieldType.Kind.STRING) {
        assertThat(row.getValue("c"), is("NA"));
      }
      assertThat(row.getValue("s"), nullValue()); // a field that does not declare it: null
      assertThat(check(markers, schema, "8,,NA").row.getValue("c"), nullValue());
    }
  }

  /**
   * Trimming drops every Unicode white space at a value's ends, the no-break spaces (U+00A0, U+2007,
   * U+202F) and U+0085 too, in a plain line and in one the CSV parser reads (a quoted cell in it);
   * a quoted value keeps them. A trial's 7 between no-break spaces was "not a long", and an EU
   * followed by one not a region.
   */
  @Test
  public void trimmingDropsNoBreakSpacesAsWell() {
    List<FieldSpec> schema = List.of(FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
        FieldSpec.builder("region", FieldType.of(FieldType.Kind.CATEGORY)).setValues(List.of("EU", "NA")).build(),
        FieldSpec.builder("s", FieldType.of(FieldType.Kind.STRING)).setNullable(true).build());
    // A plain line; one with a quoted cell (its quotes' fast path); and one the CSV parser reads (an
    // ASCII space at an unquoted cell's end sends a quoted line to it)
    for (String line : List.of("\u00A07\u202F,\u2007EU\u00A0,\u0085\u00A0x\u00A0", "\u00A07\u202F,\"EU\",\u0085\u00A0x\u00A0",
        "\u00A07\u202F,\"EU\",\u0085\u00A0x\u00A0 ")) {
      org.apache.beam.sdk.values.Row row = check(CSV, schema, line).row;
      assertThat(line, row, notNullValue());
      assertThat(row.getValue("id"), is(7L));
      assertThat(row.getValue("s"), is("x"));
    }
    assertThat(check(CSV, schema, "7,EU,\"\u00A0q\u00A0\"").row.getValue("s"), is("\u00A0q\u00A0")); // quoted: exact
    SourceSpec untrimmed = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).setHeader(false).setTrim(false).build();
    assertThat(check(untrimmed, schema, "7,EU,\u00A0q").row.getValue("s"), is("\u00A0q"));
  }

  @Test
  public void aJsonLineIsExactlyOneJsonValue() {
    assertThat(bad(JSON, "{\"id\":1}{\"id\":2}").reason(), containsString("more than one JSON value on the line"));
    assertThat(bad(JSON, "{\"id\":1} xyz").kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(bad(JSON, "{\"id\":1} // a comment").kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(bad(JSON, "{\"id\":1} {\"id\":2}").kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(check(JSON, SCHEMA, "  {\"id\":1}  ").row, notNullValue());
    assertThat("no hint without a CR", bad(JSON, "{\"id\":1}{\"id\":2}").reason(), not(containsString("lone CR")));
    // A file of old-Mac line ends is one record (a lone CR is JSON whitespace): the reason says why
    assertThat(bad(JSON, "{\"id\":1}\r{\"id\":2}\r").reason(), containsString("more than one JSON value on the line"
        + " (its lines end in a lone CR? JSON lines end only at LF or CRLF"));
    // ...and where such a file usually lands: one record past maxRecordBytes, read in byte ranges
    String kept = "{\"id\":1}\r{\"id\":2}\r";
    for (long offset : new long[] {0, -1}) { // in byte ranges, and read whole
      RecordValidator.Outcome tooLong = new RecordValidator(JSON, SCHEMA, true).validate(
          SourceRecord.of("f", offset, 0, kept, null, false, 5_000_000));
      assertThat(tooLong.bad.kind(), is(BadRecord.Kind.TOO_LONG));
      assertThat(tooLong.bad.reason(), containsString("its lines end in a lone CR?"));
    }
  }

  /** A too_long record's kept start never ends in half a character (it failed the run's report, exit 1). */
  @Test
  public void aTooLongRecordIsCutBetweenCharacters() {
    String text = "2,x" + "\uD83D\uDE00".repeat(3000); // char 999 is the first half of an emoji
    RecordValidator.Outcome tooLong = new RecordValidator(CSV, SCHEMA, true).validate(
        SourceRecord.of("f", 0, 0, text, null, false, 5_000_000));
    String payload = tooLong.bad.payload();
    assertThat(tooLong.bad.kind(), is(BadRecord.Kind.TOO_LONG));
    assertThat(payload.length(), is(999));
    assertThat(Character.isHighSurrogate(payload.charAt(payload.length() - 1)), is(false));
  }

  @Test
  public void aKeyGivenTwiceIsMalformedNotLastWins() {
    BadRecord b = bad(JSON, "{\"id\":1,\"id\":2}");
    assertThat(b.kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(b.reason(), containsString("id"));
  }

  @Test
  public void textThatCannotBeWrittenAsUtf8IsBadEncoding() {
    BadRecord b = bad(JSON, "{\"id\":1,\"note\":\"x\\ud800y\"}");
    assertThat(b.kind(), is(BadRecord.Kind.BAD_ENCODING));
    assertThat(b.field(), is("note"));
    assertThat("a pair is fine", check(JSON, SCHEMA, "{\"id\":1,\"note\":\"\\ud83d\\ude00\"}").row, notNullValue());
  }

  @Test
  public void anExponentIsNoIntegerInJsonAsInCsv() {
    assertThat(bad(JSON, "{\"id\":1e3}").kind(), is(BadRecord.Kind.TYPE));
    assertThat(bad(CSV, "1e3,x").kind(), is(BadRecord.Kind.TYPE));
    assertThat(bad(JSON, "{\"id\":10.0}").kind(), is(BadRecord.Kind.TYPE));
    List<FieldSpec> dec = List.of(FieldSpec.builder("id", FieldType.decimal(10, 2)).build());
    assertThat(check(JSON, dec, "{\"id\":1e3}").row.getValue(0), equalTo(new BigDecimal("1000.00")));
  }

  @Test
  public void onlyAsciiDigitsAreNumbers() {
    assertThat(bad(CSV, "\u0661\u0662\u0663,x").kind(), is(BadRecord.Kind.TYPE)); // Arabic-Indic 123
    assertThat(bad(JSON, "{\"id\":\"\uff11\uff12\"}").kind(), is(BadRecord.Kind.TYPE)); // full-width 12
    List<FieldSpec> dec = List.of(FieldSpec.builder("id", FieldType.decimal(10, 2)).build());
    assertThat(check(CSV, dec, "\u0661.5").bad.kind(), is(BadRecord.Kind.TYPE));
  }

  @Test
  public void quotedSpacesAreKeptUnquotedOnesTrimmed() {
    RecordValidator.Outcome o = check(CSV, SCHEMA, " 7 ,\"  padded  \"");
    assertThat(o.row.getValue(0), equalTo(7L));
    assertThat(o.row.getValue(1), equalTo("  padded  "));
    assertThat(check(CSV, SCHEMA, "8,  plain  ").row.getValue(1), equalTo("plain"));
    assertThat(check(CSV, SCHEMA, "9,  \"spaced\"  ").row.getValue(1), equalTo("spaced"));
  }

  @Test
  public void timestampsAreNeverRoundedNorMovedAcrossADaylightSavingGapNorGuessedInARepeatedHour() {
    List<FieldSpec> ts = List.of(FieldSpec.builder("at", FieldType.of(FieldType.Kind.TIMESTAMP)).build());
    assertThat(check(CSV, ts, "2024-01-05T10:00:00.123456Z").row.getValue(0),
        equalTo(Instant.parse("2024-01-05T10:00:00.123456Z")));
    BadRecord nanos = check(CSV, ts, "2024-01-05T10:00:00.123456789Z").bad;
    assertThat(nanos.kind(), is(BadRecord.Kind.OUT_OF_RANGE));
    assertThat(nanos.reason(), containsString("more precise than a microsecond"));

    List<FieldSpec> paris = List.of(FieldSpec.builder("at", FieldType.of(FieldType.Kind.TIMESTAMP))
        .setZone("Europe/Paris").build());
    BadRecord gap = check(CSV, paris, "2024-03-31T02:30:00").bad; // clocks go from 02:00 to 03:00
    assertThat(gap.reason(), containsString("does not exist in Europe/Paris"));
    assertThat(check(JSON, paris, "{\"at\":\"2024-03-31 02:30:00\"}").bad.reason(), containsString("daylight-saving gap"));
    // The clocks go back from 03:00 to 02:00: 02:30 is 00:30Z and 01:30Z. Refused unless the field says which.
    BadRecord twice = check(CSV, paris, "2024-10-27T02:30:00").bad;
    assertThat(twice.kind(), is(BadRecord.Kind.TYPE));
    assertThat(twice.reason(), allOf(containsString("is two instants in Europe/Paris"), containsString("+02:00 to +01:00"),
        containsString("ambiguous: earlier or later")));
    assertThat("the general reader too", check(JSON, paris, "{\"at\":\"2024-10-27 02:30:00\"}").bad.reason(),
        containsString("is two instants"));
    assertThat(check(CSV, zoned("Europe/Paris", WallClock.Ambiguous.EARLIER), "2024-10-27T02:30:00").row.getValue(0),
        equalTo(Instant.parse("2024-10-27T00:30:00Z")));
    assertThat(check(CSV, zoned("Europe/Paris", WallClock.Ambiguous.LATER), "2024-10-27T02:30:00").row.getValue(0),
        equalTo(Instant.parse("2024-10-27T01:30:00Z")));
    assertThat(check(JSON, zoned("Europe/Paris", WallClock.Ambiguous.LATER), "{\"at\":\"2024-10-27 02:30:00\"}")
        .row.getValue(0), equalTo(Instant.parse("2024-10-27T01:30:00Z")));
    assertThat("a time the clocks pass once is not touched by the setting",
        check(CSV, zoned("Europe/Paris", WallClock.Ambiguous.LATER), "2024-10-27T03:30:00").row.getValue(0),
        equalTo(Instant.parse("2024-10-27T02:30:00Z")));
    assertThat("nor one with its offset", check(CSV, paris, "2024-10-27T02:30:00+01:00").row.getValue(0),
        equalTo(Instant.parse("2024-10-27T01:30:00Z")));
    List<FieldSpec> formatted = List.of(FieldSpec.builder("at", FieldType.of(FieldType.Kind.TIMESTAMP))
        .setZone("America/New_York").setFormat("dd/MM/yyyy HH:mm").setAmbiguous(WallClock.Ambiguous.LATER).build());
    assertThat("a format's reader too", check(CSV, formatted, "03/11/2024 01:30").row.getValue(0),
        equalTo(Instant.parse("2024-11-03T06:30:00Z")));
  }

  /** A zone the text names itself (a format's VV) is its zone; the field's is for text without one (a trial: 9 h off). */
  @Test
  public void aZoneIdInTheTextIsTheValuesZone() {
    List<FieldSpec> f = List.of(FieldSpec.builder("at", FieldType.of(FieldType.Kind.TIMESTAMP)).setZone("UTC")
        .setFormat("yyyy-MM-dd HH:mm:ss VV").build());
    assertThat(check(CSV, f, "2024-06-01 12:00:00 Asia/Tokyo").row.getValue(0),
        equalTo(Instant.parse("2024-06-01T03:00:00Z")));
    assertThat(check(CSV, f, "2024-06-01 12:00:00 +02:00").row.getValue(0),
        equalTo(Instant.parse("2024-06-01T10:00:00Z")));
    assertThat(check(CSV, f, "2024-11-03 01:30:00 America/New_York").bad.reason(),
        containsString("is two instants in America/New_York"));
    assertThat(check(CSV, f, "2024-03-10 02:30:00 America/New_York").bad.reason(),
        containsString("does not exist in America/New_York"));
  }

  private static List<FieldSpec> zoned(String zone, WallClock.Ambiguous ambiguous) {
    return List.of(FieldSpec.builder("at", FieldType.of(FieldType.Kind.TIMESTAMP)).setZone(zone)
        .setAmbiguous(ambiguous).build());
  }

  @Test
  public void aFileWhoseHeaderCannotBeUsedMakesBadRecordsNotAFailedJob() {
    SourceSpec withHeader = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).build();
    RecordValidator v = new RecordValidator(withHeader, SCHEMA, true);
    ColumnLayout blank = ColumnLayout.unusableHeader("its header line (the first line) is blank");
    BadRecord b = v.validate(SourceRecord.of("f.csv", 1, 0, "1,x", blank, false)).bad;
    assertThat(b.kind(), is(BadRecord.Kind.MALFORMED));
    assertThat(b.reason(), containsString("header line (the first line) is blank"));
    assertThat(v.validate(SourceRecord.of("f.csv", 5, 0, "", blank, false)).bad.kind(), is(BadRecord.Kind.BLANK_LINE));
  }

  @Test
  public void anUnreadableRestOfAFileIsOneBadRecordNamingIt() {
    RecordValidator.Outcome o = new RecordValidator(CSV, SCHEMA, true)
        .validate(SourceRecord.unreadable("/data/x.csv.gz", -1, 12, "the rest of the file cannot be read"));
    assertThat(o.row, nullValue());
    assertThat(o.bad.kind(), is(BadRecord.Kind.UNREADABLE));
    assertThat(o.bad.origin(), is("/data/x.csv.gz:line 12"));
  }
}
