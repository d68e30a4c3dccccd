package dev.beametl.spec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import dev.beametl.pipeline.Specs;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import org.junit.Test;

public class SpecReaderTest {
  @org.junit.Rule public final org.junit.rules.TemporaryFolder tmp = new org.junit.rules.TemporaryFolder();

  static final String VALID = String.join("\n",
      "version: 1",
      "source:",
      "  path: data/*.csv",
      "  format: csv",
      "  csv: {delimiter: '|', header: false, nullValues: ['', 'NULL']}",
      "schema:",
      "  - {name: id, type: long}",
      "  - {name: amount, type: 'decimal(10,2)', min: 0}",
      "  - {name: region, type: category, values: [EU, NA]}",
      "  - {name: day, type: date, format: dd/MM/yyyy, min: 01/01/2020}",
      "  - {name: note, type: string, nullable: true, maxLength: 10}",
      "derive:",
      "  - {name: doubled, type: 'decimal(12,2)', expr: 'amount * 2'}",
      "filter: \"day >= date('2021-01-01')\"",
      "aggregate:",
      "  groupBy: [region]",
      "  metrics:",
      "    - {name: total, op: sum, field: doubled}",
      "    - {name: n, op: count}",
      "sink: {format: parquet, path: out/x}",
      "");

  static PipelineSpec parse(String yaml, String... overrides) {
    return Specs.parse(yaml, "test", List.of(overrides));
  }

  static String errorOf(String yaml, String... overrides) {
    return assertThrows(SpecException.class, () -> parse(yaml, overrides)).getMessage();
  }

  /** A line break as delimiter or quote is refused with the spec, not by the parser once the run has begun (a trial). */
  @Test
  public void aLineBreakIsNoDelimiterOrQuote() {
    for (String yaml : new String[] {VALID.replace("delimiter: '|'", "delimiter: \"\\n\""),
        VALID.replace("delimiter: '|'", "delimiter: \"\\r\""), VALID.replace("delimiter: '|'", "quote: \"\\n\"")}) {
      assertThat(errorOf(yaml), containsString("a line break ends a record, so it cannot be a delimiter or quote"));
    }
    assertThat(parse(VALID.replace("delimiter: '|'", "delimiter: \"\\t\"")).source().delimiter(), is('\t'));
  }

  /** A dead-letter directory that is the output under another name was refused as held by "another run". */
  @Test
  public void aDeadLetterPathLinkedToTheOutputIsTheOutput() throws Exception {
    java.nio.file.Path dir = tmp.newFolder().toPath();
    java.nio.file.Path out = java.nio.file.Files.createDirectories(dir.resolve("out"));
    java.nio.file.Files.createSymbolicLink(dir.resolve("alias"), out);
    assertThat(errorOf(VALID, "sink.path=" + out, "deadLetter.path=" + dir.resolve("alias")),
        containsString("must differ from sink.path"));
  }

  /** --output=file:///data/out wrote into a relative directory named file:/data/out, exit 0. */
  @Test
  public void anOutputIsALocalDirectory() {
    assertThat(parse(VALID, "sink.path=file:///data/out").sink().path(), is("/data/out"));
    assertThat(parse(VALID, "deadLetter.path=file:///data/bad").deadLetterPath(), is("/data/bad"));
    assertThat(errorOf(VALID, "sink.path=gs://bucket/out"), containsString("is on another file system"));
    assertThat(errorOf(VALID, "sink.path=hdfs:/data/out"), containsString("is on another file system"));
    assertThat(errorOf(VALID, "deadLetter.path=S3://b/bad"), containsString("is on another file system"));
    assertThat(parse(VALID, "sink.path=file:/data/out").sink().path(), is("/data/out"));
    assertThat(parse(VALID, "sink.path=v2:out").sink().path(), is("v2:out")); // a name with a colon
    assertThat("a trial: written to the local /server/share/out", errorOf(VALID, "sink.path=file://server/share/out"),
        containsString("is on another file system"));
    assertThat(parse(VALID, "sink.path=file://localhost/data/out").sink().path(), is("/data/out"));
    assertThat(errorOf(VALID, "sink.path=gs://bob:s3cr3t@bucket/out"), not(containsString("s3cr3t")));
  }

  /** A trial: a long's bound of 2^64 wrapped round to 0, one with an exponent of a billion failed the run. */
  @Test
  public void aBoundBeyondItsTypeIsRefused() {
    assertThat(errorOf(VALID, "schema.0.min=18446744073709551616"),
        containsString("schema[0].min: 18446744073709551616 is beyond a long"));
    assertThat(errorOf(VALID, "schema.1.max=1e-999999999"), containsString("is beyond any number a field holds"));
    assertThat(parse(VALID, "schema.0.max=9223372036854775807").schema().get(0).max().longValue(), is(Long.MAX_VALUE));
  }

  /** A trial: a name ../../x put a resumable run's checkpoints outside --checkpointDir. */
  @Test
  public void aPipelineNameIsNoPath() {
    assertThat(errorOf(VALID, "name=../../escaped"), containsString("is not a pipeline name"));
    assertThat(errorOf(VALID, "name=.."), containsString("is not a pipeline name"));
    assertThat(parse(VALID, "name=sales.2024 v2").name(), is("sales.2024 v2"));
  }

  /** A maxBad limit on a later stage's kind that the spec cannot produce never held, and was accepted. */
  @Test
  public void aMaxBadLimitNothingCanReachIsRefused() {
    assertThat(errorOf(VALID + "deadLetter: {maxBad: {lookup_miss: 0}}\n"), containsString(
        "\"lookup_miss\" can never be reached: the spec has no lookup"));
    assertThat(errorOf(VALID + "deadLetter: {maxBad: {'expression:amount': 0}}\n"), containsString(
        "this spec's expression keys are expression:doubled, expression:filter"));
    PipelineSpec spec = parse(VALID + "deadLetter: {maxBad: {expression: 0, 'expression:filter': 1, "
        + "'expression:doubled': 0.5}}\n");
    assertThat(spec.maxBad().size(), is(3));
    assertThat(errorOf(String.join("\n", "version: 1", "source: {path: a.csv, format: csv}",
        "schema: [{name: id, type: long}]", "sink: {format: csv, path: out}", "deadLetter: {maxBad: {expression: 0}}",
        "")), containsString("\"expression\" can never be reached: the spec has no derive or filter"));
  }

  @Test
  public void readsEverySection() {
    PipelineSpec spec = parse(VALID);
    assertThat(spec.name(), is("test"));
    assertThat(spec.source().delimiter(), is('|'));
    assertThat(spec.source().header(), is(false));
    assertThat(spec.source().nullValues(), contains("", "NULL"));
    assertThat(spec.schema().get(1).type(), equalTo(FieldType.decimal(10, 2)));
    assertThat(spec.schema().get(1).min(), equalTo(new BigDecimal("0")));
    assertThat(spec.schema().get(2).values(), contains("EU", "NA"));
    assertThat(spec.schema().get(3).minText(), is("01/01/2020"));
    assertThat(spec.schema().get(4).nullable(), is(true));
    assertThat(spec.derived().get(0).name(), is("doubled"));
    assertThat(spec.aggregation().metrics().get(1).field(), nullValue());
    assertThat(spec.deadLetterPath(), is("out/x-dead-letter"));
    assertThat(spec.maxBadRatio(), is(PipelineSpec.DEFAULT_MAX_BAD_RATIO));
    assertThat(spec.sink().ifExists(), is(SinkSpec.IfExists.FAIL));
  }

  @Test
  public void aSourceColumnWithANameASpecCannotUseIsReadThroughColumn() {
    String withHeader = VALID.replace("header: false", "header: true");
    PipelineSpec spec = parse(withHeader.replace("{name: note, type: string,",
        "{name: note, column: ' Note (free text)', type: string,"));
    assertThat(spec.schema().get(4).name(), is("note"));
    assertThat(spec.schema().get(4).sourceName(), is(" Note (free text)")); // as written; CSV headers match trimmed
    assertThat(spec.schema().get(0).sourceName(), is("id"));

    assertThat(errorOf(VALID.replace("{name: note,", "{name: 'unit price',")), allOf(
        containsString("schema[4].name"), containsString("\"unit price\" is not a valid name"),
        containsString("{name: unit_price, column: \"unit price\", ...}")));
    assertThat(errorOf(withHeader.replace("{name: note, type: string,", "{name: note, column: id, type: string,")),
        allOf(containsString("schema[4]"), containsString("\"id\" is already read by field id")));
    assertThat(errorOf(VALID.replace("{name: note, type: string,", "{name: note, column: Note, type: string,")),
        allOf(containsString("schema[4].column"), containsString("csv.header: false")));
    String database = "version: 1\nsource: {format: jdbc, jdbc: {url: 'jdbc:h2:mem:x', table: t}}\n"
        + "schema:\n  - {name: unit_price, column: 'unit price', type: int}\nsink: {format: csv, path: out/x}\n";
    assertThat(errorOf(database), allOf(containsString("schema[0].column"), containsString("AS unit_price")));
    String bounds = "version: 1\nsource: {format: jdbc, jdbc: {url: 'jdbc:h2:mem:x', table: t, partitionColumn: id,"
        + " lowerBound: 10, upperBound: 9}}\nschema: [{name: id, type: long}]\nsink: {format: csv, path: out/x}\n";
    assertThat(errorOf(bounds), allOf(containsString("source.jdbc.lowerBound"), containsString("is more than upperBound (9); swap them")));
  }

  /** source.jdbc.snapshot: on unless set false, in the spec or by --set. */
  @Test
  public void aDatabaseSourceSharesItsSnapshotUnlessTurnedOff() {
    String spec = "version: 1\nsource: {format: jdbc, jdbc: {url: 'jdbc:postgresql://db/shop', table: t,"
        + " partitionColumn: id}}\nschema: [{name: id, type: long}]\nsink: {format: csv, path: out/x}\n";
    assertThat(parse(spec).source().jdbc().snapshot(), is(true));
    assertThat(parse(spec, "source.jdbc.snapshot=false").source().jdbc().snapshot(), is(false));
  }

  @Test
  public void readsTheShippedSpecs() {
    PipelineSpec spec = Specs.read(Path.of("pipelines/sales-by-product.yaml"), List.of());
    assertThat(spec.name(), is("sales-by-product"));
    assertThat(spec.aggregation().groupBy(), contains("product", "region"));
  }

  @Test
  public void unknownKeyNamesPathLineAndAllowedKeys() {
    String msg = errorOf(VALID.replace("  format: csv", "  format: csv\n  fromat: x"));
    assertThat(msg, containsString("source.fromat (line 5): unknown key; allowed here:"));
    assertThat(msg, containsString("format"));
  }

  @Test
  public void wrongTypesNameTheKey() {
    assertThat(errorOf(VALID.replace("type: long", "type: bigint")),
        containsString("schema[0].type (line 7): unknown type \"bigint\"; allowed: string, int"));
    assertThat(errorOf(VALID.replace("header: false", "header: maybe")),
        containsString("source.csv.header (line 5): \"maybe\" is not a boolean"));
    assertThat(errorOf(VALID.replace("format: parquet", "format: xlsx")),
        containsString("sink.format (line 20): \"xlsx\" is not allowed; use one of parquet, csv, jsonl"));
    assertThat(errorOf(VALID.replace("'decimal(10,2)'", "'decimal(50,2)'")),
        containsString("schema[1].type"));
  }

  @Test
  public void missingRequiredKeys() {
    assertThat(errorOf(VALID.replace("version: 1\n", "")), containsString("version (line 1): required key is missing"));
    assertThat(errorOf(VALID.replace("version: 1\n", "version: 99999999999999999999999\n")),
        containsString("\"99999999999999999999999\" is out of range"));
    assertThat(errorOf(VALID.replace("version: 1\n", "version: 1.5\n")), containsString("is not a whole number"));
    assertThat(errorOf(VALID.replace("  path: data/*.csv\n", "")), containsString("source.path"));
    assertThat(errorOf(VALID.replace("type: category, values: [EU, NA]", "type: category")),
        containsString("a category field needs values"));
  }

  @Test
  public void referencesToUnknownFields() {
    assertThat(errorOf(VALID.replace("groupBy: [region]", "groupBy: [country]")),
        containsString("aggregate.groupBy[0] (line 16): unknown field \"country\"; declared: id, amount, region, day, note, doubled"));
    assertThat(errorOf(VALID.replace("field: doubled", "field: total_x")),
        containsString("aggregate.metrics[0].field"));
    assertThat(errorOf(VALID.replace("amount * 2", "amout * 2")),
        containsString("derive[0].expr (line 13): expression \"amout * 2\" names unknown field \"amout\""));
  }

  /**
   * Output columns differ in more than case (sinks match them ignoring case: an H2 table refused the
   * second, DuckDB renamed it); and without a groupBy the aggregate is one row, as the README says.
   */
  @Test
  public void metricNamesDifferInMoreThanCaseAndGroupByMayBeLeftOut() {
    assertThat(errorOf(VALID.replace("name: n, op: count", "name: TOTAL, op: count")),
        containsString("\"TOTAL\" differs from the output column \"total\" only in case"));
    assertThat(errorOf(VALID.replace("name: n, op: count", "name: Region, op: count")),
        containsString("\"Region\" differs from the output column \"region\" only in case"));
    assertThat(parse(VALID.replace("  groupBy: [region]\n", "")).aggregation().groupBy(), empty());
  }

  @Test
  public void aggregateMustFitItsField() {
    assertThat(errorOf(VALID.replace("op: sum, field: doubled", "op: sum, field: region")),
        containsString("sum does not apply to a category field; it needs a numeric field"));
    assertThat(errorOf(VALID.replace("op: sum, field: doubled", "op: mean, field: note")),
        containsString("mean does not apply to a string field"));
    assertThat(errorOf(VALID.replace("op: sum, field: doubled", "op: min, field: region")),
        containsString("min does not apply to a category field; it needs a number, date, timestamp or string"));
  }

  @Test
  public void doubleGroupKeyIsRejected() {
    String yaml = VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        "  - {name: note, type: double}").replace("groupBy: [region]", "groupBy: [note]");
    assertThat(errorOf(yaml), containsString("a double cannot be a group-by key"));
  }

  @Test
  public void expressionsMustTypeCheck() {
    assertThat(errorOf(VALID.replace("amount * 2", "region * 2")), containsString("does not type-check"));
    assertThat(errorOf(VALID.replace("amount * 2", "note")), containsString("gives a string, not a decimal(12,2)"));
    assertThat(errorOf(VALID.replace("day >= date('2021-01-01')", "amount + 1")),
        containsString("filter (line 14): expression \"amount + 1\" gives a decimal, not a boolean"));
  }

  @Test
  public void aRepeatedWallClockHourIsRefusedUnlessTheFieldSaysWhichInstant() {
    String ts = "  - {name: note, type: timestamp, zone: America/New_York";
    assertThat(parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}", ts + "}"))
        .schema().get(4).ambiguous(), is(WallClock.Ambiguous.DEAD_LETTER));
    assertThat(parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + ", ambiguous: later}")).schema().get(4).ambiguous(), is(WallClock.Ambiguous.LATER));
    assertThat(parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + ", ambiguous: earlier}")).schema().get(4).ambiguous(), is(WallClock.Ambiguous.EARLIER));
    assertThat(errorOf(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + ", ambiguous: first}")), containsString("\"first\" is not allowed; use deadLetter, earlier or later"));
    assertThat(errorOf(VALID.replace("maxLength: 10", "ambiguous: later")),
        containsString("applies only to timestamp fields"));
    // A bound the zone passes twice says so (it said "not a timestamp in the field's format"), until the field says which.
    assertThat(errorOf(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + ", min: '2024-11-03T01:30:00'}")), containsString("is two instants in America/New_York"));
    assertThat(parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + ", ambiguous: later, min: '2024-11-03T01:30:00'}")).schema().get(4).minText(), is("2024-11-03T01:30:00"));
  }

  /** A zone name in a format says no one zone (a trial: JST read in the field's zone, 13 hours off; EST as EDT). */
  @Test
  public void aFormatWithAZoneNameIsRefusedAndOneWithAZoneIdIsNot() {
    String ts = "  - {name: note, type: timestamp, zone: America/New_York, format: ";
    for (String pattern : new String[] {"'yyyy-MM-dd HH:mm:ss z'", "'yyyy-MM-dd HH:mm zzzz'", "'yyyy-MM-dd HH:mm v'"}) {
      assertThat(pattern, errorOf(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
          ts + pattern + "}")), containsString("a zone name (" + pattern.charAt(pattern.length() - 2)
          + ") says no one zone"));
    }
    assertThat(parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + "'yyyy-MM-dd HH:mm:ss VV', min: '2024-01-01 00:00:00 Asia/Tokyo'}")).schema().get(4).format(),
        is("yyyy-MM-dd HH:mm:ss VV"));
    assertThat("a quoted z is text", parse(VALID.replace("  - {name: note, type: string, nullable: true, maxLength: 10}",
        ts + "\"yyyy-MM-dd'T'HH:mm:ss'z'\"}")).schema().get(4).format(), is("yyyy-MM-dd'T'HH:mm:ss'z'"));
  }

  @Test
  public void constraintsOnlyWhereTheyApply() {
    assertThat(errorOf(VALID.replace("maxLength: 10", "min: 3")), containsString("applies only to numeric, date and timestamp fields"));
    assertThat(errorOf(VALID.replace("format: dd/MM/yyyy, min: 01/01/2020", "format: dd/MM/yyyy, min: 2020-01-01")),
        containsString("schema[3].min (line 10): \"2020-01-01\" is not a date (format dd/MM/yyyy)"));
    assertThat(errorOf(VALID.replace("  - {name: note", "  - {name: id")), containsString("field \"id\" is declared twice"));
    // A file's "Id" (a header, a JSON key, a Parquet or database column) would feed both: refused.
    assertThat(errorOf(VALID.replace("  - {name: note", "  - {name: ID")),
        containsString("field \"ID\" differs from \"id\" only in case, and columns are matched ignoring case: "
            + "rename it (with column: \"ID\" it keeps its column)"));
    String derived = errorOf(VALID.replace("name: doubled", "name: Amount"));
    assertThat(derived, containsString("field \"Amount\" differs from \"amount\" only in case"));
    assertThat(derived, not(containsString("column:")));
  }

  @Test
  public void notYamlAtAll() {
    assertThat(errorOf("version: 1\nsource: [unclosed"), containsString("spec is not valid YAML (line"));
  }

  @Test
  public void overridesApplyBeforeValidation() {
    PipelineSpec spec = parse(VALID, "sink.path=elsewhere", "sink.format=csv", "schema.4.nullable=false",
        "deadLetter.maxBadRatio=0.5");
    assertThat(spec.sink().path(), is("elsewhere"));
    assertThat(spec.sink().format(), is(SinkSpec.Format.CSV));
    assertThat(spec.schema().get(4).nullable(), is(false));
    assertThat(spec.maxBadRatio(), is(0.5));
    assertThat(parse(VALID, "schema.2.values=[EU, NA, APAC]").schema().get(2).values(), contains("EU", "NA", "APAC"));
    assertThat(errorOf(VALID, "sink.pth=x"), containsString("sink.pth: unknown key"));
    assertThat(errorOf(VALID, "deadLetter.maxBadRatio=2"), containsString("not a ratio"));
    assertThat(errorOf(VALID, "nonsense"), containsString("expected key.path=value"));
  }

  /**
   * A value in YAML quotes is the text it quotes: a pattern such as [a-z]+, which unquoted reads as a
   * YAML list, kept its quotes and rejected every row (a trial). Unquoted, the refusal says how.
   */
  @Test
  public void aQuotedOverrideIsTheTextItQuotes() {
    assertThat(parse(VALID, "schema.4.pattern=\"[a-z]+\"").schema().get(4).pattern(), is("[a-z]+"));
    assertThat(parse(VALID, "schema.4.pattern='[a-z]+'").schema().get(4).pattern(), is("[a-z]+"));
    assertThat(parse(VALID, "schema.4.pattern='it''s'").schema().get(4).pattern(), is("it's"));
    assertThat(parse(VALID, "source.csv.quote='").source().quote(), is('\''));
    assertThat(errorOf(VALID, "schema.4.pattern=[a-z]+"), containsString(
        "--set value [a-z]+ is not a valid YAML list or mapping (in one, quote an item that holds , # : [ ] { } as in"
            + " [NA, \"#N/A\"]); text that starts with [ or { is given in YAML quotes: --set=key='\"[a-z]+\"'"));
    // "" is no list: it had made nullValues empty (no cell null), where its writer meant the empty cell.
    assertThat(errorOf(VALID, "source.csv.nullValues=\"\""), containsString(
        "expected a list: [\"\"] holds the empty text, [] nothing"));
    assertThat(parse(VALID, "source.csv.nullValues=[\"\"]").source().nullValues(), contains(""));
    assertThat(errorOf(VALID, "schema.4.pattern=\"\\d+\""), containsString("in YAML's double quotes a backslash"
        + " starts an escape; give the text in single quotes: --set=key=\"'\\d+'\""));
    assertThat(parse(VALID, "schema.4.pattern='\\d+'").schema().get(4).pattern(), is("\\d+"));
    // A path too: "my out" had been a directory named with its quotes.
    assertThat(parse(VALID, "sink.path=\"my out\"").sink().path(), is("my out"));
    assertThat(parse(VALID, "sink.path='/tmp/x y'").sink().path(), is("/tmp/x y"));
  }

  /** key=null removes the key, so its alternative can be given (a hostile trial could not unset partitions). */
  @Test
  public void aNullOverrideRemovesTheKey() {
    assertThat(parse(VALID, "filter=null").filter(), is(org.hamcrest.Matchers.nullValue()));
    assertThat(parse(VALID, "schema.4.maxLength=~").schema().get(4).maxLength(), is(org.hamcrest.Matchers.nullValue()));
    assertThat(parse(VALID, "filter=null", "filter=amount > 1").filter(), is("amount > 1"));
    assertThat(parse(VALID, "sink.absent=null").sink().path(), is("out/x")); // nothing there to remove
  }

  /** A path key's null removes it too: it became the file "null" in the caller's directory (a trial). */
  @Test
  public void aNullOverrideRemovesAPathKey() throws Exception {
    java.nio.file.Path dir = tmp.newFolder().toPath();
    java.nio.file.Path spec = dir.resolve("s.yaml");
    java.nio.file.Files.writeString(spec, "version: 1\nsource: {format: jdbc, jdbc: {url: 'jdbc:h2:mem:x', user: u, "
        + "passwordFile: pw.txt, table: t}}\nschema: [{name: id, type: long}]\nsink: {format: csv, path: out}\n");
    PipelineSpec switched = dev.beametl.pipeline.Specs.read(spec, List.of("source.jdbc.passwordFile=null",
        "source.jdbc.passwordEnv=DB_PW"), dir);
    assertThat(switched.source().jdbc().passwordFile(), is(org.hamcrest.Matchers.nullValue()));
    assertThat(switched.source().jdbc().passwordEnv(), is("DB_PW"));
  }

  /**
   * Dead letters inside the output, or around it, are refused with the key, as equal paths are: the
   * run refused "dl" as a file it did not write, after making it itself (--output=nest --deadLetter=nest/dl).
   */
  @Test
  public void deadLettersAndOutputAreSeparateDirectories() {
    assertThat(errorOf(VALID, "deadLetter.path=out/x"), containsString("must differ from sink.path"));
    assertThat(errorOf(VALID, "deadLetter.path=out/x/dl"), containsString("deadLetter.path: is inside"));
    assertThat(errorOf(VALID, "deadLetter.path=out/x/dl"), containsString("is inside sink.path"));
    assertThat(errorOf(VALID, "deadLetter.path=out"), containsString("holds sink.path"));
    assertThat(parse(VALID, "deadLetter.path=out/x-bad").deadLetterPath(), is("out/x-bad"));
  }

  @Test
  public void aPasswordInAnyUrlFormIsRefusedWithoutRepeatingIt() {
    for (String url : List.of("jdbc:mysql://etl:s3cret@db.example:3306/shop", "jdbc:mariadb://etl:s3cret@db/shop",
        "jdbc:postgresql://db/shop?user=etl&password=s3cret", "jdbc:sqlserver://db;user=etl;password=s3cret",
        "jdbc:oracle:thin:etl/s3cret@db:1521/shop", "jdbc:h2:mem:x;PASSWORD=s3cret", "jdbc:mysql://db/shop?pwd=s3cret",
        "jdbc:h2:/tmp/db;INIT=SET PASSWORD 's3cret'", "jdbc:postgresql://db/shop?sslpassword=s3cret",
        "jdbc:mysql://db/shop?trustCertificateKeyStorePassword=s3cret",
        "jdbc:postgresql://db/shop?javax.net.ssl.keyStorePassword=s3cret",
        "jdbc:postgresql://etl:s3cret/pw@db:5432/shop", "jdbc:mariadb://etl:s3cret/@db/shop",
        "jdbc:postgresql://etl:s3cret?x@db/shop", "jdbc:postgresql://etl:s3cret;x@db/shop",
        "jdbc:postgresql://etl:s3cret&x@db/shop", "jdbc:postgresql://etl:2024/s3cret@db/shop",
        "jdbc:mysql://address=(host=db)(port=3306)(user=etl)(password=s3cret)/shop",
        "jdbc:mysql://(host=db,port=3306,user=etl,password=s3cret)/shop", "jdbc:sqlserver://db:1433; password=s3cret",
        "jdbc:h2:mem:x;INIT=CREATE USER IF NOT EXISTS bob PASSWORD's3cret' ADMIN",
        "jdbc:h2:mem:x;INIT=CREATE USER IF NOT EXISTS bob PASSWORD $$s3cret$$ ADMIN",
        "jdbc:h2:mem:x;INIT=CREATE USER IF NOT EXISTS bob PASSWORD U&'s3cret' ADMIN",
        "jdbc:h2:mem:x;INIT=CREATE USER IF NOT EXISTS bob PASSWORD/*c*/'s3cret' ADMIN",
        "jdbc:h2:mem:x;INIT=CREATE LINKED TABLE t('org.h2.Driver','jdbc:h2:mem:y','sa','s3cret','T')",
        "jdbc:oracle:oci:etl/s3cret@db", "jdbc:mysql://db/shop?password1=s3cret",
        "jdbc:h2:mem:x;INIT=SET PASSWORD = 's3cret'", "jdbc:h2:mem:x;INIT=CREATE USER u PASSWORD ('s3cret')",
        "jdbc:h2:mem:x;INIT=CREATE USER u PASSWORD CONCAT('s3','cret')", "jdbc:h2:mem:x;INIT=SET/**/PASSWORD 's3cret'",
        "jdbc:h2:mem:x;INIT=CALL LINK_SCHEMA('S','','jdbc:h2:mem:y','sa','s3cret','PUBLIC')",
        "jdbc:mysql://etl:2024&s3cret@db:3306/x", "jdbc:mysql://etl:123;s3cret@db/x",
        "jdbc:sqlserver://db:1433;keyStoreSecret=s3cret", "jdbc:trino://db:8080/c?accessToken=s3cret",
        "jdbc:redshift://db:5439/x?SecretAccessKey=s3cret",
        // a / and a ? in one secret, or an @ in it (a trial's pa/ss?s3cretPW was echoed whole)
        "jdbc:postgresql://etl:pa/ss?s3cret@127.0.0.1:1/db", "jdbc:postgresql://etl:12/ab?s3cret@db/x",
        "jdbc:postgresql://etl:p@s3cret@db/x", "jdbc:mariadb://etl:a;b/s3cret@db/x")) {
      String yaml = "version: 1\nsource: {format: jdbc, jdbc: {url: '" + url.replace("'", "''") + "', table: t}}\n"
          + "schema: [{name: id, type: long}]\nsink: {format: csv, path: out}\n";
      String msg = errorOf(yaml);
      assertThat(url, msg, containsString("put no password in the URL"));
      assertThat(url, msg, not(containsString("s3cret")));
    }
    assertThat(JdbcUrls.scrub("failed for jdbc:mysql://etl:s3cret@db/x and password=s3cret"),
        is("failed for jdbc:mysql://etl:***@db/x and password=***"));
    assertThat(JdbcUrls.scrub("jdbc:h2:/tmp/db;INIT=SET PASSWORD 's3''cret' and ?sslpassword=s3cret"),
        is("jdbc:h2:/tmp/db;INIT=SET PASSWORD '***' and ?sslpassword=***"));
    assertThat(JdbcUrls.scrub("?oracle.net.wallet_password=s3cret"), is("?oracle.net.wallet_password=***"));
    // Parameters a URL may carry (sslkey= is a path), masked wherever a message repeats them (a trial: SQLCipher's key=)
    assertThat(JdbcUrls.scrub("No suitable driver found for jdbc:sqlite:file:x?key=S3cr3tPW (SQL state 08001)"),
        is("No suitable driver found for jdbc:sqlite:file:x?key=*** (SQL state 08001)"));
    assertThat(JdbcUrls.scrub("jdbc:clickhouse://h:8123/db?api_key=S3cr3tPW&x=1;AccessKey=AK1;credentials=c"),
        is("jdbc:clickhouse://h:8123/db?api_key=***&x=1;AccessKey=***;credentials=***"));
    assertThat(JdbcUrls.hasPassword("jdbc:postgresql://db/shop?sslkey=/etc/etl/client.key"), is(false));
    assertThat(JdbcUrls.scheme("jdbc:sqlite:file:x?key=s3cret"), is("jdbc:sqlite:"));
    assertThat(JdbcUrls.scheme("jdbc:postgresql//etl:pw@db"), is("such")); // no scheme: nothing of it said
    assertThat(JdbcUrls.scrub("Unable to parse URL jdbc:postgresql://etl:s3cr3t/pw@127.0.0.1:1/db"),
        is("Unable to parse URL jdbc:postgresql://etl:***@127.0.0.1:1/db"));
    assertThat(JdbcUrls.scrub("Unable to parse URL jdbc:postgresql://etl:pa/ss?s3cretPW@127.0.0.1:1/db"),
        is("Unable to parse URL jdbc:postgresql://etl:***@127.0.0.1:1/db"));
    assertThat(JdbcUrls.scrub("x jdbc:mysql://etl:p@s3cret@db/x y"), is("x jdbc:mysql://etl:***@db/x y"));
    assertThat(JdbcUrls.scrub("jdbc:mysql://db:3306/shop?user=etl@corp"), is("jdbc:mysql://db:3306/shop?user=etl@corp"));
    assertThat(JdbcUrls.scrub("Syntax error in SQL statement \"SET PASSWORD='s3''cret' x\""),
        is("Syntax error in SQL statement \"SET PASSWORD=*** x\""));
    assertThat(JdbcUrls.scrub("CREATE LINKED TABLE t('org.h2.Driver','jdbc:mysql://(host=h)/d','sa','s3cret','T')"),
        is("CREATE LINKED TABLE t(***)"));
    // Long messages are scrubbed in linear time: no backtracking blow-up, no stack overflow.
    String longText = "PASSWORD '" + "x".repeat(200_000) + "' " + "/*c*/".repeat(20_000) + " a.b".repeat(50_000);
    assertThat(JdbcUrls.scrub(longText), org.hamcrest.Matchers.startsWith("PASSWORD '***'"));
    for (String fine : List.of("jdbc:h2:/home/mypwdstore/db", "jdbc:postgresql://db/passwords_app",
        "jdbc:postgresql://db/pwd", "jdbc:postgresql://pwd.corp.example:5432/user_password",
        "jdbc:postgresql://db/shop?options=-c%20search_path=Password", "jdbc:postgresql://db/x?passwordless=true",
        "jdbc:h2:tcp://[::1]:9092/~/data@2024", "jdbc:mysql://db:3306/shop?user=etl@corp",
        "jdbc:postgresql://srv.postgres.database.azure.com:5432/db?user=admin@srv&sslmode=require",
        "jdbc:sqlserver://db:1433;user=etl@corp", "jdbc:mariadb://h1:3306,h2:3306?user=admin@srv",
        "jdbc:mysql://address=(host=db)(port=3306)(user=etl)/shop",
        "jdbc:h2:mem:i;INIT=SET @dir='/srv/rotate-password'\\;RUNSCRIPT FROM '/srv/rotate-password/db.sql'",
        "jdbc:h2:mem:i;INIT=INSERT INTO t VALUES('password','x')", "jdbc:h2:mem:x;USER=sa;PASSWORD=",
        "jdbc:h2:mem:x;USER=sa;PASSWORD=;DB_CLOSE_DELAY=-1")) {
      assertThat(fine, JdbcUrls.hasPassword(fine), is(false));
    }
    assertThat(JdbcUrls.forDriver("jdbc:mysql://db/x"), is("jdbc:mysql://db/x?permitMysqlScheme"));
  }

  @Test
  public void partitionByNamesOutputColumnsAndLeavesSomeForTheFiles() {
    String by = "sink: {format: parquet, path: out/x, partitionBy: [region], maxPartitions: 20}";
    SinkSpec sink = parse(VALID.replace("sink: {format: parquet, path: out/x}", by)).sink();
    assertThat(sink.partitionBy(), contains("region"));
    assertThat(sink.maxPartitions(), is(20));
    assertThat(parse(VALID).sink().maxPartitions(), is(SinkSpec.DEFAULT_MAX_PARTITIONS));
    assertThat(errorOf(VALID, "sink.partitionBy=[day]"),
        containsString("\"day\" is not an output column; output columns: region, total, n"));
    assertThat(errorOf(VALID, "sink.partitionBy=[region, total, n]"),
        containsString("leave at least one output column for the files"));
    assertThat(errorOf(VALID, "sink.partitionBy=[region, region]"), containsString("listed twice"));
    assertThat(errorOf(VALID, "sink.partitionBy=[]"), containsString("list at least one output column"));
    assertThat(errorOf(VALID, "sink.maxPartitions=5"), containsString("applies only to a sink with partitionBy"));
    String copy = VALID.substring(0, VALID.indexOf("aggregate:")) + "sink: {format: csv, path: out/x}\n";
    assertThat(errorOf(copy.replace("- {name: note", "- {name: ratio, type: double}\n  - {name: note"),
        "sink.partitionBy=[ratio]"), containsString("a double cannot name a directory exactly"));
    assertThat(errorOf(copy.replace("- {name: note", "- {name: _src, type: string}\n  - {name: note"),
        "sink.partitionBy=[_src]"), containsString("which Hive and Trino take as hidden"));
    assertThat(parse(copy, "sink.partitionBy=[day, region]").sink().partitionBy(), contains("day", "region"));
  }

  private static final String LOOKUP = String.join("\n",
      "lookups:",
      "  - name: regions",
      "    source: {path: regions.csv, format: csv}",
      "    schema: [{name: code, type: category, values: [EU, NA]}, {name: manager, type: string},",
      "             {name: rate, type: 'decimal(4,2)'}]",
      "    key: code",
      "    on: region",
      "    fields: [manager, {name: rate, as: region_rate}]",
      "derive:");

  private static String withLookup(String... lookupLines) {
    String lookup = LOOKUP.replace("derive:", String.join("\n", lookupLines) + (lookupLines.length > 0 ? "\n" : "")
        + "derive:");
    return VALID.replace("derive:", lookup);
  }

  @Test
  public void lookupsAddFieldsThatLaterSectionsUse() {
    PipelineSpec spec = parse(withLookup().replace("groupBy: [region]", "groupBy: [manager]")
        .replace("amount * 2", "amount * region_rate"), "sink.partitionBy=[manager]");
    LookupSpec lookup = spec.lookups().get(0);
    assertThat(lookup.key(), contains("code"));
    assertThat(lookup.on(), contains("region"));
    assertThat(lookup.onMissing(), is(LookupSpec.OnMissing.DEAD_LETTER));
    assertThat(lookup.onDuplicate(), is(LookupSpec.OnDuplicate.FAIL));
    assertThat(spec.rowFields().stream().map(FieldSpec::name).collect(java.util.stream.Collectors.toList()),
        contains("id", "amount", "region", "day", "note", "manager", "region_rate"));
    assertThat(parse(withLookup("    onMissing: nulls", "    maxBytes: 64MiB", "    onDuplicate: first"))
        .lookups().get(0).maxBytes(), is(64L << 20));
  }

  @Test
  public void lookupMistakesNameTheKey() {
    assertThat(errorOf(withLookup().replace("key: code", "key: kode")),
        containsString("\"kode\" is not a field of this lookup's schema; declared: code, manager, rate"));
    assertThat(errorOf(withLookup().replace("on: region", "on: id")),
        containsString("\"id\" (long) cannot match key \"code\" (category): number values never equal text values"));
    assertThat(errorOf(withLookup().replace("on: region", "on: [region, id]")),
        containsString("names 2 field(s) for a key of 1"));
    assertThat(errorOf(withLookup().replace("as: region_rate", "as: amount")),
        containsString("the rows already have a field \"amount\"; add it under another name"));
    assertThat(errorOf(withLookup("    onMissing: skip")), containsString("use deadLetter or nulls"));
    assertThat(errorOf(withLookup("    maxBytes: lots")), containsString("is not a size"));
    assertThat(errorOf(withLookup().replace("{name: code, type: category, values: [EU, NA]}",
        "{name: code, type: category, values: [EU, NA], nullable: true}")), containsString("is nullable"));
    assertThat(errorOf(VALID.replace("{name: id, type: long}", "{name: __origin, type: long}")),
        containsString("\"__origin\" is reserved"));
  }

  /**
   * An incremental run sees the new rows or files only, so its groups are partial: into an upsert table
   * they replaced the stored groups (a count of 250 became 1, exit 0). Refused for every sink, unless a
   * database source is grouped by its incremental column into an upsert table.
   */
  @Test
  public void anAggregationOverAnIncrementalSourceIsRefusedUnlessGroupedByTheDatabaseColumn() {
    String table = "sink: {format: jdbc, path: out/x, jdbc: {url: 'jdbc:h2:mem:t', table: t, mode: %s}}";
    String files = VALID.replace("format: csv\n", "format: csv\n  incremental: files\n");
    for (String sink : List.of("sink: {format: parquet, path: out/x}", String.format(table, "upsert"),
        String.format(table, "append"))) {
      assertThat(sink, errorOf(files.replace("sink: {format: parquet, path: out/x}", sink)), allOf(
          containsString("source.incremental"), containsString("its groups are partial"),
          containsString("drop incremental"), containsString("drop aggregate")));
    }
    String database = VALID
        .replace("  path: data/*.csv\n  format: csv\n  csv: {delimiter: '|', header: false, nullValues: ['', 'NULL']}\n",
            "  format: jdbc\n  jdbc: {url: 'jdbc:h2:mem:s', table: s}\n  incremental: {column: id, overlap: 10}\n")
        .replace("sink: {format: parquet, path: out/x}", String.format(table, "upsert"));
    assertThat(errorOf(database), allOf(containsString("source.incremental"),
        containsString("rows at and above the last mark"), containsString("its groups are partial")));
    assertThat(errorOf(database), containsString("or group by id itself into an upsert table"));
    assertThat("the same spec without the aggregation loads", parse(database.replaceAll("(?s)aggregate:.*?sink:",
        "sink:").replace("mode: upsert}", "mode: upsert, keys: [id]}")).source().incremental().column(), is("id"));
    // Grouped by the incremental column, each group a run writes is whole: every row of each value read.
    String byTheColumn = database.replace("groupBy: [region]", "groupBy: [region, id]");
    assertThat(parse(byTheColumn).aggregation().groupBy(), contains("region", "id"));
    assertThat(errorOf(byTheColumn.replace("mode: upsert}", "mode: append}")), containsString("groups are partial"));
    assertThat(errorOf(files.replace("groupBy: [region]", "groupBy: [region, id]")),
        containsString("its groups are partial"));
  }
}
