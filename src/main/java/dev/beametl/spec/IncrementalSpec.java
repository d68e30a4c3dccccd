package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * How a source loads only what is new: the rows of a database whose {@link #column()} is at or above
 * the high-water mark of the last successful run minus {@link #overlap()}, or ({@code files}) the
 * files no successful run loaded yet.
 */
@AutoValue
public abstract class IncrementalSpec implements Serializable {
  /** The integer, date or timestamp column (a schema field) of a database source; null: files. */
  public abstract @Nullable String column();

  /**
   * How far below the mark a run reads again, so rows committed late and ties at the mark are not
   * lost: for an integer column a number, for a date whole days, for a timestamp microseconds.
   */
  public abstract long overlap();

  /** The overlap as the spec wrote it, for messages. */
  public abstract String overlapText();

  public boolean isFiles() {
    return column() == null;
  }

  public static IncrementalSpec files() {
    return new AutoValue_IncrementalSpec(null, 0, "0");
  }

  public static IncrementalSpec column(String column, long overlap, String overlapText) {
    return new AutoValue_IncrementalSpec(column, overlap, overlapText);
  }
}
