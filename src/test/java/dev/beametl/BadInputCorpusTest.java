package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The bad-input corpus: every file below goes through one run of the job (DirectRunner), and each
 * test checks the exact outcome for its file: the dead-letter records with their origin and reason,
 * or the rows that were rightly accepted. The mistakes that must stop the job before it starts
 * (no input, unreadable input, unwritable output, a bad flag) are separate runs at the end.
 */
public class BadInputCorpusTest {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  private static final String HEADER = "id,name,amount,qty,ratio,day,at,note";
  private static final String SCHEMA = String.join("\n",
      "schema:",
      "  - {name: id, type: long}",
      "  - {name: name, type: string, maxLength: 100}",
      "  - {name: amount, type: 'decimal(10,2)'}",
      "  - {name: qty, type: int}",
      "  - {name: ratio, type: double, nullable: true}",
      "  - {name: day, type: date}",
      "  - {name: at, type: timestamp}",
      "  - {name: note, type: string, nullable: true}");
  private static final int TEN_MB = 10 << 20;

  private static Path in;
  private static Path out;
  private static EtlJobTest.Run run;
  private static final List<JsonNode> BAD = new ArrayList<>();
  private static final List<String> GOOD = new ArrayList<>();

  private static String row(long id, String name, String amount, String qty, String ratio, String day, String at) {
    return String.join(",", String.valueOf(id), name, amount, qty, ratio, day, at, "");
  }

  private static String good(long id) {
    return row(id, "n" + id, "1.50", "2", "0.5", "2024-01-01", "2024-01-01T00:00:00Z");
  }

  private static void write(String name, String text) throws IOException {
    Files.writeString(in.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static void write(String name, byte[] bytes) throws IOException {
    Files.write(in.resolve(name), bytes);
  }

  @BeforeClass
  public static void runTheJobOverTheCorpus() throws Exception {
    in = TMP.newFolder("in").toPath();
    out = TMP.getRoot().toPath().resolve("out");
    write("unbalanced-quotes.csv", HEADER + "\n" + row(1, "\"Ann", "1.00", "1", "", "2024-01-01", "2024-01-01T00:00:00Z")
        + "\n" + good(2) + "\n");
    write("columns.csv", HEADER + "\n" + good(3) + ",extra\n" + "4,n4,1.00,1\n" + good(5) + "\n");
    ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
    utf8.write((HEADER + "\n6,caf").getBytes(StandardCharsets.US_ASCII));
    utf8.write(new byte[] {(byte) 0xC3, (byte) 0x28}); // a lead byte followed by no continuation byte
    utf8.write((",1.00,1,,2024-01-01,2024-01-01T00:00:00Z,\n" + good(7) + "\n").getBytes(StandardCharsets.US_ASCII));
    write("invalid-utf8.csv", utf8.toByteArray());
    ByteArrayOutputStream bom = new ByteArrayOutputStream();
    bom.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    bom.write((HEADER + "\n" + good(8) + "\n").getBytes(StandardCharsets.UTF_8));
    write("bom.csv", bom.toByteArray());
    write("crlf.csv", HEADER + "\r\n" + good(9) + "\r\n" + good(10) + "\r\n");
    write("empty.csv", "");
    write("header-only.csv", HEADER + "\n");
    String big = "x".repeat(TEN_MB);
    write("big-field.csv", HEADER + "\n" + good(11) + big + "\n"
        + row(12, big, "1.00", "1", "", "2024-01-01", "2024-01-01T00:00:00Z") + "\n");
    write("overflow.csv", HEADER + "\n"
        + row(13, "n", "1.00", "2147483648", "", "2024-01-01", "2024-01-01T00:00:00Z") + "\n"
        + row(14, "n", "123456789.00", "1", "", "2024-01-01", "2024-01-01T00:00:00Z") + "\n"
        + "99999999999999999999,n,1.00,1,,2024-01-01,2024-01-01T00:00:00Z,\n");
    write("nan.csv", HEADER + "\n"
        + row(15, "n", "1.00", "1", "NaN", "2024-01-01", "2024-01-01T00:00:00Z") + "\n"
        + row(16, "n", "1.00", "1", "Infinity", "2024-01-01", "2024-01-01T00:00:00Z") + "\n"
        + row(17, "n", "NaN", "1", "", "2024-01-01", "2024-01-01T00:00:00Z") + "\n");
    write("dates.csv", HEADER + "\n"
        + row(18, "n", "1.00", "1", "", "2023-02-29", "2024-01-01T00:00:00Z") + "\n"
        + row(19, "n", "1.00", "1", "", "1998-13-45", "2024-01-01T00:00:00Z") + "\n"
        + row(20, "n", "1.00", "1", "", "2024-02-29", "2024-01-01T00:00:00Z") + "\n");
    write("timestamps.csv", HEADER + "\n"
        + row(21, "n", "1.00", "1", "", "2024-01-01", "2024-01-05T12:00:00+02:00") + "\n"
        + row(22, "n", "1.00", "1", "", "2024-01-01", "2024-01-05 10:00:00") + "\n"
        + row(23, "n", "1.00", "1", "", "2024-01-01", "2024-01-05T25:00:00Z") + "\n");
    write("duplicate-header.csv", HEADER + ",name\n" + good(24) + ",n24\n");

    Path spec = TMP.newFile("corpus.yaml").toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "name: corpus",
        "source: {path: '" + in + "/*.csv', format: csv}",
        SCHEMA,
        "sink: {format: csv, path: '" + out + "'}",
        "deadLetter: {maxBadRatio: 1.0}", ""));
    run = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    ObjectMapper json = new ObjectMapper();
    for (String line : lines(Path.of(out + "-dead-letter"), "bad-records-")) {
      BAD.add(json.readTree(line));
    }
    GOOD.addAll(lines(out, "part-"));
  }

  private static List<String> lines(Path dir, String prefix) throws IOException {
    List<String> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)).collect(Collectors.toList())) {
        all.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
      }
    }
    return all;
  }

  /** "origin | reason_kind | field | reason" of the bad records from one file, in file order. */
  private static List<String> badFrom(String file) {
    return BAD.stream()
        .filter(b -> b.get("origin").asText().startsWith(in + "/" + file + "@"))
        .sorted(java.util.Comparator.comparingLong(b -> Long.parseLong(b.get("origin").asText().replaceAll(".*@byte ", ""))))
        .map(b -> b.get("origin").asText().replaceAll(".*/", "") + " | " + b.get("reason_kind").asText() + " | "
            + b.get("field").asText() + " | " + b.get("reason").asText())
        .collect(Collectors.toList());
  }

  /** Where line {@code n} (1-based) of a corpus file starts, counted in its bytes. */
  private static String at(String file, int n) throws IOException {
    byte[] bytes = Files.readAllBytes(in.resolve(file));
    int line = 1;
    for (int i = 0; i < bytes.length && line < n; i++) {
      if (bytes[i] == '\n') {
        line++;
        if (line == n) {
          return file + "@byte " + (i + 1);
        }
      }
    }
    throw new AssertionError(file + " has no line " + n);
  }

  private static List<String> goodIds() {
    return GOOD.stream().filter(l -> !l.startsWith("id,")).map(l -> l.substring(0, l.indexOf(',')))
        .sorted().collect(Collectors.toList());
  }

  @Test
  public void theRunSucceedsAndEveryRecordIsCounted() throws Exception {
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.err, not(containsString("Exception")));
    assertThat(run.out, containsString("records read                           25"));
    assertThat(goodIds().size() + BAD.size(), is(25));
  }

  @Test
  public void unbalancedQuoteIsMalformedAndTheNextLineStillReads() throws Exception {
    assertThat(badFrom("unbalanced-quotes.csv"), contains(
        at("unbalanced-quotes.csv", 2) + " | malformed | null | not a well-formed CSV record: "
            + "(startline 1) EOF reached before encapsulated token finished (if quoted values hold line breaks, set "
            + "csv.multiline: true)"));
    assertThat(goodIds(), hasItem("2"));
  }

  @Test
  public void tooManyAndTooFewColumns() throws Exception {
    assertThat(badFrom("columns.csv"), contains(
        at("columns.csv", 2) + " | column_count | null | 9 columns, schema has 8",
        at("columns.csv", 3) + " | column_count | null | 4 columns, schema has 8"));
    assertThat(goodIds(), hasItem("5"));
  }

  @Test
  public void invalidUtf8IsABadEncodingRecord() throws Exception {
    assertThat(badFrom("invalid-utf8.csv"), contains(
        at("invalid-utf8.csv", 2) + " | bad_encoding | null | bytes that are not valid UTF-8 (shown as \uFFFD)"));
    assertThat(goodIds(), hasItem("7"));
  }

  @Test
  public void byteOrderMarkAndCrlfAreReadAsPlainUtf8Lines() throws Exception {
    assertThat(badFrom("bom.csv"), is(empty()));
    assertThat(badFrom("crlf.csv"), is(empty()));
    assertThat(goodIds(), hasItem("8"));
    assertThat(GOOD, hasItem("9,n9,1.50,2,0.5,2024-01-01,2024-01-01T00:00:00Z,"));
    assertThat(GOOD, hasItem("10,n10,1.50,2,0.5,2024-01-01,2024-01-01T00:00:00Z,"));
  }

  @Test
  public void emptyAndHeaderOnlyFilesHoldNoRecords() throws Exception {
    assertThat(badFrom("empty.csv"), is(empty()));
    assertThat(badFrom("header-only.csv"), is(empty()));
  }

  @Test
  public void tenMegabyteFieldIsReadWholeAndCheckedAgainstMaxLength() throws Exception {
    assertThat(badFrom("big-field.csv"), contains(
        at("big-field.csv", 3) + " | too_long | name | name: 10485760 characters, more than maxLength 100"));
    assertThat(GOOD.stream().filter(l -> l.startsWith("11,")).findFirst().orElseThrow().length(),
        is(good(11).length() + TEN_MB));
  }

  @Test
  public void integerAndDecimalOverflowAreOutOfRange() throws Exception {
    assertThat(badFrom("overflow.csv"), contains(
        at("overflow.csv", 2) + " | out_of_range | qty | qty: 2147483648 is out of range for an int",
        at("overflow.csv", 3) + " | out_of_range | amount | amount: 123456789.00 does not fit decimal(10,2)",
        at("overflow.csv", 4) + " | out_of_range | id | id: 99999999999999999999 is out of range for a long"));
  }

  @Test
  public void notANumberAndInfinityAreRejected() throws Exception {
    assertThat(badFrom("nan.csv"), contains(
        at("nan.csv", 2) + " | type | ratio | ratio: \"NaN\" is not a finite number (NaN and Infinity are rejected)",
        at("nan.csv", 3) + " | type | ratio | ratio: \"Infinity\" is not a finite number (NaN and Infinity are rejected)",
        at("nan.csv", 4) + " | type | amount | amount: \"NaN\" is not a decimal"));
  }

  @Test
  public void impossibleDatesAreRejectedAndLeapDaysAccepted() throws Exception {
    assertThat(badFrom("dates.csv"), contains(
        at("dates.csv", 2) + " | type | day | day: \"2023-02-29\" is not a date (ISO-8601)",
        at("dates.csv", 3) + " | type | day | day: \"1998-13-45\" is not a date (ISO-8601)"));
    assertThat(GOOD, hasItem("20,n,1.00,1,,2024-02-29,2024-01-01T00:00:00Z,"));
  }

  @Test
  public void timestampsWithAZoneAreConvertedWithoutOneAreUtc() throws Exception {
    assertThat(GOOD, hasItem("21,n,1.00,1,,2024-01-01,2024-01-05T10:00:00Z,"));
    assertThat(GOOD, hasItem("22,n,1.00,1,,2024-01-01,2024-01-05T10:00:00Z,"));
    assertThat(badFrom("timestamps.csv"), contains(
        at("timestamps.csv", 4) + " | type | at | at: \"2024-01-05T25:00:00Z\" is not a timestamp (ISO-8601)"));
  }

  @Test
  public void duplicateHeaderNameMakesItsColumnAmbiguous() throws Exception {
    assertThat(badFrom("duplicate-header.csv"), contains(
        at("duplicate-header.csv", 2) + " | missing_column | name | name: the header names this column twice"));
  }

  // Mistakes that stop the job before it starts: exit code 2, one line, no stack trace.

  private static EtlJobTest.Run failsBeforeTheRun(String... args) {
    EtlJobTest.Run r = new EtlJobTest.Run(args);
    assertThat(r.err, r.code, is(EtlJob.USAGE));
    assertThat(r.err, r.err.lines().count(), is(1L));
    assertThat(r.err, startsWith("beam-etl: "));
    assertThat(r.err, not(containsString("Exception")));
    return r;
  }

  private static String spec(String name, String... lines) throws IOException {
    Path p = TMP.getRoot().toPath().resolve(name + ".yaml");
    Files.writeString(p, String.join("\n", lines) + "\n");
    return "--pipeline=" + p;
  }

  private static String validSpec(String name, String source, String sink) throws IOException {
    return spec(name, "version: 1", "source: {path: '" + source + "', format: csv}", SCHEMA,
        "sink: {format: csv, path: '" + sink + "'}");
  }

  @Test
  public void globMatchingNothing() throws Exception {
    EtlJobTest.Run r = failsBeforeTheRun(validSpec("nothing", in + "/*.tsv", TMP.getRoot() + "/o1"));
    assertThat(r.err, containsString("source.path: no file matches \"" + in + "/*.tsv\"; check the path or glob"));
  }

  @Test
  public void unreadableFile() throws Exception {
    // Reading /proc/self/mem at offset 0 fails for every user, root included, for whom chmod 000
    // would change nothing.
    EtlJobTest.Run r = failsBeforeTheRun(validSpec("unreadable", "/proc/self/mem", TMP.getRoot() + "/o2"));
    assertThat(r.err, containsString("source.path: cannot read \"/proc/self/mem\" (Input/output error)"));
    assertThat(r.err, containsString("check its permissions"));
  }

  @Test
  public void outputThatCannotBeWritten() throws Exception {
    Path file = TMP.newFile("a-file").toPath();
    EtlJobTest.Run r = failsBeforeTheRun(validSpec("unwritable", in + "/crlf.csv", file + "/out"));
    assertThat(r.err, containsString("cannot write output \"" + file + "/out\": " + file
        + " is not a writable directory"));
  }

  @Test
  public void unknownFlag() throws Exception {
    EtlJobTest.Run r = failsBeforeTheRun("--pipeline=pipelines/sales-by-product.yaml", "--maxBadRatoi=0.1");
    assertThat(r.err, containsString("maxBadRatoi"));
    assertThat(r.err, containsString("(see --help)"));
  }

  @Test
  public void specWithEveryKindOfMistake() throws Exception {
    String source = "source: {path: '" + in + "/crlf.csv', format: csv}";
    String sink = "sink: {format: csv, path: '" + TMP.getRoot() + "/o3'}";
    String[][] cases = {
        {"not YAML", "version: 1\nsource: [unclosed"},
        {"version: 2", "version: 2\n" + source + "\n" + SCHEMA + "\n" + sink},
        {"unknown key", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink + "\nsinc: {}"},
        {"missing key", "version: 1\n" + SCHEMA + "\n" + sink},
        {"wrong type", "version: 1\n" + source + "\nschema: [{name: id, type: long, nullable: perhaps}]\n" + sink},
        {"unknown type", "version: 1\n" + source + "\nschema: [{name: id, type: integer}]\n" + sink},
        {"duplicate field", "version: 1\n" + source + "\nschema: [{name: id, type: long}, {name: id, type: int}]\n" + sink},
        {"unknown enum", "version: 1\n" + source.replace("csv}", "xlsx}") + "\n" + SCHEMA + "\n" + sink},
        {"bad pattern", "version: 1\n" + source + "\nschema: [{name: id, type: string, pattern: '[a-'}]\n" + sink},
        {"bad ratio", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink + "\ndeadLetter: {maxBadRatio: 5}"},
        {"unknown field", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink + "\nfilter: 'qty > 0 && colour == 1'"},
        {"expression type", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink + "\nfilter: 'name + 1'"},
        {"bad aggregate", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink
            + "\naggregate: {groupBy: [name], metrics: [{name: s, op: sum, field: note}]}"},
        {"bad op", "version: 1\n" + source + "\n" + SCHEMA + "\n" + sink
            + "\naggregate: {groupBy: [name], metrics: [{name: s, op: median, field: qty}]}"},
    };
    String[] expected = {
        "spec is not valid YAML (line 3): expected ',' or ']', but got <stream end>",
        "version (line 1): unsupported version; this build reads version 1",
        "sinc (line 13): unknown key; allowed here: aggregate, deadLetter, derive, encodeCategories, filter, lookups, name, "
            + "schema, sink, source, version",
        "source (line 1): required key is missing",
        "schema[0].nullable (line 3): \"perhaps\" is not a boolean; use true or false",
        "schema[0].type (line 3): unknown type \"integer\"; allowed: string, int, long, double, decimal(p,s), boolean, "
            + "date, timestamp, category",
        "schema[1] (line 3): field \"id\" is declared twice",
        "source.format (line 2): \"xlsx\" is not allowed; use one of csv, jsonl, parquet, jdbc",
        "schema[0].pattern (line 3): not a regular expression: Illegal character range",
        "deadLetter.maxBadRatio (line 13): 5.0 is not a ratio; allowed 0.0 to 1.0",
        "filter (line 13): expression \"qty > 0 && colour == 1\" names unknown field \"colour\"; known: id, name, "
            + "amount, qty, ratio, day, at, note",
        "filter (line 13): expression \"name + 1\" gives a string, not a boolean",
        "aggregate.metrics[0].field (line 13): sum does not apply to a string field; it needs a numeric field",
        "aggregate.metrics[0].op (line 13): \"median\" is not allowed; use one of count, sum, min, max, mean, "
            + "count_distinct",
    };
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < cases.length; i++) {
      EtlJobTest.Run r = failsBeforeTheRun(spec("mistake" + i, cases[i][1]), "--dryRun");
      messages.add(r.err.trim());
    }
    for (int i = 0; i < cases.length; i++) {
      assertThat(cases[i][0], messages.get(i), is("beam-etl: " + expected[i]));
    }
  }
}
