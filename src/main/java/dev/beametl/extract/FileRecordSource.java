package dev.beametl.extract;

import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.ValueProvider.StaticValueProvider;

/**
 * Reads line-oriented files (CSV, JSON lines) into {@link SourceRecord}s. Plain files in an
 * ASCII-compatible charset are split into byte ranges that several workers read at once: a range
 * owns the records that start inside it. Compressed files, UTF-16/32 files and CSV whose quoted
 * fields may hold line breaks cannot be split safely, so they are read whole, with line numbers.
 */
public class FileRecordSource extends FileBasedSource<SourceRecord> {
  /** Below this a file is not worth splitting further. */
  public static final long MIN_BUNDLE_BYTES = 16 << 10;

  private final SourceSpec spec;
  private final List<String> schemaFields;

  public FileRecordSource(SourceSpec spec, List<String> schemaFields) {
    super(StaticValueProvider.of(spec.path()), EmptyMatchTreatment.DISALLOW, MIN_BUNDLE_BYTES);
    this.spec = spec;
    this.schemaFields = List.copyOf(schemaFields);
  }

  private FileRecordSource(SourceSpec spec, List<String> schemaFields, Metadata file, long start, long end) {
    super(file, MIN_BUNDLE_BYTES, start, end);
    this.spec = spec;
    this.schemaFields = schemaFields;
  }

  @Override
  protected FileBasedSource<SourceRecord> createForSubrangeOfFile(Metadata file, long start, long end) {
    return new FileRecordSource(spec, schemaFields, file, start, end);
  }

  @Override
  protected FileBasedReader<SourceRecord> createSingleFileReader(PipelineOptions options) {
    return readInRanges() ? new RangeReader(this) : new WholeFileReader(this);
  }

  @Override
  protected boolean isSplittable() throws Exception {
    return getMode() == Mode.FILEPATTERN || (super.isSplittable() && readInRanges());
  }

  @Override
  public Coder<SourceRecord> getOutputCoder() {
    return SourceRecord.RecordCoder.of();
  }

  private boolean readInRanges() {
    return compression() == Compression.UNCOMPRESSED && !spec.multiline() && newlineIsOneByte(charset());
  }

  private Compression compression() {
    switch (spec.compression()) {
      case NONE:
        return Compression.UNCOMPRESSED;
      case GZIP:
        return Compression.GZIP;
      default:
        return Compression.detect(getSingleFileMetadata().resourceId().getFilename());
    }
  }

  private Charset charset() {
    return Charset.forName(spec.charset());
  }

  /** True where a 0x0A byte is always a line feed: UTF-8, ASCII, ISO-8859-x and the like. */
  public static boolean newlineIsOneByte(Charset charset) {
    return Arrays.equals("\n".getBytes(charset), new byte[] {'\n'})
        && Arrays.equals("a".getBytes(charset), new byte[] {'a'});
  }

  private String fileName() {
    return getSingleFileMetadata().resourceId().toString();
  }

  private ColumnLayout layoutFromHeader(String headerLine) throws IOException {
    List<String> header = CsvFormats.parseRecord(CsvFormats.of(spec), headerLine);
    return ColumnLayout.fromHeader(header, schemaFields);
  }

  private boolean hasHeader() {
    return spec.format() == SourceSpec.Format.CSV && spec.header();
  }

  /** Reads the records that start in this source's byte range, one line each. */
  static final class RangeReader extends FileBasedReader<SourceRecord> {
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    private final String file;
    private final Charset charset;
    private ReadableByteChannel channel;
    private ColumnLayout layout;
    private long bufferStart; // file offset of buffer position 0
    private boolean eof;
    private byte[] line = new byte[1024];
    private int lineLength;
    private long fullLength; // bytes in the line, including any beyond maxRecordBytes
    private final int maxRecordBytes;
    private long nextRecordStart;
    private SourceRecord current;

    RangeReader(FileRecordSource source) {
      super(source);
      file = source.fileName();
      charset = source.charset();
      maxRecordBytes = source.spec.maxRecordBytes();
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
      long start = source.getStartOffset();
      SeekableByteChannel seekable = (SeekableByteChannel) channel;
      seek(seekable, 0);
      boolean bom = readAhead(UTF8_BOM.length) && startsWith(UTF8_BOM) && charset.name().startsWith("UTF-8");
      long firstRecord = bom ? UTF8_BOM.length : 0;
      if (source.hasHeader()) {
        skip(firstRecord);
        boolean any = readLine();
        layout = any ? source.layoutFromHeader(decode().text) : null;
        firstRecord = nextRecordStart;
      }
      if (start <= firstRecord) {
        seek(seekable, firstRecord);
      } else {
        // A record starts in this range at the first byte after a line feed at or after start-1.
        seek(seekable, start - 1);
        readLine();
      }
    }

    @Override
    protected boolean readNextRecord() throws IOException {
      long recordStart = nextRecordStart;
      if (!readLine()) {
        return false;
      }
      Decoded d = decode();
      current = SourceRecord.of(file, recordStart, 0, d.text, layout, d.bad,
          fullLength > maxRecordBytes ? fullLength : 0);
      return true;
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

    /** Reads the bytes up to the next line feed into {@link #line}; false at the end of the file. */
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
        while (i < to && array[i] != '\n') {
          i++;
        }
        append(array, from, i - from);
        if (i < to) {
          buffer.position(i + 1);
          nextRecordStart = bufferStart + i + 1;
          break;
        }
        buffer.position(to);
        nextRecordStart = bufferStart + to;
      }
      if (lineLength > 0 && line[lineLength - 1] == '\r' && fullLength == lineLength) {
        lineLength--;
        fullLength--;
      }
      return any;
    }

    /** Keeps at most maxRecordBytes of a line (+1 for a CR); the rest is only counted. */
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
  }

  private static final class Decoded {
    final String text;
    final boolean bad;

    Decoded(String text, boolean bad) {
      this.text = text;
      this.bad = bad;
    }
  }

  /**
   * Reads a whole file as one bundle: decompresses, decodes, and, for multi-line CSV, joins physical
   * lines while a quoted field is open. Only the first record is a split point, so the range tracker
   * never stops the read early.
   */
  static final class WholeFileReader extends FileBasedReader<SourceRecord> {
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
}
