package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Input whose first bytes say it is compressed in a way the reader would not undo is refused before
 * the run (a trial: gzip data in b.csv lost its rows as a few bad_encoding fragments, exit 0; a zip's
 * entries were read as one text under the first entry's header).
 */
public class CompressedInputTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private EtlJobTest.Run run(String name, byte[] bytes, String compression) throws Exception {
    Path in = tmp.newFolder().toPath();
    Files.write(in.resolve("a.csv"), "id\n1\n".getBytes(StandardCharsets.UTF_8));
    Files.write(in.resolve(name), bytes);
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, String.join("\n", "version: 1",
        "source: {path: '" + in + "/*', format: csv, compression: " + compression + "}",
        "schema: [{name: id, type: int}]", "sink: {format: csv, path: '" + tmp.getRoot() + "/out-" + name + "'}", ""));
    return new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
  }

  private static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }

  @Test
  public void gzipDataUnderAnotherNameIsRefusedNamingTheFix() throws Exception {
    EtlJobTest.Run r = run("b.csv", gzip("id\n2\n"), "auto");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("b.csv\" holds gzip data, which would be read as text: name it .gz, or set"
        + " source.compression: gzip"));
    assertThat(run("c.csv", gzip("id\n2\n"), "none").err, containsString("holds gzip data, which would be read as text"
        + " (source.compression is none)"));
    EtlJobTest.Run named = run("b.csv.gz", gzip("id\n2\n"), "auto");
    assertThat(named.err, named.code, is(EtlJob.OK));
    EtlJobTest.Run told = run("b.data", gzip("id\n2\n"), "gzip");
    assertThat(told.err, told.code, is(EtlJob.OK));
  }

  @Test
  public void aZipArchiveIsRefused() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out)) {
      for (String entry : new String[] {"jan.csv", "feb.csv"}) {
        z.putNextEntry(new ZipEntry(entry));
        z.write("id\n2\n".getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    EtlJobTest.Run r = run("sales.zip", out.toByteArray(), "auto");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("sales.zip\" is a zip archive, which is not read"));
  }

  /**
   * A re-trial: bzip2 data named .gz went to gzip's reader, which reads what is not gzip as text (its
   * rows lost); a .tar.gz was read as one text; a CSV whose header starts BZh was taken for bzip2.
   */
  @Test
  public void theKindTheFirstBytesSayMustBeTheOneRead() throws Exception {
    byte[] bzip2 = {'B', 'Z', 'h', '9', 0x31, 0x41, 0x59, 0x26, 0x53, 0x59, 0, 0};
    EtlJobTest.Run r = run("b.csv.gz", bzip2, "auto");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("b.csv.gz\" holds bzip2 data, which would be read as gzip: name it .bz2"));
    assertThat(run("b.csv.bz2", bzip2, "gzip").err, containsString("(source.compression is gzip): set source.compression: auto"));
    assertThat(run("x.tar.gz", gzip("id\n2\n"), "auto").err, containsString("is a tar archive, which is not read"));
    byte[] tar = new byte[512];
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, tar, 257, 8);
    assertThat(run("x.csv", tar, "auto").err, containsString("is a tar archive"));
    assertThat(run("b.bz2", "id\n2\n".getBytes(StandardCharsets.UTF_8), "auto").err,
        containsString("is named as bzip2 data but holds none"));
    // Read by its name, a .deflate file of two zlib streams gave the first one's rows alone, exit 0 (a trial).
    java.io.ByteArrayOutputStream two = new java.io.ByteArrayOutputStream();
    for (String rows : new String[] {"id\n1\n", "2\n"}) {
      try (java.util.zip.DeflaterOutputStream z = new java.util.zip.DeflaterOutputStream(two) {
        @Override
        public void close() throws java.io.IOException {
          finish(); // the stream ends; the bytes stay open for the next one
        }
      }) {
        z.write(rows.getBytes(StandardCharsets.UTF_8));
      }
    }
    // lz4 data (its frame's magic), which nothing reads: every record a bad_encoding dead letter (a re-trial)
    assertThat(run("b.csv.lz4", new byte[] {0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, (byte) 0xa7}, "auto").err,
        containsString("holds lz4 data, which is not read"));
    EtlJobTest.Run deflate = run("b.csv.deflate", two.toByteArray(), "auto");
    assertThat(deflate.code, is(EtlJob.USAGE));
    assertThat(deflate.err, containsString("b.csv.deflate\" is named as deflate data, which is not read"));
  }

  /** Text that only looks like a magic number at its start, or by its name under another setting, is read (a review). */
  @Test
  public void textThatLooksCompressedIsRead() throws Exception {
    EtlJobTest.Run bzh = run("b.csv", "id\n2\n".getBytes(StandardCharsets.UTF_8), "auto"); // the baseline
    assertThat(bzh.err, bzh.code, is(EtlJob.OK));
    for (String text : new String[] {"BZh9,x\n", "BZh_code\n"}) {
      Preflight.checkCompression(metadata("b.csv"), "source", SOURCE, text.getBytes(StandardCharsets.US_ASCII));
    }
    byte[] mustard = ("id,note\n" + "1," + "x".repeat(246) + "Mustard and custard\n").getBytes(StandardCharsets.US_ASCII);
    assertThat(new String(mustard, 257, 5, StandardCharsets.US_ASCII), is("ustar"));
    Preflight.checkCompression(metadata("m.csv"), "source", SOURCE, java.util.Arrays.copyOf(mustard, 265));
    Preflight.checkCompression(metadata("x.zip"), "source", SOURCE.toBuilder()
        .setCompression(dev.beametl.spec.SourceSpec.Compression.NONE).build(), "id\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static final dev.beametl.spec.SourceSpec SOURCE =
      dev.beametl.spec.SourceSpec.builder("x.csv", dev.beametl.spec.SourceSpec.Format.CSV).build();

  private org.apache.beam.sdk.io.fs.MatchResult.Metadata metadata(String name) {
    return org.apache.beam.sdk.io.fs.MatchResult.Metadata.builder()
        .setResourceId(org.apache.beam.sdk.io.FileSystems.matchNewResource(tmp.getRoot() + "/" + name, false))
        .setIsReadSeekEfficient(true).setSizeBytes(10).setLastModifiedMillis(0).build();
  }
}
