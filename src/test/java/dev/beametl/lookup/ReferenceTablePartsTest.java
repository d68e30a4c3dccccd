package dev.beametl.lookup;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.pipeline.Specs;
import dev.beametl.record.DataError;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.LookupSpec;
import dev.beametl.validate.RecordValidator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/**
 * A lookup's table is built from parts (one per bundle of reference rows) and is the same table
 * whatever the parts and their order: the first row of a key in source order wins, or a key in two
 * parts fails as a key twice in one does.
 */
public class ReferenceTablePartsTest {
  /** The products lookup, with one more line of its settings ({@code onDuplicate: first}, {@code maxRows: 3}). */
  private static LookupSpec lookup(String setting) {
    return Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: sales.csv, format: csv}",
        "schema: [{name: product, type: string}]",
        "lookups:",
        "  - name: products",
        "    source: {path: products.csv, format: csv}",
        "    schema: [{name: id, type: string}, {name: brand, type: string}]",
        "    key: id",
        "    on: product",
        "    fields: [brand]",
        "    " + setting,
        "sink: {format: csv, path: out}", ""), "t", List.of()).lookups().get(0);
  }

  private static List<Row> rows(LookupSpec lookup, RecordValidator validator, int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) { // keys repeat: P0..P(n/3), each row its own byte offset
      rows.add(validator.validate(SourceRecord.of("products.csv", 10L * i, 0, "P" + (i % (n / 3)) + ",B" + i, null,
          false)).row);
    }
    return rows;
  }

  /** Folds the rows split into random parts, each part encoded as it crosses the shuffle, in random order. */
  private static LookupTable inParts(ReferenceTable table, List<Row> rows, Random random) throws Exception {
    List<ReferenceTable.Partial> parts = new ArrayList<>();
    ReferenceTable.Partial part = table.createAccumulator();
    for (Row row : rows) {
      table.addInput(part, row);
      if (random.nextInt(7) == 0) {
        parts.add(CoderUtils.clone(table.partialCoder(), part));
        part = table.createAccumulator();
      }
    }
    parts.add(CoderUtils.clone(table.partialCoder(), part));
    Collections.shuffle(parts, random);
    CombineFn<ReferenceTable.Partial, ReferenceTable.Partial, LookupTable> fn = table.ofParts();
    ReferenceTable.Partial all = fn.createAccumulator();
    for (ReferenceTable.Partial p : parts) {
      all = fn.addInput(all, p);
    }
    return fn.extractOutput(all);
  }

  @Test
  public void theFirstRowOfAKeyWinsWhateverThePartsAndTheirOrder() throws Exception {
    LookupSpec lookup = lookup("onDuplicate: first");
    RecordValidator validator = new RecordValidator(lookup.source(), lookup.schema(), true, true);
    ReferenceTable table = new ReferenceTable(lookup, validator.schema(), Lookup.of(lookup).addedSchema());
    List<Row> rows = rows(lookup, validator, 300);
    Random random = new Random(9);
    for (int round = 0; round < 20; round++) {
      LookupTable built = inParts(table, rows, random);
      assertThat(built.size(), is(100));
      for (int k = 0; k < 100; k++) {
        assertThat(built.get(List.of("P" + k)).getString(0), is("B" + k)); // row k is the key's first
      }
    }
  }

  /** Each part holds P0 once: the key twice shows only when parts meet, as parts or as accumulators. */
  @Test
  public void aKeyInTwoPartsIsAKeyTwice() throws Exception {
    LookupSpec lookup = lookup("onDuplicate: fail");
    RecordValidator validator = new RecordValidator(lookup.source(), lookup.schema(), true, true);
    ReferenceTable table = new ReferenceTable(lookup, validator.schema(), Lookup.of(lookup).addedSchema());
    List<Row> rows = rows(lookup, validator, 6); // P0 (byte 0), P1, P0 (byte 20), P1, ...
    for (boolean asAccumulators : new boolean[] {false, true}) {
      ReferenceTable.Partial first = table.addInput(table.createAccumulator(), rows.get(0));
      ReferenceTable.Partial second = table.addInput(table.createAccumulator(), rows.get(2));
      DataError e = assertThrows(DataError.class, () -> {
        if (asAccumulators) {
          table.mergeAccumulators(List.of(first, second));
        } else {
          CombineFn<ReferenceTable.Partial, ReferenceTable.Partial, LookupTable> fn = table.ofParts();
          fn.addInput(fn.addInput(fn.createAccumulator(), first), second);
        }
      });
      assertThat(e.getMessage(), containsString("holds id = P0 twice (products.csv@byte 0 and products.csv@byte 20)"));
    }
  }

  /** maxBytes counts a key as the table holds it: a CJK char is three bytes, not one (a trial). */
  @Test
  public void aKeysBytesAreCountedAsHeld() {
    LookupSpec lookup = lookup("onDuplicate: fail");
    RecordValidator validator = new RecordValidator(lookup.source(), lookup.schema(), true, true);
    ReferenceTable table = new ReferenceTable(lookup, validator.schema(), Lookup.of(lookup).addedSchema());
    long ascii = table.addInput(table.createAccumulator(), validator.validate(SourceRecord.of("products.csv", 0L, 0,
        "k".repeat(1_000) + ",B", null, false)).row).keptBytes;
    long cjk = table.addInput(table.createAccumulator(), validator.validate(SourceRecord.of("products.csv", 0L, 0,
        "\u952e".repeat(1_000) + ",B", null, false)).row).keptBytes;
    assertThat(cjk - ascii, is(2_000L));
  }

  /** A part past the limits makes the whole table past them, whatever came before it. */
  @Test
  public void aPartOverTheLimitsMakesTheTableFail() {
    LookupSpec lookup = lookup("maxRows: 3");
    RecordValidator validator = new RecordValidator(lookup.source(), lookup.schema(), true, true);
    ReferenceTable table = new ReferenceTable(lookup, validator.schema(), Lookup.of(lookup).addedSchema());
    List<Row> rows = rows(lookup, validator, 27); // the first 9 of 9 keys: the limit is on the keys kept
    ReferenceTable.Partial small = table.addInput(table.createAccumulator(), rows.get(0));
    ReferenceTable.Partial big = table.createAccumulator();
    for (Row row : rows.subList(1, 9)) {
      table.addInput(big, row);
    }
    ReferenceTable.Partial all = table.mergeAccumulators(List.of(small, big));
    assertThat(all.entries.size(), is(0)); // only counted: nothing past the limit is held
    DataError e = assertThrows(DataError.class, () -> table.extractOutput(all));
    assertThat(e.getMessage(), containsString("the reference table has 9 rows"));
  }
}
