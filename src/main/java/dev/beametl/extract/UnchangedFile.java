package dev.beametl.extract;

import dev.beametl.record.DataError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * A file must be as the run listed it while it is read: its byte ranges were planned from that
 * size, each read by a reader of its own. A file cut short while read lost the rows of the ranges
 * read after the cut without a word (a trial: 40,000 rows, truncated to 19,000 seven seconds in,
 * gave 35,384 rows of neither version, exit 0), and one rewritten in place gives rows of two
 * versions. Checked when a reader opens the file, when it meets the file's end, and when it closes:
 * a change between two ranges' reads is seen by the later one. A file that grows changes too: the
 * run cannot tell an appended file from a rewritten one.
 */
final class UnchangedFile {
  private UnchangedFile() {}

  /** Throws a DataError (no retry reads the version the run planned) when the file is not as {@code planned}. */
  static void check(Metadata planned) {
    ResourceId id = planned.resourceId();
    long size;
    long modified;
    try {
      if ("file".equals(id.getScheme())) {
        Path path = Path.of(id.toString());
        size = Files.size(path);
        modified = Files.getLastModifiedTime(path).toMillis();
      } else { // the resource itself, not its name taken as a glob (report[1].csv matched report1.csv)
        org.apache.beam.sdk.io.fs.MatchResult match = FileSystems.matchResources(java.util.List.of(id)).get(0);
        if (match.status() != org.apache.beam.sdk.io.fs.MatchResult.Status.OK || match.metadata().isEmpty()) {
          return; // gone, as below
        }
        Metadata now = match.metadata().get(0);
        size = now.sizeBytes();
        modified = now.lastModifiedMillis();
      }
    } catch (IOException e) {
      return; // gone: an open reader reads the version it opened; one that opens it now fails to
    }
    boolean touched = planned.lastModifiedMillis() > 0 && modified > 0 && modified != planned.lastModifiedMillis();
    if (size != planned.sizeBytes() || touched) {
      throw new DataError("input file " + id + " changed while the run read it (" + (size == planned.sizeBytes()
          ? "its modification time, at the same size" : String.format("%,d", planned.sizeBytes())
          + " bytes when the run listed it, " + String.format("%,d", size) + " now") + "): its rows could come from"
          + " two versions of it, some lost or read twice; read files that do not change during a run (write them"
          + " elsewhere and move them in when complete)");
    }
  }
}
