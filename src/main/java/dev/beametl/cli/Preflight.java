package dev.beametl.cli;

import dev.beametl.extract.InputFiles;
import dev.beametl.extract.JdbcColumns;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.JdbcSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import dev.beametl.spec.SpecPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * What can be checked before any worker starts: the input exists and can be read (files), or the
 * database answers and holds the table (JDBC). Each failure is a one-line {@link SpecException}.
 */
final class Preflight {
  private Preflight() {}

  /** The input database could not be reached or was busy: worth running again as it is (exit 1). */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  /**
   * A cluster named by {@code --flinkMaster} (host:port; none, or {@code [local]} and the like, run
   * in this process) answers on its port. Without this, Flink's client waited about a minute for a
   * cluster that is not there and said little about it.
   */
  static void checkCluster(@javax.annotation.Nullable String master) throws Unavailable {
    if (master == null) {
      return;
    }
    String address = master.replaceFirst("^[A-Za-z][A-Za-z0-9+.-]*://", "").replaceFirst("/.*$", "");
    String fix = "; start one with runners/flink/start-cluster.sh, or leave --flinkMaster out to run on the"
        + " embedded runner";
    org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.net.HostAndPort hostAndPort;
    try {
      hostAndPort = org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.net.HostAndPort.fromString(address);
    } catch (IllegalArgumentException e) {
      return; // not an address this check reads: Flink's client says what it makes of it
    }
    if (!hostAndPort.hasPort()) {
      return; // the port is the Flink config's rest.port, which the runner reads: its client says
    }
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress(hostAndPort.getHost(), hostAndPort.getPort()), 5_000);
    } catch (IOException e) {
      String why = e instanceof java.net.UnknownHostException ? "no such host" : e.getMessage(); // its message: the name alone
      throw new Unavailable("--flinkMaster=" + master + ": no Flink cluster answers at " + hostAndPort + " ("
          + why + ")" + fix);
    }
  }

  /**
   * Checks the input; returns the files each source matched, the source's first, then each
   * lookup's (none for a database).
   */
  static List<List<MatchResult.Metadata>> checkInput(PipelineSpec spec) throws Unavailable {
    List<OutputDir> outputs = new ArrayList<>();
    String ext = spec.sink().format() == dev.beametl.spec.SinkSpec.Format.JDBC ? null
        : spec.sink().format().name().toLowerCase(java.util.Locale.ROOT);
    List<String> written = new ArrayList<>(List.of("_SUCCESS", "_run/report.json", "_run/report.html",
        "_run/counts.jsonl", "_run/job.log"));
    if (ext != null) {
      written.add("part-00000-of-00001." + ext);
      written.add("partition=x/part-00000-of-00001." + ext);
    }
    for (String output : List.of(spec.sink().path(), spec.deadLetterPath())) {
      if (!SpecPaths.isRemote(output)) { // another file system: the runner's listing
        Path dir = localPath(output);
        outputs.add(new OutputDir(dir, SpecPaths.real(dir), output.equals(spec.sink().path()) ? written
            : List.of("bad-records-00000-of-00001.jsonl")));
      }
    }
    List<List<MatchResult.Metadata>> files = new ArrayList<>();
    for (int i = 0; i < spec.lookups().size(); i++) {
      files.add(checkSource(spec.lookups().get(i).source(), sourceNames(spec.lookups().get(i).schema()),
          "lookups[" + i + "].source", outputs));
    }
    files.add(0, checkSource(spec.source(), sourceNames(spec.schema()), "source", outputs)); // checked last, as before: its errors win
    return files;
  }

  /**
   * Notes on CSV input files of 0 bytes where a header line is expected: a file a producer meant to
   * write has at least its header, so an empty one is more likely cut short than empty. It holds no
   * records and is read as such; the note names it, as nothing else in the run would (a trial).
   */
  static List<String> emptyFiles(PipelineSpec spec, List<List<MatchResult.Metadata>> files) {
    List<String> notes = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      SourceSpec source = i == 0 ? spec.source() : spec.lookups().get(i - 1).source();
      if (source.format() != SourceSpec.Format.CSV || !source.header()) {
        continue;
      }
      List<String> empty = new ArrayList<>();
      files.get(i).stream().filter(f -> f.sizeBytes() == 0).forEach(f -> empty.add(f.resourceId().toString()));
      if (!empty.isEmpty()) {
        String key = i == 0 ? "source" : "lookups[" + (i - 1) + "].source";
        notes.add(String.format(java.util.Locale.ROOT, "note: %s: %d input file%s 0 bytes long, without the header line "
            + "%s.csv.header expects (read as no records): %s%s", key, empty.size(), empty.size() == 1 ? " is" : "s are",
            key, String.join(", ", empty.subList(0, Math.min(3, empty.size()))), empty.size() > 3 ? ", ..." : ""));
      }
    }
    return notes;
  }

  private static List<String> sourceNames(List<FieldSpec> schema) {
    return schema.stream().map(FieldSpec::sourceName).collect(java.util.stream.Collectors.toList());
  }

  private static List<MatchResult.Metadata> checkSource(SourceSpec source, List<String> fields, String key,
      List<OutputDir> outputs) throws Unavailable {
    if (source.jdbc() != null) {
      checkDatabase(source.jdbc(), fields, key);
      return List.of();
    }
    return checkFilesMatch(source, key, outputs);
  }

  /** Checks what the sink needs before anything runs: the password of a table's database. */
  static void checkSink(PipelineSpec spec) {
    if (spec.sink().jdbc() != null) {
      checkPassword(spec.sink().jdbc().connection(), "sink");
    }
  }

  /**
   * A passwordEnv that is not set, or a passwordFile that cannot be read: the spec's or the
   * environment's error, found before anything runs (a trial's unset variable failed the run at its
   * first write, exit 1, as if the database might answer later).
   */
  private static void checkPassword(JdbcSpec jdbc, String key) {
    try {
      JdbcConnections.password(jdbc);
    } catch (IllegalStateException e) {
      throw new SpecException(key + ".jdbc: " + e.getMessage());
    }
  }

  private static void checkDatabase(JdbcSpec jdbc, List<String> fields, String key) throws Unavailable {
    checkPassword(jdbc, key);
    String problem;
    try (Connection c = JdbcConnections.open(jdbc);
        Statement s = c.createStatement()) {
      SqlNames.of(jdbc, c); // asked here, where a connection is open anyway (a dry run asks no other way)
      try (ResultSet rs = s.executeQuery("SELECT * FROM " + SqlNames.relation(jdbc) + " WHERE 1 = 0")) {
        problem = JdbcColumns.problem(rs.getMetaData(), fields);
      }
    } catch (SQLException e) {
      if (JdbcConnections.isTransient(e)) {
        throw new Unavailable(key + ".jdbc: " + JdbcConnections.describe(e, jdbc));
      }
      throw new SpecException(key + ".jdbc: " + JdbcConnections.describe(e, jdbc));
    } catch (IllegalStateException e) {
      throw new SpecException(e.getMessage());
    }
    if (problem != null) {
      throw new SpecException(key + ".jdbc: " + jdbc.displayName() + ": " + problem);
    }
  }

  private static List<MatchResult.Metadata> checkFilesMatch(SourceSpec source, String key,
      List<OutputDir> outputs) {
    List<MatchResult.Metadata> files;
    try {
      files = InputFiles.match(source.path());
    } catch (IOException e) {
      throw new SpecException(key + ".path: cannot list \"" + source.path() + "\": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new SpecException(key + ".path: no file matches \"" + source.path()
          + "\"; check the path or glob" + (key.equals("source") ? " (--input overrides it)" : ""));
    }
    for (MatchResult.Metadata file : files) {
      checkNotAnOutput(file, key, source.path(), outputs);
      checkReadable(file, key, source);
    }
    // The files this job writes, before it has written them: on the first run a glob over the output
    // matched nothing there, and from the second on the run was refused (a trial).
    for (OutputDir dir : outputs) {
      for (String name : dir.written) {
        if (InputFiles.wouldMatch(source.path(), dir.named.resolve(name))) {
          throw new SpecException(key + ".path: \"" + source.path() + "\" matches the job's own output (it would read "
              + dir.named.resolve(name) + ", which this job writes); narrow the glob, or write the output elsewhere");
        }
      }
    }
    return files;
  }

  /**
   * A glob that reaches into the job's own output (d/**.csv with the sink in d/out) would read what
   * an earlier run wrote, while this run's overwrite deletes it: every other run failed reading a
   * file that was gone. Refused before the run.
   */
  private static void checkNotAnOutput(MatchResult.Metadata file, String key, String glob, List<OutputDir> outputs) {
    String name = file.resourceId().toString();
    if (SpecPaths.isRemote(name)) {
      return; // another file system: its paths are compared by the runner's listing, not here
    }
    Path path = localPath(name);
    Path real = SpecPaths.real(path);
    for (OutputDir dir : outputs) {
      if (path.startsWith(dir.named) || real.startsWith(dir.real)) { // as named, and through symbolic links
        throw new SpecException(key + ".path: \"" + glob + "\" matches the job's own output (" + path + " is in "
            + dir.named + (path.startsWith(dir.named) ? "" : ", as " + real + " is in " + dir.real) + "); narrow "
            + "the glob, or write the output elsewhere");
      }
    }
  }

  /** A local path or file: URI as an absolute path, read as the job reads its paths ({@link SpecPaths#local}). */
  static Path localPath(String name) {
    return Path.of(SpecPaths.local(null, name)).toAbsolutePath().normalize();
  }

  /** An output directory as named and with symbolic links followed: found once, compared with every input. */
  private record OutputDir(Path named, Path real, List<String> written) {}

  /** Opens each input once, so a file the job may not read stops it before any worker starts. */
  private static void checkReadable(MatchResult.Metadata file, String key, SourceSpec source) {
    ByteBuffer start = ByteBuffer.allocate(265); // a tar header says so at byte 257
    try (ReadableByteChannel c = FileSystems.open(file.resourceId())) {
      while (start.hasRemaining() && c.read(start) > 0) {
        // the first bytes, where a compressed file says what it is
      }
    } catch (IOException e) {
      String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NoSuchFileException ? "it is gone" : e.getMessage();
      throw new SpecException(key + ".path: cannot read \"" + file.resourceId() + "\" (" + why
          + "); check its permissions, or narrow the glob to the files the job may read");
    }
    checkCompression(file, key, source, java.util.Arrays.copyOf(start.array(), start.position()));
  }

  /**
   * A file whose first bytes say it is compressed in a way the reader would not undo. A trial: gzip
   * data in b.csv read as text - 5,000 rows lost as 35 bad_encoding fragments under the bad-record
   * limit, exit 0; a zip's entries read as one text under the first entry's header, columns swapped.
   */
  static void checkCompression(MatchResult.Metadata file, String key, SourceSpec source, byte[] start) {
    if (source.format() == SourceSpec.Format.PARQUET) {
      return;
    }
    String name = file.resourceId().getFilename() == null ? "" : file.resourceId().getFilename();
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    // bzip2: "BZh", the block size, then a block's or the end's magic (a header "BZh_code" is text)
    boolean bzip2 = startsWith(start, 'B', 'Z', 'h') && start.length >= 10 && start[3] >= '1' && start[3] <= '9'
        && (startsWith(java.util.Arrays.copyOfRange(start, 4, 10), 0x31, 0x41, 0x59, 0x26, 0x53, 0x59)
            || startsWith(java.util.Arrays.copyOfRange(start, 4, 10), 0x17, 0x72, 0x45, 0x38, 0x50, 0x90));
    String kind = startsWith(start, 0x1f, 0x8b) ? "gzip" : bzip2 ? "bzip2"
        : startsWith(start, 'P', 'K', 3, 4) ? "zip" : startsWith(start, 0xfd, '7', 'z', 'X', 'Z', 0) ? "xz"
        : startsWith(start, 0x28, 0xb5, 0x2f, 0xfd) || zstdSkippable(start) ? "zstd" : tar(start) ? "tar"
        : startsWith(start, 0x04, 0x22, 0x4d, 0x18) ? "lz4" : null;
    org.apache.beam.sdk.io.Compression byName = org.apache.beam.sdk.io.Compression.detect(name);
    String where = key + ".path: \"" + file.resourceId() + "\" ";
    boolean auto = source.compression() == SourceSpec.Compression.AUTO; // names count only then
    boolean zip = "zip".equals(kind) || auto && byName == org.apache.beam.sdk.io.Compression.ZIP;
    if (zip || "tar".equals(kind) || auto && (lower.endsWith(".tgz") || lower.matches(".*\\.tar\\.(gz|bz2|zst|xz|deflate)"))) {
      throw new SpecException(where + "is a " + (zip ? "zip" : "tar") + " archive, which is not read (its files would"
          + " read as one text under the first one's header); unpack it and give its files");
    }
    if ("xz".equals(kind) || "lz4".equals(kind)) { // read as text: every record a bad_encoding dead letter (a trial)
      throw new SpecException(where + "holds " + kind + " data, which is not read; decompress it, or compress it with gzip");
    }
    String read = source.compression() == SourceSpec.Compression.GZIP ? "gzip"
        : source.compression() == SourceSpec.Compression.NONE ? null
        : byName == org.apache.beam.sdk.io.Compression.GZIP ? "gzip" : byName == org.apache.beam.sdk.io.Compression.BZIP2
        ? "bzip2" : byName == org.apache.beam.sdk.io.Compression.ZSTD ? "zstd"
        : byName == org.apache.beam.sdk.io.Compression.UNCOMPRESSED ? null : "other";
    if ("other".equals(read)) {
      // Beam would read it by its name; a .deflate file of two zlib streams gave the first one's rows
      // and dropped the rest without a word (a trial), as it drops bytes after the first.
      throw new SpecException(where + "is named as " + byName.name().toLowerCase(java.util.Locale.ROOT) + " data, "
          + "which is not read (gzip, bzip2 and zstd are); decompress it, or compress it with gzip");
    }
    if (kind == null && ("bzip2".equals(read) || "zstd".equals(read)) && start.length > 0) {
      throw new SpecException(where + "is named as " + read + " data but holds none (it would fail the run): name it"
          + " for what it holds, or set source.compression: none");
    }
    // gzip's reader reads text that is not gzip as text; every other mismatch loses the file's rows
    if (kind != null && !kind.equals(read)) {
      String suffix = "gzip".equals(kind) ? ".gz" : "bzip2".equals(kind) ? ".bz2" : ".zst";
      boolean named = lower.endsWith(suffix);
      throw new SpecException(where + "holds " + kind + " data, which would be read "
          + (read == null ? "as text" : "as " + read) + (source.compression() != SourceSpec.Compression.AUTO
              ? " (source.compression is " + source.compression().name().toLowerCase(java.util.Locale.ROOT) + ")" : "")
          + ": " + (named ? "set source.compression: auto"
              : "name it " + suffix + (source.compression() != SourceSpec.Compression.AUTO ? " with compression: auto" : "")
                  + ("gzip".equals(kind) && source.compression() != SourceSpec.Compression.GZIP
                      ? ", or set source.compression: gzip" : "")));
    }
  }

  /** A zstd skippable frame, which may open a zstd file: 0x184D2A50-5F, little-endian. */
  private static boolean zstdSkippable(byte[] start) {
    return start.length >= 4 && (start[0] & 0xf0) == 0x50 && (start[1] & 0xff) == 0x2a && (start[2] & 0xff) == 0x4d
        && (start[3] & 0xff) == 0x18;
  }

  /**
   * A tar archive's first header: POSIX's "ustar\0" and version "00", or GNU's "ustar  \0", at byte
   * 257 (a review: "ustar" alone is in "Mustard", at that byte of a CSV now and then).
   */
  private static boolean tar(byte[] start) {
    if (start.length < 265) {
      return false;
    }
    byte[] magic = java.util.Arrays.copyOfRange(start, 257, 265);
    return startsWith(magic, 'u', 's', 't', 'a', 'r', 0, '0', '0') || startsWith(magic, 'u', 's', 't', 'a', 'r', ' ', ' ', 0);
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if ((bytes[i] & 0xff) != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
