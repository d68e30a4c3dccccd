package dev.beametl.pipeline;

import dev.beametl.extract.Extract;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.Validate;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A lookup's reference table, read and validated like a source: {@link Validate#VALID} rows with
 * their origins, {@link Validate#BAD} records (stage {@code lookup:<name>}: they are the reference
 * table's, fixed there, so not replayed through this job), and the reference's counts under
 * {@code lookup.<name>.} ({@code read}, {@code valid}, {@code bad}, {@code bad.<reason>}).
 */
final class ReferenceRows extends PTransform<PBegin, PCollectionTuple> {
  private final LookupSpec lookup;
  private final PipelineSpec spec;
  private final long maxSplitBytes;

  ReferenceRows(LookupSpec lookup, PipelineSpec spec, long maxSplitBytes) {
    this.lookup = lookup;
    this.spec = spec;
    this.maxSplitBytes = maxSplitBytes;
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    String name = lookup.name();
    PCollection<SourceRecord> records = begin.apply("Extract",
        Extract.from(lookup.source())
            .withSchema(lookup.schema())
            .withMaxSplitBytes(maxSplitBytes));
    PCollectionTuple validated = records.apply("Validate",
        Validate.against(lookup.source(), lookup.schema()).withCategoryEncoding(spec.encodeCategories())
            .withRunnerMetrics(false).withOrigins(true).withLiveCounts(false)); // not the input's records
    PCollection<BadRecord> bad = validated.get(Validate.BAD)
        .apply("Mark as the reference table's", MapElements.into(TypeDescriptor.of(BadRecord.class))
            .via(r -> BadRecord.of(r.origin(), "lookup:" + name, r.field(), r.kind(), r.reason(), r.payload())))
        .setCoder(BadRecord.BadRecordCoder.of());
    PCollection<KV<String, Long>> counts = validated.get(BundleCounts.TAG)
        .apply("Count as lookup." + name, MapElements
            .into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(kv -> KV.of("lookup." + name + "." + kv.getKey(), kv.getValue())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return PCollectionTuple.of(Validate.VALID, validated.get(Validate.VALID))
        .and(Validate.BAD, bad)
        .and(BundleCounts.TAG, counts);
  }
}
