package dev.beametl.extract;

import dev.beametl.record.DataError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A file must be as the run listed it while it is read: its byte ranges were planned from that
 * size, each read by a reader of its own. A file cut short while read lost the rows of the ranges
 * read after the cut without a word (a trial: 40,000 rows, truncated to 19,000 seven seconds in,
 * gave 35,384 rows of neither version, exit 0), and one rewritten in place gives rows of two
 * versions. Checked when a reader opens the file, when it meets the file's end, and when it closes:
 * a change between two ranges' reads is seen by the later one. A file that grows changes too: the
 * run cannot tell an appended file from a rewritten one. A local file is also known by its
 * {@link #versionOf version}: a file replaced by another of the same size with its modification time
 * restored ({@code cp -p}, {@code rsync -a}, {@code touch -r}) read rows of one file twice and lost
 * another's, exit 0 (a trial).
 */
final class UnchangedFile {
  private UnchangedFile() {}

  /**
   * As {@link #check}, before a reader opens the file, and a file gone since the run listed it fails
   * too: Beam's reader opens the file before any of ours runs, and its FileNotFoundException looked
   * passing to Flink, which read the input again six times over 45 s before failing (a trial).
   */
  static void checkBeforeOpening(Metadata planned) {
    ResourceId id = planned.resourceId();
    boolean gone;
    if ("file".equals(id.getScheme())) {
      gone = !Files.exists(Path.of(id.toString()));
    } else {
      try {
        gone = FileSystems.matchResources(java.util.List.of(id)).get(0).status()
            == org.apache.beam.sdk.io.fs.MatchResult.Status.NOT_FOUND;
      } catch (IOException e) {
        gone = false; // unknown: opening it says
      }
    }
    if (gone) {
      throw new DataError("input file " + id + " was deleted or moved away while the run read it: the rows of its"
          + " parts not read yet would be lost; read files that do not change during a run (write them elsewhere"
          + " and move them in when complete)");
    }
    check(planned);
  }

  /** Throws a DataError (no retry reads the version the run planned) when the file is not as {@code planned}. */
  static void check(Metadata planned) {
    ResourceId id = planned.resourceId();
    long size;
    long modified;
    String version = null;
    try {
      if ("file".equals(id.getScheme())) {
        Path path = Path.of(id.toString());
        size = Files.size(path);
        modified = Files.getLastModifiedTime(path).toMillis();
        version = planned.checksum() == null ? null : versionOf(path);
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
    if (version != null && planned.checksum().startsWith(VERSION) && !version.equals(planned.checksum())) {
      throw new DataError("input file " + id + " changed while the run read it (replaced or written to since the run"
          + " listed it, at the same size and modification time): its rows could come from two files, some lost or"
          + " read twice; read files that do not change during a run (write them elsewhere and move them in when"
          + " complete)");
    }
  }

  private static final String VERSION = "local-file-version:";

  /**
   * The version of a local file the run lists, kept in its listing's checksum: its inode and its
   * status change time, which every write, replacement and {@code touch} moves and no program can set
   * back (not the device: another machine of a cluster numbers a shared mount its own way). Null where
   * the file system has neither.
   */
  static @Nullable String versionOf(Path file) {
    try {
      java.util.Map<String, Object> unix = Files.readAttributes(file, "unix:ino,ctime");
      return VERSION + unix.get("ino") + " changed " + unix.get("ctime");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return null; // not a Unix file system: size and modification time only
    }
  }
}
