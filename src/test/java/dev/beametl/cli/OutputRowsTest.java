package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.load.Load;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SinkSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The end-of-run check counts the rows of this run's part files as a reader would: CSV records with
 * quoted line breaks and doubled quotes, one header per file, JSON lines, Parquet footers; not
 * Beam's temporary folders, the run folder, or other runs' files beside an appending run's. The
 * dead letters are counted so too.
 */
public class OutputRowsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Path write(String name, String text) throws Exception {
    Path file = tmp.getRoot().toPath().resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private PipelineSpec spec(String format) {
    String jdbc = format.equals("jdbc") ? ", jdbc: {url: 'jdbc:h2:mem:t', user: sa, table: t, mode: append}" : "";
    return Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: note, type: string}]",
        "sink: {format: " + format + ", path: '" + tmp.getRoot() + "/out'" + jdbc + "}", ""), "t", List.of());
  }

  @Test
  public void csvRecordsAreCountedWithTheirQuotesAndWithoutTheHeader() throws Exception {
    Path csv = write("a.csv", "id,note\n1,\"two\nlines\"\n2,\"a \"\"quoted\"\"\nbreak\"\n3,\n4,last\n");
    assertThat(OutputRows.rows(csv, SinkSpec.Format.CSV), is(4L));
    assertThat(OutputRows.rows(write("h.csv", "id,note\n"), SinkSpec.Format.CSV), is(0L));
    assertThat(OutputRows.rows(write("e.csv", ""), SinkSpec.Format.CSV), is(0L));
    Path jsonl = write("a.jsonl", "{\"note\":\"a \\\"quote and a \\n\"}\n{\"note\":\"\\\"\"}\n");
    assertThat("JSON escapes its quotes and line breaks", OutputRows.rows(jsonl, SinkSpec.Format.JSONL), is(2L));
  }

  /** An output given as a symbolic link to its directory: its part files were not found (a hostile trial). */
  @Test
  public void anOutputBehindASymbolicLinkHasItsFilesFound() throws Exception {
    Path real = tmp.newFolder("real").toPath();
    Files.createDirectories(real.resolve("region=EU"));
    Files.writeString(real.resolve("region=EU/part-00000-of-00001.csv"), "id\n1\n");
    Path link = Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), real);
    assertThat(OutputRows.files(link, SinkSpec.Format.CSV, null).size(), is(1));
  }

  @Test
  public void aFileCutShortIsNamedNotCounted() throws Exception {
    PipelineSpec spec = spec("jsonl");
    write("out-dead-letter/bad-records-00000-of-00002.jsonl", "{\"reason\":\"a\"}\n");
    write("out-dead-letter/bad-records-00001-of-00002.jsonl", "{\"reason\":\"b\"}\n{\"reason\":\"c");
    assertThat(OutputRows.mismatch(spec, 0, 3, null, true), allOf(
        containsString("bad-records-00001-of-00002.jsonl ends inside a record"),
        containsString("cut short"), containsString("run again without --resumeFrom")));
    write("out/part-00000-of-00001.csv", "id,note\n1,\"open\n");
    assertThat(OutputRows.mismatch(spec("csv"), 1, 0, null, false), allOf(
        containsString("part-00000-of-00001.csv ends inside a quoted value"), containsString("; run again")));
    write("out/part-00000-of-00001.parquet", "PAR1 and then nothing of a footer");
    assertThat(OutputRows.mismatch(spec("parquet"), 1, 0, null, false),
        containsString("part-00000-of-00001.parquet is not a whole Parquet file"));
  }

  @Test
  public void parquetRowsComeFromTheFooter() throws Exception {
    PipelineSpec spec = spec("parquet");
    Files.createDirectories(Path.of(spec.sink().path()));
    Load.writeEmptyResultIfNone(spec.sink(), OutputColumns.of(spec));
    Path empty = Path.of(spec.sink().path(), "part-00000-of-00001.parquet");
    assertThat(OutputRows.rows(empty, SinkSpec.Format.PARQUET), is(0L));
    assertThat(OutputRows.mismatch(spec, 0, 0, null, false), is(nullValue()));
    assertThat(OutputRows.mismatch(spec, 3, 0, null, false), allOf(containsString("holds 0 rows in 1 files, but the run wrote 3"),
        containsString("rows are missing")));
  }

  @Test
  public void onlyThisRunsPartFilesCount() throws Exception {
    write("out/part-00000-of-00002.csv", "id,note\n1,a\n2,b\n");
    write("out/region=EU/part-00001-of-00002.csv", "id,note\n3,c\n");
    write("out/.temp-beam-1f/part-00000-of-00001.csv", "id,note\n9,x\n");
    write("out/_run/part-00000-of-00001.csv", "id,note\n9,x\n");
    write("out/.snapshot/part-00000-of-00001.csv", "id,note\n9,x\n");
    write("out/part-00000-of-00002.csv.bak", "id,note\n9,x\n");
    write("out/part-0badc0de-00000-of-00001.csv", "id,note\n4,d\n");
    assertThat(OutputRows.mismatch(spec("csv"), 3, 0, null, false), is(nullValue()));
    assertThat("an appending run's own files", OutputRows.mismatch(spec("csv"), 1, 0, "0badc0de", false), is(nullValue()));
    assertThat(OutputRows.mismatch(spec("csv"), 2, 0, null, false), containsString("holds 3 rows in 2 files, but the run wrote 2: "
        + "rows are there twice"));
    assertThat(OutputRows.mismatch(spec("jsonl"), 0, 0, null, false), is(nullValue()));
  }

  @Test
  public void deadLettersAreCountedBesideTheRows() throws Exception {
    PipelineSpec spec = spec("jsonl");
    write("out-dead-letter/bad-records-00000-of-00002.jsonl", "{\"reason\":\"a\"}\n{\"reason\":\"b\"}\n");
    write("out-dead-letter/bad-records-00001-of-00002.jsonl", "{\"reason\":\"c\"}\n");
    write("out-dead-letter/.temp-beam-1f/bad-records-00000-of-00001.jsonl", "{\"reason\":\"x\"}\n");
    write("out-dead-letter/bad-records-0badc0de-00000-of-00001.jsonl", "{\"reason\":\"d\"}\n");
    assertThat(OutputRows.mismatch(spec, 0, 3, null, false), is(nullValue()));
    assertThat("an appending run's own files", OutputRows.mismatch(spec, 0, 1, "0badc0de", false), is(nullValue()));
    assertThat(OutputRows.mismatch(spec, 0, 5, null, false), allOf(containsString("the dead-letter directory \""
        + tmp.getRoot() + "/out-dead-letter\" holds 3 bad records in 2 files, but the run wrote 5"),
        containsString("bad records are missing")));
    assertThat("the rows are checked first", OutputRows.mismatch(spec, 1, 5, null, false),
        containsString("the output \"" + tmp.getRoot() + "/out\" holds 0 rows in 0 files, but the run wrote 1"));
    assertThat("a file in place stops a resume", OutputRows.fileInPlace(spec).getFileName().toString(),
        is("bad-records-00000-of-00002.jsonl"));
    assertThat("a resumed run is told of the checkpoint", OutputRows.mismatch(spec, 0, 5, null, true),
        containsString("the checkpoint's temporary files there were deleted after it was taken"));
    assertThat("a table's rows are not files, its dead letters are", OutputRows.mismatch(spec("jdbc"), 7, 4, null,
        false), containsString("holds 3 bad records in 2 files, but the run wrote 4"));
    assertThat(OutputRows.mismatch(spec("jdbc"), 7, 3, null, false), is(nullValue()));
  }
}
