package dev.beametl.extract;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.CsvSyntax;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.nio.charset.Charset;
import java.util.List;
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

  final SourceSpec spec;
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

  ColumnLayout layoutFromHeader(String headerLine) throws IOException {
    List<String> header = CsvSyntax.parseRecord(CsvSyntax.of(spec), headerLine);
    return ColumnLayout.fromHeader(header, schemaFields);
  }

  boolean hasHeader() {
    return spec.format() == SourceSpec.Format.CSV && spec.header();
  }
}
