package dev.beametl.extract;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines (ended by LF, CRLF or CR) like {@link java.io.BufferedReader#readLine()}, but keeps at
 * most {@code maxChars} of each: a file without line breaks cannot fill the heap. The full length of
 * the last line is still reported, so the caller can reject it.
 */
public final class BoundedLineReader {
  private final Reader in;
  private final int maxChars;
  private final char[] buffer = new char[1 << 16];
  private int position;
  private int limit;
  private boolean skipLineFeed; // the last line ended with CR: a following LF belongs to it
  private long lastLength;
  private boolean lastEnded;
  private String separatorBefore = "\n";

  public BoundedLineReader(Reader in, int maxChars) {
    this.in = in;
    this.maxChars = maxChars;
  }

  /** The next line without its terminator, cut at maxChars; null at the end of the input. */
  public String readLine() throws IOException {
    StringBuilder line = null;
    long length = 0;
    separatorBefore = skipLineFeed ? "\r" : "\n";
    lastEnded = false;
    while (true) {
      if (position == limit && !fill()) {
        if (line == null) {
          return null;
        }
        break;
      }
      if (skipLineFeed) {
        skipLineFeed = false;
        if (buffer[position] == '\n') {
          position++;
          separatorBefore = "\r\n";
          continue;
        }
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
        skipLineFeed = buffer[i] == '\r';
        position = i + 1;
        lastEnded = true;
        break;
      }
      position = limit;
    }
    lastLength = length;
    return line.toString();
  }

  /**
   * The line end between the line read last and the one before it, as the input has it: LF, CR or
   * CRLF. A multiline record joins its lines with these, so a quoted value keeps its own line ends.
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
