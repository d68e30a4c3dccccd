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
          List<String> mine = CsvSyntax.wholeCellQuotes(text, delimiter, '"', trim);
          if (mine == null) {
            continue;
          }
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
}
