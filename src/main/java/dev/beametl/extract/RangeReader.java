package dev.beametl.extract;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.io.FileBasedSource;

/** Reads the records that start in this source's byte range, one line each. */
final class RangeReader extends FileBasedSource.FileBasedReader<SourceRecord> {
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private final String file;
  private final Charset charset;
  private ReadableByteChannel channel;
  private ColumnLayout layout;
  /**
   * The header cannot be used and no record has said so yet: a file whose header line swallowed the
   * whole file (lines ending in a lone CR, the wrong charset) has no record to carry the problem.
   */
  private boolean headerProblemUnsaid;
  private long bufferStart; // file offset of buffer position 0
  private boolean eof;
  private byte[] line = new byte[1024];
  private int lineLength;
  private long fullLength; // bytes in the line, including any beyond maxRecordBytes
  private final int maxRecordBytes;
  /**
   * Whether a CR alone ends a line: in a CSV file, yes (see endAtCarriageReturn); in JSON lines, which
   * end in LF, a CR between tokens is whitespace (a trial: such records were read as two halves).
   */
  private final boolean loneCrEndsLine;
  private static final byte[] CR = {'\r'};
  private long nextRecordStart;
  private SourceRecord current;

  RangeReader(FileRecordSource source) {
    super(source);
    file = source.fileName();
    charset = source.charset();
    maxRecordBytes = source.spec.maxRecordBytes();
    loneCrEndsLine = source.spec.format() == dev.beametl.spec.SourceSpec.Format.CSV;
    buffer.flip();
  }

  @Override
  public FileRecordSource getCurrentSource() {
    return (FileRecordSource) super.getCurrentSource();
  }

  @Override
  protected void startReading(ReadableByteChannel channel) throws IOException {
    this.channel = channel;
    FileRecordSource source = getCurrentSource();
    UnchangedFile.check(source.getSingleFileMetadata());
    long start = source.getStartOffset();
    SeekableByteChannel seekable = (SeekableByteChannel) channel;
    seek(seekable, 0);
    boolean bom = readAhead(Utf8Mark.BYTES.length) && startsWith(Utf8Mark.BYTES);
    if (bom) {
      Utf8Mark.refuseIn(charset, file);
    }
    long firstRecord = bom ? Utf8Mark.BYTES.length : 0;
    if (source.hasHeader()) {
      skip(firstRecord);
      boolean any = readLine();
      layout = any ? source.layoutFromHeader(decode().text, fullLength) : null;
      firstRecord = nextRecordStart;
      headerProblemUnsaid = layout != null && layout.headerProblem() != null && start == 0; // one range says it
    }
    if (start <= firstRecord) {
      seek(seekable, firstRecord);
    } else {
      // A record starts in this range at the first byte after a line end (LF, CRLF, CR CR LF, a lone
      // CR in a CSV file) at or after start-1.
      seek(seekable, start - 1);
      readLine();
    }
  }

  @Override
  protected boolean readNextRecord() throws IOException {
    long recordStart = nextRecordStart;
    if (!readLine()) {
      UnchangedFile.check(getCurrentSource().getSingleFileMetadata()); // not cut short under this range
      if (headerProblemUnsaid) { // no record carries it: the file says it once, as a bad record
        headerProblemUnsaid = false;
        current = FileRecordSource.noRecordAfterHeader(file, 0, 0, layout);
        return true;
      }
      return false;
    }
    headerProblemUnsaid = false;
    Decoded d = decode();
    current = SourceRecord.of(file, recordStart, 0, d.text, layout, d.bad,
        fullLength > maxRecordBytes ? fullLength : 0);
    return true;
  }

  @Override
  public void close() throws IOException {
    super.close();
    UnchangedFile.check(getCurrentSource().getSingleFileMetadata());
  }

  @Override
  protected long getCurrentOffset() throws NoSuchElementException {
    if (current == null) {
      throw new NoSuchElementException();
    }
    return current.offset();
  }

  @Override
  public SourceRecord getCurrent() throws NoSuchElementException {
    if (current == null) {
      throw new NoSuchElementException();
    }
    return current;
  }

  private void seek(SeekableByteChannel seekable, long position) throws IOException {
    seekable.position(position);
    buffer.clear().flip();
    bufferStart = position;
    nextRecordStart = position;
    eof = false;
  }

  private void skip(long bytes) {
    buffer.position(buffer.position() + (int) bytes);
    nextRecordStart += bytes;
  }

  private boolean startsWith(byte[] prefix) {
    for (int i = 0; i < prefix.length; i++) {
      if (buffer.get(buffer.position() + i) != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Makes at least n bytes available unless the file ends first. */
  private boolean readAhead(int n) throws IOException {
    while (buffer.remaining() < n && !eof) {
      fill();
    }
    return buffer.remaining() >= n;
  }

  private void fill() throws IOException {
    bufferStart += buffer.position();
    buffer.compact();
    int read = channel.read(buffer);
    if (read < 0) {
      eof = true;
    }
    buffer.flip();
  }

  /** Reads the bytes up to the next line end (see endAtCarriageReturn) into {@link #line}; false at the end. */
  private boolean readLine() throws IOException {
    lineLength = 0;
    fullLength = 0;
    boolean any = false;
    while (true) {
      if (!buffer.hasRemaining()) {
        if (eof) {
          break;
        }
        fill();
        continue;
      }
      any = true;
      byte[] array = buffer.array();
      int from = buffer.position();
      int to = buffer.limit();
      int i = from;
      byte b = 0;
      while (i < to && (b = array[i]) != '\n' && b != '\r') {
        i++;
      }
      append(array, from, i - from);
      if (i < to) {
        buffer.position(i + 1);
        if (b == '\r' && !endAtCarriageReturn()) {
          append(CR, 0, 1); // not a line end here: the line goes on
          continue;
        }
        nextRecordStart = bufferStart + buffer.position();
        break;
      }
      buffer.position(to);
      nextRecordStart = bufferStart + to;
    }
    return any;
  }

  /**
   * A CR ends a line, with the LF after it (CRLF), or with CR LF after it (CR CR LF, a CRLF file
   * converted once more), or alone, as in a file read whole (BoundedLineReader): a file whose lines
   * end in LF and, after the 64 KB it was judged by, in a lone CR gave one record for all those lines
   * - a value holding them, or one bad record (a hostile trial: 4,100 records read as 4,001, exit 0).
   * Each range finds its first record by this rule too, so ranges still meet at record starts. A CR
   * inside a quoted value needs {@code csv.multiline}, as an LF does. Whether the line ended: a lone
   * CR does not end a JSON line.
   */
  private boolean endAtCarriageReturn() throws IOException {
    readAhead(2);
    int p = buffer.position();
    int left = buffer.remaining();
    if (left >= 1 && buffer.get(p) == '\n') {
      buffer.position(p + 1);
      return true;
    } else if (left >= 2 && buffer.get(p) == '\r' && buffer.get(p + 1) == '\n') {
      buffer.position(p + 2);
      return true;
    }
    return loneCrEndsLine;
  }

  /** Keeps at most maxRecordBytes + 1 bytes of a line (one more than a record may have); the rest is only counted. */
  private void append(byte[] src, int from, int length) {
    fullLength += length;
    length = Math.min(length, maxRecordBytes + 1 - lineLength);
    if (length <= 0) {
      return;
    }
    if (lineLength + length > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
    }
    System.arraycopy(src, from, line, lineLength, length);
    lineLength += length;
  }

  private Decoded decode() {
    String text = new String(line, 0, lineLength, charset);
    // The fast decoder replaces bad bytes silently; only when a replacement shows do we check strictly.
    boolean bad = text.indexOf('\uFFFD') >= 0 && !strictlyValid();
    return new Decoded(text, bad);
  }

  private boolean strictlyValid() {
    CharsetDecoder strict = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      strict.decode(ByteBuffer.wrap(line, 0, lineLength));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  private static final class Decoded {
    final String text;
    final boolean bad;
  
    Decoded(String text, boolean bad) {
      this.text = text;
      this.bad = bad;
    }
  }
}
