package dev.beametl.transform;

import dev.beametl.spec.MetricSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Benchmark only ({@code --aggregation=groupByKey}): the anti-pattern {@link Aggregate} exists to
 * avoid, kept so the benchmark can measure the difference. Every row is shuffled by
 * {@code GroupByKey} and each group is folded in one call, with a set per count_distinct.
 */
final class NaiveAggregation {
  private NaiveAggregation() {}

  static PCollection<Row> groupAndLoop(PCollection<Row> rows, Schema keySchema, List<String> valueFields,
      List<MetricSpec> distinct, MetricsCombineFn fn, Schema outputSchema) {
    List<String> all = new ArrayList<>(valueFields); // the combined metrics' fields stay a prefix
    for (MetricSpec m : distinct) {
      if (!all.contains(m.field())) {
        all.add(m.field());
      }
    }
    Schema valueSchema = Aggregate.project(rows.getSchema(), all);
    int[] distinctIndex = distinct.stream().mapToInt(m -> valueSchema.indexOf(m.field())).toArray();
    List<String> distinctNames = new ArrayList<>();
    distinct.forEach(m -> distinctNames.add(m.name()));
    RowKeys keys = new RowKeys(rows.getSchema(), keySchema, valueSchema, List.of()); // the metrics' keying only
    return keys.metrics(keys.keyedOnly(rows
            .apply("Key every row (naive)", ParDo.of(new Aggregate.KeyRows(keys))
                .withOutputTags(keys.metricsTag(), TupleTagList.empty()))))
        .apply("Group every row by key (naive)", GroupByKey.create())
        .apply("Loop over each group (naive)",
            ParDo.of(new LoopOverGroup(fn, distinctNames, distinctIndex, outputSchema)))
        .setRowSchema(outputSchema);
  }

  /** The anti-pattern: one call per key with all of its rows, folded in a loop. */
  static final class LoopOverGroup extends DoFn<KV<Row, Iterable<Row>>, Row> {
    private final MetricsCombineFn fn;
    private final int[] distinctIndex;
    private final ResultShape shape;

    LoopOverGroup(MetricsCombineFn fn, List<String> distinctNames, int[] distinctIndex, Schema outputSchema) {
      this.fn = fn;
      this.distinctIndex = distinctIndex;
      this.shape = new ResultShape(outputSchema, distinctNames);
    }

    @ProcessElement
    public void process(@Element KV<Row, Iterable<Row>> group, OutputReceiver<Row> out) {
      Object[] acc = fn.createAccumulator();
      List<Set<Object>> seen = new ArrayList<>();
      for (int i = 0; i < distinctIndex.length; i++) {
        seen.add(new HashSet<>());
      }
      for (Row row : group.getValue()) {
        acc = fn.addInput(acc, row);
        for (int i = 0; i < distinctIndex.length; i++) {
          Object v = row.getValue(distinctIndex[i]);
          if (v != null) {
            seen.get(i).add(v);
          }
        }
      }
      long[] counts = new long[distinctIndex.length];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = seen.get(i).size();
      }
      out.output(shape.shape(group.getKey(), fn.extractOutput(acc), counts));
    }
  }
}
