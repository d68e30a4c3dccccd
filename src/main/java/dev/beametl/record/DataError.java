package dev.beametl.record;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/**
 * A failure the data causes and a retry cannot fix: a reference table with a key twice, more
 * partitions than allowed, a row the target table refuses. The job fails with its message, at once:
 * Flink's failover finds the annotation anywhere in a failure's causes and does not restart the job
 * (it restarted until its attempts ran out, re-reading the input each time, to fail the same way). The annotation is
 * the one tie of the shared types to Flink; other runners never read it, and a JVM without Flink's
 * classes ignores it.
 */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public class DataError extends RuntimeException {
  public DataError(String message) {
    super(message);
  }

  public DataError(String message, Throwable cause) {
    super(message, cause);
  }
}
