package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * A database connection and what to read from it. The password is never part of the spec: it is
 * named by an environment variable or a file, read where the connection is opened.
 */
@AutoValue
public abstract class JdbcSpec implements Serializable {
  public static final int DEFAULT_FETCH_SIZE = 10_000;

  public abstract String url();

  public abstract @Nullable String user();

  /** Environment variable holding the password. */
  public abstract @Nullable String passwordEnv();

  /** File holding the password (its first line). */
  public abstract @Nullable String passwordFile();

  /** Table to read; exactly one of table and query is set. */
  public abstract @Nullable String table();

  public abstract @Nullable String query();

  /** Integer column the read is split on; null reads with one query. */
  public abstract @Nullable String partitionColumn();

  /** Number of partitions; 0 derives it from {@link #rowsPerPartition()} or the runner's parallelism. */
  public abstract int partitions();

  /** Rows per partition (the chunk size); 0 when {@link #partitions()} is given. */
  public abstract long rowsPerPartition();

  public abstract @Nullable Long lowerBound();

  public abstract @Nullable Long upperBound();

  public abstract int fetchSize();

  /**
   * Whether a partitioned read's queries share one snapshot where the database can (PostgreSQL); off
   * for servers that cannot import it (a pooler that sends sessions to other servers).
   */
  public abstract boolean snapshot();

  /** A condition every read of the table or query adds (an incremental run's mark), or null. */
  public abstract @Nullable String where();

  public abstract Builder toBuilder();

  public static Builder builder(String url) {
    return new AutoValue_JdbcSpec.Builder().setUrl(url).setPartitions(0).setRowsPerPartition(0)
        .setFetchSize(DEFAULT_FETCH_SIZE).setSnapshot(true);
  }

  /** A name for messages and origins that shows no credentials. */
  public String displayName() {
    return table() != null ? table() : "query";
  }

  /** Builder for {@link JdbcSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setUrl(String url);

    public abstract Builder setUser(@Nullable String user);

    public abstract Builder setPasswordEnv(@Nullable String env);

    public abstract Builder setPasswordFile(@Nullable String file);

    public abstract Builder setTable(@Nullable String table);

    public abstract Builder setQuery(@Nullable String query);

    public abstract Builder setPartitionColumn(@Nullable String column);

    public abstract Builder setPartitions(int partitions);

    public abstract Builder setRowsPerPartition(long rows);

    public abstract Builder setLowerBound(@Nullable Long bound);

    public abstract Builder setUpperBound(@Nullable Long bound);

    public abstract Builder setFetchSize(int fetchSize);

    public abstract Builder setSnapshot(boolean snapshot);

    public abstract Builder setWhere(@Nullable String where);

    public abstract JdbcSpec build();
  }
}
