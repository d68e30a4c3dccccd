package dev.beametl.extract;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.CsvSyntax;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Reads line-oriented files (CSV, JSON lines) into {@link SourceRecord}s. Plain files in an
 * ASCII-compatible charset are split into byte ranges that several workers read at once: a range
 * owns the records that start inside it. Compressed files, UTF-16/32 files and CSV whose quoted
 * fields may hold line breaks cannot be split safely, so they are read whole, with line numbers.
 */
public class FileRecordSource extends FileBasedSource<SourceRecord> {
  /** Below this a file is not worth splitting further. */
  public static final long MIN_BUNDLE_BYTES = 16 << 10;

  final SourceSpec spec;
  private final List<String> schemaFields;

  /**
   * The files {@code spec.path()} names, each once ({@link InputFiles}), as one source; CSV headers
   * are matched against {@code schemaFields}.
   */
  public static BoundedSource<SourceRecord> forFiles(SourceSpec spec, List<String> schemaFields) throws IOException {
    return forFiles(spec, schemaFields, InputFiles.match(spec.path()));
  }

  /** These files of the source's format. */
  static BoundedSource<SourceRecord> forFiles(SourceSpec spec, List<String> schemaFields, List<Metadata> files) {
    List<String> fields = List.copyOf(schemaFields);
    return new FileSetSource<>(files,
        file -> new FileRecordSource(spec, fields, file, 0, file.sizeBytes()), SourceRecord.RecordCoder.of());
  }

  /** The one file {@code spec.path()} names, whole, as a source that splits into byte ranges where it can. */
  public static FileRecordSource forFile(SourceSpec spec, List<String> schemaFields) throws IOException {
    List<Metadata> files = InputFiles.match(spec.path());
    if (files.size() != 1) {
      throw new IOException(spec.path() + " names " + files.size() + " files, not one");
    }
    return new FileRecordSource(spec, List.copyOf(schemaFields), files.get(0), 0, files.get(0).sizeBytes());
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
    UnchangedFile.checkBeforeOpening(getSingleFileMetadata());
    return readInRanges() ? new RangeReader(this) : new WholeFileReader(this);
  }

  @Override
  protected boolean isSplittable() throws Exception {
    return super.isSplittable() && readInRanges();
  }

  @Override
  public Coder<SourceRecord> getOutputCoder() {
    return SourceRecord.RecordCoder.of();
  }

  private boolean readInRanges() {
    return compression() == Compression.UNCOMPRESSED && !spec.multiline() && spec.newlineIsOneByte();
  }

  Compression compression() {
    switch (spec.compression()) {
      case NONE:
        return Compression.UNCOMPRESSED;
      case GZIP:
        return Compression.GZIP;
      default:
        return Compression.detect(getSingleFileMetadata().resourceId().getFilename());
    }
  }

  Charset charset() {
    return Charset.forName(spec.charset());
  }

  String fileName() {
    return getSingleFileMetadata().resourceId().toString();
  }

  /**
   * The one bad record of a file whose header cannot be used and that has no record to carry that
   * (a header-only file): read by the range at the file's start, or whole.
   */
  static SourceRecord noRecordAfterHeader(String file, long offset, long line, ColumnLayout layout) {
    return SourceRecord.unreadable(file, offset, line, "this file has no record the schema can read: "
        + layout.headerProblem());
  }

  /**
   * The layout a header line gives; a header that is blank or not one CSV record gives a layout that
   * makes each record of the file a bad record saying so, rather than failing the job.
   */
  ColumnLayout layoutFromHeader(String headerLine, long headerBytes) {
    if (headerBytes > spec.maxRecordBytes()) { // the reader kept only its start: columns past it would read as absent
      return ColumnLayout.unusableHeader("its header line (the first line) is " + headerBytes + " bytes, longer than"
          + " source.maxRecordBytes (" + spec.maxRecordBytes() + "); raise maxRecordBytes");
    }
    if (headerLine.isBlank()) {
      return ColumnLayout.unusableHeader("its header line (the first line) is blank");
    }
    try {
      return ColumnLayout.fromHeader(CsvSyntax.parseRecord(CsvSyntax.of(spec), headerLine), schemaFields);
    } catch (IOException | IllegalStateException e) {
      return ColumnLayout.unusableHeader("its header line (the first line) is not one CSV record: " + e.getMessage());
    }
  }

  boolean hasHeader() {
    return spec.format() == SourceSpec.Format.CSV && spec.header();
  }
}
