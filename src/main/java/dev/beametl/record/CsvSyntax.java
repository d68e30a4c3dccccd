package dev.beametl.record;

import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.BitSet;
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
    return wholeCellQuotes(text, delimiter, quote, trim, null);
  }

  /** As {@link #wholeCellQuotes(String, char, char, boolean)}, marking in {@code quoted} the cells that were quoted. */
  public static @Nullable List<String> wholeCellQuotes(String text, char delimiter, char quote, boolean trim,
      @Nullable BitSet quoted) {
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
        if (quoted != null) {
          quoted.set(cells.size());
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
   * Marks in {@code quoted} the cells of a well-formed record that are quoted: that start with a
   * quote, after spaces when trimming.
   */
  public static void quotedCells(String text, char delimiter, char quote, boolean trim, BitSet quoted) {
    int n = text.length();
    int i = 0;
    for (int cell = 0; i <= n; cell++) {
      while (trim && i < n && isSpace(text.charAt(i), delimiter)) {
        i++;
      }
      if (i < n && text.charAt(i) == quote) {
        quoted.set(cell);
        i = afterClosingQuote(text, i + 1, quote);
        if (i < 0) {
          return;
        }
      }
      int end = text.indexOf(delimiter, i);
      i = end < 0 ? n + 1 : end + 1;
    }
  }

  /**
   * Where a quote stands inside a value that does not start with one ({@code ab"cd}, an inch mark,
   * the rest of a quoted value that a line break cut off), or -1. The CSV parser keeps such a quote
   * as text, so a quoted value split across lines gave its second line as a record of its own: a
   * row the input does not have (a hostile trial). RFC 4180 allows quotes only in quoted values.
   */
  public static int strayQuote(String text, char delimiter, char quote, boolean trim) {
    int n = text.length();
    int i = 0;
    while (i <= n) {
      int start = i;
      while (trim && i < n && isSpace(text.charAt(i), delimiter)) {
        i++;
      }
      if (i < n && text.charAt(i) == quote) { // a quoted value
        i = afterClosingQuote(text, i + 1, quote);
        if (i < 0) {
          return -1; // never closed: the parser says so
        }
        int end = text.indexOf(delimiter, i);
        i = end < 0 ? n + 1 : end + 1; // text after the closing quote: the parser says so
        continue;
      }
      int end = text.indexOf(delimiter, start);
      int to = end < 0 ? n : end;
      int q = text.indexOf(quote, i);
      if (q >= 0 && q < to) {
        return q;
      }
      i = to + 1;
    }
    return -1;
  }

  /**
   * Where a quoted value whose text starts at {@code from} ends: just after its closing quote
   * ({@code ""} inside is one quote), or -1 when it never closes.
   */
  private static int afterClosingQuote(String text, int from, char quote) {
    for (int i = from; ; ) {
      int q = text.indexOf(quote, i);
      if (q < 0) {
        return -1;
      }
      if (q + 1 < text.length() && text.charAt(q + 1) == quote) {
        i = q + 2;
      } else {
        return q + 1;
      }
    }
  }

  /** What {@link #quoteState} finds at the end of a line. */
  public enum QuoteState {
    CLOSED,
    OPEN,
    /** A line that continues a quoted value closes it and goes on with text that is not the next value. */
    BROKEN
  }

  /**
   * Whether a quoted value is still open at the end of {@code line}, given whether one was open at
   * its start: what decides that a multi-line record goes on. Quotes count as the parser reads
   * them: one opens a value only where the value starts, {@code ""} inside is a quote, and a quote
   * inside an unquoted value is text (the validator refuses it, see {@link #strayQuote}). Counting
   * every quote made two inch marks, lines apart, one record of all the lines between them.
   * {@link QuoteState#BROKEN}: the line continued a quoted value and closed it, and text other than
   * spaces follows before the next delimiter - the quote that opened it was most likely never meant to.
   */
  public static QuoteState quoteState(CharSequence line, boolean openBefore, char delimiter, char quote, boolean trim) {
    int n = line.length();
    int i = 0;
    boolean open = openBefore;
    boolean atStart = !openBefore;
    boolean continuing = openBefore; // in the value that was open at the line's start
    boolean closedContinued = false; // that value closed, and nothing but spaces followed yet
    while (i < n) {
      char c = line.charAt(i);
      if (open) {
        if (c == quote) {
          if (i + 1 < n && line.charAt(i + 1) == quote) {
            i += 2;
            continue;
          }
          open = false;
          closedContinued = continuing;
          continuing = false;
        }
        i++;
        continue;
      }
      if (c == delimiter) {
        atStart = true;
        closedContinued = false;
      } else if (atStart && c == quote) {
        open = true;
        atStart = false;
      } else if (!(isSpace(c, delimiter) && ((trim && atStart) || closedContinued))) { // spaces after a
        if (closedContinued) { // closing quote are skipped whether the parser trims or not
          return QuoteState.BROKEN;
        }
        atStart = false;
      }
      i++;
    }
    return open ? QuoteState.OPEN : QuoteState.CLOSED;
  }

  /** Whether a quoted value is still open at the end of {@code line}: see {@link #quoteState}. */
  public static boolean openAfter(CharSequence line, boolean openBefore, char delimiter, char quote, boolean trim) {
    return quoteState(line, openBefore, delimiter, quote, trim) == QuoteState.OPEN;
  }

  /** Spaces the parser drops around a value when trimming (Commons CSV's test). */
  private static boolean isSpace(char c, char delimiter) {
    return c != delimiter && Character.isWhitespace(c);
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
