package dev.beametl.extract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Globs expand to real files, each once: a symbolic-link loop neither multiplies nor hangs a read. */
public class InputFilesTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private List<String> names(String pattern) throws Exception {
    return InputFiles.match(pattern).stream().map(Metadata::resourceId)
        .map(r -> tmp.getRoot().toPath().relativize(Path.of(r.toString())).toString()).collect(Collectors.toList());
  }

  @Test
  public void aLinkBackToItsOwnDirectoryIsNotFollowedRoundAndRound() throws Exception {
    Path dir = tmp.newFolder("dir").toPath();
    Files.writeString(dir.resolve("a.csv"), "1\n");
    Files.createSymbolicLink(dir.resolve("loop"), Path.of("."));
    Files.createSymbolicLink(dir.resolve("again"), Path.of("."));
    assertThat(names(dir + "/**"), contains("dir/a.csv"));
    assertThat(names(dir + "/**.csv"), contains("dir/a.csv"));
  }

  /** A path without * or ? that names a file is that file, brackets and braces in its name being text (a trial). */
  @Test
  public void aFileNamedWithBracketsIsThatFile() throws Exception {
    Path dir = tmp.newFolder("brackets").toPath();
    for (String name : new String[] {"a[1].csv", "a1.csv", "x{a,b}.csv", "xa.csv"}) {
      Files.writeString(dir.resolve(name), "1\n");
    }
    assertThat(fileNames(InputFiles.match(dir + "/a[1].csv")), contains("a[1].csv"));
    assertThat(fileNames(InputFiles.match(dir + "/x{a,b}.csv")), contains("x{a,b}.csv"));
    assertThat(fileNames(InputFiles.match(dir + "/a[0-9].csv")), contains("a1.csv")); // no such file: a glob
    assertThat(fileNames(InputFiles.match(dir + "/x{a,c}.csv")), contains("xa.csv"));
  }

  /**
   * A trial: x[.csv, a file, failed the run with a regex's three-line error (the output check asked
   * whether the output would match it as a glob); a glob that is none fails in one line saying how to escape.
   */
  @Test
  public void anUnclosedBracketNamesItsFileOrFailsInOneLine() throws Exception {
    Path dir = tmp.newFolder("open").toPath();
    Files.writeString(dir.resolve("x[.csv"), "1\n");
    Files.writeString(dir.resolve("y{.csv"), "1\n");
    assertThat(fileNames(InputFiles.match(dir + "/x[.csv")), contains("x[.csv"));
    assertThat(InputFiles.wouldMatch(dir + "/x[.csv", dir.resolve("x[.csv")), org.hamcrest.Matchers.is(true));
    assertThat(InputFiles.wouldMatch(dir + "/y{.csv", dir.resolve("out.csv")), org.hamcrest.Matchers.is(false));
    assertThat(fileNames(InputFiles.match(dir + "/*\\[.csv")), contains("x[.csv")); // escaped: the character
    for (String glob : new String[] {"/*[.csv", "/[", "/z{.csv"}) {
      IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class,
          () -> InputFiles.match(dir + glob));
      assertThat(e.getMessage(), org.hamcrest.Matchers.allOf(org.hamcrest.Matchers.containsString("is not a glob"),
          org.hamcrest.Matchers.containsString("write \\[ or \\{")));
      assertThat(e.getMessage().lines().count(), org.hamcrest.Matchers.is(1L));
      org.junit.Assert.assertThrows(IllegalArgumentException.class, () -> InputFiles.wouldMatch(dir + glob,
          dir.resolve("out.csv")));
    }
  }

  private static List<String> fileNames(List<Metadata> files) {
    List<String> out = new java.util.ArrayList<>();
    files.forEach(f -> out.add(f.resourceId().getFilename()));
    return out;
  }

  @Test
  public void aFileReachedByTwoRoutesIsReadOnce() throws Exception {
    Path dir = tmp.newFolder("data").toPath();
    Files.createDirectories(dir.resolve("2024"));
    Files.writeString(dir.resolve("2024/jan.csv"), "1\n");
    Files.createSymbolicLink(dir.resolve("latest"), dir.resolve("2024"));
    assertThat(names(dir + "/**/*.csv"), hasSize(1));
  }

  /** A hard link is the same file under a second name: read once, under the first name in order. */
  @Test
  public void aHardLinkIsTheSameFile() throws Exception {
    Path dir = tmp.newFolder("d").toPath();
    Files.writeString(dir.resolve("b.csv"), "1\n");
    Files.createLink(dir.resolve("a.csv"), dir.resolve("b.csv"));
    Files.createLink(dir.resolve("c.csv"), dir.resolve("b.csv"));
    Files.createSymbolicLink(dir.resolve("0.csv"), dir.resolve("c.csv"));
    Files.writeString(dir.resolve("other.csv"), "1\n");
    assertThat(names(dir + "/*.csv"), contains("d/0.csv", "d/other.csv"));
  }

  /**
   * A pattern is normalized as text, as Beam reads the files it is given: a file: URI's x/../data
   * through a link was listed where the operating system goes (names and sizes) and read where Beam
   * goes, and a larger file there was cut at the smaller's size (a trial: 2 of 3 rows, exit 0).
   */
  @Test
  public void aParentStepIsTakenAsTextAsBeamReadsTheFiles() throws Exception {
    Path root = tmp.getRoot().toPath();
    Files.createDirectories(root.resolve("real/sub"));
    Files.createDirectories(root.resolve("real/data"));
    Files.createDirectories(root.resolve("data"));
    Files.writeString(root.resolve("data/a.csv"), "1\n2\n3\n");
    Files.writeString(root.resolve("real/data/a.csv"), "7\n");
    Files.createSymbolicLink(root.resolve("lnk"), root.resolve("real/sub"));
    for (String pattern : List.of("file://" + root + "/lnk/../data/*.csv", root + "/lnk/../data/*.csv",
        root + "/lnk/../data/a.csv")) {
      List<Metadata> files = InputFiles.match(pattern);
      assertThat(pattern, names(pattern), contains("data/a.csv"));
      assertThat(pattern, files.get(0).sizeBytes(), org.hamcrest.Matchers.is(6L));
    }
  }

  /** A file: URI is its path, one slash or three; a colon without a slash is part of a name. */
  @Test
  public void aFileUriIsItsPathAndAColonIsPartOfAName() throws Exception {
    Path dir = tmp.newFolder("2024:q1").toPath();
    Files.writeString(dir.resolve("a.csv"), "1\n");
    assertThat(names("file:" + dir + "/*.csv"), contains("2024:q1/a.csv"));
    assertThat(names("file://" + dir + "/*.csv"), contains("2024:q1/a.csv"));
    assertThat(names(dir + "/*.csv"), contains("2024:q1/a.csv"));
    // Percent escapes are decoded, as for an output given as a file: URI.
    Path spaced = tmp.newFolder("d x+y").toPath();
    Files.writeString(spaced.resolve("b.csv"), "1\n");
    assertThat(names("file:" + tmp.getRoot() + "/d%20x+y/*.csv"), contains("d x+y/b.csv"));
  }

  @Test
  public void starsStayInTheirDirectoryAndDoubleStarsCrossThem() throws Exception {
    Path dir = tmp.newFolder("d").toPath();
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve("top.csv"), "1\n");
    Files.writeString(dir.resolve("sub/deep.csv"), "2\n");
    Files.writeString(dir.resolve("notes.txt"), "x\n");
    assertThat(names(dir + "/*.csv"), contains("d/top.csv"));
    // ** is zero or more directories, as DuckDB, Python and the shell's globstar read it
    assertThat(names(dir + "/**/*.csv"), contains("d/sub/deep.csv", "d/top.csv"));
    assertThat(names(dir + "/**/sub/**/*.csv"), contains("d/sub/deep.csv"));
    assertThat(InputFiles.zeroOrMoreDirectories("a/**/b/**/c"),
        org.hamcrest.Matchers.containsInAnyOrder("a/**/b/**/c", "a/b/**/c", "a/**/b/c", "a/b/c"));
    assertThat(names(dir + "/top.csv"), contains("d/top.csv"));
    assertThat(names(dir + "/nothing*.csv"), empty());
    assertThat(names(dir + "/missing.csv"), empty());
  }
}
