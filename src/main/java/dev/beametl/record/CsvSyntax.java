package dev.beametl.record;

import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** The Commons CSV format a source spec describes, and one-record parsing with it. */
public final class CsvSyntax {
  private CsvSyntax() {}

  /**
   * With {@code trim} on, spaces around a value are dropped but a quoted value keeps the spaces
   * inside its quotes: quotes mean "exactly this text".
   */
  public static CSVFormat of(SourceSpec source) {
    return CSVFormat.RFC4180.builder()
        .setDelimiter(source.delimiter())
        .setQuote(source.quote())
        .setIgnoreSurroundingSpaces(source.trim())
        .setIgnoreEmptyLines(false)
        .setTrim(false)
        .get();
  }

  /**
   * Parses the text of exactly one record into its raw column texts.
   *
   * @throws IOException when the text is not one well-formed CSV record (e.g. an unterminated quote)
   */
  public static List<String> parseRecord(CSVFormat format, String text) throws IOException {
    try (CSVParser parser = CSVParser.parse(new StringReader(text), format)) {
      List<CSVRecord> records = parser.getRecords();
      if (records.size() != 1) {
        throw new IOException("holds " + records.size() + " records where one was expected");
      }
      List<String> out = new ArrayList<>(records.get(0).size());
      records.get(0).forEach(out::add);
      return out;
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
