package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

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
}
