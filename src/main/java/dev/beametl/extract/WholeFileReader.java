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
  /** The header cannot be used and no record has said so yet (see RangeReader). */
  private boolean headerProblemUnsaid;
  private long lineNumber;
  private SourceRecord current;
  private long recordsRead;
  /** Why the file stopped being readable (corrupt compressed data), or null. */
  private IOException unreadable;
  private boolean ended;
  private RawChannel raw;

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
    raw = new RawChannel(channel);
    try {
      ReadableByteChannel decompressed = source.compression().readDecompressed(raw);
      CharsetDecoder decoder = source.charset().newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
      reader = new BoundedLineReader(new InputStreamReader(Channels.newInputStream(decompressed), decoder),
          source.spec.maxRecordBytes());
      reader.skipByteOrderMark();
      if (source.hasHeader()) {
        String header = nextRecordText();
        layout = header == null ? null : source.layoutFromHeader(header);
        headerProblemUnsaid = layout != null && layout.headerProblem() != null;
      }
    } catch (IOException e) {
      unreadable = confine(e);
    }
  }

  @Override
  protected boolean readNextRecord() throws IOException {
    if (ended) {
      return false;
    }
    long startLine = lineNumber + 1;
    String text = null;
    if (unreadable == null) {
      try {
        text = nextRecordText();
      } catch (IOException e) {
        unreadable = confine(e);
      }
    }
    if (unreadable != null) {
      // A corrupt or truncated compressed file: what was read stands, the rest is one bad record.
      // A retry would meet the same bytes, so the job goes on.
      current = SourceRecord.unreadable(file, -1, startLine, "the rest of the file cannot be read: its "
          + "compressed data is corrupt or truncated after line " + lineNumber + " ("
          + unreadable.getClass().getSimpleName() + ": " + unreadable.getMessage() + ")");
      ended = true;
      recordsRead++;
      return true;
    }
    if (text == null) {
      if (headerProblemUnsaid) { // no record carries it: the file says it once, as a bad record
        headerProblemUnsaid = false;
        current = FileRecordSource.noRecordAfterHeader(file, -1, 1, layout);
        recordsRead++;
        return true;
      }
      return false;
    }
    headerProblemUnsaid = false;
    long overLength = recordLength > getCurrentSource().spec.maxRecordBytes() ? recordLength : 0;
    current = SourceRecord.of(file, -1, startLine, text, layout, text.indexOf('\uFFFD') >= 0, overLength);
    recordsRead++;
    return true;
  }

  /**
   * An error of the file's content (corrupt or truncated compressed data, whatever the decompressor
   * calls it) is confined to the file; an error reading the bytes themselves (the disk, the network)
   * is rethrown, for the runner to retry.
   */
  private IOException confine(IOException e) throws IOException {
    if (raw.failed) {
      throw e;
    }
    return e;
  }

  /** The file's bytes as read, remembering whether reading them failed. */
  private static final class RawChannel implements ReadableByteChannel {
    private final ReadableByteChannel channel;
    boolean failed;

    RawChannel(ReadableByteChannel channel) {
      this.channel = channel;
    }

    @Override
    public int read(java.nio.ByteBuffer dst) throws IOException {
      try {
        return channel.read(dst);
      } catch (IOException e) {
        failed = true;
        throw e;
      }
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
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
      String separator = reader.separatorBeforeLast(); // "a\r\nb" in quotes stays so (it was "a\nb")
      recordLength += separator.length() + reader.lastLength();
      quotes += countOf(more, quote);
      if (record.length() < max) {
        record.append(separator).append(more, 0, Math.min(more.length(), max - record.length()));
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
