package dev.beametl.extract;

import dev.beametl.spec.SpecPaths;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;

/**
 * The files a source path or glob names, each once. On the local file system a glob is walked here,
 * not by Beam: symbolic links are followed, but a link back into a directory already on the way (a
 * loop, {@code loop -> .}) is not, and files are told apart by their real path, so a file reached
 * by two routes is read once. {@code *} and {@code ?} match within a directory, {@code **} across
 * directories ({@link java.nio.file.FileSystem#getPathMatcher} glob syntax). Other file systems
 * ({@code gs://}, {@code s3://}) have no links and are matched by Beam.
 */
public final class InputFiles {
  private static final Pattern GLOB = Pattern.compile("[*?\\[{]");

  private InputFiles() {}

  /**
   * {@code glob} and its forms with any of its {@code **}{@code /} left out: Java's glob needs a
   * directory there, so {@code d/**}{@code /*.csv} skipped the files in {@code d} itself, which
   * DuckDB, Spark and the shell's globstar read (a hostile trial: 1 of 4 files, exit 0).
   */
  static List<String> zeroOrMoreDirectories(String glob) {
    List<String> out = new ArrayList<>(List.of(glob));
    int at = glob.indexOf("**/");
    if (at >= 0) {
      for (String rest : zeroOrMoreDirectories(glob.substring(at + 3))) {
        out.add(glob.substring(0, at) + rest);
        if (!rest.equals(glob.substring(at + 3))) {
          out.add(glob.substring(0, at + 3) + rest);
        }
      }
    }
    return out;
  }

  /**
   * Whether a local glob would match {@code file} if it existed, as {@link #match} matches: for files
   * a run has not written yet (its output, on the first run).
   */
  public static boolean wouldMatch(String pattern, Path file) {
    if (SpecPaths.isRemote(pattern)) {
      return false;
    }
    Path whole = Path.of(SpecPaths.isUri(pattern) ? SpecPaths.fileUriPath(pattern) : pattern).toAbsolutePath().normalize();
    int firstGlob = literal(whole) ? -1 : firstGlob(whole);
    Path target = file.toAbsolutePath().normalize();
    if (firstGlob < 0) {
      return whole.equals(target);
    }
    Path base = base(whole, firstGlob);
    if (!target.startsWith(base)) {
      return false;
    }
    Path relative = base.relativize(target);
    return matchers(whole, firstGlob).stream().anyMatch(m -> m.matches(relative));
  }

  /**
   * Whether the path is a file's name, not a glob: a path without * or ? that names a file is that
   * file, [1] and {a,b} in its name being text (a trial's report[1].csv read report1.csv, or matched
   * nothing beside the file itself; and x[.csv failed as a glob).
   */
  private static boolean literal(Path whole) {
    return whole.toString().indexOf('*') < 0 && whole.toString().indexOf('?') < 0 && Files.isRegularFile(whole);
  }

  /** The index of the first name of {@code whole} that holds a glob character, or -1. */
  private static int firstGlob(Path whole) {
    for (int i = 0; i < whole.getNameCount(); i++) {
      if (GLOB.matcher(whole.getName(i).toString()).find()) {
        return i;
      }
    }
    return -1;
  }

  /** The directory the glob starts in: {@code whole}'s names before the first glob. */
  private static Path base(Path whole, int firstGlob) {
    return firstGlob == 0 ? whole.getRoot() : whole.getRoot().resolve(whole.subpath(0, firstGlob));
  }

  /** The glob's matchers for a path relative to its {@link #base}, ** also as zero directories. */
  private static List<PathMatcher> matchers(Path whole, int firstGlob) {
    List<PathMatcher> matchers = new ArrayList<>();
    for (String glob : zeroOrMoreDirectories(whole.subpath(firstGlob, whole.getNameCount()).toString())) {
      try {
        matchers.add(whole.getFileSystem().getPathMatcher("glob:" + glob));
      } catch (java.util.regex.PatternSyntaxException e) { // its message is three lines, naming neither path nor fix
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "the input path %s is not a glob (%s "
            + "at character %d of %s): [ opens a class of characters and { a list of choices; for the character "
            + "itself write \\[ or \\{", whole, e.getDescription(), e.getIndex() + 1, glob), e);
      }
    }
    return matchers;
  }

  /**
   * What of a listed file's version ({@link UnchangedFile.Version}) says which file it is, without the
   * machine that listed it: for keys that a later run on this machine must find again. "" where none.
   */
  public static String identity(Metadata file) {
    return UnchangedFile.Version.identity(file.checksum());
  }

  /** The files {@code pattern} matches, sorted by path; none when nothing matches. */
  public static List<Metadata> match(String pattern) throws IOException {
    if (SpecPaths.isRemote(pattern)) {
      MatchResult m = FileSystems.match(pattern, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK ? m.metadata() : List.of();
    }
    // Normalized as text, as Beam reads the files it is given and every other path of the job is: a
    // file: URI's x/../data through a link was listed (names and sizes) where the operating system
    // goes and read where Beam goes, and a larger file there was cut at the smaller's size (a trial).
    Path whole = Path.of(SpecPaths.isUri(pattern) ? SpecPaths.fileUriPath(pattern) : pattern).toAbsolutePath().normalize();
    int firstGlob = literal(whole) ? -1 : firstGlob(whole);
    TreeMap<String, Path> files = new TreeMap<>(); // by the path as matched, each real file once
    // Each file on disk once, by its identity (device and inode where the file system has them):
    // a symbolic link and a hard link both name a file matched already. Of its names, the first in order.
    Map<Object, String> nameOf = new HashMap<>();
    if (firstGlob < 0) {
      if (Files.isRegularFile(whole)) {
        files.put(whole.toString(), whole);
      }
    } else {
      Path rest = whole.subpath(firstGlob, whole.getNameCount());
      List<PathMatcher> matchers = matchers(whole, firstGlob);
      java.util.function.Predicate<Path> matcher = p -> matchers.stream().anyMatch(m -> m.matches(p));
      int depth = rest.toString().contains("**") ? Integer.MAX_VALUE : rest.getNameCount();
      Path from = base(whole, firstGlob);
      if (Files.isDirectory(from)) {
        Files.walkFileTree(from, EnumSet.of(FileVisitOption.FOLLOW_LINKS), depth, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            if (attrs.isRegularFile() && matcher.test(from.relativize(file))) {
              Object identity = attrs.fileKey() != null ? attrs.fileKey() : file.toRealPath();
              String name = file.toString();
              String before = nameOf.putIfAbsent(identity, name);
              if (before == null) {
                files.put(name, file);
              } else if (name.compareTo(before) < 0) {
                files.remove(before);
                files.put(name, file);
                nameOf.put(identity, name);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof FileSystemLoopException) {
              return FileVisitResult.SKIP_SUBTREE; // a link back up the tree: its files are reached anyway
            }
            throw e;
          }
        });
      }
    }
    List<Metadata> out = new ArrayList<>();
    Map<Long, String> typeByDevice = new HashMap<>();
    for (Path file : files.values()) {
      out.add(Metadata.builder()
          .setResourceId(FileSystems.matchNewResource(file.toString(), false))
          .setSizeBytes(Files.size(file))
          .setIsReadSeekEfficient(true)
          .setLastModifiedMillis(Files.getLastModifiedTime(file).toMillis())
          .setChecksum(UnchangedFile.Version.checksumOf(file, typeByDevice))
          .build());
    }
    return out;
  }
}
