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
    for (int i = 0; i < bytes.length; i++) { // line ends: LF, CRLF, CR CR LF, a lone CR
      boolean crEndingLater = bytes[i] == '\r' && i + 1 < bytes.length && (bytes[i + 1] == '\n'
          || (bytes[i + 1] == '\r' && i + 2 < bytes.length && bytes[i + 2] == '\n'));
      records += bytes[i] == '\n' || (bytes[i] == '\r' && !crEndingLater) ? 1 : 0;
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

  /**
   * JSON lines, valid ones and ones made to hold zero, two or a broken JSON value (a second object, a
   * trailing word or comment, a missing brace, a key given twice, a lone surrogate), run through the
   * job. The oracle is a strict parser of our own, token by token: a line that is not exactly one
   * JSON object with each key once is a malformed (or blank, or badly encoded) bad record, and no
   * line that is one is refused as malformed.
   */
  @Test
  public void jsonLinesAreExactlyOneValueAsAStrictParserCountsThem() throws Exception {
    Random rng = new Random(SEED + 1);
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 4_000; i++) {
      String object = "{\"order_id\":" + (i + 1) + ",\"ts\":\"2024-01-05T10:00:00Z\",\"product\":\"P-" + (1000 + i % 40)
          + "\",\"category\":\"toys\",\"store\":\"S001\",\"region\":\"EU\",\"quantity\":" + (1 + i % 9)
          + ",\"unit_price\":" + (10 + i % 90) + ".50,\"discount\":null}";
      switch (rng.nextInt(10)) {
        case 0:
          lines.add(object + object);
          break;
        case 1:
          lines.add(object + List.of(" xyz", " // note", " {", ",", " null", " 7").get(rng.nextInt(6)));
          break;
        case 2:
          lines.add(object.substring(0, object.length() - 1));
          break;
        case 3:
          lines.add(object.replace("\"store\":\"S001\"", "\"store\":\"S001\",\"store\":\"S002\""));
          break;
        case 4:
          lines.add(object.replace("S001", "S0\\ud80001"));
          break;
        case 5:
          lines.add(new String(mutate(object.getBytes(StandardCharsets.UTF_8), rng), StandardCharsets.UTF_8)
              .replace("\n", " ").replace("\r", " "));
          break;
        default:
          lines.add(object);
      }
    }
    Path in = tmp.newFolder("json").toPath();
    Path spec = tmp.getRoot().toPath().resolve("json.yaml");
    Files.writeString(spec, Files.readString(Path.of("pipelines/sales-by-product.yaml"))
        .replace("  format: csv\n  csv:\n    header: true\n", "  format: jsonl\n"));
    Files.write(in.resolve("sales.jsonl"), String.join("\n", lines).concat("\n").getBytes(StandardCharsets.UTF_8));
    String out = tmp.getRoot() + "/json-out";
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=" + spec, "--input=" + in + "/*.jsonl", "--output=" + out,
        "--maxBadRatio=1", "--progressSeconds=0");
    assertThat(run.err, run.code, is(EtlJob.OK));

    Map<Long, String> kindAtOffset = new java.util.HashMap<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try (Stream<Path> files = Files.list(Path.of(out + "-dead-letter"))) {
      for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".jsonl"))::iterator) {
        for (String dl : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          com.fasterxml.jackson.databind.JsonNode n = json.readTree(dl);
          String origin = n.get("origin").asText();
          kindAtOffset.put(Long.parseLong(origin.substring(origin.lastIndexOf(' ') + 1)), n.get("reason_kind").asText());
        }
      }
    }
    long offset = 0;
    int notOne = 0;
    List<String> wrong = new java.util.ArrayList<>();
    for (String line : lines) {
      boolean one = exactlyOneObject(line);
      String kind = kindAtOffset.get(offset);
      if (!one) {
        notOne++;
        if (kind == null || !List.of("malformed", "blank_line", "bad_encoding").contains(kind)) {
          wrong.add("not one JSON object, but " + (kind == null ? "accepted" : kind) + ": " + line);
        }
      } else if ("malformed".equals(kind)) {
        wrong.add("one JSON object, but malformed: " + line);
      }
      offset += line.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertThat(wrong.toString(), wrong.size(), is(0));
    assertThat("the mutations made lines that are not one value", notOne, greaterThan(1_000));
  }

  /**
   * The oracle, token by token with no tree: one JSON object, then nothing; each key once per object;
   * no text with half a surrogate pair.
   */
  private static boolean exactlyOneObject(String line) {
    com.fasterxml.jackson.core.JsonFactory factory = new com.fasterxml.jackson.core.JsonFactory();
    try (com.fasterxml.jackson.core.JsonParser p = factory.createParser(line)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
        return false;
      }
      java.util.Deque<java.util.Set<String>> keys = new java.util.ArrayDeque<>();
      keys.push(new java.util.HashSet<>());
      int depth = 1;
      while (depth > 0) {
        com.fasterxml.jackson.core.JsonToken t = p.nextToken();
        if (t == null) {
          return false;
        }
        switch (t) {
          case START_OBJECT:
            keys.push(new java.util.HashSet<>());
            depth++;
            break;
          case START_ARRAY:
            depth++;
            break;
          case END_OBJECT:
            keys.pop();
            depth--;
            break;
          case END_ARRAY:
            depth--;
            break;
          case FIELD_NAME:
            if (!keys.peek().add(p.getCurrentName())) {
              return false;
            }
            break;
          case VALUE_STRING:
            String text = p.getText();
            for (int i = 0; i < text.length(); i++) {
              char c = text.charAt(i);
              if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
              } else if (Character.isSurrogate(c)) {
                return false;
              }
            }
            break;
          default:
            break;
        }
      }
      return p.nextToken() == null;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * Random edits of a valid spec - its YAML (characters and lines dropped, doubled, swapped, YAML's
   * special characters inserted) and its expressions (tokens swapped, operators and parentheses
   * inserted) - each checked and built as a dry run. The oracle: exit 0, or exit 2 with one line;
   * never a stack trace or another exit code.
   */
  @Test
  public void mutatedSpecsAreAcceptedOrRefusedInOneLine() throws Exception {
    String valid = Files.readString(Path.of("pipelines/sales-by-product.yaml"));
    String[] yamlBits = {":", "- ", "[", "]", "{", "}", "&a ", "*a", "'", "\"", "\n", "\t", "  ", "#", "|", ">",
        "!!int ", "~", "%", "@", "`", ",", "? "};
    String[] exprBits = {"(", ")", " + ", " / ", " * ", " && ", " ? ", " : ", "!", "-", "'x'", " == ", "null",
        "coalesce(", "year(", "1e999", "0", "region", "quantity", " =~ ", "..", "[", "{", "\\u0000"};
    // -Dfuzz.seed and -Dfuzz.specs run it longer, or on other mutations, by hand.
    Random rng = new Random(Long.getLong("fuzz.seed", SEED + 2));
    Path dir = tmp.newFolder("specs").toPath();
    List<String> wrong = new java.util.ArrayList<>();
    int accepted = 0;
    for (int n = 0; n < Integer.getInteger("fuzz.specs", 600); n++) {
      String text = valid;
      int edits = 1 + rng.nextInt(4);
      for (int e = 0; e < edits; e++) {
        text = n % 2 == 0 ? mutateYaml(text, rng, yamlBits) : mutateExpression(text, rng, exprBits);
      }
      Path spec = dir.resolve("spec-" + n + ".yaml");
      Files.writeString(spec, text);
      EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--dryRun",
          "--input=" + Path.of("data-samples/sales").toAbsolutePath() + "/*.csv",
          "--output=" + tmp.getRoot() + "/spec-out-" + n);
      boolean ok = r.code == EtlJob.OK
          || (r.code == EtlJob.USAGE && r.err.strip().lines().count() == 1 && r.err.startsWith("beam-etl: "));
      if (!ok || r.err.contains("\tat ") || r.err.contains("Exception:") || r.err.contains("internal error")) {
        wrong.add("exit " + r.code + " for spec " + n + ": " + r.err.strip().lines().limit(3)
            .collect(java.util.stream.Collectors.joining(" / ")) + "\n--- spec:\n" + text);
      }
      accepted += r.code == EtlJob.OK ? 1 : 0;
    }
    assertThat(String.join("\n\n", wrong.subList(0, Math.min(3, wrong.size()))), wrong.size(), is(0));
    assertThat("some mutations still make a valid spec", accepted, greaterThan(10));
  }

  private static String mutateYaml(String text, Random rng, String[] bits) {
    List<String> lines = new java.util.ArrayList<>(List.of(text.split("\n", -1)));
    int at = rng.nextInt(lines.size());
    switch (rng.nextInt(5)) {
      case 0:
        lines.remove(at);
        break;
      case 1:
        lines.add(at, lines.get(rng.nextInt(lines.size())));
        break;
      case 2:
        java.util.Collections.swap(lines, at, rng.nextInt(lines.size()));
        break;
      default:
        String line = lines.get(at);
        int pos = line.isEmpty() ? 0 : rng.nextInt(line.length() + 1);
        String bit = bits[rng.nextInt(bits.length)];
        lines.set(at, rng.nextBoolean() || line.isEmpty() ? line.substring(0, pos) + bit + line.substring(pos)
            : line.substring(0, Math.max(0, pos - 1)) + bit + line.substring(Math.min(line.length(), pos)));
    }
    return String.join("\n", lines);
  }

  private static String mutateExpression(String text, Random rng, String[] bits) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(expr: \"|filter: \")([^\"]*)\"").matcher(text);
    List<int[]> spans = new java.util.ArrayList<>();
    while (m.find()) {
      spans.add(new int[] {m.start(2), m.end(2)});
    }
    if (spans.isEmpty()) {
      return mutateYaml(text, rng, bits);
    }
    int[] span = spans.get(rng.nextInt(spans.size()));
    String expr = text.substring(span[0], span[1]);
    int pos = rng.nextInt(expr.length() + 1);
    String mutated = rng.nextInt(3) == 0 && expr.length() > 1
        ? expr.substring(0, Math.max(0, pos - 1)) + expr.substring(pos)
        : expr.substring(0, pos) + bits[rng.nextInt(bits.length)] + expr.substring(pos);
    return text.substring(0, span[0]) + mutated + text.substring(span[1]);
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
