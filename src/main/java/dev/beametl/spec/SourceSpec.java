package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;

/** Where records come from: files matched by a glob in one of the file formats, or a database table. */
@AutoValue
public abstract class SourceSpec implements Serializable {
  /** File formats the Extract stage reads. */
  public enum Format { CSV, JSONL, PARQUET, JDBC }

  /** How files are decompressed: by their extension, not at all, or always as gzip. */
  public enum Compression { AUTO, NONE, GZIP }

  public static final String DEFAULT_CHARSET = "UTF-8";
  public static final List<String> DEFAULT_NULL_VALUES = List.of("");

  /** A file path or glob ({@code data/*.csv}, {@code data/**.csv.gz}); for JDBC a description. */
  public abstract String path();

  /** The database to read, for format {@code jdbc}. */
  public abstract @Nullable JdbcSpec jdbc();

  public abstract Format format();

  public abstract String charset();

  public abstract Compression compression();

  public abstract char delimiter();

  public abstract char quote();

  public abstract boolean header();

  /** Texts read as null (after trimming, when trimming is on). */
  public abstract List<String> nullValues();

  public abstract boolean trim();

  /** Quoted CSV fields may hold line breaks; such files are read whole, not split. */
  public abstract boolean multiline();

  /**
   * The longest record read, in bytes; a longer one becomes a {@code too_long} bad record and its
   * bytes are skipped, so one runaway line (a lost quote, a file without line breaks) cannot exhaust
   * the heap.
   */
  public abstract int maxRecordBytes();

  public static final int DEFAULT_MAX_RECORD_BYTES = 16 << 20;

  /**
   * True where a 0x0A byte is always a line feed (UTF-8, ASCII, ISO-8859-x and the like), so files
   * in this charset can be cut into byte ranges at line ends.
   */
  public boolean newlineIsOneByte() {
    java.nio.charset.Charset cs = java.nio.charset.Charset.forName(charset());
    return java.util.Arrays.equals("\n".getBytes(cs), new byte[] {'\n'})
        && java.util.Arrays.equals("a".getBytes(cs), new byte[] {'a'});
  }

  public static Builder builder(String path, Format format) {
    return new AutoValue_SourceSpec.Builder()
        .setPath(path)
        .setFormat(format)
        .setCharset(DEFAULT_CHARSET)
        .setCompression(Compression.AUTO)
        .setDelimiter(',')
        .setQuote('"')
        .setHeader(true)
        .setNullValues(DEFAULT_NULL_VALUES)
        .setTrim(true)
        .setMultiline(false)
        .setMaxRecordBytes(DEFAULT_MAX_RECORD_BYTES);
  }

  /** Load only what is new since the last successful run; null: read everything every run. */
  public abstract @Nullable IncrementalSpec incremental();

  public abstract Builder toBuilder();

  /** Builder for {@link SourceSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setPath(String path);

    public abstract Builder setFormat(Format format);

    public abstract Builder setCharset(String charset);

    public abstract Builder setCompression(Compression compression);

    public abstract Builder setDelimiter(char delimiter);

    public abstract Builder setQuote(char quote);

    public abstract Builder setHeader(boolean header);

    public abstract Builder setNullValues(List<String> nullValues);

    public abstract Builder setTrim(boolean trim);

    public abstract Builder setMultiline(boolean multiline);

    public abstract Builder setMaxRecordBytes(int maxRecordBytes);

    public abstract Builder setJdbc(@Nullable JdbcSpec jdbc);

    public abstract Builder setIncremental(@Nullable IncrementalSpec incremental);

    public abstract SourceSpec build();
  }
}
