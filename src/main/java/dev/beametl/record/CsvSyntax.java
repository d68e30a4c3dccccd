package dev.beametl.record;

import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
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
   * The cells of a record whose quotes only wrap whole cells - each piece between delimiters is
   * either free of quotes or {@code quote + text without quotes + quote} - as the CSV parser reads
   * them; null for any other record (an escaped quote, a delimiter inside quotes, a line break
   * outside them, spaces around a cell when trimming), which the parser then reads. The parser costs
   * a reader and its buffers per record: quoted CSV took 3x the time of '|'-delimited text.
   * {@code CsvSyntaxTest} holds the two to the same cells on random records.
   */
  public static @Nullable List<String> wholeCellQuotes(String text, char delimiter, char quote, boolean trim) {
    List<String> cells = new ArrayList<>();
    int from = 0;
    int n = text.length();
    while (true) {
      int end = text.indexOf(delimiter, from);
      int to = end < 0 ? n : end;
      int q = text.indexOf(quote, from);
      if (q >= 0 && q < to) { // a quoted piece: the quote opens it and the closing quote ends it
        int close = q == from ? text.indexOf(quote, from + 1) : -1;
        if (close < 0 || close != to - 1 || close == from) {
          return null;
        }
        cells.add(text.substring(from + 1, close));
      } else {
        for (int i = from; i < to; i++) {
          char c = text.charAt(i);
          if (c == '\n' || c == '\r') {
            return null;
          }
        }
        if (trim && to > from && (Character.isWhitespace(text.charAt(from)) || Character.isWhitespace(text.charAt(to - 1)))) {
          return null;
        }
        cells.add(text.substring(from, to));
      }
      if (end < 0) {
        return cells;
      }
      from = end + 1;
    }
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
