package dev.beametl.extract;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.CsvSyntax;
import dev.beametl.record.CsvSyntax.QuoteState;
import dev.beametl.record.DataError;
import dev.beametl.record.SourceRecord;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.FileSystems;

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
  /** The decompressor's error where the decompressed data ends short, once the lines before it are read. */
  private IOException failure;
  private boolean ended;
  private RawChannel raw;
  /** The file opened again (to read up to a failure, or after an unclosed quote), or null. */
  private InputStream reopened;
  /**
   * The reading the last unclosed quote beyond memory left at the line that broke it, when its lines
   * were read again from another; or null. The next such quote starts after that line, so its lines
   * are read from this one, not from the file's start (see readAfterLine).
   */
  private Reading spare;
  /**
   * Where the last quoted value that took lines and gave them back ended (the line that broke it, or
   * past the end). A line before it that opens a value would take the same lines and end the same
   * way, so it is a record alone at once: k such lines cost k^2/2 line scans (a review's case,
   * lines of {@code x","} before one {@code "a}).
   */
  private long brokenUntil;
  /** Lines a quoted value took and gave back (see nextRecordText), read before the reader's next. */
  private final ArrayDeque<Line> pending = new ArrayDeque<>();

  /** A line as read: its text, the line break before it, and its full length in characters. */
  private record Line(String text, String separatorBefore, long length) {}

  /** A reading of the file from its start: its lines, its bytes, and the stream to close (null: Beam's). */
  private record Reading(BoundedLineReader lines, RawChannel raw, InputStream opened) {}

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
    UnchangedFile.check(source.getSingleFileMetadata());
    raw = new RawChannel(channel);
    measureCharset();
    try {
      readLinesOf(new EndsAtFailure(decompressed(raw)));
      if (source.hasHeader()) {
        String header = nextRecordText();
        header = failure != null && !reader.lastLineEnded() ? null : header;
        header = header == null ? null : header.replace(malformedMark, '\uFFFD');
        layout = header == null ? null : source.layoutFromHeader(header, bytes(header));
        headerProblemUnsaid = layout != null && layout.headerProblem() != null;
      }
    } catch (CorruptFile e) {
      throw e.failure();
    } catch (IOException e) {
      unreadable = confine(e);
    }
  }

  private InputStream decompressed(ReadableByteChannel channel) throws IOException {
    return Channels.newInputStream(getCurrentSource().compression().readDecompressed(channel));
  }

  /**
   * The decompressed bytes up to where the compressed data stops being readable; there it ends, and
   * {@link #failure} says why. Beam's decompressors drop what they decompressed in the call that
   * fails (a truncated file lost up to 64K characters of good lines), so the file is read again up to
   * that point and on: a gzip file with the JDK's decompressor, which hands out every byte before it
   * fails, others in single bytes. Data that fails its checksum (or a structure check) may be wrong
   * before the failure as well: the rows read from it cannot be trusted, and the read fails, naming
   * the file.
   */
  private final class EndsAtFailure extends InputStream {
    private InputStream in;
    private long delivered;
    private boolean byteByByte;
    /** The first pass's error, while the file is read again. */
    private IOException again;

    EndsAtFailure(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failure != null) {
        return -1;
      }
      try {
        int n = in.read(b, off, byteByByte ? Math.min(len, 1) : len);
        delivered += Math.max(n, 0);
        if (n < 0 && again != null) { // the JDK's gzip ends quietly at bytes after a whole stream
          failure = again;
        }
        return n;
      } catch (IOException e) {
        confine(e);
        if (!endsShort(e)) {
          throw new CorruptFile(file + ": its compressed data is corrupt (" + e.getClass().getSimpleName() + ": "
              + e.getMessage() + "), so the rows read from it cannot be trusted; replace the file, or move it out "
              + "of the input");
        }
        if (again == null) {
          again = e;
          in.close();
          in = againUpTo(delivered);
          reopened = in;
          byteByByte = getCurrentSource().compression() != Compression.GZIP;
          return read(b, off, len);
        }
        failure = e;
        return -1;
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * Fails the read, and with it the run: a retry meets the same bytes, and a dead letter would pass
   * rows. An IOException where a stream's read throws it; it leaves the reader as a DataError, which
   * the runner does not restart (it retried it six times, 25 s, first).
   */
  static final class CorruptFile extends IOException {
    CorruptFile(String message) {
      super(message);
    }

    /** This failure as it leaves the reader. */
    DataError failure() {
      return new DataError(getMessage(), this);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      if (reopened != null) {
        reopened.close();
      }
      if (spare != null && spare.opened() != null) {
        spare.opened().close();
      }
    }
    UnchangedFile.check(getCurrentSource().getSingleFileMetadata());
  }

  /** The file decompressed again, its first {@code bytes} skipped. */
  private InputStream againUpTo(long bytes) throws IOException {
    openAgain();
    InputStream again = null;
    try {
      again = getCurrentSource().compression() != Compression.GZIP ? decompressed(raw)
          : new GZIPInputStream(new AlwaysAvailable(Channels.newInputStream(raw)), 1 << 16);
      byte[] skip = new byte[1 << 16];
      for (long left = bytes; left > 0; ) {
        int n = again.read(skip, 0, (int) Math.min(skip.length, left));
        if (n < 0) {
          throw new IOException(file + " changed while it was read");
        }
        left -= n;
      }
      return again;
    } catch (IOException | RuntimeException e) {
      if (again != null) {
        again.close();
      }
      raw.close();
      throw e;
    }
  }

  /**
   * Says bytes are available until the end: the JDK's gzip reads a member after another only when
   * its input says so, and a channel's stream may say 0 with more to come.
   */
  private static final class AlwaysAvailable extends FilterInputStream {
    AlwaysAvailable(InputStream in) {
      super(in);
    }

    @Override
    public int available() {
      return 1;
    }
  }

  /**
   * Whether the decompressed data just ends (a truncated stream, or bytes after a whole one that are
   * not another), so that what came before it is sound.
   */
  private static boolean endsShort(IOException e) {
    return e instanceof EOFException || says(e, "unexpected end") || says(e, "truncated") || says(e, "premature end")
        || afterWholeStream(e);
  }

  /** Bytes after a whole stream that are not another: the stream before them ended as it should. */
  private static boolean afterWholeStream(IOException e) {
    return says(e, "garbage after a valid");
  }

  /** Whether the decompressor's message holds {@code words}, in any case: what it calls the failure. */
  private static boolean says(IOException e, String words) {
    return String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains(words);
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
      } catch (CorruptFile e) {
        throw e.failure();
      } catch (IOException e) {
        unreadable = confine(e);
      }
      if (failure != null && (text == null || (!reader.lastLineEnded() && !afterWholeStream(failure)))) {
        unreadable = failure; // the line the data ended in is cut: it belongs to the unreadable rest
        lineNumber = startLine - 1;
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
    boolean malformed = text.indexOf(malformedMark) >= 0;
    if (malformed) {
      text = text.replace(malformedMark, '\uFFFD');
    }
    long overLength = overLength(text);
    current = SourceRecord.of(file, -1, startLine, text, layout, malformed, overLength);
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

  /**
   * The record's length in bytes of the file's charset when that is over maxRecordBytes, else 0. The
   * reader counts characters; a record of 302 bytes and 102 characters passed a limit of 200 here and
   * was too_long read in byte ranges (a trial): counted in bytes where the characters could be more.
   */
  private long overLength(String text) {
    long bytes = bytes(text);
    return bytes > maxRecordBytes ? bytes : 0;
  }

  /**
   * The last record's bytes in the file's charset as far as maxRecordBytes needs them: its characters
   * when they are more than the limit already (the text is cut) or cannot be more bytes than it, else
   * counted, without the byte-order mark an encoder may put before every text (Java's UTF-16 does).
   */
  private long bytes(String text) {
    if (recordLength > maxRecordBytes || recordLength * (double) maxBytesPerChar <= maxRecordBytes || counted == null) {
      return recordLength;
    }
    return text.getBytes(counted).length - markBytes;
  }

  /** What {@link #bytes} needs of the file's charset, found once per file (not per record: its getters lock). */
  private void measureCharset() {
    maxRecordBytes = getCurrentSource().spec.maxRecordBytes();
    java.nio.charset.Charset charset = getCurrentSource().charset();
    counted = charset.canEncode() ? charset : null;
    maxBytesPerChar = counted == null ? 4 : charset.newEncoder().maxBytesPerChar();
    markBytes = counted == null ? 0 : 2 * "a".getBytes(charset).length - "aa".getBytes(charset).length;
  }

  private transient int maxRecordBytes;
  private transient float maxBytesPerChar;
  private transient @javax.annotation.Nullable java.nio.charset.Charset counted;
  private transient int markBytes;

  /** The next record's text: one line, or for multi-line CSV as many lines as an open quote spans. */
  private String nextRecordText() throws IOException {
    FileRecordSource source = getCurrentSource();
    if (!source.spec.multiline()) {
      String text = reader.readLine();
      if (text != null) {
        lineNumber++;
        recordLength = reader.lastLength();
      }
      return text;
    }
    Line line = nextLine();
    if (line == null) {
      return null;
    }
    lineNumber++;
    recordLength = line.length();
    char quote = source.spec.quote();
    char delimiter = source.spec.delimiter();
    boolean trim = source.spec.trim();
    if (!CsvSyntax.openAfter(line.text(), false, delimiter, quote, trim) || lineNumber < brokenUntil) {
      return line.text();
    }
    StringBuilder record = new StringBuilder(line.text());
    int max = source.spec.maxRecordBytes();
    long first = lineNumber;
    long firstLength = recordLength;
    // The lines taken, while the record holds them whole: given back if the quote proves a stray one.
    List<Line> taken = new ArrayList<>();
    boolean whole = true;
    boolean open = true;
    while (open) {
      Line more = nextLine();
      QuoteState state = more == null ? QuoteState.OPEN
          : CsvSyntax.quoteState(more.text(), true, delimiter, quote, trim);
      if (more == null || state == QuoteState.BROKEN) {
        // The quote that opened the value was a stray one: it never closes (a hostile trial: 9,951
        // good records hidden in one bad one, within maxBadRatio), or a later line's stray quote
        // "closes" it and text follows (one per 50 lines hid 490 of 1,000 records in 10). The
        // record is its first line alone, which the validator refuses, and the lines after it
        // are records again: from memory, or when the record could not hold them all, read from
        // the file once more, for every such quote (a limit of 16 a file let the 17th take the
        // lines up to the next quote into one too_long record: 4,000 of 40,000 rows lost, exit 0).
        boolean tookLines = more != null || lineNumber > first;
        if (tookLines) {
          brokenUntil = more == null ? Long.MAX_VALUE : lineNumber + 1;
          if (whole && failure == null) {
            if (more != null) {
              taken.add(more);
            }
            for (int k = taken.size() - 1; k >= 0; k--) {
              pending.addFirst(taken.get(k));
            }
          } else {
            failure = null; // met again, if the data ends short, by the next read
            pending.clear();
            readAfterLine(first);
          }
          lineNumber = first;
          recordLength = firstLength;
          return line.text();
        }
        if (more == null) {
          break; // an unterminated quote: the parser reports it for this record
        }
      }
      lineNumber++;
      recordLength += more.separatorBefore().length() + more.length(); // "a\r\nb" in quotes stays so (it was "a\nb")
      open = state == QuoteState.OPEN;
      if (whole && record.length() + more.separatorBefore().length() + more.text().length() <= max) {
        record.append(more.separatorBefore()).append(more.text());
        taken.add(more);
      } else {
        whole = false;
        taken.clear();
        if (record.length() < max) {
          record.append(more.separatorBefore());
          record.append(more.text(), 0, Math.min(more.text().length(), Math.max(0, max - record.length())));
        }
      }
    }
    return record.toString();
  }

  /** The next line: one given back, or the reader's. */
  private Line nextLine() throws IOException {
    Line given = pending.pollFirst();
    if (given != null) {
      return given;
    }
    String text = reader.readLine();
    return text == null ? null : new Line(text, reader.separatorBeforeLast(), reader.lastLength());
  }

  /**
   * Makes the reader give the lines after line {@code line} next, read from the file again: the lines
   * an unclosed quote took may be more than memory holds. The reading they are taken from is the one
   * the last such quote left behind where it broke, which is before this quote's first line, or else
   * a new one from the file's start; the reading being left is kept for the next quote. So each of
   * the two readings goes through the file once, however many unclosed quotes it has.
   */
  private void readAfterLine(long line) throws IOException {
    Reading left = new Reading(reader, raw, reopened);
    Reading behind = spare != null && spare.lines().linesRead() <= line ? spare : fromStart();
    if (behind != spare && spare != null && spare.opened() != null) {
      spare.opened().close();
    }
    spare = left;
    reader = behind.lines();
    raw = behind.raw();
    reopened = behind.opened();
    while (reader.linesRead() < line && reader.readLine() != null) {
      // skipped: read before
    }
  }

  /** A new reading of the file, from its start. */
  private Reading fromStart() throws IOException {
    openAgain();
    InputStream opened = new EndsAtFailure(decompressed(raw));
    readLinesOf(opened);
    return new Reading(reader, raw, opened);
  }

  /**
   * What the decoder puts for bytes it cannot decode: a lone low surrogate, which no valid input
   * decodes to, so a record holding one is badly encoded, and one holding U+FFFD is not - with
   * U+FFFD as the replacement, a valid U+FFFD in a gzip file made its good record bad (a review;
   * read in byte ranges it was good). Shown as U+FFFD once found.
   */
  static final char MALFORMED = '\uDFFF';

  /** The replacement this file's decoder puts: {@link #MALFORMED}, or its charset's own. */
  private transient char malformedMark = MALFORMED;

  /** Reads lines from {@code decompressed}, decoded as the source says, after any byte-order mark. */
  private void readLinesOf(InputStream decompressed) throws IOException {
    java.nio.charset.Charset charset = getCurrentSource().charset();
    if (!Utf8Mark.skippedIn(charset)) {
      java.io.PushbackInputStream start = new java.io.PushbackInputStream(decompressed, Utf8Mark.BYTES.length);
      byte[] first = start.readNBytes(Utf8Mark.BYTES.length);
      if (java.util.Arrays.equals(first, Utf8Mark.BYTES)) {
        Utf8Mark.refuseIn(charset, getCurrentSource().fileName());
      }
      start.unread(first);
      decompressed = start;
    }
    CharsetDecoder decoder = charset.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      decoder.replaceWith(String.valueOf(MALFORMED));
    } catch (IllegalArgumentException e) {
      // a charset whose decoder takes no such replacement: its own (U+FFFD) marks bad bytes, as before
    }
    malformedMark = decoder.replacement().charAt(0);
    reader = new BoundedLineReader(new InputStreamReader(decompressed, decoder),
        getCurrentSource().spec.maxRecordBytes(),
        getCurrentSource().spec.format() == dev.beametl.spec.SourceSpec.Format.CSV);
    reader.skipByteOrderMark();
  }

  /** The file's bytes from its start, on a channel of their own. */
  private void openAgain() throws IOException {
    raw = new RawChannel(FileSystems.open(getCurrentSource().getSingleFileMetadata().resourceId()));
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
