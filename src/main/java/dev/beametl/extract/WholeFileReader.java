package dev.beametl.extract;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.io.FileBasedSource;

/**
 * Reads a whole file as one bundle: decompresses, decodes, and, for multi-line CSV, joins physical
 * lines while a quoted field is open. Only the first record is a split point, so the range tracker
 * never stops the read early.
 */
final class WholeFileReader extends FileBasedSource.FileBasedReader<SourceRecord> {
  /** Lines are counted from the file's start, so the file cannot be cut at a record. */
  @Override
  public boolean allowsDynamicSplitting() {
    return false;
  }

  private final String file;
  private BoundedLineReader reader;
  private long recordLength;
  private ColumnLayout layout;
  private long lineNumber;
  private SourceRecord current;
  private long recordsRead;

  WholeFileReader(FileRecordSource source) {
    super(source);
    file = source.fileName();
  }

  @Override
  public FileRecordSource getCurrentSource() {
    return (FileRecordSource) super.getCurrentSource();
  }

  @Override
  protected void startReading(ReadableByteChannel channel) throws IOException {
    FileRecordSource source = getCurrentSource();
    ReadableByteChannel decompressed = source.compression().readDecompressed(channel);
    CharsetDecoder decoder = source.charset().newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    reader = new BoundedLineReader(new InputStreamReader(Channels.newInputStream(decompressed), decoder),
        source.spec.maxRecordBytes());
    reader.skipByteOrderMark();
    if (source.hasHeader()) {
      String header = nextRecordText();
      layout = header == null ? null : source.layoutFromHeader(header);
    }
  }

  @Override
  protected boolean readNextRecord() throws IOException {
    long startLine = lineNumber + 1;
    String text = nextRecordText();
    if (text == null) {
      return false;
    }
    long overLength = recordLength > getCurrentSource().spec.maxRecordBytes() ? recordLength : 0;
    current = SourceRecord.of(file, -1, startLine, text, layout, text.indexOf('\uFFFD') >= 0, overLength);
    recordsRead++;
    return true;
  }

  /** The next record's text: one line, or for multi-line CSV as many lines as an open quote spans. */
  private String nextRecordText() throws IOException {
    String line = reader.readLine();
    if (line == null) {
      return null;
    }
    lineNumber++;
    recordLength = reader.lastLength();
    FileRecordSource source = getCurrentSource();
    if (!source.spec.multiline()) {
      return line;
    }
    char quote = source.spec.quote();
    int quotes = countOf(line, quote);
    if (quotes % 2 == 0) {
      return line;
    }
    StringBuilder record = new StringBuilder(line);
    int max = source.spec.maxRecordBytes();
    while (quotes % 2 == 1) {
      String more = reader.readLine();
      if (more == null) {
        break; // an unterminated quote: the parser reports it for this record
      }
      lineNumber++;
      recordLength += 1 + reader.lastLength();
      quotes += countOf(more, quote);
      if (record.length() < max) {
        record.append('\n').append(more, 0, Math.min(more.length(), max - record.length()));
      }
    }
    return record.toString();
  }

  private static int countOf(CharSequence s, char c) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == c) {
        n++;
      }
    }
    return n;
  }

  @Override
  protected boolean isAtSplitPoint() {
    return recordsRead == 1;
  }

  @Override
  protected long getCurrentOffset() {
    return 0;
  }

  @Override
  public SourceRecord getCurrent() throws NoSuchElementException {
    if (current == null) {
      throw new NoSuchElementException();
    }
    return current;
  }
}
