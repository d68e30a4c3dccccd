package dev.beametl;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.transforms.DoFn;

/**
 * Testing only: passes records through, and makes its task fail once, after a given number of
 * records, so that tests can show the runner's retries lose and duplicate nothing. A marker file
 * remembers that the failure happened, so the retried attempt runs clean.
 */
final class InjectedFault<T> extends DoFn<T, T> {
  private final long afterRecords;
  private final String marker;
  private transient long seen;

  InjectedFault(long afterRecords, String marker) {
    this.afterRecords = afterRecords;
    this.marker = marker;
  }

  @ProcessElement
  public void process(@Element T element, OutputReceiver<T> out) throws IOException {
    if (++seen == afterRecords) {
      try {
        Files.createFile(Path.of(marker));
        throw new IllegalStateException("injected failure after " + afterRecords + " records (--failOnceAfterRecords)");
      } catch (FileAlreadyExistsException alreadyFailedOnce) {
        // the retried attempt: carry on
      }
    }
    out.output(element);
  }
}
