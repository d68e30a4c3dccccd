package dev.beametl.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.ColumnMatch;
import dev.beametl.record.SourceRecord;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.InitContext;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * Reads Parquet files split by row group: a byte range owns the row groups whose midpoint lies in
 * it (Parquet's own rule for file splits), so several workers read one large file and every row
 * group is read exactly once. Each row becomes a {@link SourceRecord} whose text is the row as a JSON
 * object, so Parquet input passes the same Validate stage as JSON lines; its origin is the file and
 * the 1-based row number.
 */
public class ParquetRecordSource extends FileBasedSource<SourceRecord> {
  /** Row groups are megabytes; smaller ranges would own none. */
  public static final long MIN_BUNDLE_BYTES = 1 << 20;

  /** The one Parquet file {@code path} names, whole, as a source that splits by row group. */
  public static ParquetRecordSource forFile(String path) throws IOException {
    List<Metadata> files = InputFiles.match(path);
    if (files.size() != 1) {
      throw new IOException(path + " names " + files.size() + " files, not one");
    }
    return new ParquetRecordSource(files.get(0), 0, files.get(0).sizeBytes(), List.of(), Map.of());
  }

  /** The Parquet files {@code glob} names, each once ({@link InputFiles}), as one source. */
  public static BoundedSource<SourceRecord> forFiles(String glob) throws IOException {
    return forFiles(InputFiles.match(glob));
  }

  /** These Parquet files. */
  static BoundedSource<SourceRecord> forFiles(List<Metadata> files) {
    return forFiles(files, List.of());
  }

  /**
   * These Parquet files, of which only the top-level columns named {@code columns} (exactly or in
   * another case, as Validate matches them) are read; none named, or a file without one of them:
   * every column.
   */
  static BoundedSource<SourceRecord> forFiles(List<Metadata> files, List<String> columns) {
    return forFiles(files, columns, Map.of());
  }

  /**
   * As {@link #forFiles(List, List)}; a typed DATE or TIMESTAMP column of a field named in {@code
   * temporalTexts} is written in the field's format ({@link TemporalText}).
   */
  static BoundedSource<SourceRecord> forFiles(List<Metadata> files, List<String> columns,
      Map<String, TemporalText> temporalTexts) {
    List<String> wanted = List.copyOf(columns);
    Map<String, TemporalText> texts = Map.copyOf(temporalTexts);
    // A file of 0 bytes is no Parquet file: a range of one byte opens it, so it says so as a bad
    // record (an empty range never opened it: no row and no word, where DuckDB refuses the file).
    return new FileSetSource<>(files, file -> new ParquetRecordSource(file, 0, Math.max(1, file.sizeBytes()), wanted, texts),
        SourceRecord.RecordCoder.of());
  }

  /** The columns read; empty: all. */
  private final List<String> columns;
  /** By field (source) name, how its typed dates or timestamps are written; see {@link TemporalText}. */
  private final Map<String, TemporalText> temporalTexts;

  private ParquetRecordSource(Metadata file, long start, long end, List<String> columns,
      Map<String, TemporalText> temporalTexts) {
    super(file, MIN_BUNDLE_BYTES, start, end);
    this.columns = columns;
    this.temporalTexts = temporalTexts;
  }

  @Override
  protected FileBasedSource<SourceRecord> createForSubrangeOfFile(Metadata file, long start, long end) {
    return new ParquetRecordSource(file, start, end, columns, temporalTexts);
  }

  @Override
  protected FileBasedReader<SourceRecord> createSingleFileReader(PipelineOptions options) {
    UnchangedFile.checkBeforeOpening(getSingleFileMetadata());
    return new RowGroupReader(this);
  }

  @Override
  public Coder<SourceRecord> getOutputCoder() {
    return SourceRecord.RecordCoder.of();
  }

  /** Reads the row groups of one range; its records are not split points, so it is split only statically. */
  static final class RowGroupReader extends FileBasedReader<SourceRecord> {
    private final ObjectMapper json = new ObjectMapper();
    private ParquetReader<Group> reader;
    private String file;
    private long row;
    private long recordsRead;
    private SourceRecord current;
    /** Why the file (or its rest) cannot be read, or null. */
    private String unreadable;
    private boolean ended;
    /** Which of the schema's fields this file has no column for, or null when it has them all. */
    private @Nullable ColumnLayout layout;
    /** By this file's column name, how its typed dates or timestamps are written (the field's format). */
    private Map<String, TemporalText> temporalColumns = Map.of();

    /** {@link #isSchemaColumn}, made once: it is asked of every row. */
    private final java.util.function.Predicate<String> schemaColumn = this::isSchemaColumn;

    RowGroupReader(ParquetRecordSource source) {
      super(source);
    }

    /** Whether the file's column {@code name} is one the schema reads (every column, when none are named). */
    private boolean isSchemaColumn(String name) {
      List<String> columns = ((ParquetRecordSource) getCurrentSource()).columns;
      return columns.isEmpty() || columns.stream().anyMatch(c -> c.equalsIgnoreCase(name));
    }

    @Override
    protected void startReading(ReadableByteChannel channel) throws IOException {
      ParquetRecordSource source = (ParquetRecordSource) getCurrentSource();
      file = source.getSingleFileMetadata().resourceId().toString();
      UnchangedFile.check(source.getSingleFileMetadata()); // row groups are planned from the listed file
      try {
        open(source, channel);
      } catch (IOException | RuntimeException e) {
        if (cutShort((SeekableByteChannel) channel, source.getSingleFileMetadata().sizeBytes())) {
          // A partial copy: one bad record stood for all its rows, within the bad-record limits.
          throw new WholeFileReader.CorruptFile(file + ": it begins as a Parquet file but ends before its footer "
              + "(cut short, as a partial copy is), so all its rows would be lost; replace the file, or move it out "
              + "of the input").failure();
        }
        // Every byte range of the file fails here; the first one stands for the whole file.
        unreadable = "not a readable Parquet file (" + e.getClass().getSimpleName() + ": " + firstLine(e) + ")";
        ended = source.getStartOffset() > 0;
      }
    }

    /**
     * The file's column for each field in {@code texts}, matched as Validate matches a row's keys:
     * against every schema field ({@code fields}), so a column another field takes is not this one's.
     */
    private static Map<String, TemporalText> temporalColumns(List<String> names, List<String> fields,
        Map<String, TemporalText> texts) {
      if (texts.isEmpty()) {
        return Map.of();
      }
      List<java.util.Set<String>> variants = ColumnMatch.caseVariants(fields);
      Map<String, TemporalText> byColumn = new java.util.HashMap<>();
      for (int f = 0; f < fields.size(); f++) {
        int column = texts.containsKey(fields.get(f)) ? ColumnMatch.find(names, fields.get(f), variants.get(f)) : -1;
        if (column >= 0) {
          byColumn.put(names.get(column), texts.get(fields.get(f)));
        }
      }
      return byColumn;
    }

    /** Whether the file begins with Parquet's magic {@code PAR1} and does not end with it: cut short. */
    private static boolean cutShort(SeekableByteChannel channel, long size) {
      try {
        return size >= 8 && "PAR1".equals(fourBytesAt(channel, 0)) && !"PAR1".equals(fourBytesAt(channel, size - 4));
      } catch (IOException e) {
        return false; // the bytes themselves cannot be read: the bad record says why
      }
    }

    private static String fourBytesAt(SeekableByteChannel channel, long at) throws IOException {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4);
      channel.position(at);
      while (b.hasRemaining() && channel.read(b) > 0) {
        // a channel may return fewer bytes than asked
      }
      return new String(b.array(), 0, b.position(), java.nio.charset.StandardCharsets.US_ASCII);
    }

    private void open(ParquetRecordSource source, ReadableByteChannel channel) throws IOException {
      InputFile input = new ChannelInputFile((SeekableByteChannel) channel, source.getSingleFileMetadata().sizeBytes(),
          file);
      long start = source.getStartOffset();
      long end = Math.min(source.getEndOffset(), source.getSingleFileMetadata().sizeBytes());
      try (ParquetFileReader footer = ParquetFileReader.open(input)) {
        List<String> names = footer.getFooter().getFileMetaData().getSchema().getFields().stream()
            .map(Type::getName).collect(java.util.stream.Collectors.toList());
        layout = ColumnLayout.ofNamedColumns(names, source.columns);
        temporalColumns = temporalColumns(names, source.columns, source.temporalTexts);
        for (BlockMetaData block : footer.getFooter().getBlocks()) {
          if (block.getStartingPos() + block.getCompressedSize() / 2 < start) {
            row += block.getRowCount(); // rows of earlier ranges: keeps row numbers file-wide
          }
        }
      }
      reader = new GroupReaderBuilder(input, source.columns).withFileRange(start, end)
          .withCodecFactory(new CheckedCodecFactory()).build();
    }

    @Override
    protected boolean readNextRecord() throws IOException {
      if (ended) {
        return false;
      }
      Group r = null;
      if (unreadable == null) {
        try {
          r = reader.read();
        } catch (IOException | RuntimeException e) {
          CheckedCodecFactory.UnsupportedCodec codec = CheckedCodecFactory.UnsupportedCodec.in(e, file);
          if (codec != null) {
            throw codec;
          }
          // The footer was read, so it names rows that cannot be: as one bad record they passed the
          // bad-record limits (a row group's thousands counted once, and the intact groups after it
          // lost too). As compressed data that fails its check, this fails the read and the run. Left
          // to the runner's retries (an IOException, not a DataError): the error may be the file
          // system's, a timeout or a reset connection, which this catch cannot tell from a bad page.
          throw new WholeFileReader.CorruptFile(file + ": its data after row " + row + " is corrupt ("
              + e.getClass().getSimpleName() + ": " + firstLine(e) + "), though its footer says the file holds "
              + "more rows, so they would be lost; replace the file, or move it out of the input");
        }
      }
      if (unreadable != null) {
        // Not a Parquet file (no footer to read): the whole file is one bad record; a retry meets the same bytes.
        current = SourceRecord.unreadable(file, -1, row + 1, unreadable);
        ended = true;
        recordsRead++;
        return true;
      }
      if (r == null) {
        return false;
      }
      row++;
      recordsRead++;
      try {
        ParquetColumns.Read read = ParquetColumns.read(r, temporalColumns, schemaColumn);
        current = SourceRecord.of(file, -1, row, json.writeValueAsString(read.node), layout, read.badEncoding);
      } catch (IllegalArgumentException e) { // one value without a meaning: this row is bad, the rest reads on
        current = SourceRecord.unreadable(file, -1, row, e.getMessage());
      }
      return true;
    }

    @Override
    protected boolean isAtSplitPoint() {
      return recordsRead == 1;
    }

    @Override
    protected long getCurrentOffset() {
      return getCurrentSource().getStartOffset();
    }

    @Override
    public boolean allowsDynamicSplitting() {
      return false;
    }

    @Override
    public SourceRecord getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current;
    }

    @Override
    public void close() throws IOException {
      if (reader != null) {
        reader.close();
      }
      super.close();
      UnchangedFile.check(getCurrentSource().getSingleFileMetadata());
    }
  }

  /** Parquet's own record reader, as rows of its example {@link Group} model, over any {@link InputFile}. */
  private static final class GroupReaderBuilder extends ParquetReader.Builder<Group> {
    private final List<String> columns;

    GroupReaderBuilder(InputFile input, List<String> columns) {
      super(input);
      this.columns = columns;
    }

    @Override
    protected ReadSupport<Group> getReadSupport() {
      return new ProjectingReadSupport(columns);
    }
  }

  /**
   * Reads only the columns the schema names: a column it does not use is neither decoded nor can
   * make a row bad (a value there without a meaning made the whole row unreadable), and a wide
   * file's other columns cost nothing. A file that lacks one of them is read whole: its rows are
   * likely bad records, and their dead letters keep every column, so a replay after the spec's fix
   * (a misspelt {@code column:}) finds the one it names.
   */
  private static final class ProjectingReadSupport extends GroupReadSupport {
    private final List<String> columns;

    ProjectingReadSupport(List<String> columns) {
      this.columns = columns;
    }

    @Override
    public ReadContext init(InitContext context) {
      MessageType file = context.getFileSchema();
      boolean hasEvery = !columns.isEmpty() && columns.stream().allMatch(c -> file.getFields().stream().anyMatch(
          t -> t.getName().equalsIgnoreCase(c)));
      if (!hasEvery) {
        return new ReadContext(file);
      }
      List<Type> read = file.getFields().stream()
          .filter(t -> columns.stream().anyMatch(c -> c.equalsIgnoreCase(t.getName())))
          .collect(java.util.stream.Collectors.toList());
      return new ReadContext(new MessageType(file.getName(), read));
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** The rows a Parquet file holds, from its footer. */
  public static long rowCount(java.nio.file.Path file) throws IOException {
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file);
        ParquetFileReader footer = ParquetFileReader.open(new ChannelInputFile(channel, channel.size(),
            file.toString()))) {
      return footer.getRecordCount();
    }
  }

  /** A Parquet {@link InputFile} over a Beam channel, so any Beam file system can be read. */
  private static final class ChannelInputFile implements InputFile {
    private final SeekableByteChannel channel;
    private final long length;
    private final String name;

    ChannelInputFile(SeekableByteChannel channel, long length, String name) {
      this.channel = channel;
      this.length = length;
      this.name = name;
    }

    /** Parquet's messages name the file by this. */
    @Override
    public String toString() {
      return name;
    }

    @Override
    public long getLength() {
      return length;
    }

    @Override
    public SeekableInputStream newStream() {
      return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
        @Override
        public long getPos() throws IOException {
          return channel.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          channel.position(newPos);
        }

        @Override
        public void close() {
          // The channel belongs to the Beam reader, which closes it.
        }
      };
    }
  }
}
