package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.bench.SalesGenerator;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Seeded random mutations of valid sales lines (bytes flipped, dropped and inserted, line feeds and
 * quotes included) through the whole job: it must not crash, and every record read must come out
 * as valid or bad, with every bad one in the dead letters.
 */
public class MutationIT {
  private static final int LINES = 12_000;
  private static final long SEED = 20261127L;

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** One to three edits: flip a bit, drop a byte, or insert a byte (any of 256, or a CSV-special one). */
  static byte[] mutate(byte[] line, Random rng) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] b = line;
    int edits = 1 + rng.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = rng.nextInt(b.length + 1);
      out.reset();
      switch (rng.nextInt(3)) {
        case 0: // flip one bit
          if (at == b.length) {
            at--;
          }
          b = b.clone();
          b[at] ^= (byte) (1 << rng.nextInt(8));
          continue;
        case 1: // drop a byte
          if (b.length <= 1 || at == b.length) {
            continue;
          }
          out.write(b, 0, at);
          out.write(b, at + 1, b.length - at - 1);
          break;
        default: // insert a byte
          byte[] special = {'\n', '\r', '"', ',', (byte) 0xC3, (byte) 0xFF, 0};
          byte inserted = rng.nextBoolean() ? special[rng.nextInt(special.length)] : (byte) rng.nextInt(256);
          out.write(b, 0, at);
          out.write(inserted);
          out.write(b, at, b.length - at);
      }
      b = out.toByteArray();
    }
    return b;
  }

  @Test
  public void mutatedLinesNeverCrashTheJobAndAllAreAccountedFor() throws Exception {
    Path clean = tmp.newFolder("clean").toPath();
    new SalesGenerator(LINES, 0, 40, 20, 1_000_000, SEED).write(clean, 1);
    List<String> lines = Files.readAllLines(clean.resolve("sales-00000.csv"), StandardCharsets.UTF_8);
    Random rng = new Random(SEED);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write((lines.get(0) + "\n").getBytes(StandardCharsets.UTF_8)); // the header stays intact
    for (String line : lines.subList(1, lines.size())) {
      file.write(mutate(line.getBytes(StandardCharsets.UTF_8), rng));
      file.write('\n');
    }
    byte[] bytes = file.toByteArray();
    long records = -1; // the header
    for (byte x : bytes) {
      records += x == '\n' ? 1 : 0;
    }
    Path in = tmp.newFolder("in").toPath();
    Files.write(in.resolve("mutated.csv"), bytes);
    String out = tmp.getRoot() + "/out";

    // Embedded Flink, the default runner: the DirectRunner's per-bundle bookkeeping makes 12,000 records take minutes.
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml",
        "--input=" + in + "/*.csv", "--output=" + out, "--maxBadRatio=1", "--progressSeconds=0");

    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.err, not(containsString("Exception")));
    Map<String, Long> c = RunCounts.read(out + "/_run");
    assertThat(c.toString(), c.get("read"), is(records));
    assertThat(c.toString(), c.get("valid") + c.get("bad"), is(records));
    assertThat(c.toString(), c.get("filtered") + c.get("kept") + c.getOrDefault("failed", 0L), is(c.get("valid")));
    assertThat(c.toString(), deadLetters(Path.of(out + "-dead-letter")), is(c.get("bad") + c.getOrDefault("failed", 0L)));
    // The mutations must have exercised both outcomes.
    assertThat(c.toString(), c.get("bad"), greaterThan(records / 2));
    assertThat(c.toString(), c.get("valid"), greaterThan(records / 50));
    System.out.println("mutation test: " + c);
  }

  private static long deadLetters(Path dir) throws Exception {
    long n = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().endsWith(".jsonl"))::iterator) {
        n += Files.readAllLines(f, StandardCharsets.UTF_8).size();
      }
    }
    return n;
  }
}
