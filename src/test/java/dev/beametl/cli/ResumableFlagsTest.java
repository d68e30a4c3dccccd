package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Resumable-mode flags that cannot work fail before the run, naming the flag and the fix. */
public class ResumableFlagsTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private EtlJobTest.Run run(String... flags) {
    String[] args = new String[flags.length + 2];
    args[0] = "--pipeline=pipelines/sales-by-product.yaml";
    args[1] = "--output=" + tmp.getRoot() + "/out";
    System.arraycopy(flags, 0, args, 2, flags.length);
    return new EtlJobTest.Run(args);
  }

  @Test
  public void resumeFromNeedsResumable() {
    EtlJobTest.Run r = run("--resumeFrom=latest");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("--resumeFrom needs --resumable"));
  }

  @Test
  public void latestWithoutACheckpointSaysHowToStart() {
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + tmp.getRoot() + "/none");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("no retained checkpoint under"));
    assertThat(r.err, containsString("run without --resumeFrom"));
  }

  /** Where this spec's checkpoints go, as the refusal of a resume without any names it. */
  private Path runKeyDir(Path checkpointDir) {
    EtlJobTest.Run none = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + checkpointDir);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("no retained checkpoint under (\\S+);")
        .matcher(none.err);
    assertThat(none.err, m.find(), is(true));
    return Path.of(m.group(1));
  }

  /**
   * An output named through a symbolic link is the directory it is: a trial's resume through
   * link/out of a run stopped writing real/out was refused as another spec's.
   */
  @Test
  public void anOutputNamedThroughALinkResumesTheSameRun() throws Exception {
    Path real = tmp.newFolder("real").toPath();
    Files.createSymbolicLink(tmp.getRoot().toPath().resolve("link"), real);
    Path checkpoints = tmp.getRoot().toPath().resolve("ck");
    Path viaReal = runKeyDir(checkpoints, "--output=" + real + "/out");
    assertThat(runKeyDir(checkpoints, "--output=" + tmp.getRoot() + "/link/out"), is(viaReal));
    assertThat(runKeyDir(checkpoints, "--output=" + tmp.getRoot() + "/link/./x/../out/"), is(viaReal));
    assertThat(runKeyDir(checkpoints, "--output=" + real + "/other").equals(viaReal), is(false));
    // and the input files through a link (a review)
    Files.createSymbolicLink(tmp.getRoot().toPath().resolve("samples"), Path.of("data-samples").toAbsolutePath());
    assertThat(runKeyDir(checkpoints, "--output=" + real + "/out", "--input=" + tmp.getRoot() + "/samples/sales/*.csv"),
        is(viaReal));
  }

  /** ... and a lookup's file through a link (a re-trial). */
  @Test
  public void aLookupNamedThroughALinkResumesTheSameRun() throws Exception {
    Files.createSymbolicLink(tmp.getRoot().toPath().resolve("samples"), Path.of("data-samples").toAbsolutePath());
    Path checkpoints = tmp.getRoot().toPath().resolve("ck");
    List<String> brand = List.of("--pipeline=pipelines/sales-by-brand.yaml", "--output=" + tmp.getRoot() + "/out");
    Path asSpelled = runKeyDir(checkpoints, brand, List.of());
    assertThat(runKeyDir(checkpoints, brand, List.of("--set=lookups.0.source.path=" + tmp.getRoot()
        + "/samples/products.csv")), is(asSpelled));
  }

  private Path runKeyDir(Path checkpointDir, String... flags) {
    return runKeyDir(checkpointDir, List.of("--pipeline=pipelines/sales-by-product.yaml"), List.of(flags));
  }

  private Path runKeyDir(Path checkpointDir, List<String> pipeline, List<String> flags) {
    List<String> args = new java.util.ArrayList<>(pipeline);
    args.addAll(List.of("--resumable", "--resumeFrom=latest", "--checkpointDir=" + checkpointDir));
    args.addAll(flags);
    EtlJobTest.Run none = new EtlJobTest.Run(args.toArray(new String[0]));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("no retained checkpoint under (\\S+);")
        .matcher(none.err);
    assertThat(none.err, m.find(), is(true));
    return Path.of(m.group(1));
  }

  private static void checkpoint(Path chk) throws Exception {
    Files.createDirectories(chk);
    Files.write(chk.resolve("_metadata"), new byte[] {1});
  }

  /** Two runs of one pipeline on one --checkpointDir (at once, or one never resumed): "latest" would be a guess. */
  @Test
  public void latestAmongTwoRunsCheckpointsIsRefusedNamingThem() throws Exception {
    Path dir = tmp.newFolder("shared").toPath();
    Path key = runKeyDir(dir);
    assertThat("under the pipeline's name, a key of its spec and input", key.getParent(),
        is(dir.resolve("sales-by-product")));
    for (String run : new String[] {"0a1b", "2c3d"}) {
      checkpoint(key.resolve(run).resolve("chk-2"));
    }
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir);
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("holds checkpoints of 2 runs (0a1b, 2c3d)"));
    assertThat(r.err, containsString("--resumeFrom=" + key + "/<run>/chk-N"));
  }

  /**
   * Kill, resume, kill again: the first run's checkpoints beside the resumed run's were "two runs",
   * and latest was refused. The run resumed from is marked as it starts, and latest takes the other.
   */
  @Test
  public void latestAfterAResumedRunStoppedTooTakesTheResumedRuns() throws Exception {
    Path dir = tmp.newFolder("chain").toPath();
    Path key = runKeyDir(dir);
    checkpoint(key.resolve("0a1b").resolve("chk-9"));
    checkpoint(key.resolve("2c3d").resolve("chk-2"));
    Files.writeString(key.resolve("0a1b").resolve(dev.beametl.runner.FlinkSettings.RESUMED), "");
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir, "--dryRun");
    assertThat(r.err, r.code, is(EtlJob.OK));
    // A third run resumed from the second and stopped before its first checkpoint: still the chain's latest.
    Files.writeString(key.resolve("2c3d").resolve(dev.beametl.runner.FlinkSettings.RESUMED), "");
    EtlJobTest.Run third = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir, "--dryRun");
    assertThat(third.err, third.code, is(EtlJob.OK));
  }

  /**
   * A glob that does not say it matches a compressed file (in/*): that file is read whole, and a
   * restore read it again from its start, its rows before the checkpoint written twice (a review).
   */
  @Test
  public void aCompressedFileAGlobMatchesIsRefused() throws Exception {
    Path in = tmp.newFolder("mixed").toPath();
    byte[] rows = Files.readAllBytes(Path.of("data-samples/sales/sales-2024-01.csv"));
    Files.write(in.resolve("a.csv"), rows);
    try (java.io.OutputStream gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(in.resolve("b.csv.gz")))) {
      gz.write(rows);
    }
    EtlJobTest.Run r = run("--resumable", "--input=" + in + "/*", "--dryRun");
    assertThat(r.err, r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("--resumable: source file " + in.resolve("b.csv.gz") + " is compressed"));
    Files.delete(in.resolve("b.csv.gz"));
    EtlJobTest.Run plain = run("--resumable", "--input=" + in + "/*", "--dryRun");
    assertThat(plain.err, plain.code, is(EtlJob.OK));
  }

  /** A checkpoint directory that cannot be made is refused before the output is touched (it failed the job, exit 1). */
  @Test
  public void aCheckpointDirThatCannotBeMadeIsRefusedBeforeTheRun() throws Exception {
    Path file = tmp.newFile("a-file").toPath();
    Path out = tmp.getRoot().toPath().resolve("out"); // run()'s
    EtlJobTest.Run r = run("--resumable", "--checkpointDir=" + file + "/ck");
    assertThat(r.err, r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("--checkpointDir=" + file + "/ck: cannot create"));
    assertThat(Files.exists(out), is(false));
  }

  /** The spec's checkpoint directory as a symbolic link to where they are: its checkpoints are found. */
  @Test
  public void latestFindsTheCheckpointsOfADirectoryThatIsALink() throws Exception {
    Path dir = tmp.newFolder("linked").toPath();
    Path key = runKeyDir(dir);
    Path elsewhere = tmp.newFolder("elsewhere").toPath();
    checkpoint(elsewhere.resolve("0a1b").resolve("chk-3"));
    Files.createDirectories(key.getParent());
    Files.createSymbolicLink(key, elsewhere);
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir, "--dryRun");
    assertThat(r.err, r.code, is(EtlJob.OK));
  }

  /**
   * A table sink in mode append stages a run's rows in tables named for the run: a resume, a new run,
   * was refused after the job began as "steps this job does not have". Refused before, saying why.
   */
  @Test
  public void aResumeIntoAStagedTableIsRefusedSayingWhy() throws Exception {
    Path spec = tmp.newFile("table.yaml").toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source: {path: '" + Path.of("data-samples/sales").toAbsolutePath() + "/*.csv', format: csv}",
        "schema: [{name: order_id, type: string}]",
        "sink:",
        "  format: jdbc",
        "  path: '" + tmp.getRoot() + "/state'",
        "  jdbc: {url: 'jdbc:h2:mem:resume', user: sa, table: t, mode: append, createTable: true}", ""));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--resumable", "--resumeFrom=latest",
        "--checkpointDir=" + tmp.getRoot() + "/ck");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("sink.jdbc mode append stages a run's rows in tables named for that run"));
    assertThat(r.err, containsString("use mode: upsert with keys, which resumes"));
    assertThat(r.err, containsString("without --resumeFrom and with --ifExists=overwrite"));
    // A trial: restored from a checkpoint within the run, tasks staged their rows again, and the
    // commit moved both copies in (exit 0). Refused before anything is touched.
    EtlJobTest.Run start = new EtlJobTest.Run("--pipeline=" + spec, "--resumable",
        "--checkpointDir=" + tmp.getRoot() + "/ck");
    assertThat(start.code, is(EtlJob.USAGE));
    assertThat(start.err, containsString("--resumable with sink.jdbc mode append: a task restarted from a checkpoint "
        + "stages again the rows it had staged since that checkpoint"));
    assertThat(start.err, containsString("Run without --resumable"));
    assertThat(new java.io.File(tmp.getRoot(), "state").exists(), is(false));
  }

  /** A checkpoint restored into a job with another filter, or over changed files, went on with rows of both. */
  @Test
  public void aCheckpointOfAnotherSpecOrInputIsNotResumed() throws Exception {
    Path dir = tmp.newFolder("changed").toPath();
    Path key = runKeyDir(dir);
    checkpoint(key.resolve("0a1b").resolve("chk-3"));
    EtlJobTest.Run changed = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir,
        "--set=filter=revenue > 1000");
    assertThat(changed.code, is(EtlJob.USAGE));
    assertThat(changed.err, containsString("were taken by runs of another spec or of input files changed since"));
    EtlJobTest.Run explicit = run("--resumable", "--resumeFrom=" + key.resolve("0a1b").resolve("chk-3"),
        "--checkpointDir=" + dir, "--set=filter=revenue > 1000");
    assertThat(explicit.code, is(EtlJob.USAGE));
    assertThat(explicit.err, containsString("was not taken by a run of this spec over these input files"));
    assertThat("the same spec and input find it", runKeyDir(tmp.newFolder("again").toPath()).getFileName(),
        is(key.getFileName()));
  }

  /** The input's files are part of the key: a file changed since the checkpoint was taken is not resumed over. */
  @Test
  public void aCheckpointOverInputFilesChangedSinceIsNotResumed() throws Exception {
    Path in = tmp.newFolder("in").toPath();
    try (java.util.stream.Stream<Path> sample = Files.list(Path.of("data-samples/sales"))) {
      for (Path file : (Iterable<Path>) sample.filter(f -> f.toString().endsWith(".csv"))::iterator) {
        Files.copy(file, in.resolve(file.getFileName()));
      }
    }
    Path dir = tmp.newFolder("input").toPath();
    String input = "--input=" + in + "/*.csv";
    EtlJobTest.Run none = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir, input);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("no retained checkpoint under (\\S+);")
        .matcher(none.err);
    assertThat(none.err, m.find(), is(true));
    checkpoint(Path.of(m.group(1)).resolve("0a1b").resolve("chk-3"));
    EtlJobTest.Run same = run("--resumable", "--resumeFrom=" + Path.of(m.group(1), "0a1b", "chk-3"),
        "--checkpointDir=" + dir, input, "--dryRun");
    assertThat("the same files find it: " + same.err, same.code, is(EtlJob.OK));
    Path changed;
    try (java.util.stream.Stream<Path> files = Files.list(in)) {
      changed = files.sorted().findFirst().orElseThrow();
    }
    Files.setLastModifiedTime(changed, java.nio.file.attribute.FileTime.fromMillis(
        Files.getLastModifiedTime(changed).toMillis() + 60_000));
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--checkpointDir=" + dir, input);
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("were taken by runs of another spec or of input files changed since"));
  }

  /** The stopped run had begun renaming its files into place: the checkpoint's temporary files are gone. */
  @Test
  public void aResumeIsRefusedOnceTheStoppedRunsFilesAreInPlace() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    Files.writeString(out.resolve("part-00000-of-00003.parquet"), "x");
    new RunManifest("stopped", false, List.of(), List.of()).writeTo(out); // the stopped run's, as it began
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=latest", "--ifExists=overwrite",
        "--checkpointDir=" + tmp.getRoot() + "/none");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString(out.resolve("part-00000-of-00003.parquet") + " is in place already"));
    assertThat(r.err, containsString("Run again without --resumeFrom"));
    assertThat("nothing was touched", Files.exists(out.resolve("part-00000-of-00003.parquet")), is(true));
    Files.delete(out.resolve("part-00000-of-00003.parquet"));
    Path deadLetters = Files.createDirectories(tmp.getRoot().toPath().resolve("out-dead-letter"));
    Files.writeString(deadLetters.resolve("bad-records-00001-of-00002.jsonl"), "{}\n");
    new RunManifest("stopped", false, List.of(), List.of()).writeTo(deadLetters);
    r = run("--resumable", "--resumeFrom=latest", "--ifExists=overwrite",
        "--checkpointDir=" + tmp.getRoot() + "/none");
    assertThat(r.err, containsString("bad-records-00001-of-00002.jsonl is in place already"));
  }

  @Test
  public void fixedShardsAreRefusedSinceTheyHoldEveryRowUntilTheEnd() {
    EtlJobTest.Run r = run("--resumable", "--set=sink.shards=2");
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("sink.shards: a resumable run writes a file per writer and checkpoint"));
    assertThat(r.err, containsString("--set=sink.shards=0"));
  }

  @Test
  public void aDirectoryThatIsNoCheckpointIsRefused() {
    EtlJobTest.Run r = run("--resumable", "--resumeFrom=" + tmp.getRoot());
    assertThat(r.code, is(EtlJob.USAGE));
    assertThat(r.err, containsString("is not a checkpoint (no _metadata in it)"));
  }

  @Test
  public void sourcesThatCannotBeResumedExactlyAreRefused() throws Exception {
    Path gz = tmp.newFolder("gz").toPath().resolve("sales.csv.gz");
    Files.write(gz, new byte[] {0x1f, (byte) 0x8b});
    EtlJobTest.Run gzip = run("--resumable", "--input=" + gz);
    assertThat(gzip.code, is(EtlJob.USAGE));
    assertThat(gzip.err, containsString("--resumable: compressed, multi-line or UTF-16/32 files are read whole"));

    Path parquetFile = tmp.newFolder("pq").toPath().resolve("sales.parquet");
    Files.write(parquetFile, new byte[] {'P', 'A', 'R', '1'});
    Path spec = tmp.getRoot().toPath().resolve("parquet.yaml");
    Files.writeString(spec, Files.readString(Path.of("pipelines/sales-by-product.yaml"))
        .replace("  format: csv\n  csv:\n    header: true\n", "  format: parquet\n"));
    EtlJobTest.Run parquet = new EtlJobTest.Run("--pipeline=" + spec, "--output=" + tmp.getRoot() + "/out",
        "--resumable", "--input=" + parquetFile);
    assertThat(parquet.code, is(EtlJob.USAGE));
    assertThat(parquet.err, containsString("--resumable: a parquet source is restored split by split"));
  }

  @Test
  public void eachNewFeatureIsResumableOrRefusedBeforeTheRun() throws Exception {
    EtlJobTest.Run lookup = new EtlJobTest.Run("--pipeline=pipelines/sales-by-brand.yaml", "--resumable", "--dryRun",
        "--output=" + tmp.getRoot() + "/a", "--set=lookups.0.source.compression=gzip");
    assertThat(lookup.code, is(EtlJob.USAGE));
    assertThat(lookup.err, containsString("--resumable: lookup products: compressed, multi-line or UTF-16/32 files"));
    EtlJobTest.Run partitionedWithLookup = new EtlJobTest.Run("--pipeline=pipelines/sales-by-brand.yaml",
        "--resumable", "--dryRun", "--output=" + tmp.getRoot() + "/b");
    assertThat("a lookup and partitions over byte ranges resume: " + partitionedWithLookup.err,
        partitionedWithLookup.code, is(EtlJob.OK));
    EtlJobTest.Run replay = new EtlJobTest.Run("replay", "--pipeline=pipelines/sales-by-brand.yaml", "--resumable",
        "--from=" + tmp.getRoot(), "--output=" + tmp.getRoot() + "/c");
    assertThat(replay.code, is(EtlJob.USAGE));
    assertThat(replay.err, containsString("--resumable: a replay is not resumable"));
  }
}
