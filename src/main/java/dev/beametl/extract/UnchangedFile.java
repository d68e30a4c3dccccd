package dev.beametl.extract;

import dev.beametl.record.DataError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;
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
 * run cannot tell an appended file from a rewritten one.
 *
 * <p>A file on a disk of this machine is also known by its {@link Version}: a file replaced by
 * another of the same size with its modification time restored ({@code cp -p}, {@code rsync -a},
 * {@code touch -r}) read rows of one file twice and lost another's, exit 0 (a trial).
 */
final class UnchangedFile {
  private UnchangedFile() {}

  /**
   * Before a reader opens a local file: one gone since the run listed it fails the run at once, as a
   * DataError. Beam's reader opens the file before any of ours runs, and its FileNotFoundException
   * looked passing to Flink, which read the input again six times over 45 s before failing (a
   * trial). Only a file that is not there counts: another error (permissions, a network file
   * system's) is left to the open, which fails and is retried. A part already open reads on: the
   * open file keeps its bytes. (A file deleted between this look and the open fails once the usual
   * way, then here on the retry.) Other file systems are not asked: a request per part.
   */
  static void checkBeforeOpening(Metadata planned) {
    ResourceId id = planned.resourceId();
    if (!"file".equals(id.getScheme())) {
      return;
    }
    try {
      Files.readAttributes(Path.of(id.toString()), BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new DataError("input file " + id + " is gone: deleted or moved away while the run read it, or this "
          + "machine (" + Version.HOST + ") does not see it at that path; the rows of its parts not read yet would be"
          + " lost. Keep input files in place until the run ends, and on a cluster give every machine the input at"
          + " the same path");
    } catch (IOException e) {
      // not known to be gone: the open says
    }
  }

  /** Throws a DataError (no retry reads the version the run planned) when the file is not as {@code planned}. */
  static void check(Metadata planned) {
    ResourceId id = planned.resourceId();
    Version listed = Version.fromChecksum(planned.checksum());
    long size;
    long modified;
    Version now = null;
    try {
      if ("file".equals(id.getScheme())) {
        Path path = Path.of(id.toString());
        Map<String, Object> unix = listed == null ? null : Version.unixAttributes(path);
        if (unix != null) { // one stat for the size, the time and the version
          size = ((Number) unix.get("size")).longValue();
          modified = ((FileTime) unix.get("lastModifiedTime")).toMillis();
          now = new Version(listed.type, ((Number) unix.get("ino")).longValue(),
              ((FileTime) unix.get("ctime")).to(TimeUnit.NANOSECONDS));
        } else {
          BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class);
          size = basic.size();
          modified = basic.lastModifiedTime().toMillis();
        }
      } else { // the resource itself, not its name taken as a glob (report[1].csv matched report1.csv)
        MatchResult match = FileSystems.matchResources(List.of(id)).get(0);
        if (match.status() != MatchResult.Status.OK || match.metadata().isEmpty()) {
          return; // gone, as below
        }
        Metadata current = match.metadata().get(0);
        size = current.sizeBytes();
        modified = current.lastModifiedMillis();
      }
    } catch (IOException e) {
      return; // gone: an open reader reads the version it opened; one that opens it now fails to
    }
    boolean touched = planned.lastModifiedMillis() > 0 && modified > 0 && modified != planned.lastModifiedMillis();
    if (size != planned.sizeBytes() || touched) {
      throw changed(id, size == planned.sizeBytes() ? "its modification time, at the same size"
          : String.format("%,d", planned.sizeBytes()) + " bytes when the run listed it, " + String.format("%,d", size)
          + " now");
    }
    if (listed != null && now != null && listed.inode != now.inode) {
      throw changed(id, "replaced by another file at the same size and modification time: inode " + now.inode
          + " now, " + listed.inode + " when the run listed it");
    }
    if (listed != null && now != null && listed.changedNanos != now.changedNanos) {
      throw new DataError("input file " + id + " changed while the run read it: its status changed at "
          + time(now.changedNanos) + " (" + time(listed.changedNanos) + " when the run listed it), at the same size"
          + " and modification time. It was written to in place, or its permissions, owner, links or extended"
          + " attributes changed, or a backup tool restored its access time; its rows could come from two versions"
          + " of it. If its contents are as they were, run again, and keep such tools off the input while a run"
          + " reads it");
    }
  }

  private static DataError changed(ResourceId id, String how) {
    return new DataError("input file " + id + " changed while the run read it (" + how + "): its rows could come"
        + " from two versions of it, some lost or read twice; read files that do not change during a run (write"
        + " them elsewhere and move them in when complete)");
  }

  private static String time(long nanos) {
    return FileTime.from(nanos, TimeUnit.NANOSECONDS).toString();
  }

  /**
   * What the run listed of a file on a disk of this machine, beyond its size and modification time,
   * kept in its listing's checksum: its inode and its status change time, which every write,
   * replacement and {@code touch} moves and no program can set back. Kept only where the inode is
   * the file's own - file systems that store it, on the machine that listed the file: a FUSE mount
   * (gcsfuse, rclone, sshfs) numbers its inodes per mount and anew when its cache expires, and another
   * machine of a cluster, reading its own copy at the same path, has its own numbers and times. There
   * the size and modification time are all that is compared, as on {@code gs://} and {@code s3://}.
   */
  static final class Version {
    private static final String PREFIX = "beam-etl-file-version:";
    /** File systems whose inode numbers belong to the file (Files.getFileStore's type names). */
    private static final Set<String> OWN_INODES = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "tmpfs",
        "f2fs", "jfs", "reiserfs", "bcachefs", "overlay", "nfs", "nfs4", "apfs", "hfs", "ufs");
    static final String HOST = host();

    final String type;
    final long inode;
    final long changedNanos;

    private Version(String type, long inode, long changedNanos) {
      this.type = type;
      this.inode = inode;
      this.changedNanos = changedNanos;
    }

    /**
     * The checksum the run lists {@code file} with: its version where it has one, else null. The
     * file system's type is asked once per device ({@code typeByDevice}, one listing's): the answer
     * reads the mount table.
     */
    static @Nullable String checksumOf(Path file, Map<Long, String> typeByDevice) {
      try {
        Map<String, Object> unix = Files.readAttributes(file, "unix:dev,ino,ctime");
        long device = ((Number) unix.get("dev")).longValue();
        String type = typeByDevice.get(device);
        if (type == null) {
          type = Files.getFileStore(file).type();
          typeByDevice.put(device, type);
        }
        return !OWN_INODES.contains(type) ? null : PREFIX + HOST + "|" + type + "|" + unix.get("ino") + "|"
            + ((FileTime) unix.get("ctime")).to(TimeUnit.NANOSECONDS);
      } catch (IOException | RuntimeException e) {
        return null; // no Unix attributes: size and modification time only
      }
    }

    /** The file's size, modification time, inode and status change time; null where there are no Unix attributes. */
    static @Nullable Map<String, Object> unixAttributes(Path file) throws IOException {
      try {
        return Files.readAttributes(file, "unix:size,lastModifiedTime,ino,ctime");
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        return null;
      }
    }

    /** The version a listing's checksum holds, if it holds one this machine listed; else null. */
    static @Nullable Version fromChecksum(@Nullable String checksum) {
      if (checksum == null || !checksum.startsWith(PREFIX)) {
        return null;
      }
      String[] parts = checksum.substring(PREFIX.length()).split("\\|");
      if (parts.length != 4 || !parts[0].equals(HOST)) {
        return null; // listed by another machine: its numbers are its own
      }
      return new Version(parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
    }

    /** The parts of a listing's version that say which file it is, without the machine; "" where none. */
    static String identity(@Nullable String checksum) {
      Version v = fromChecksum(checksum);
      return v == null ? "" : v.type + "|" + v.inode + "|" + v.changedNanos;
    }

    private static String host() {
      try {
        return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
      } catch (IOException | RuntimeException e) {
        try {
          return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException other) {
          return "this machine";
        }
      }
    }
  }
}
