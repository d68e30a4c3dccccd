package dev.beametl.extract;

import com.google.auto.value.AutoValue;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

/**
 * Extract stage: reads the files a {@link SourceSpec} names as bounded, splittable chunks and emits
 * each record's text with its origin. Nothing is parsed or dropped here; that is Validate's job.
 *
 * <pre>{@code
 * PCollection<SourceRecord> records = p.apply(Extract.from(source).withSchema(fields));
 * }</pre>
 */
@AutoValue
public abstract class Extract extends PTransform<PBegin, PCollection<SourceRecord>> {
  abstract SourceSpec source();

  abstract List<String> schemaFields();

  /** By source name, the date and timestamp fields with a format: how typed values are written for them. */
  abstract Map<String, TemporalText> temporalTexts();

  abstract long maxSplitBytes();

  /** The files to read instead of the source's glob, or null. */
  abstract @Nullable List<MatchResult.Metadata> files();

  public static Extract from(SourceSpec source) {
    return new AutoValue_Extract(source, List.of(), Map.of(), 0, null);
  }

  /** The schema's field names, which a CSV header is matched against. */
  public Extract withSchemaFields(List<String> names) {
    return new AutoValue_Extract(source(), List.copyOf(names), temporalTexts(), maxSplitBytes(), files());
  }

  /**
   * The schema's fields: their source names, which a header or a row's columns are matched against,
   * and their formats, in which a Parquet file's or a database's typed dates and timestamps are
   * written for Validate ({@link TemporalText}).
   */
  public Extract withSchema(List<FieldSpec> fields) {
    Map<String, TemporalText> texts = new LinkedHashMap<>();
    for (FieldSpec field : fields) {
      TemporalText text = TemporalText.forField(field);
      if (text != null) {
        texts.put(field.sourceName(), text);
      }
    }
    return new AutoValue_Extract(source(), fields.stream().map(FieldSpec::sourceName).collect(Collectors.toList()),
        Map.copyOf(texts), maxSplitBytes(), files());
  }

  /**
   * Reads exactly these files (of the source's format) instead of what its path matches: an
   * incremental run's new files. Each must exist.
   */
  public Extract withFiles(List<MatchResult.Metadata> files) {
    return new AutoValue_Extract(source(), schemaFields(), temporalTexts(), maxSplitBytes(), List.copyOf(files));
  }

  /**
   * Caps the size of a file split (CSV, JSON lines; 0: no cap). A checkpointing runner re-reads an
   * unfinished split whole after a restore, so small splits bound what a resumed run reads again.
   */
  public Extract withMaxSplitBytes(long bytes) {
    return new AutoValue_Extract(source(), schemaFields(), temporalTexts(), bytes, files());
  }

  @Override
  public PCollection<SourceRecord> expand(PBegin input) {
    if (source().format() == SourceSpec.Format.JDBC) {
      return input.apply("Read database", new JdbcRecords(source().jdbc(), schemaFields(), temporalTexts()));
    }
    BoundedSource<SourceRecord> files;
    try {
      // As listed when the run was planned: its sizes bound what is read (a file still growing is read to there).
      List<MatchResult.Metadata> matched = files() == null ? InputFiles.match(source().path()) : files();
      files = source().format() == SourceSpec.Format.PARQUET
          ? ParquetRecordSource.forFiles(matched, schemaFields(), temporalTexts())
          : FileRecordSource.forFiles(source(), schemaFields(), matched);
    } catch (IOException e) {
      throw new IllegalArgumentException("source.path: cannot list \"" + source().path() + "\": " + e.getMessage(), e);
    }
    if (source().format() == SourceSpec.Format.PARQUET) {
      return input.apply("Read Parquet row groups", Read.from(files));
    }
    return input.apply(
        "Read " + source().format().name().toLowerCase() + " in byte ranges",
        Read.from(maxSplitBytes() > 0 ? new CappedSplits<>(files, maxSplitBytes()) : files));
  }
}
