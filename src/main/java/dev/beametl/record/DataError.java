package dev.beametl.record;

/**
 * A failure the data causes and a retry cannot fix: a reference table with a key twice, more
 * partitions than allowed. The job fails with its message; where the runner set-up can tell it
 * (the batch combine), it fails without retries.
 */
public class DataError extends RuntimeException {
  public DataError(String message) {
    super(message);
  }
}
