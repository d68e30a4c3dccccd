package dev.beametl.transform;

import com.google.auto.value.AutoValue;
import dev.beametl.BundleCounts;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.BadRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Transform stage: derived fields, the filter, and the aggregation a spec declares. Takes the valid
 * rows from Validate; gives {@link #RESULT} rows (shaped by {@link OutputColumns}), {@link #BAD} rows
 * whose expressions failed, and counts on {@link BundleCounts#TAG}.
 */
@AutoValue
public abstract class Transform extends PTransform<PCollection<Row>, PCollectionTuple> {
  public static final TupleTag<Row> RESULT = new TupleTag<>("result") {};
  public static final TupleTag<BadRecord> BAD = new TupleTag<>("transform-bad") {};

  abstract PipelineSpec spec();

  public static Transform of(PipelineSpec spec) {
    return new AutoValue_Transform(spec);
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> rows) {
    PipelineSpec spec = spec();
    OutputColumns derivedColumns = OutputColumns.derivedRows(spec);
    Schema derivedSchema = derivedColumns.beamSchema();
    PCollectionTuple derived = rows.apply(
        "Derive fields and filter",
        ParDo.of(new DeriveAndFilter(rows.getSchema(), derivedSchema, spec.derived(), spec.filter()))
            .withOutputTags(DeriveAndFilter.KEPT, TupleTagList.of(BAD).and(BundleCounts.TAG)));
    PCollection<Row> kept = derived.get(DeriveAndFilter.KEPT).setRowSchema(derivedSchema);
    derived.get(BAD).setCoder(BadRecord.BadRecordCoder.of());
    derived.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));

    PCollection<Row> result = spec.aggregation() == null
        ? kept
        : kept.apply("Aggregate",
            Aggregate.of(spec.aggregation(), derivedColumns, OutputColumns.of(spec).beamSchema()));
    return PCollectionTuple.of(RESULT, result)
        .and(BAD, derived.get(BAD))
        .and(BundleCounts.TAG, derived.get(BundleCounts.TAG));
  }
}
