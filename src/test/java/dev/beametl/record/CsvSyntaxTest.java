package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVFormat;
import org.junit.Test;

/** The quick split of records whose quotes wrap whole cells agrees with Commons CSV on random records. */
public class CsvSyntaxTest {
  private static final String PIECES = "ab ,|\"\n\r\té1";

  private static String randomRecord(SplittableRandom rng, char delimiter) {
    StringBuilder b = new StringBuilder();
    for (int cells = rng.nextInt(1, 6); cells > 0; cells--) {
      StringBuilder cell = new StringBuilder();
      for (int n = rng.nextInt(0, 6); n > 0; n--) {
        cell.append(PIECES.charAt(rng.nextInt(rng.nextInt(4) == 0 ? PIECES.length() : 3)));
      }
      String c = cell.toString();
      switch (rng.nextInt(4)) {
        case 0: // quoted as a writer quotes
          c = "\"" + c.replace("\"", "\"\"") + "\"";
          break;
        case 1: // quoted with spaces around
          c = (rng.nextBoolean() ? " " : "") + "\"" + c.replace("\"", "") + "\"" + (rng.nextBoolean() ? " " : "");
          break;
        default: // raw, whatever it holds
          break;
      }
      b.append(c);
      if (cells > 1) {
        b.append(delimiter);
      }
    }
    return b.toString();
  }

  @Test
  public void quickCellsAreTheParsersCells() {
    SplittableRandom rng = new SplittableRandom(16);
    int quick = 0;
    for (char delimiter : new char[] {',', '|'}) {
      for (boolean trim : new boolean[] {true, false}) {
        CSVFormat format = CsvSyntax.of(SourceSpec.builder("x", SourceSpec.Format.CSV)
            .setDelimiter(delimiter).setTrim(trim).build());
        for (int i = 0; i < 30_000; i++) {
          String text = randomRecord(rng, delimiter);
          if (text.indexOf('"') < 0) {
            continue; // records without quotes never reach the parser (a plain split is exact)
          }
          java.util.BitSet quoted = new java.util.BitSet();
          List<String> mine = CsvSyntax.wholeCellQuotes(text, delimiter, '"', trim, quoted);
          if (mine == null) {
            continue;
          }
          java.util.BitSet scanned = new java.util.BitSet();
          CsvSyntax.quotedCells(text, delimiter, '"', trim, scanned);
          assertThat(text, scanned, equalTo(quoted));
          quick++;
          List<String> parsed;
          try {
            parsed = CsvSyntax.parseRecord(format, text);
          } catch (IOException | IllegalStateException e) {
            throw new AssertionError("[" + text + "] split quickly into " + mine + " but the parser refuses it: " + e);
          }
          assertThat("[" + text + "] trim=" + trim, mine, equalTo(parsed));
        }
      }
    }
    assertThat(quick, greaterThan(20_000));
  }

  /** A cell as a writer makes it (quoted, maybe over lines), or raw text with quotes only inside it. */
  private static String cell(SplittableRandom rng, char delimiter, boolean strayQuotes, boolean trim) {
    StringBuilder c = new StringBuilder();
    for (int n = rng.nextInt(0, 6); n > 0; n--) {
      c.append("ab \"\n,|".charAt(rng.nextInt(7)));
    }
    String text = c.toString();
    if (rng.nextBoolean() || text.indexOf('\n') >= 0 || text.indexOf(delimiter) >= 0) {
      // a space before the quote only when trimming: otherwise the quote is text, and the parser may
      // read the rest of the file as a value
      return (trim && rng.nextInt(4) == 0 ? " " : "") + "\"" + text.replace("\"", "\"\"") + "\""
          + (rng.nextInt(4) == 0 ? " " : "");
    }
    String raw = text.replace("\"", "");
    if (strayQuotes && !raw.isBlank()) {
      int at = raw.length() - raw.stripLeading().length() + 1; // after the value's first character
      raw = raw.substring(0, at) + "\"" + raw.substring(at);
    }
    return raw;
  }

  /**
   * Joining lines while {@link CsvSyntax#openAfter} says a value is open ends the records where the
   * parser ends them, with or without quotes inside unquoted values; {@link CsvSyntax#strayQuote}
   * finds such a quote exactly when one was put in.
   */
  @Test
  public void recordsEndWhereTheParserEndsThemAndStrayQuotesAreFound() throws IOException {
    SplittableRandom rng = new SplittableRandom(38);
    int multiLine = 0;
    for (char delimiter : new char[] {',', '|'}) {
      for (boolean trim : new boolean[] {true, false}) {
      CSVFormat format = CsvSyntax.of(SourceSpec.builder("x", SourceSpec.Format.CSV).setDelimiter(delimiter)
          .setTrim(trim).build());
      for (int i = 0; i < 3_000; i++) {
        boolean stray = rng.nextInt(3) == 0;
        List<String> records = new java.util.ArrayList<>();
        for (int r = rng.nextInt(1, 6); r > 0; r--) {
          StringBuilder record = new StringBuilder();
          boolean hasStray = false;
          for (int k = rng.nextInt(1, 5); k > 0; k--) {
            String cell = cell(rng, delimiter, stray && rng.nextBoolean(), trim);
            hasStray |= !(trim ? cell.strip() : cell).startsWith("\"") && cell.indexOf('"') >= 0;
            record.append(cell).append(k > 1 ? String.valueOf(delimiter) : "");
          }
          String text = record.length() == 0 ? "x" : record.toString(); // an empty line is no record to the parser
          assertThat(text, CsvSyntax.strayQuote(text, delimiter, '"', trim) >= 0, equalTo(hasStray));
          records.add(text);
        }
        String file = String.join("\n", records);
        List<String> expected = new java.util.ArrayList<>();
        try (org.apache.commons.csv.CSVParser parser = org.apache.commons.csv.CSVParser.parse(file, format)) {
          parser.forEach(r -> expected.add(String.join("\u0001", r.toList())));
        }
        List<String> joined = new java.util.ArrayList<>();
        StringBuilder current = null;
        boolean open = false;
        for (String line : file.split("\n", -1)) {
          current = open ? current.append('\n').append(line) : new StringBuilder(line);
          CsvSyntax.QuoteState state = CsvSyntax.quoteState(line, open, delimiter, '"', trim);
          assertThat(file, state, org.hamcrest.Matchers.not(CsvSyntax.QuoteState.BROKEN)); // as a writer quotes: never broken
          open = state == CsvSyntax.QuoteState.OPEN;
          if (!open) {
            multiLine += current.indexOf("\n") >= 0 ? 1 : 0;
            joined.add(String.join("\u0001", CsvSyntax.parseRecord(format, current.toString())));
          }
        }
        assertThat(file, joined, equalTo(expected));
      }
      }
    }
    assertThat(multiLine, greaterThan(1_000));
  }

  /**
   * A line that continues a quoted value and closes it must go on with a delimiter, spaces or its
   * end; anything else means the quote that opened the value was a stray one.
   */
  @Test
  public void aContinuedValueClosedBeforeTextIsBroken() {
    assertThat(CsvSyntax.quoteState("line\",1", true, ',', '"', true), equalTo(CsvSyntax.QuoteState.CLOSED));
    assertThat(CsvSyntax.quoteState("line\" ,1", true, ',', '"', true), equalTo(CsvSyntax.QuoteState.CLOSED));
    assertThat(CsvSyntax.quoteState("line\" ,1", true, ',', '"', false), equalTo(CsvSyntax.QuoteState.CLOSED));
    assertThat(CsvSyntax.quoteState("line\" x,1", true, ',', '"', false), equalTo(CsvSyntax.QuoteState.BROKEN));
    assertThat(CsvSyntax.quoteState("57,\"unclosed,1", true, ',', '"', true), equalTo(CsvSyntax.QuoteState.BROKEN));
    assertThat(CsvSyntax.quoteState("more \"\"quoted\"\" text", true, ',', '"', true), equalTo(CsvSyntax.QuoteState.OPEN));
    assertThat(CsvSyntax.quoteState("end\",\"b\"c", true, ',', '"', true), equalTo(CsvSyntax.QuoteState.CLOSED)); // c: the parser's
    assertThat(CsvSyntax.quoteState("7,\"unclosed,1", false, ',', '"', true), equalTo(CsvSyntax.QuoteState.OPEN));
    assertThat(CsvSyntax.quoteState("1,TV 55\" screen,1", false, ',', '"', true), equalTo(CsvSyntax.QuoteState.CLOSED));
  }
}
