package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;

/** A database table the result is written to, and how. */
@AutoValue
public abstract class JdbcSinkSpec implements Serializable {
  /** How rows meet what the table already holds. */
  public enum Mode {
    /** One row per key: inserted, or updated when the key exists. Re-runs and retries are idempotent. */
    UPSERT,
    /** The table ends up holding exactly this run's result, swapped in within one transaction. */
    OVERWRITE,
    /** Plain inserts. */
    APPEND
  }

  public static final int DEFAULT_BATCH_SIZE = 1000;
  public static final int DEFAULT_ATTEMPTS = 3;

  /** Connection (url, user, password source) and {@link JdbcSpec#table()}. */
  public abstract JdbcSpec connection();

  public abstract Mode mode();

  /** Key columns for upsert; default the group-by keys. */
  public abstract List<String> keys();

  public abstract int batchSize();

  public abstract boolean createTable();

  public abstract int attempts();

  public static JdbcSinkSpec of(JdbcSpec connection, Mode mode, List<String> keys, int batchSize,
      boolean createTable, int attempts) {
    return new AutoValue_JdbcSinkSpec(connection, mode, List.copyOf(keys), batchSize, createTable, attempts);
  }
}
