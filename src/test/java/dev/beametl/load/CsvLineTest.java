package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.beametl.pipeline.Specs;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** The CSV sink's lines: a null and an empty string stay apart, as DuckDB writes and reads them. */
public class CsvLineTest {
  @Test
  public void nullIsNothingAnEmptyStringIsQuoted() {
    assertThat(Load.csvLine("a", null, "", "x,y", "say \"hi\"", "two\nlines", 7), is(
        "a,,\"\",\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",7"));
    assertThat(Load.csvLine(null, "b"), is(",b"));
    assertThat(Load.csvLine("", null), is("\"\","));
    assertThat(Load.csvLine((Object) null), is("\"\"")); // one null column: not a blank line
  }

  /**
   * A text with white space at an end that a trimming reader drops - any Unicode space, not only
   * those up to U+0020 commons-csv quotes - is quoted, so the job's CSV source (trim on, its
   * default) reads its own output back as written (a trial: "\u3000x\u3000" came back as "x").
   */
  @Test
  public void textWithSpaceAtAnEndReadsBackAsWritten() throws Exception {
    List<String> texts = List.of(" x", "x ", "\tx", "\u3000x\u3000", "\u2003x", "x\u2028", "x\u2029", "\u1680x",
        "\u205Fx", "\u2000x\u200A", "x\u00A0", "x");
    org.apache.commons.csv.CSVFormat trimming = dev.beametl.record.CsvSyntax.of(
        dev.beametl.spec.SourceSpec.builder("unused", dev.beametl.spec.SourceSpec.Format.CSV).setTrim(true).build());
    String line = Load.csvLine(texts.toArray());
    assertThat(line, dev.beametl.record.CsvSyntax.parseRecord(trimming, line), is(texts));
    // The source's trimming drops the no-break spaces and U+0085 too (WhiteSpace), which commons-csv keeps:
    // each such value is quoted, so the job reads it back as written.
    for (String t : List.of("x\u00A0", "\u202Fx", "\u2007x", "x\u0085")) {
      assertThat(Load.csvLine(t, "y"), is("\"" + t + "\",y"));
    }
  }

  /**
   * A string equal to one of the CSV source's null markers is quoted: written bare, the job's own
   * CSV source with the same options read it back as null (a quoted text is never a null marker).
   */
  @Test
  public void aStringEqualToANullMarkerIsQuoted() throws Exception {
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: in.csv, format: csv, csv: {nullValues: ['', 'NULL', 'N/A']}}",
        "schema: [{name: s, type: string, nullable: true}, {name: n, type: int, nullable: true}]",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    OutputColumns columns = OutputColumns.of(spec);
    RowFormatter quoting = new RowFormatter(columns, null, SinkSpec.Format.CSV, spec.source().nullValues(), true);
    Schema schema = columns.beamSchema();
    assertThat(quoting.format(Row.withSchema(schema).addValues("NULL", 1).build()), is("\"NULL\",1"));
    assertThat(quoting.format(Row.withSchema(schema).addValues("N/A", null).build()), is("\"N/A\","));
    assertThat(quoting.format(Row.withSchema(schema).addValues("NULLS", 2).build()), is("NULLS,2"));
    assertThat(quoting.format(Row.withSchema(schema).addValues(null, 3).build()), is(",3"));
    // The source trims unquoted cells (Character.isWhitespace, as String.strip), and commons-csv quotes
    // a value for a trailing space, not for a trailing U+3000: "N/A\u3000" bare read back as null
    assertThat(quoting.format(Row.withSchema(schema).addValues("N/A\u3000", 4).build()), is("\"N/A\u3000\",4"));
    RowFormatter plain = new RowFormatter(columns, null, SinkSpec.Format.CSV, List.of(), false);
    assertThat(plain.format(Row.withSchema(schema).addValues("NULL", 1).build()), is("NULL,1"));
  }
}
