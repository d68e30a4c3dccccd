package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/** Where the result goes: a directory of part files in one format. */
@AutoValue
public abstract class SinkSpec implements Serializable {
  /** Output formats the Load stage writes. */
  public enum Format { PARQUET, CSV, JSONL, JDBC }

  /** What to do when the output directory already holds files. */
  public enum IfExists { FAIL, OVERWRITE }

  /** Parquet compression codecs offered. */
  public enum Compression { SNAPPY, GZIP, ZSTD, UNCOMPRESSED }

  /** 8 MiB row groups: a writer buffers about one row group per open file, so this fits a 512 MB heap. */
  public static final int DEFAULT_ROW_GROUP_BYTES = 8 * 1024 * 1024;

  /** 0 lets the runner choose the number of output files. */
  public static final int RUNNER_CHOOSES_SHARDS = 0;

  public abstract String path();

  public abstract Format format();

  public abstract IfExists ifExists();

  public abstract int shards();

  public abstract int rowGroupBytes();

  public abstract Compression compression();

  /**
   * Output columns the files are laid out by, Hive-style: {@code <path>/region=EU/part-*.parquet},
   * those columns not repeated inside the files. Empty: one directory of part files.
   */
  public abstract java.util.List<String> partitionBy();

  /** The most partitions a run may write; more is a failure, found as the run goes. */
  public abstract int maxPartitions();

  public static final int DEFAULT_MAX_PARTITIONS = 10_000;

  /** The table written, for format {@code jdbc}; {@link #path()} then holds the run's counts and marker. */
  public abstract @javax.annotation.Nullable JdbcSinkSpec jdbc();

  /** Whether rows go into a table in upsert mode: written as the run goes, with no commit at its end. */
  public boolean upserts() {
    return jdbc() != null && jdbc().mode() == JdbcSinkSpec.Mode.UPSERT;
  }

  public static Builder builder(String path, Format format) {
    return new AutoValue_SinkSpec.Builder()
        .setPath(path)
        .setFormat(format)
        .setIfExists(IfExists.FAIL)
        .setShards(RUNNER_CHOOSES_SHARDS)
        .setRowGroupBytes(DEFAULT_ROW_GROUP_BYTES)
        .setCompression(Compression.SNAPPY)
        .setPartitionBy(java.util.List.of())
        .setMaxPartitions(DEFAULT_MAX_PARTITIONS);
  }

  public abstract Builder toBuilder();

  /** Builder for {@link SinkSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setPath(String path);

    public abstract Builder setFormat(Format format);

    public abstract Builder setIfExists(IfExists ifExists);

    public abstract Builder setShards(int shards);

    public abstract Builder setRowGroupBytes(int bytes);

    public abstract Builder setCompression(Compression compression);

    public abstract Builder setJdbc(@javax.annotation.Nullable JdbcSinkSpec jdbc);

    public abstract Builder setPartitionBy(java.util.List<String> columns);

    public abstract Builder setMaxPartitions(int max);

    public abstract SinkSpec build();
  }
}
