package dev.beametl.fault;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Testing only: passes elements through, and makes its task fail once, at a given element, so that
 * tests can show the runner's retries lose and duplicate nothing. A marker file remembers that the
 * failure happened, so the retried attempt runs clean.
 */
final class FailOnce<T> extends DoFn<T, T> {
  private final long after;
  private final String marker;
  private transient long seen;

  FailOnce(long after, String marker) {
    this.after = after;
    this.marker = marker;
  }

  @ProcessElement
  public void process(@Element T element, OutputReceiver<T> out) throws IOException {
    if (++seen == after) {
      failOnce(marker, "injected failure after " + after + " records (--fault records.failOnce)");
    }
    out.output(element);
  }

  /** Throws unless the marker exists; creates it first, so only the first caller fails. */
  static void failOnce(String marker, String message) throws IOException {
    try {
      Files.createFile(Path.of(marker));
    } catch (FileAlreadyExistsException alreadyFailedOnce) {
      return; // the retried attempt: carry on
    }
    throw new IllegalStateException(message);
  }
}
