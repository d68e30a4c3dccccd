package dev.beametl.lookup;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.junit.Assert.assertThrows;

import dev.beametl.TestRows;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.BadRecord;
import dev.beametl.record.DataError;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.Validate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

/**
 * The lookup stage on DirectRunner: rows gain the reference table's fields by key; a miss is a dead
 * letter with the row's origin and values, or nulls; a key twice is an error naming it, or the
 * first row in source order; a table past its limits fails, saying how big it was.
 */
public class LookupTest {
  @Rule public final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);

  private static String spec(String lookupTail) {
    return String.join("\n",
        "version: 1",
        "source: {path: sales.csv, format: csv}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: product, type: string, nullable: true}",
        "  - {name: qty, type: int}",
        "lookups:",
        "  - name: products",
        "    source: {path: products.csv, format: csv}",
        "    schema:",
        "      - {name: product_id, type: string}",
        "      - {name: brand, type: category, values: [Acme, Globex]}",
        "      - {name: margin, type: 'decimal(4,2)', nullable: true}",
        "    key: product_id",
        "    on: product",
        "    fields: [brand, {name: margin, as: product_margin}]",
        lookupTail,
        "sink: {format: csv, path: out}", "");
  }

  private static final String[] SALES = {"1,P1,3", "2,P2,1", "3,P9,2", "4,,5"};

  /** Validated rows (with origins) joined to the reference rows, as EtlPipeline wires them. */
  private PCollectionTuple join(PipelineSpec spec, String... products) {
    PCollection<Row> rows = validated(spec.source(), spec.schema(), "sales.csv", SALES).get(Validate.VALID);
    LookupSpec lookup = spec.lookups().get(0);
    PCollection<Row> reference = validated(lookup.source(), lookup.schema(), "products.csv", products)
        .get(Validate.VALID);
    return rows.apply(Lookup.of(lookup).withReference(reference));
  }

  private PCollectionTuple validated(dev.beametl.spec.SourceSpec source, List<dev.beametl.spec.FieldSpec> schema,
      String file, String... lines) {
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      records.add(SourceRecord.of(file, i * 10L, 0, lines[i], null, false));
    }
    return p.apply("Read " + file, Create.of(records).withCoder(SourceRecord.RecordCoder.of()))
        .apply("Validate " + file, Validate.against(source, schema).withOrigins(true));
  }

  private static PCollection<String> rendered(PCollection<Row> rows) {
    return rows.apply("Render", TestRows.rendered());
  }

  private static PCollection<String> described(PCollection<BadRecord> bad) {
    return bad.apply("Describe", MapElements.into(TypeDescriptors.strings())
        .via(b -> b.origin() + " " + b.stage() + " " + b.countKey() + " " + b.reason() + " " + b.payload()
            + " " + b.payloadFormat().label()));
  }

  @Test
  public void rowsGainTheFieldsAndMissesBecomeDeadLettersWithTheirOrigin() {
    PCollectionTuple out = join(Specs.parse(spec(""), "t", List.of()), "P1,Acme,0.25", "P2,Globex,");
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "id=1 product=P1 qty=3 brand=Acme product_margin=0.25 __origin=sales.csv@byte 0",
        "id=2 product=P2 qty=1 brand=Globex product_margin=null __origin=sales.csv@byte 10");
    PAssert.that(described(out.get(Lookup.BAD))).containsInAnyOrder(
        "sales.csv@byte 20 lookup lookup_miss:product no products row with product_id = P9 "
            + "{\"id\":3,\"product\":\"P9\",\"qty\":2} values",
        "sales.csv@byte 30 lookup lookup_miss:product product is null, so no products row can match "
            + "{\"id\":4,\"product\":null,\"qty\":5} values");
    p.run();
  }

  @Test
  public void missesCanGetNullsInstead() {
    PCollectionTuple out = join(Specs.parse(spec("    onMissing: nulls"), "t", List.of()), "P1,Acme,0.25");
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "id=1 product=P1 qty=3 brand=Acme product_margin=0.25 __origin=sales.csv@byte 0",
        "id=2 product=P2 qty=1 brand=null product_margin=null __origin=sales.csv@byte 10",
        "id=3 product=P9 qty=2 brand=null product_margin=null __origin=sales.csv@byte 20",
        "id=4 product=null qty=5 brand=null product_margin=null __origin=sales.csv@byte 30");
    PAssert.that(out.get(Lookup.BAD)).empty();
    p.run();
  }

  /** A reference with no rows is an empty side input: every row misses (the run's limits say the rest). */
  @Test
  public void anEmptyReferenceMakesEveryRowAMiss() {
    PCollectionTuple out = join(Specs.parse(spec("    onMissing: nulls"), "t", List.of()));
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "id=1 product=P1 qty=3 brand=null product_margin=null __origin=sales.csv@byte 0",
        "id=2 product=P2 qty=1 brand=null product_margin=null __origin=sales.csv@byte 10",
        "id=3 product=P9 qty=2 brand=null product_margin=null __origin=sales.csv@byte 20",
        "id=4 product=null qty=5 brand=null product_margin=null __origin=sales.csv@byte 30");
    p.run();
  }

  /**
   * A table of 10,000 keys, more than the join keeps decoded (4,096 by entry number): rows asking
   * for keys that share a place there, one after another, each get their own key's values.
   */
  @Test
  public void rowsGetTheirOwnKeysValuesFromABigTable() {
    PipelineSpec spec = Specs.parse(spec(""), "t", List.of());
    String[] products = new String[10_000];
    for (int k = 0; k < products.length; k++) {
      products[k] = "P" + k + "," + (k % 3 == 0 ? "Acme" : "Globex") + "," + (k % 100) / 100.0;
    }
    List<String> sales = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      int k = (i * 4_096 + i / 7) % 10_000; // keys 4,096 apart in turn, and again
      sales.add(i + ",P" + k + ",1");
      expected.add("id=" + i + " product=P" + k + " qty=1 brand=" + (k % 3 == 0 ? "Acme" : "Globex")
          + " product_margin=" + new java.math.BigDecimal((k % 100) / 100.0 + "").setScale(2) + " __origin=sales.csv@byte "
          + 10L * i);
    }
    PCollection<Row> rows = validated(spec.source(), spec.schema(), "sales.csv", sales.toArray(new String[0]))
        .get(Validate.VALID);
    PCollection<Row> reference = validated(spec.lookups().get(0).source(), spec.lookups().get(0).schema(),
        "products.csv", products).get(Validate.VALID);
    PCollectionTuple out = rows.apply(Lookup.of(spec.lookups().get(0)).withReference(reference));
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(expected);
    PAssert.that(out.get(Lookup.BAD)).empty();
    p.run();
  }

  @Test
  public void aKeyTwiceIsAnErrorNamingItAndBothRows() {
    join(Specs.parse(spec(""), "t", List.of()), "P1,Acme,0.25", "P2,Globex,", "P1,Globex,0.30");
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());
    assertThat(e.getCause(), instanceOf(DataError.class));
    assertThat(e.getCause().getMessage(), containsString("lookup products: the reference table holds "
        + "product_id = P1 twice (products.csv@byte 0 and products.csv@byte 20); fix the table, or set "
        + "onDuplicate: first"));
  }

  @Test
  public void onDuplicateFirstKeepsTheFirstRowInSourceOrder() {
    // byte 20 comes before byte 100, though as text "100" sorts first
    PCollectionTuple out = join(Specs.parse(spec("    onDuplicate: first"), "t", List.of()),
        "P1,Acme,0.25", "P3,Acme,0.20", "P2,Globex,0.10", "P4,Acme,0.30", "P5,Acme,0.40", "P6,Acme,0.50",
        "P7,Acme,0.60", "P8,Acme,0.70", "P10,Acme,0.80", "P11,Acme,0.90", "P2,Acme,0.95");
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "id=1 product=P1 qty=3 brand=Acme product_margin=0.25 __origin=sales.csv@byte 0",
        "id=2 product=P2 qty=1 brand=Globex product_margin=0.10 __origin=sales.csv@byte 10");
    p.run();
  }

  /**
   * The limits are on the rows the table keeps: with onDuplicate: first, five rows of two keys fit a
   * maxRows of 2 (a trial: 50,000 rows of 10 keys failed a maxRows of 1,000, "more than a lookup holds").
   */
  @Test
  public void theLimitsCountTheKeysKeptNotTheDuplicatesLeftOut() {
    PCollectionTuple out = join(Specs.parse(spec("    onDuplicate: first\n    maxRows: 2"), "t", List.of()),
        "P1,Acme,0.25", "P1,Globex,0.10", "P1,Acme,0.30", "P2,Globex,0.40", "P2,Acme,0.50");
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "id=1 product=P1 qty=3 brand=Acme product_margin=0.25 __origin=sales.csv@byte 0",
        "id=2 product=P2 qty=1 brand=Globex product_margin=0.40 __origin=sales.csv@byte 10");
    p.run();
  }

  @Test
  public void aTableOverItsRowLimitFailsSayingHowBigItWas() {
    join(Specs.parse(spec("    maxRows: 2"), "t", List.of()), "P1,Acme,0.25", "P2,Globex,", "P3,Acme,0.1",
        "P4,Acme,0.1");
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());
    assertThat(e.getCause(), instanceOf(DataError.class));
    assertThat(e.getCause().getMessage(), containsString("lookup products: the reference table has 4 rows"));
    assertThat(e.getCause().getMessage(), containsString("(maxRows 2, maxBytes 67,108,864)"));
  }

  @Test
  public void aTableOverItsByteLimitFails() {
    join(Specs.parse(spec("    maxBytes: 1KiB"), "t", List.of()), "P1,Acme,0.25",
        "P2,Acme," + "0.1", "P" + "x".repeat(600) + ",Acme,0.1", "P" + "y".repeat(600) + ",Acme,0.1");
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());
    assertThat(e.getCause().getMessage(), containsString("more keys than a lookup holds in memory (maxRows 1,000,000, "
        + "maxBytes 1,024)"));
  }

  @Test
  public void keysMatchAcrossIntegersAndDecimalsOfAnyScale() {
    PipelineSpec spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: a.csv, format: csv}",
        "schema: [{name: n, type: int}, {name: d, type: 'decimal(6,2)'}]",
        "lookups:",
        "  - name: ref",
        "    source: {path: b.csv, format: csv}",
        "    schema: [{name: n, type: 'decimal(5,1)'}, {name: d, type: 'decimal(8,3)'}, {name: label, type: string}]",
        "    key: [n, d]",
        "    on: [n, d]",
        "    fields: [label]",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    PCollection<Row> rows = validated(spec.source(), spec.schema(), "a.csv", "7,1.50", "7,1.5", "7,2", "8,2")
        .get(Validate.VALID);
    PCollection<Row> reference = validated(spec.lookups().get(0).source(), spec.lookups().get(0).schema(),
        "b.csv", "7.0,1.500,x", "7,2.000,y", "7.5,2,z", "8.5,2,w").get(Validate.VALID); // 7 is 7.0, not 7.5
    PCollectionTuple out = rows.apply(Lookup.of(spec.lookups().get(0)).withReference(reference));
    PAssert.that(rendered(out.get(Lookup.JOINED))).containsInAnyOrder(
        "n=7 d=1.50 label=x __origin=a.csv@byte 0",
        "n=7 d=1.50 label=x __origin=a.csv@byte 10",
        "n=7 d=2.00 label=y __origin=a.csv@byte 20");
    PAssert.that(out.get(Lookup.BAD).apply(org.apache.beam.sdk.transforms.MapElements
            .into(org.apache.beam.sdk.values.TypeDescriptors.strings()).via(b -> b.reason())))
        .satisfies(reasons -> {
          assertThat(reasons, org.hamcrest.Matchers.contains(containsString("(n, d) = (8, 2)"))); // 8 is not 8.5
          return null;
        });
    p.run();
  }

  @Test
  public void keysMatchAcrossIntegerWidths() {
    PipelineSpec spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: a.csv, format: csv}",
        "schema: [{name: n, type: int}]",
        "lookups:",
        "  - name: ref",
        "    source: {path: b.csv, format: csv}",
        "    schema: [{name: n, type: long}, {name: label, type: string}]",
        "    key: n",
        "    on: n",
        "    fields: [label]",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    PCollection<Row> rows = validated(spec.source(), spec.schema(), "a.csv", "7").get(Validate.VALID);
    PCollection<Row> reference = validated(spec.lookups().get(0).source(), spec.lookups().get(0).schema(),
        "b.csv", "7,x", "9999999999,y").get(Validate.VALID);
    PAssert.that(rendered(rows.apply(Lookup.of(spec.lookups().get(0)).withReference(reference)).get(Lookup.JOINED)))
        .containsInAnyOrder("n=7 label=x __origin=a.csv@byte 0");
    p.run();
  }
}
