package dev.beametl.profile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.Specs;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.ValueParser;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Type, nullability, category and pattern inference, and a starter spec the job accepts. */
public class ProfileTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private Map<String, FieldSpec> profile(String csv, String... flags) throws Exception {
    return profileFile("data.csv", csv, flags);
  }

  private Map<String, FieldSpec> profileFile(String file, String data, String... flags) throws Exception {
    EtlJobTest.Run run = run(file, data, flags);
    assertThat(run.err, run.code, is(EtlJob.OK));
    PipelineSpec read = Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of());
    return read.schema().stream().collect(Collectors.toMap(FieldSpec::name, Function.identity()));
  }

  private EtlJobTest.Run run(String file, String data, String... flags) throws Exception {
    Path in = tmp.getRoot().toPath().resolve(file);
    Files.writeString(in, data);
    Path spec = tmp.getRoot().toPath().resolve("spec.yaml");
    Files.deleteIfExists(spec); // profile replaces no file
    List<String> args = new ArrayList<>(List.of("profile", "--input=" + in, "--out=" + spec));
    args.addAll(List.of(flags));
    return new EtlJobTest.Run(args.toArray(new String[0]));
  }

  @Test
  public void infersTypesAndLeavesTheRareBadValueOut() throws Exception {
    StringBuilder csv = new StringBuilder("id,price,day,at,flag,colour,code,note,big\n");
    for (int i = 0; i < 1000; i++) {
      csv.append(i == 500 ? "12x" : String.valueOf(i * 1000L)).append(',')
          .append(i % 7).append('.').append(i % 10).append("5,")
          .append(i == 3 ? "2023-02-29" : "2024-01-" + (10 + i % 20)).append(',')
          .append("2024-01-05T10:").append(10 + i % 50).append(":00Z,")
          .append(i % 2 == 0 ? "true" : "false").append(',')
          .append(i == 9 ? "purple" : new String[] {"red", "green", "blue"}[i % 3]).append(',')
          .append("AB-").append(100 + i % 900).append(',')
          .append(i % 4 == 0 ? "" : "free text " + i).append(',')
          .append(i == 7 ? "-99999999999999999999" : String.valueOf(i)).append('\n');
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("id").type().toString(), is("long"));
    assertThat(f.get("id").nullable(), is(false));
    assertThat(f.get("big").type().toString(), is("long")); // one value beyond a long is a bad one
    assertThat(String.valueOf(f.get("big").min()), is("0")); // ... and out of the range seen
    assertThat(f.get("price").type().toString(), is("decimal(5,2)")); // 1 integer digit seen + 2 of headroom
    assertThat(f.get("price").min().intValue(), is(0));
    assertThat(f.get("day").type().toString(), is("date"));
    assertThat(f.get("at").type().toString(), is("timestamp"));
    assertThat(f.get("flag").type().toString(), is("boolean"));
    assertThat(f.get("colour").type().toString(), is("category"));
    assertThat(f.get("colour").values(), is(List.of("blue", "green", "red"))); // "purple" (once) is left out
    assertThat(f.get("code").pattern(), is("AB-[0-9]{3}"));
    assertThat(f.get("note").type().toString(), is("string"));
    assertThat(f.get("note").nullable(), is(true));
  }

  @Test
  public void aColumnWithManyBadValuesStaysAString() throws Exception {
    StringBuilder csv = new StringBuilder("n\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i % 10 == 0 ? "n/a" : String.valueOf(i)).append('\n');
    }
    assertThat(profile(csv.toString()).get("n").type().toString(), is("string"));
    assertThat(profile(csv.toString(), "--tolerance=0.2").get("n").type().toString(), is("long"));
  }

  /** Headers a spec cannot use as names get a valid name and their own as column:, and the spec reads. */
  @Test
  public void headersThatAreNoNamesGetAColumn() throws Exception {
    Map<String, FieldSpec> fields = profile("Unit Price,unit-price,id,2nd\n1.5,2,3,x\n2.5,3,4,y\n");
    assertThat(fields.get("unit_price").sourceName(), is("Unit Price"));
    assertThat(fields.get("unit_price_2").sourceName(), is("unit-price"));
    assertThat(fields.get("id").column(), is(org.hamcrest.Matchers.nullValue()));
    assertThat(fields.get("f_2nd").sourceName(), is("2nd"));
  }

  /**
   * Names that YAML reads as something else when bare - null, a boolean, a number - are quoted in
   * the starter spec: the job's reader took them as text, every other YAML tool did not (a trial).
   */
  @Test
  public void namesYamlWouldReadAsOtherThanTextAreQuoted() throws Exception {
    Map<String, FieldSpec> fields = profile("null,true,on,no,id\n1,2,3,4,5\n");
    assertThat(fields.keySet(), is(Set.of("null", "true", "on", "no", "id")));
    String spec = Files.readString(tmp.getRoot().toPath().resolve("spec.yaml"));
    for (String quoted : List.of("{name: \"null\"", "{name: \"true\"", "{name: \"on\"", "{name: \"no\"", "{name: id,")) {
      assertThat(spec, containsString(quoted));
    }
  }

  /**
   * A column that files name in another case ({@code ID} in one, {@code id} in the next) is one
   * field, as the job reads it (a name exactly, else ignoring case): it was two, each null in half the
   * rows. A file naming both keeps two.
   */
  @Test
  public void aColumnFilesNameInAnotherCaseIsOneField() throws Exception {
    Path dir = tmp.newFolder("cased").toPath();
    Files.writeString(dir.resolve("a.csv"), "ID,v\n1,x\n2,y\n");
    Files.writeString(dir.resolve("b.csv"), "id,V\n3,z\n");
    Path spec = tmp.getRoot().toPath().resolve("cased.yaml");
    EtlJobTest.Run run = new EtlJobTest.Run("profile", "--input=" + dir + "/*.csv", "--out=" + spec);
    assertThat(run.err, run.code, is(EtlJob.OK));
    List<FieldSpec> fields = Specs.read(spec, List.of()).schema();
    assertThat(fields.toString(), fields.size(), is(2));
    assertThat(fields.get(0).name(), is("ID"));
    assertThat(fields.get(0).nullable(), is(false));
    assertThat(fields.get(1).name(), is("v"));
    assertThat(fields.get(1).nullable(), is(false));

    Map<String, FieldSpec> json = profileFile("cased.jsonl", "{\"Id\": 1}\n{\"id\": 2}\n{\"ID\": 3}\n");
    assertThat(json.keySet(), is(Set.of("Id")));
    assertThat(json.get("Id").nullable(), is(false));
    assertThat(profile("id,ID\n1,2\n3,4\n").keySet(), is(Set.of("id", "id_2")));
  }

  /** Columns whose names differ in case only get names that do not, and each keeps its own column. */
  @Test
  public void headersThatDifferInCaseOnlyGetDistinctNames() throws Exception {
    Map<String, FieldSpec> fields = profile("id,ID,Id\n1,2,3\n4,5,6\n");
    assertThat(fields.get("id").column(), is(org.hamcrest.Matchers.nullValue()));
    assertThat(fields.get("id_2").sourceName(), is("ID"));
    assertThat(fields.get("id_3").sourceName(), is("Id"));
  }

  /**
   * A quoted cell is its exact text, as the validator reads it: a quoted "" is null to a number but
   * the text "" to a category, which must then list it; quoted spaces stay (profiled as nulls and
   * stripped, the starter spec rejected such rows).
   */
  @Test
  public void quotedCellsAreTheirExactText() throws Exception {
    StringBuilder csv = new StringBuilder("\"id\",\"cat\",\"n\",\"pad\",\"plain\"\n");
    for (int i = 0; i < 100; i++) {
      csv.append(String.format("\"%d\",\"%s\",\"%s\",\"%s\", %s %n", i, new String[] {"a", "b", ""}[i % 3],
          i % 4 == 0 ? "" : String.valueOf(i), i % 2 == 0 ? " x " : "y", i % 2 == 0 ? "p" : "q"));
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("cat").values(), is(List.of("", "a", "b")));
    assertThat(f.get("cat").nullable(), is(false));
    assertThat(f.get("n").type().toString(), is("long"));
    assertThat(f.get("n").nullable(), is(true));
    assertThat(f.get("pad").values(), is(List.of(" x ", "y")));
    assertThat(f.get("plain").values(), is(List.of("p", "q"))); // unquoted: stripped, as the job trims
  }

  /** A column of 0 and 1 is numbers, as DuckDB types it: typed boolean, 1 came out as true (a hostile trial). */
  @Test
  public void zerosAndOnesAreNumbersNotBooleans() throws Exception {
    Map<String, FieldSpec> f = profile("bit,one,flag\n0,1,true\n1,1,false\n1,1,true\n0,1,false\n");
    assertThat(f.get("bit").type().toString(), is("long"));
    assertThat(f.get("one").type().toString(), is("long"));
    assertThat(f.get("flag").type().toString(), is("boolean"));
  }

  /** A leading zero makes a code, not a number: typed long, 01234 came out as 1234 (a hostile trial). */
  @Test
  public void zeroPaddedCodesStayText() throws Exception {
    StringBuilder csv = new StringBuilder("zip,code,signed,share,n\n");
    for (int i = 0; i < 200; i++) {
      csv.append(String.format("%05d,%03d,%s,%s,%d%n", i * 37 % 3000, i % 50, i == 7 ? "-01" : "-" + (i + 1),
          i == 9 ? "00.5" : "0." + i, i == 0 ? 0 : i));
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("zip").type().toString(), is("string"));
    assertThat(f.get("zip").pattern(), is("[0-9]{5}"));
    assertThat(f.get("code").type().toString(), is("string"));
    assertThat(f.get("signed").type().toString(), is("string")); // one -01 among 200: no tolerance for a changed value
    assertThat(f.get("share").type().toString(), is("string"));
    assertThat(f.get("n").type().toString(), is("long")); // 0 itself is a number
  }

  /**
   * Integers beyond a long were typed double (100 ids 2^63 + i became one value); an object or array
   * was typed string or category, which the job rejects in every row (a hostile trial).
   */
  @Test
  public void jsonIntegersBeyondALongStayExactAndNestedKeysAreLeftOut() throws Exception {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      jsonl.append(String.format("{\"id\": %d, \"nested\": {\"a\": %d}, \"tags\": [1, 2], \"big\": %s, "
          + "\"huge\": 1%s, \"sometimes\": %s, \"price\": %d.%s0}%n", i, i,
          BigInteger.TWO.pow(63).add(BigInteger.valueOf(i)), "0".repeat(40) + i, i == 5 ? "[5]" : String.valueOf(i),
          i, "1234567890123456789".substring(0, 1 + i % 19)));
    }
    EtlJobTest.Run run = run("data.jsonl", jsonl.toString());
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("left out: nested, tags, sometimes"));
    Map<String, FieldSpec> f = Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of()).schema().stream()
        .collect(Collectors.toMap(FieldSpec::name, Function.identity()));
    assertThat(f.keySet(), is(Set.of("id", "big", "huge", "price")));
    assertThat(f.get("big").type().toString(), is("decimal(21,0)")); // 19 digits + 2 of headroom
    assertThat(f.get("huge").type().toString(), is("string")); // 42 digits: no decimal holds them
    assertThat(f.get("price").type().toString(), is("decimal(24,20)")); // every digit as written, 1.10 too
  }

  /**
   * Numbers with an exponent or more digits than a double keeps are typed so the job keeps each: a
   * decimal when one holds them all (it reads 1e3), a double only when it changes none, else text. A
   * hostile trial: 1e3 made a column double, and the job wrote 9007199254740993 as ...992, 1e-400 as 0,
   * and JSON's 0.000000123456789012345678 (read as 1.23...E-7) rounded.
   */
  @Test
  public void numbersAreTypedSoThatTheJobKeepsEachOne() throws Exception {
    String[][] values = {{"9007199254740993", "1e3", "9007199254740995"}, {"0.12345678901234567", "4e5"},
        {"2.5e3", "1e-400"}, {"1e50", "2.5E-300"}, {"1.", ".5", "-2.5e-3"}};
    StringBuilder csv = new StringBuilder("n,x,u,e,d\n");
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      for (int c = 0; c < values.length; c++) {
        csv.append(c == 0 ? "" : ",").append(values[c][i % values[c].length]);
      }
      csv.append('\n');
      jsonl.append(String.format("{\"p\": %s, \"c\": %s}%n", i % 2 == 0 ? "0.000000123456789012345678" : "1.0e-7",
          i % 2 == 0 ? "0.0000001" : "\"x\""));
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("n").type().toString(), is("decimal(18,0)"));
    assertThat(f.get("x").type().toString(), is("decimal(25,17)"));
    assertThat(f.get("u").type().toString(), is("category")); // text: a double would make 1e-400 zero
    assertThat(f.get("e").type().toString(), is("double"));
    assertThat(f.get("d").type().toString(), is("decimal(7,4)"));
    for (int c = 0; c < values.length; c++) {
      for (String v : values[c]) {
        assertKept(f.get("nxued".substring(c, c + 1)), v);
      }
    }
    Map<String, FieldSpec> json = profileFile("data.jsonl", jsonl.toString());
    assertThat(json.get("p").type().toString(), is("decimal(27,24)"));
    assertKept(json.get("p"), "0.000000123456789012345678");
    assertThat(json.get("c").values(), is(List.of("0.0000001", "x"))); // a category takes a number as written
  }

  /**
   * Integer digits and places that together need more than 38: precision was capped at 38 with the
   * widest scale kept, 0 rejected, and the job rejected every large value (a hostile trial). Now a
   * type holding every value (text), or decimal(38,s) with the values beyond it counted as rejected.
   */
  @Test
  public void aDecimalOfMoreThan38DigitsHoldsEveryValueOrCountsTheRestAsRejected() throws Exception {
    StringBuilder csv = new StringBuilder("wide,rare\n");
    List<String> wide = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      wide.add(i % 2 == 0 ? "1234567890123456789012" + (10 + i % 90) + ".5" : "0.00000000000000000123456" + (100 + i));
      csv.append(wide.get(i)).append(',').append(i % 200 == 0 ? "1234567890.5" : "1." + "7".repeat(35)).append('\n');
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("wide").type().toString(), is("string"));
    wide.forEach(v -> assertKept(f.get("wide"), v));
    assertThat(f.get("rare").type().toString(), is("decimal(38,35)"));
    assertKept(f.get("rare"), "1." + "7".repeat(35));
    assertThat(ValueParser.forField(f.get("rare")).tryParse("1234567890.5"), is(org.hamcrest.Matchers.nullValue()));
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("spec.yaml")), containsString("5 would be rejected"));
  }

  /** The value the job reads {@code v} as in field {@code f} is {@code v} itself. */
  private static void assertKept(FieldSpec f, String v) {
    Object read = ValueParser.forField(f).tryParse(v);
    String kept = read == null || read instanceof String ? (String) read
        : new BigDecimal(read.toString()).compareTo(new BigDecimal(v)) == 0 ? v : read.toString();
    assertThat(f.name() + " " + f.type(), kept, is(v));
  }

  /**
   * A JSON string is text wherever the job reads it, "" and "NA" too (it applies no null markers to
   * JSON): profile counted "" as null, wrote category [A, B], and the job rejected every line holding
   * "" (a hostile trial). In a number column such a string is a bad value, not a null.
   */
  @Test
  public void aJsonStringIsAValueNeverANull() throws Exception {
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      jsonl.append(String.format("{\"es\": \"%s\", \"n\": %s, \"gone\": null}%n", new String[] {"", "A", "B"}[i % 3],
          i == 7 ? "\"\"" : i == 8 ? "\"NA\"" : String.valueOf(i)));
    }
    EtlJobTest.Run run = run("data.jsonl", jsonl.toString());
    assertThat(run.err, run.code, is(EtlJob.OK));
    Map<String, FieldSpec> f = Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of()).schema().stream()
        .collect(Collectors.toMap(FieldSpec::name, Function.identity()));
    assertThat(f.get("es").values(), is(List.of("", "A", "B")));
    assertThat(f.get("es").nullable(), is(false));
    assertThat(f.get("n").type().toString(), is("long"));
    assertThat(f.get("n").nullable(), is(false));
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("spec.yaml")),
        containsString("300 values, 0 nulls, seen 0 .. 299, 2 would be rejected"));
    assertThat(f.get("gone").nullable(), is(true)); // JSON null is a null
  }

  /**
   * A column one file's header lacks, or a key earlier JSON lines lack, is null in those records, as
   * the job reads them: the field must be nullable (it was required, and the job rejected those rows).
   */
  @Test
  public void aColumnSomeFilesLackIsNullable() throws Exception {
    Path dir = tmp.newFolder("files").toPath();
    Files.writeString(dir.resolve("a.csv"), "id,extra\n1,x\n2,y\n");
    Files.writeString(dir.resolve("b.csv"), "id\n3\n4\n5\n");
    Files.writeString(dir.resolve("c.csv"), "id,late\n6,7\n");
    Path spec = tmp.getRoot().toPath().resolve("files.yaml");
    EtlJobTest.Run run = new EtlJobTest.Run("profile", "--input=" + dir + "/*.csv", "--out=" + spec);
    assertThat(run.err, run.code, is(EtlJob.OK));
    Map<String, FieldSpec> f = Specs.read(spec, List.of()).schema().stream()
        .collect(Collectors.toMap(FieldSpec::name, Function.identity()));
    assertThat(f.get("id").nullable(), is(false));
    assertThat(f.get("extra").nullable(), is(true));
    assertThat(f.get("late").nullable(), is(true));
    Map<String, FieldSpec> json = profileFile("data.jsonl", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3, \"late\": 4}\n");
    assertThat(json.get("late").nullable(), is(true));
  }

  /** A line the job refuses as malformed (a key twice, text after the object) is skipped, not profiled. */
  @Test
  public void jsonLinesTheJobRefusesAreSkipped() throws Exception {
    EtlJobTest.Run run = run("data.jsonl", "{\"id\": 1, \"n\": 2}\n{\"id\": 2, \"id\": 3, \"n\": 4}\n"
        + "{\"id\": 4, \"n\": 5} {\"id\": 9}\n{\"id\": 5, \"n\": 6}\n");
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 2 records"));
    assertThat(run.out, containsString("2 malformed"));
  }

  /** Every line one column too many: profile said "profiled 100 records" and wrote a spec from no value (a hostile trial). */
  @Test
  public void noRecordToProfileFailsSayingWhyAndWritesNothing() throws Exception {
    StringBuilder csv = new StringBuilder("id,amount\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i).append(',').append(i).append(".50,extra\n");
    }
    EtlJobTest.Run run = run("data.csv", csv.toString());
    assertThat(run.out, run.code, is(EtlJob.USAGE));
    assertThat(run.err, containsString("no record of"));
    assertThat(run.err, containsString("100 with the wrong column count (first at data.csv@byte 10: 3 columns where the header has 2)"));
    assertThat(Files.exists(tmp.getRoot().toPath().resolve("spec.yaml")), is(false));
  }

  @Test
  public void aSkippedRecordIsNotCountedAsProfiled() throws Exception {
    String csv = "id,amount\n1,2\n3,4,5\n\n6,7\n";
    EtlJobTest.Run run = run("data.csv", csv);
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 2 records of"));
    assertThat(run.out, containsString("(2 more skipped: 1 with the wrong column count (first at data.csv@byte 14: "
        + "3 columns where the header has 2), 1 blank (first at data.csv@byte 20))"));
  }

  /**
   * Quoted values holding line breaks: profile skipped their lines, counted them as profiled too, and
   * wrote no multiline: true, so the starter spec rejected a quarter of the rows (a hostile trial).
   */
  @Test
  public void quotedLineBreaksMakeAMultilineSpecTypedFromEveryRecord() throws Exception {
    StringBuilder csv = new StringBuilder("id,note,amt\r\n");
    for (int i = 0; i < 200; i++) {
      csv.append(i).append(',').append(i % 4 == 0 ? "\"line1\nline2\"" : "plain").append(',').append(i).append(".25\r\n");
    }
    EtlJobTest.Run run = run("data.csv", csv.toString());
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 200 records of"));
    assertThat(run.out, containsString("50 records hold line breaks in quoted values"));
    PipelineSpec spec = Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of());
    assertThat(spec.source().multiline(), is(true));
    assertThat(spec.schema().get(1).type().toString(), is("category"));
    assertThat(spec.schema().get(1).values(), is(List.of("line1\nline2", "plain")));
  }

  /** A quote that never closes is a bad record, not a reason to read the file as multi-line. */
  @Test
  public void anUnclosedQuoteLeavesMultilineOff() throws Exception {
    StringBuilder csv = new StringBuilder("id,size\n");
    for (int i = 0; i < 200; i++) {
      csv.append(i).append(',').append(i == 50 ? "\"12 inch" : String.valueOf(i)).append('\n');
    }
    EtlJobTest.Run run = run("data.csv", csv.toString());
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 199 records of"));
    assertThat(Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of()).source().multiline(), is(false));
  }

  /** A quote lines later that closes a stray one would make the rows between one value: multiline stays off. */
  @Test
  public void straysQuotesLinesApartLeaveMultilineOff() throws Exception {
    StringBuilder csv = new StringBuilder("id,note\n");
    for (int i = 0; i < 100; i++) {
      csv.append(i).append(',').append(i == 10 ? "\"open" : i == 20 ? "close\"" : "x").append('\n');
    }
    EtlJobTest.Run run = run("data.csv", csv.toString());
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 98 records of"));
    assertThat(Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of()).source().multiline(), is(false));
  }

  /**
   * The job finds a CSV column by its header name: profile wrote {@code {name: , ...}} for a header
   * {@code id,,amount} and then refused its own spec (a hostile trial). The job ignores a column no
   * field can name (a trailing delimiter, say), so profile leaves it out, naming it and how to read it.
   */
  @Test
  public void aHeaderColumnWithoutANameIsLeftOutNamingItsPosition() throws Exception {
    EtlJobTest.Run run = run("data.csv", "id,,amount,\n1,1,1.5,\n2,2,2.5,\n");
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("left out: data.csv column 2, data.csv column 4 (no name in the header"));
    assertThat(run.out, containsString("name it in the header line (id,column_2,amount,column_4)"));
    PipelineSpec read = Specs.read(tmp.getRoot().toPath().resolve("spec.yaml"), List.of());
    assertThat(read.schema().stream().map(FieldSpec::name).collect(Collectors.toList()), is(List.of("id", "amount")));
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("spec.yaml")), containsString("# left out: data.csv column 2"));
  }

  /**
   * A header of no names, or JSON lines of {}, leave nothing to declare: the error named line 14 of a
   * generated spec nobody sees (a hostile trial); it names the input's header and the fix.
   */
  @Test
  public void anInputOfNoNamedColumnIsAnErrorNamingTheInput() throws Exception {
    EtlJobTest.Run run = run("data.csv", ",,\n1,2,3\n4,5,6\n");
    assertThat(run.out, run.code, is(EtlJob.USAGE));
    assertThat(run.err, containsString("data.csv names none of its columns, and the job finds a CSV file's columns by "
        + "their names: name them in the header line (column_1,column_2,column_3), or profile with --header=false"));
    assertThat(run.err, org.hamcrest.Matchers.not(containsString("schema (line")));
    EtlJobTest.Run empty = run("data.jsonl", "{}\n{}\n");
    assertThat(empty.out, empty.code, is(EtlJob.USAGE));
    assertThat(empty.err, containsString("data.jsonl holds a key (every object is {}): there is nothing a spec can copy"));
    assertThat(Files.exists(tmp.getRoot().toPath().resolve("spec.yaml")), is(false));
  }

  @Test
  public void aHeaderNamingAColumnTwiceIsAnError() throws Exception {
    EtlJobTest.Run run = run("data.csv", "id,amount, id\n1,1,1.5\n");
    assertThat(run.out, run.code, is(EtlJob.USAGE));
    assertThat(run.err, containsString("data.csv: columns 1 and 3 of the header (id,amount,id) are both named \"id\""));
  }

  @Test
  public void badFlagsAreUsageErrors() {
    EtlJobTest.Run noInput = new EtlJobTest.Run("profile", "--out=x.yaml");
    assertThat(noInput.code, is(EtlJob.USAGE));
    assertThat(noInput.err, containsString("--input is required"));
    EtlJobTest.Run unknown = new EtlJobTest.Run("profile", "--input=x.csv", "--outt=x.yaml");
    assertThat(unknown.code, is(EtlJob.USAGE));
    assertThat(unknown.err, containsString("unknown flag --outt"));
    EtlJobTest.Run nothing = new EtlJobTest.Run("profile", "--input=" + tmp.getRoot() + "/*.csv", "--out=x.yaml");
    assertThat(nothing.code, is(EtlJob.USAGE));
    assertThat(nothing.err, containsString("no file matches"));
  }

  /**
   * Every bad flag value is one line, exit 2, naming the flag and what it takes, and writes no spec:
   * a hostile trial found --header=yes read as false (the header a data row), --delimiter=semicolon
   * read as "s", --tolerance=1 and --delimiter= stack traces, and --format=xml naming an enum class.
   */
  @Test
  public void badFlagValuesAreOneLineErrorsNamingTheFlag() throws Exception {
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("--header=yes", "--header=yes: give true");
    refused.put("--header=1", "--header=1: give true");
    refused.put("--delimiter=semicolon", "--delimiter=semicolon: give the character itself (--delimiter=';')");
    refused.put("--delimiter=TAB", "--delimiter=TAB: give one character");
    refused.put("--delimiter=;;", "--delimiter=;;: give one character");
    refused.put("--delimiter=", "--delimiter=: give one character");
    refused.put("--delimiter=\"", "--delimiter=\": give one character");
    refused.put("--sampleRows=abc", "--sampleRows=abc: give the number of records to read, at least 1");
    refused.put("--sampleRows=0", "--sampleRows=0: give");
    refused.put("--tolerance=1", "--tolerance=1: give the share");
    refused.put("--tolerance=-1", "--tolerance=-1: give the share");
    refused.put("--tolerance=NaN", "--tolerance=NaN: give the share");
    refused.put("--maxCategories=-5", "--maxCategories=-5: give");
    refused.put("--maxCategories=x", "--maxCategories=x: give");
    refused.put("--format=xml", "--format=xml: profile reads csv or jsonl files");
    refused.put("--charset=klingon", "--charset=klingon: give a charset Java knows");
    refused.put("--name=a", "--name is given twice");
    for (Map.Entry<String, String> e : refused.entrySet()) {
      EtlJobTest.Run run = run("data.csv", "name,city\nann,oslo\n", e.getKey(), "--name=a");
      assertThat(e.getKey(), run.code, is(EtlJob.USAGE));
      assertThat(run.err, containsString(e.getValue()));
      assertThat(run.err, run.err.strip().lines().count(), is(1L));
      assertThat(Files.exists(tmp.getRoot().toPath().resolve("spec.yaml")), is(false));
    }
    assertThat(profile("name;city\nann;oslo\n", "--delimiter=;", "--header=TRUE").keySet(), is(Set.of("name", "city")));
    assertThat(profile("name\tcity\nann\toslo\n", "--delimiter=tab").keySet(), is(Set.of("name", "city")));
    assertThat(profile("ann,oslo\nbob,rome\n", "--header=false").keySet(), is(Set.of("column_1", "column_2")));
  }

  /**
   * A Latin-1 file: without --charset every record with an accented letter was skipped as
   * undecodable; with it, the values are read as the job reads them and the spec says the charset.
   */
  @Test
  public void aCharsetFlagReadsTheFileAndGoesIntoTheSpec() throws Exception {
    StringBuilder csv = new StringBuilder("name,city\n");
    for (int i = 0; i < 30; i++) {
      csv.append("n").append(i).append(',').append(new String[] {"K\u00f8benhavn", "Z\u00fcrich", "M\u00e1laga"}[i % 3])
          .append('\n');
    }
    Path in = tmp.getRoot().toPath().resolve("latin1.csv");
    Files.write(in, csv.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    Path spec = tmp.getRoot().toPath().resolve("spec.yaml");
    EtlJobTest.Run run = new EtlJobTest.Run("profile", "--input=" + in, "--out=" + spec, "--charset=latin1");
    assertThat(run.err, run.code, is(EtlJob.OK));
    assertThat(run.out, containsString("profiled 30 records"));
    PipelineSpec read = Specs.read(spec, List.of());
    assertThat(read.source().charset(), is("ISO-8859-1"));
    FieldSpec city = read.schema().stream().filter(f -> f.name().equals("city")).findFirst().orElseThrow();
    assertThat(Set.copyOf(city.values()), is(Set.of("K\u00f8benhavn", "Z\u00fcrich", "M\u00e1laga")));
  }

  /** A UTF-8 file (byte-order mark first) profiled as Latin-1: the reader's refusal, not a stack trace. */
  @Test
  public void aUtf8FileProfiledInAnotherCharsetIsRefusedInOneLine() throws Exception {
    Path in = tmp.getRoot().toPath().resolve("excel.csv");
    Files.write(in, "\uFEFFname,city\nn1,Z\u00fcrich\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path spec = tmp.getRoot().toPath().resolve("excel.yaml");
    EtlJobTest.Run run = new EtlJobTest.Run("profile", "--input=" + in, "--out=" + spec, "--charset=latin1");
    assertThat(run.code, is(2));
    assertThat(run.err, containsString("it begins with a UTF-8 byte-order mark"));
    assertThat(Files.exists(spec), is(false));
  }

  /** Two data sets in folders of one name (orders/incoming, refunds/incoming) got one name and one output. */
  @Test
  public void theSpecIsNamedAfterItsFile() throws Exception {
    Path in = Files.createDirectories(tmp.getRoot().toPath().resolve("orders/incoming")).resolve("a.csv");
    Files.writeString(in, "id\n1\n");
    Path out = tmp.getRoot().toPath().resolve("orders.yaml");
    assertThat(new EtlJobTest.Run("profile", "--input=" + in, "--out=" + out).code, is(EtlJob.OK));
    PipelineSpec spec = Specs.read(out, List.of());
    assertThat(spec.name(), is("orders"));
    assertThat(spec.sink().path(), endsWith("/out/orders"));
  }

  /**
   * The name is the job's own for a spec without one (the file's name less .yaml): cut at the first dot,
   * sales.2024.yaml and sales.2025.yaml shared the name "sales" and one output (a hostile trial).
   */
  @Test
  public void specsWhoseFileNamesDifferAfterADotGetTheirOwnNamesAndOutputs() throws Exception {
    Path in = tmp.getRoot().toPath().resolve("a.csv");
    Files.writeString(in, "id\n1\n");
    for (String year : List.of("2024", "2025")) {
      Path out = tmp.getRoot().toPath().resolve("sales." + year + ".yaml");
      assertThat(new EtlJobTest.Run("profile", "--input=" + in, "--out=" + out).code, is(EtlJob.OK));
      PipelineSpec spec = Specs.read(out, List.of());
      assertThat(spec.name(), is("sales." + year));
      assertThat(spec.sink().path(), endsWith("/out/sales." + year));
      Path nameless = Files.createDirectories(tmp.getRoot().toPath().resolve("nameless")).resolve(out.getFileName());
      Files.writeString(nameless, Files.readString(out).replaceFirst("(?m)^name: .*\n", ""));
      assertThat(Specs.read(nameless, List.of()).name(), is(spec.name())); // the job's own name for it
    }
  }

  /**
   * A spec written through a linked folder names its input from the folder it really is in, as the
   * job reads a spec's paths: ../data/*.csv from the link's side meant another folder to the job
   * (a trial: no file matched, or, where one did, other files were read, exit 0).
   */
  @Test
  public void aSpecWrittenThroughALinkedFolderNamesItsInputFromItsRealFolder() throws Exception {
    Path root = tmp.getRoot().toPath().toRealPath();
    Path in = Files.createDirectories(root.resolve("data")).resolve("a.csv");
    Files.writeString(in, "id\n1\n");
    Files.createDirectories(root.resolve("specs-real/team"));
    Files.createDirectories(root.resolve("specs-real/data")); // what ../data from the real folder would be
    Files.writeString(root.resolve("specs-real/data/a.csv"), "id\n99\n");
    Files.createSymbolicLink(root.resolve("specs"), root.resolve("specs-real/team"));
    Path out = root.resolve("specs/s.yaml");
    assertThat(new EtlJobTest.Run("profile", "--input=" + root + "/data/*.csv", "--out=" + out).code, is(EtlJob.OK));
    assertThat(Specs.read(out, List.of()).source().path(), is(root.resolve("data/*.csv").toString()));
  }

  /**
   * A pattern keeps a character beyond the BMP whole: an emoji before digits was quoted as two lone
   * surrogates, and writing the spec failed as "cannot read the input" (a hostile trial). A spec that
   * cannot be written says so, naming --out.
   */
  @Test
  public void patternsKeepEmojiWholeAndAWriteFailureNamesTheSpec() throws Exception {
    StringBuilder csv = new StringBuilder("code\n");
    for (int i = 0; i < 200; i++) {
      csv.append("x\uD83D\uDE00").append(10 + i % 90).append('\n');
    }
    Map<String, FieldSpec> f = profile(csv.toString());
    assertThat(f.get("code").pattern(), is("x\\Q\uD83D\uDE00\\E[0-9]{2}"));
    assertThat(ValueParser.forField(f.get("code")).tryParse("x\uD83D\uDE0042"), is("x\uD83D\uDE0042"));

    Path file = tmp.newFile("not-a-folder").toPath();
    EtlJobTest.Run run = new EtlJobTest.Run("profile", "--input=" + tmp.getRoot() + "/data.csv",
        "--out=" + file + "/spec.yaml");
    assertThat(run.err, run.code, is(EtlJob.USAGE));
    assertThat(run.err, containsString("--out: cannot write the spec " + file + "/spec.yaml"));
    assertThat(run.err, org.hamcrest.Matchers.not(containsString("cannot read the input")));
  }

  /** --out naming a folder (newspecs/, or one that exists) is refused: a spec file named newspecs was written. */
  @Test
  public void anOutThatIsADirectoryIsRefusedNamingIt() throws Exception {
    Path in = tmp.getRoot().toPath().resolve("a.csv");
    Files.writeString(in, "id\n1\n");
    Path dir = tmp.getRoot().toPath().resolve("newspecs");
    EtlJobTest.Run slash = new EtlJobTest.Run("profile", "--input=" + in, "--out=" + dir + "/");
    assertThat(slash.err, slash.code, is(EtlJob.USAGE));
    assertThat(slash.err, containsString("--out=" + dir + " is a directory; give the spec file to write, e.g. --out="
        + dir + "/NAME.yaml"));
    assertThat(Files.exists(dir), is(false));
    Files.createDirectories(dir);
    EtlJobTest.Run existing = new EtlJobTest.Run("profile", "--input=" + in, "--out=" + dir);
    assertThat(existing.err, existing.code, is(EtlJob.USAGE));
    assertThat(existing.err, containsString("--out=" + dir + " is a directory"));
  }

  /** A spec someone wrote or edited is never replaced by a starter spec. */
  @Test
  public void anExistingOutIsRefusedAndKept() throws Exception {
    assertThat(run("data.csv", "id\n1\n").code, is(EtlJob.OK));
    Path spec = tmp.getRoot().toPath().resolve("mine.yaml");
    Files.writeString(spec, "version: 1 # edited by hand\n");
    EtlJobTest.Run again = new EtlJobTest.Run("profile", "--input=" + tmp.getRoot().toPath().resolve("data.csv"),
        "--out=" + spec);
    assertThat(again.code, is(EtlJob.USAGE));
    assertThat(again.err, containsString("mine.yaml exists; profile writes a new file and replaces none"));
    assertThat(Files.readString(spec), is("version: 1 # edited by hand\n"));
  }
}
