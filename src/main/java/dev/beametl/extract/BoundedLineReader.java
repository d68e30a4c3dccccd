package dev.beametl.extract;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines like {@link java.io.BufferedReader#readLine()}, but keeps at most {@code maxChars} of
 * each: a file without line breaks cannot fill the heap. The full length of the last line is still
 * reported, so the caller can reject it. A line ends in LF, CRLF, CR CR LF (a CRLF file converted
 * once more) or, in a CSV file, a lone CR (in JSON lines it is whitespace): the rule RangeReader
 * applies to byte ranges, so a file reads alike whole (compressed, multi-line, UTF-16) and in ranges.
 */
public final class BoundedLineReader {
  private final Reader in;
  private final int maxChars;
  private final char[] buffer = new char[1 << 16];
  private int position;
  private int limit;
  private long lastLength;
  private long linesRead;
  private boolean lastEnded;
  /** What ended the line read last, and the one before it. */
  private String lastEnd = "\n";
  private String separatorBefore = "\n";

  /** Whether a CR alone ends a line: yes in CSV files; in JSON lines it is whitespace, as in RangeReader. */
  private final boolean loneCrEndsLine;

  public BoundedLineReader(Reader in, int maxChars) {
    this(in, maxChars, true);
  }

  public BoundedLineReader(Reader in, int maxChars, boolean loneCrEndsLine) {
    this.in = in;
    this.maxChars = maxChars;
    this.loneCrEndsLine = loneCrEndsLine;
  }

  /** The next line without its terminator, cut at maxChars; null at the end of the input. */
  public String readLine() throws IOException {
    StringBuilder line = null;
    long length = 0;
    separatorBefore = lastEnd;
    lastEnded = false;
    while (true) {
      if (position == limit && !fill()) {
        if (line == null) {
          return null;
        }
        break;
      }
      if (line == null) {
        line = new StringBuilder();
      }
      int i = position;
      while (i < limit && buffer[i] != '\n' && buffer[i] != '\r') {
        i++;
      }
      int keep = (int) Math.max(0, Math.min(i - position, maxChars - length));
      line.append(buffer, position, keep);
      length += i - position;
      if (i < limit) {
        position = i + 1;
        String end = buffer[i] == '\r' ? endAtCarriageReturn() : "\n";
        if (end == null) { // a lone CR in a JSON line: whitespace, the line goes on
          if (length < maxChars) {
            line.append('\r');
          }
          length++;
          continue;
        }
        lastEnd = end;
        lastEnded = true;
        break;
      }
      position = limit;
    }
    lastLength = length;
    linesRead++;
    return line.toString();
  }

  /** How many lines {@link #readLine()} has given. */
  public long linesRead() {
    return linesRead;
  }

  /** After a CR: the LF or CR LF that belong to it are taken with it; null when a lone CR ends no line. */
  private String endAtCarriageReturn() throws IOException {
    ensure(2);
    if (position < limit && buffer[position] == '\n') {
      position++;
      return "\r\n";
    }
    if (position + 1 < limit && buffer[position] == '\r' && buffer[position + 1] == '\n') {
      position += 2;
      return "\r\r\n";
    }
    return loneCrEndsLine ? "\r" : null;
  }

  /** Makes at least {@code n} characters available from the position, unless the input ends first. */
  private void ensure(int n) throws IOException {
    while (limit - position < n) {
      System.arraycopy(buffer, position, buffer, 0, limit - position);
      limit -= position;
      position = 0;
      int read = in.read(buffer, limit, buffer.length - limit);
      if (read < 0) {
        return;
      }
      limit += read;
    }
  }

  /**
   * The line end between the line read last and the one before it, as the input has it: LF, CR,
   * CRLF or CR CR LF. A multiline record joins its lines with these, so a quoted value keeps its own
   * line ends.
   */
  public String separatorBeforeLast() {
    return separatorBefore;
  }

  /** Whether the line read last ended with a line break, not with the input. */
  public boolean lastLineEnded() {
    return lastEnded;
  }

  /** The full length, in characters, of the line read last. */
  public long lastLength() {
    return lastLength;
  }

  /** Reads the first character if it is a byte-order mark. */
  public void skipByteOrderMark() throws IOException {
    if ((position < limit || fill()) && buffer[position] == '\uFEFF') {
      position++;
    }
  }

  private boolean fill() throws IOException {
    int n = in.read(buffer);
    while (n == 0) {
      n = in.read(buffer);
    }
    position = 0;
    limit = Math.max(n, 0);
    return n > 0;
  }
}
