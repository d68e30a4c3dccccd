package dev.beametl;

import dev.beametl.extract.Extract;
import dev.beametl.extract.SourceRecord;
import dev.beametl.load.DeadLetters;
import dev.beametl.load.Load;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.transform.OutputColumns;
import dev.beametl.transform.Transform;
import dev.beametl.validate.BadRecord;
import dev.beametl.validate.Validate;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/** Assembles Extract -> Validate -> Transform -> Load from a spec, plus the dead letters and the counts. */
public final class EtlPipeline {
  private EtlPipeline() {}

  /** Where a run keeps its counts: beside the results, in a folder readers of part files ignore. */
  public static String runDir(PipelineSpec spec) {
    return spec.sink().path().replaceAll("/+$", "") + "/_run";
  }

  public static void build(Pipeline p, PipelineSpec spec) {
    EtlOptions options = p.getOptions().as(EtlOptions.class);
    PCollection<SourceRecord> records = p.apply("Extract",
        Extract.from(spec.source())
            .withSchemaFields(spec.schema().stream().map(FieldSpec::name).collect(Collectors.toList()))
            .withMaxSplitBytes(options.getMaxSplitBytes()));

    records = dev.beametl.fault.Faults.parse(options.getFault()).atRecords(records); // testing only

    PCollectionTuple validated = records.apply("Validate",
        Validate.against(spec.source(), spec.schema()).withCategoryEncoding(spec.encodeCategories())
            .withRunnerMetrics(!p.getOptions().as(FlinkPipelineOptions.class).getDisableMetrics()));

    if (!List.of("combine", "groupByKey").contains(options.getAggregation())) {
      throw new IllegalArgumentException("--aggregation must be combine or groupByKey, not \""
          + options.getAggregation() + "\"");
    }
    PCollectionTuple transformed = validated.get(Validate.VALID).apply("Transform",
        Transform.fromSpec(spec).withNaiveGrouping(options.getAggregation().equals("groupByKey")));

    PCollection<KV<String, Long>> written = transformed.get(Transform.RESULT)
        .apply("Load", Load.to(spec.sink(), OutputColumns.of(spec)));

    PCollectionList.of(validated.get(Validate.BAD))
        .and(transformed.get(Transform.BAD))
        .apply("All bad records", Flatten.<BadRecord>pCollections())
        .apply("Dead letters", DeadLetters.to(spec.deadLetterPath()));

    PCollectionList.of(validated.get(BundleCounts.TAG))
        .and(transformed.get(BundleCounts.TAG))
        .and(written)
        .apply("Run counts", RunCounts.writeTo(runDir(spec)));
  }
}
