package dev.beametl.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.extract.InputFiles;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.jdbc.SqlNames;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.IncrementalSpec;
import dev.beametl.spec.JdbcSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.fs.MatchResult;

/**
 * What earlier successful runs of an incremental source loaded, kept beside the output in
 * {@value #FILE}: the high-water mark of a database column, or the files loaded (path, size,
 * modification time, and a digest of the first and last 64 KiB). A run reads from the mark minus the
 * overlap, or only the files not loaded yet - a loaded file under another name (a link to it, or
 * renamed) is no new file;
 * the state moves on only when the run succeeds (exit 0), so a failed or exit-3 run is simply
 * repeated. {@code --full} ignores it and starts over.
 */
final class IncrementalState {
  static final String FILE = ".beam-etl-incremental.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS", Locale.ROOT); // uuuu: a year BC is negative, not of its era

  private final PipelineSpec spec;
  private final IncrementalSpec incremental;
  private final @Nullable Long mark;
  private final List<String> loadedFiles;
  /** By an entry of {@link #loadedFiles}, a digest of its first and last bytes ({@link #sampleOf}), where known. */
  private final Map<String, String> samples;
  /** By a new file's path, its sample. */
  private final Map<String, String> newSamples = new java.util.HashMap<>();
  private final boolean hadState;
  private final boolean full;
  private final List<String> notes = new ArrayList<>();
  /** When the run was planned: a date or timestamp mark never passes it. */
  private final Instant plannedAt = Instant.now();
  private PipelineSpec runSpec;
  private @Nullable List<MatchResult.Metadata> newFiles;
  private @Nullable String nothingNew;

  private IncrementalState(PipelineSpec spec, @Nullable Long mark, List<String> loadedFiles,
      Map<String, String> samples, boolean hadState, boolean full) {
    this.spec = spec;
    this.incremental = spec.source().incremental();
    this.mark = mark;
    this.loadedFiles = loadedFiles;
    this.samples = samples;
    this.hadState = hadState;
    this.full = full;
    this.runSpec = spec;
  }

  private static Path file(PipelineSpec spec) {
    return Path.of(spec.sink().path(), FILE);
  }

  /** The run whose commit the state is: its files belong to the output. */
  static List<String> committedRuns(PipelineSpec spec) throws IOException {
    JsonNode state = StateFile.read(file(spec), spec);
    JsonNode run = state == null ? null : state.path("run");
    return run != null && run.isTextual() ? List.of(run.asText()) : List.of();
  }

  /** Reads the state and plans this run: its spec (a database read from the mark), or its new files. */
  static IncrementalState plan(PipelineSpec spec, boolean full) throws IOException {
    IncrementalSpec incremental = spec.source().incremental();
    Path file = file(spec);
    Long mark = null;
    List<String> loaded = new ArrayList<>();
    Map<String, String> samples = new java.util.HashMap<>();
    JsonNode n = null;
    if (!full) { // --full starts over, whatever the state holds (an earlier run's uncommitted state too)
      try {
        n = StateFile.read(file, spec);
      } catch (StateFile.Unconfirmable e) {
        throw e;
      } catch (IOException e) {
        throw new SpecException("source.incremental: the state " + file + " cannot be read (" + e.getMessage()
            + "); run once with --full to start over");
      }
    }
    boolean had = full ? Files.isRegularFile(file) : n != null;
    if (n != null) {
      String column = n.path("column").isTextual() ? n.get("column").asText() : null;
      boolean sameKind = incremental.isFiles() ? n.has("files") : incremental.column().equals(column);
      if (!sameKind) {
        throw new SpecException("source.incremental: " + file + " holds the state of another incremental setting ("
            + (column == null ? "files" : "column " + column) + "); run once with --full to start over");
      }
      if (n.hasNonNull("mark")) {
        mark = n.get("mark").asLong();
      }
      n.path("files").forEach(f -> {
        String k = key(f.path("path").asText(), f.path("size").asLong(), f.path("modified").asLong());
        loaded.add(k);
        if (f.path("sample").isTextual()) {
          samples.put(k, f.get("sample").asText());
        }
      });
    }
    IncrementalState state = new IncrementalState(spec, full ? null : mark, full ? List.of() : loaded, samples, had,
        full);
    if (incremental.isFiles()) {
      state.planFiles();
    } else {
      state.planRows();
    }
    return state;
  }

  private static String key(String path, long size, long modified) {
    return path + "\u0000" + size + "\u0000" + modified;
  }

  /**
   * The file system's identity of the file {@code path} names (device and inode, through links), when
   * it has one and the file still has this size and modification time; else null.
   */
  private static @Nullable String identityOf(String path, long size, long modified) {
    try {
      java.nio.file.attribute.BasicFileAttributes attrs =
          Files.readAttributes(Path.of(path), java.nio.file.attribute.BasicFileAttributes.class);
      Object key = attrs.fileKey();
      return key == null || attrs.size() != size || attrs.lastModifiedTime().toMillis() != modified ? null
          : key.toString();
    } catch (IOException | RuntimeException e) {
      return null; // gone, or not a local file: known by its path alone
    }
  }

  /** A digest of the first and last 64 KiB of the file's first {@code size} bytes; null when it cannot be read. */
  private static @Nullable String sampleOf(String path, long size) {
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(Path.of(path))) {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      int sample = 64 * 1024;
      for (long from : new long[] {0, Math.max(0, size - sample)}) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate((int) Math.min(sample, size));
        while (bytes.hasRemaining() && channel.read(bytes, from + bytes.position()) > 0) {
          // read on
        }
        bytes.flip();
        digest.update(bytes);
      }
      digest.update(java.nio.ByteBuffer.allocate(Long.BYTES).putLong(0, size));
      byte[] bits = java.util.Arrays.copyOf(digest.digest(), 16);
      return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    } catch (IOException | java.security.NoSuchAlgorithmException | RuntimeException e) {
      return null;
    }
  }

  private void planFiles() throws IOException {
    List<MatchResult.Metadata> all = InputFiles.match(spec.source().path());
    Set<String> loaded = new LinkedHashSet<>(loadedFiles);
    Set<String> loadedPaths = new java.util.HashSet<>();
    // A loaded name that still names its file, unchanged, by that file's identity now (device and inode:
    // a link names it too); a loaded file its name no longer names, by its sample (renamed, or moved away).
    Map<String, String> byIdentityNow = new java.util.HashMap<>();
    Map<String, String> bySample = new java.util.HashMap<>();
    for (String k : loadedFiles) {
      String[] parts = k.split("\u0000");
      loadedPaths.add(parts[0]);
      long size = Long.parseLong(parts[1]);
      long modified = Long.parseLong(parts[2]);
      String identity = identityOf(parts[0], size, modified);
      if (identity != null) {
        byIdentityNow.put(key(identity, size, modified), k);
      } else if (samples.get(k) != null) {
        bySample.put(key(samples.get(k), size, modified), k);
      }
    }
    newFiles = new ArrayList<>();
    for (MatchResult.Metadata m : all) {
      if (!loaded.contains(key(m.resourceId().toString(), m.sizeBytes(), m.lastModifiedMillis()))) {
        String path = m.resourceId().toString();
        String identity = identityOf(path, m.sizeBytes(), m.lastModifiedMillis());
        String sample = sampleOf(path, m.sizeBytes());
        // The same file under another name: a link (the loaded name names this very file now), or renamed (the
        // same size, time and first and last bytes; not the inode, which a file system gives the next new file).
        String entry = identity == null ? null
            : byIdentityNow.get(key(identity, m.sizeBytes(), m.lastModifiedMillis()));
        if (entry == null && sample != null) {
          entry = bySample.get(key(sample, m.sizeBytes(), m.lastModifiedMillis()));
        }
        if (entry != null) {
          notes.add("incremental: " + path + " is " + entry.split("\u0000")[0] + ", which an earlier run loaded (the "
              + "same file, unchanged, under another name: a link to it, or renamed); it is not loaded again");
          continue;
        }
        if (sample != null) {
          newSamples.put(path, sample);
        }
        newFiles.add(m);
        if (loadedPaths.contains(m.resourceId().toString())) {
          notes.add("incremental: " + m.resourceId() + " changed since an earlier run loaded it; it is loaded again "
              + "whole, so the rows that run loaded from it are in the output twice" + (spec.sink().upserts()
              ? " (the upsert table keeps one row per key)"
              : " (append files only once they are complete: write, then move into place)"));
        }
      }
    }
    if (newFiles.isEmpty()) {
      nothingNew = String.format(Locale.ROOT, "no new files: the %,d files %s matches were all loaded by earlier "
          + "runs (--full loads them again)", all.size(), spec.source().path());
    } else {
      notes.add(String.format(Locale.ROOT, "incremental: %,d new file%s of %,d (a file changed since it was loaded "
          + "counts as new)", newFiles.size(), newFiles.size() == 1 ? "" : "s", all.size()));
    }
  }

  private void planRows() {
    JdbcSpec jdbc = spec.source().jdbc();
    String column = incremental.column();
    long nulls = countNulls(jdbc, column);
    boolean withZone = checkColumnType(jdbc, column); // on the first run too: a later run would find nothing new
    if (spec.aggregation() != null && spec.aggregation().groupBy().contains(column)) {
      notes.add("incremental: each run rewrites the groups of the " + column + " values it reads; a row whose " + column
          + " changes (an update) moves to a newer group and stays counted in its old one: group by a value rows keep");
    }
    if (mark == null) {
      notes.add("incremental: " + (full ? "--full: " : "no earlier run: ") + "reads every row of " + jdbc.displayName()
          + "; the next runs read from the largest " + column + " this run reads, minus the overlap "
          + incremental.overlapText());
      return;
    }
    // Saturating: a mark within the overlap of a long's minimum wrapped to a large positive bound, and
    // the run read nothing new, exit 0.
    long from = mark < Long.MIN_VALUE + incremental.overlap() ? Long.MIN_VALUE : mark - incremental.overlap();
    String literal = literal(column, withZone, from);
    runSpec = spec.toBuilder().setSource(spec.source().toBuilder()
        .setJdbc(jdbc.toBuilder().setWhere(SqlNames.of(jdbc).name(column) + " >= " + literal).build()).build()).build();
    notes.add("incremental: reads the rows of " + jdbc.displayName() + " with " + column + " >= " + literal
        + " (the last mark minus the overlap " + incremental.overlapText() + ")");
    if (nulls > 0) {
      notes.add(String.format(Locale.ROOT, "incremental: %,d rows with a NULL %s are not read by incremental runs; "
          + "--full reads them", nulls, column));
    }
  }

  private static long countNulls(JdbcSpec jdbc, String column) {
    try (Connection c = JdbcConnections.open(jdbc);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + SqlNames.relation(jdbc) + " WHERE "
            + SqlNames.of(jdbc).name(column) + " IS NULL")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new SpecException("source.incremental.column: cannot read " + column + " of " + jdbc.displayName() + ": "
          + JdbcConnections.describe(e, jdbc));
    }
  }

  /**
   * Whether the incremental column is a timestamp with time zone, after checking that the database
   * compares it as the field's kind: the mark is bound as a date, timestamp or integer literal, and a
   * text column (a field with a format) was compared as text by MariaDB - no row matched, so every
   * run after the first loaded nothing, exit 0 (a trial; PostgreSQL refuses such a comparison).
   */
  private boolean checkColumnType(JdbcSpec jdbc, String column) {
    FieldType.Kind kind = spec.field(column).orElseThrow().type().kind();
    int type;
    String name;
    try (Connection c = JdbcConnections.open(jdbc);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + SqlNames.of(jdbc).name(column) + " FROM " + SqlNames.relation(jdbc)
            + " WHERE 1 = 0")) {
      type = rs.getMetaData().getColumnType(1);
      name = String.valueOf(rs.getMetaData().getColumnTypeName(1));
      if ((type == Types.NUMERIC || type == Types.DECIMAL) && rs.getMetaData().getScale(1) == 0
          && kind != FieldType.Kind.DATE && kind != FieldType.Kind.TIMESTAMP) {
        type = Types.BIGINT; // an integer NUMERIC(p, 0) compares as one
      }
    } catch (SQLException e) {
      throw new SpecException("source.incremental.column: cannot read " + column + " of " + jdbc.displayName() + ": "
          + JdbcConnections.describe(e, jdbc));
    }
    boolean temporal = type == Types.DATE || type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE;
    boolean integer = type == Types.TINYINT || type == Types.SMALLINT || type == Types.INTEGER || type == Types.BIGINT;
    boolean fits = kind == FieldType.Kind.DATE || kind == FieldType.Kind.TIMESTAMP ? temporal : integer;
    if (!fits) {
      throw new SpecException("source.incremental.column: " + column + " is " + name + " in " + jdbc.displayName()
          + ", and the database compares the mark with it as " + (kind == FieldType.Kind.DATE || kind == FieldType.Kind.TIMESTAMP
              ? "a date or timestamp" : "an integer") + "; use a column of that type (or a query that casts " + column
          + " to one)");
    }
    String lower = name.toLowerCase(Locale.ROOT);
    // PostgreSQL's driver reports timestamptz as TIMESTAMP; its type name tells
    return type == Types.TIMESTAMP_WITH_TIMEZONE || lower.contains("tz") || lower.contains("time zone");
  }

  /** The mark as an SQL literal of the column's type, in the field's time zone for a local timestamp. */
  private String literal(String column, boolean withZone, long value) {
    FieldSpec field = spec.field(column).orElseThrow();
    FieldType.Kind kind = field.type().kind();
    if (kind == FieldType.Kind.DATE) {
      return "DATE '" + LocalDate.ofEpochDay(value) + "'";
    }
    if (kind == FieldType.Kind.TIMESTAMP) {
      Instant instant = Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000);
      if (withZone) {
        return "TIMESTAMP WITH TIME ZONE '" + LOCAL.format(instant.atOffset(ZoneOffset.UTC)) + "+00:00'";
      }
      ZoneId zone = field.zone() == null ? ZoneOffset.UTC : ZoneId.of(field.zone());
      return "TIMESTAMP '" + LOCAL.format(earliestWallClock(instant, zone)) + "'";
    }
    return Long.toString(value);
  }

  /**
   * The earliest wall-clock time of any instant from {@code from} until now: where clocks went back
   * since, the hour they passed twice. A row written in its second pass has a later instant than
   * the mark but an earlier wall-clock time; compared from the mark's own wall-clock time, a trial's
   * 16 such rows were never loaded (Europe/Berlin, overlap 10 minutes).
   */
  private LocalDateTime earliestWallClock(Instant from, ZoneId zone) {
    LocalDateTime earliest = LocalDateTime.ofInstant(from, zone);
    for (ZoneOffsetTransition t = zone.getRules().nextTransition(from);
        t != null && !t.getInstant().isAfter(plannedAt); t = zone.getRules().nextTransition(t.getInstant())) {
      if (t.isOverlap() && t.getDateTimeAfter().isBefore(earliest)) {
        earliest = t.getDateTimeAfter();
      }
    }
    return earliest;
  }

  PipelineSpec spec() {
    return runSpec;
  }

  /** Whether earlier runs' output stays and this run adds to it. */
  boolean continues() {
    return hadState && !full;
  }

  boolean hadState() {
    return hadState;
  }

  @Nullable String nothingNew() {
    return nothingNew;
  }

  List<String> notes() {
    return notes;
  }

  @Nullable List<MatchResult.Metadata> newFiles() {
    return newFiles;
  }

  /**
   * After a successful run: the new mark (the largest value read, never lower than the last), or the
   * files added; {@code unconfirmed}: a table's commit follows (see {@link StateFile}).
   */
  List<String> commit(Map<String, Long> counts, String run, boolean unconfirmed) throws IOException {
    ObjectNode n = JSON.createObjectNode().put("pipeline", spec.name()).put("run", run)
        .put("updated", Instant.now().toString());
    List<String> said = new ArrayList<>();
    if (incremental.isFiles()) {
      ArrayNode files = n.putArray("files");
      Set<String> replaced = new java.util.HashSet<>();
      newFiles.forEach(m -> replaced.add(m.resourceId().toString()));
      for (String k : loadedFiles) { // one entry per path: its latest version
        String[] parts = k.split("\u0000");
        if (!replaced.contains(parts[0])) {
          ObjectNode entry = files.addObject().put("path", parts[0]).put("size", Long.parseLong(parts[1]))
              .put("modified", Long.parseLong(parts[2]));
          if (samples.get(k) != null) {
            entry.put("sample", samples.get(k));
          }
        }
      }
      for (MatchResult.Metadata m : newFiles) {
        ObjectNode entry = files.addObject().put("path", m.resourceId().toString()).put("size", m.sizeBytes())
            .put("modified", m.lastModifiedMillis());
        if (newSamples.containsKey(m.resourceId().toString())) {
          entry.put("sample", newSamples.get(m.resourceId().toString()));
        }
      }
      said.add(String.format(Locale.ROOT, "incremental: %,d files loaded so far; the next run loads only new or "
          + "changed ones", files.size()));
    } else {
      Long read = counts.get("incremental.max");
      Long cap = cap();
      if (read != null && cap != null && read > cap) {
        said.add("incremental: " + incremental.column() + " reaches " + describe(read) + ", after this run started; "
            + "the mark stops at " + describe(cap) + ", so those rows are read again until their time has come "
            + "(one wrong far-future value would otherwise end every later load)");
        read = cap;
      }
      Long next = read == null ? mark : mark == null ? read : Math.max(mark, read);
      n.put("column", incremental.column());
      if (next == null) {
        n.putNull("mark");
      } else {
        n.put("mark", next);
      }
      said.add("incremental: the next run reads from " + incremental.column() + " = " + describe(next)
          + " minus the overlap " + incremental.overlapText());
    }
    StateFile.write(file(spec), n, run, unconfirmed);
    return said;
  }

  /** The highest mark a date or timestamp column may get: when this run was planned. Integers: none. */
  private @Nullable Long cap() {
    FieldType.Kind kind = spec.field(incremental.column()).orElseThrow().type().kind();
    if (kind == FieldType.Kind.TIMESTAMP) {
      return dev.beametl.spec.TemporalRange.micros(plannedAt);
    }
    if (kind == FieldType.Kind.DATE) {
      return plannedAt.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay();
    }
    return null;
  }

  private String describe(@Nullable Long value) {
    if (value == null) {
      return "(no rows yet: the whole table)";
    }
    FieldType.Kind kind = spec.field(incremental.column()).orElseThrow().type().kind();
    if (kind == FieldType.Kind.DATE) {
      return LocalDate.ofEpochDay(value).toString();
    }
    if (kind == FieldType.Kind.TIMESTAMP) {
      return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1000).toString();
    }
    return value.toString();
  }
}
