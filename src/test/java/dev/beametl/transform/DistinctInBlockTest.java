package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.beametl.TestRows;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.Validate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.Rule;
import org.junit.Test;

/** count_distinct of integer fields by block: exact against a set, over blocks' edges and the long's range. */
public class DistinctInBlockTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final long[] EDGES = {Long.MIN_VALUE, Long.MIN_VALUE + 1, -65_537, -65_536, -65_535, -1, 0, 1,
      65_535, 65_536, 65_537, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE};

  /**
   * Per group, the exact distinct count of a long (dense runs, random longs, the edges, nulls left
   * out), of an int and of a string, the last by pair rows: all three in one aggregate, as a spec
   * may mix them.
   */
  @Test
  public void countsAsASetDoes() {
    Random random = new Random(7);
    List<SourceRecord> records = new ArrayList<>();
    Map<String, Set<Long>> longs = new TreeMap<>();
    Map<String, Set<Integer>> ints = new TreeMap<>();
    Map<String, Set<String>> strings = new TreeMap<>();
    for (int n = 0; n < 3_000; n++) {
      String g = "g" + random.nextInt(3);
      Long v;
      switch (random.nextInt(4)) {
        case 0:
          v = 70_000L + random.nextInt(140_000); // dense, across three blocks
          break;
        case 1:
          v = random.nextLong();
          break;
        case 2:
          v = EDGES[random.nextInt(EDGES.length)];
          break;
        default:
          v = null;
      }
      int i = random.nextInt(2) == 0 ? random.nextInt(100) - 50 : random.nextInt();
      String s = "s" + random.nextInt(500);
      longs.computeIfAbsent(g, k -> new HashSet<>());
      if (v != null) {
        longs.get(g).add(v);
      }
      ints.computeIfAbsent(g, k -> new HashSet<>()).add(i);
      strings.computeIfAbsent(g, k -> new HashSet<>()).add(s);
      records.add(SourceRecord.of("x.csv", n * 100L, 0, g + "," + (v == null ? "" : v) + "," + i + "," + s, null, false));
    }
    List<String> expected = new ArrayList<>();
    longs.forEach((g, set) -> expected.add("g=" + g + " dv=" + set.size() + " di=" + ints.get(g).size()
        + " ds=" + strings.get(g).size()));

    PipelineSpec spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: x.csv, format: csv, csv: {header: false}}",
        "schema:",
        "  - {name: g, type: string}",
        "  - {name: v, type: long, nullable: true}",
        "  - {name: i, type: int}",
        "  - {name: s, type: string}",
        "sink: {format: parquet, path: out/t}",
        "aggregate:",
        "  groupBy: [g]",
        "  metrics:",
        "    - {name: dv, op: count_distinct, field: v}",
        "    - {name: di, op: count_distinct, field: i}",
        "    - {name: ds, op: count_distinct, field: s}",
        ""), "t", List.of());
    PAssert.that(p.apply(Create.of(records).withCoder(SourceRecord.RecordCoder.of()))
            .apply(Validate.against(spec.source(), spec.schema()))
            .get(Validate.VALID)
            .apply(Transform.fromSpec(spec))
            .get(Transform.RESULT)
            .apply("render", TestRows.rendered()))
        .containsInAnyOrder(expected);
    p.run();
  }

  /** Only plain integers go by block; a category's code, a date's day, a decimal keep the pair rows. */
  @Test
  public void onlyIntegerFieldsFoldInBlocks() {
    for (String type : new String[] {"int", "long"}) {
      assertThat(type, RowKeys.foldsInBlocks(BeamTypes.of(FieldType.parse(type))), is(true));
    }
    for (String type : new String[] {"string", "double", "decimal(10,2)", "boolean", "date", "timestamp"}) {
      assertThat(type, RowKeys.foldsInBlocks(BeamTypes.of(FieldType.parse(type))), is(false));
    }
    for (boolean encoded : new boolean[] {true, false}) {
      assertThat("category", RowKeys.foldsInBlocks(
          BeamTypes.of(FieldType.of(FieldType.Kind.CATEGORY), List.of("a", "b"), encoded)), is(false));
    }
  }

  @Test
  public void blocksSplitAValueIntoItsHighAndLowBits() {
    for (long v : EDGES) {
      assertThat(v + " put back together", (DistinctInBlock.block(v) << DistinctInBlock.BLOCK_BITS)
          + DistinctInBlock.low(v), is(v));
      assertThat(DistinctInBlock.low(v), is(lessThan(1 << DistinctInBlock.BLOCK_BITS)));
    }
    assertThat(DistinctInBlock.block(-1), is(-1L));
    assertThat(DistinctInBlock.block(65_535), is(0L));
    assertThat(DistinctInBlock.block(65_536), is(1L));
  }

  @Test
  public void mergesAndCountsTheUnion() {
    DistinctInBlock fn = new DistinctInBlock();
    DistinctInBlock.Values a = fn.createAccumulator();
    DistinctInBlock.Values b = fn.createAccumulator();
    for (int v = 0; v < 1_000; v++) {
      a = fn.addInput(a, v);
      b = fn.addInput(b, 999 - v + 500); // in another order, with repeats of a's
      b = fn.addInput(b, 999 - v + 500);
    }
    assertThat(fn.extractOutput(a), is(1_000L));
    assertThat(fn.extractOutput(b), is(1_000L));
    assertThat(fn.extractOutput(fn.mergeAccumulators(List.of(a, b))), is(1_500L));
    assertThat("the merged are left as they were", fn.extractOutput(a), is(1_000L));
    assertThat(fn.extractOutput(fn.compact(b)), is(1_000L));
    assertThat(fn.extractOutput(fn.mergeAccumulators(List.of())), is(0L));
  }

  /** Bytes grow with what is folded, and stay bounded for a whole block: what the pre-combine's budget counts. */
  @Test
  public void aBlocksValuesStayBounded() {
    DistinctInBlock fn = new DistinctInBlock();
    DistinctInBlock.Values values = fn.createAccumulator();
    long empty = fn.bytes(values);
    for (int v = 0; v < 1 << DistinctInBlock.BLOCK_BITS; v += 2) {
      values = fn.addInput(values, v);
    }
    assertThat(fn.bytes(values), is(greaterThan(empty)));
    assertThat(fn.bytes(values), is(lessThan(9_000L)));
  }

  /** Every form round-trips to the same set: a list of a few values (repeats too), a bitmap, a bitmap with pending values. */
  @Test
  public void theCoderRoundTripsEveryForm() throws Exception {
    DistinctInBlock fn = new DistinctInBlock();
    List<int[]> inputs = new ArrayList<>();
    inputs.add(new int[0]);
    inputs.add(new int[] {65_535});
    inputs.add(new int[] {0, 1, 255, 256, 4_096, 30_000, 65_535, 65_535}); // eight, a repeat: still a list
    inputs.add(new int[] {0, 7, 9, 65_535, 3, 2, 1, 8, 11});
    int[] dense = new int[65_536 / 3 + 1];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (i * 7_919 * 3) % 65_536; // every third value's multiple, in no order
    }
    inputs.add(dense);
    int[] runs = new int[59_900];
    for (int i = 0; i < runs.length; i++) {
      runs[i] = 100 + i;
    }
    inputs.add(runs);
    Coder<DistinctInBlock.Values> coder = DistinctInBlock.BitmapCoder.INSTANCE;
    for (int[] in : inputs) {
      DistinctInBlock.Values values = fn.createAccumulator();
      Set<Integer> set = new HashSet<>();
      for (int v : in) {
        values = fn.addInput(values, v);
        set.add(v);
      }
      for (DistinctInBlock.Values form : List.of(values, fn.compact(values))) {
        for (Coder.Context context : List.of(Coder.Context.OUTER, Coder.Context.NESTED)) {
          DistinctInBlock.Values back =
              CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, form, context), context);
          assertThat(in.length + " values, " + context, fn.extractOutput(back), is((long) set.size()));
          assertThat(back.union(), is(values.union()));
        }
      }
    }
    DistinctInBlock.Values one = fn.addInput(fn.createAccumulator(), 65_535);
    assertThat(CoderUtils.encodeToByteArray(coder, one).length, is(3));
  }
}
