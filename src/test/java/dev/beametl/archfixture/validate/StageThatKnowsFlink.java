package dev.beametl.archfixture.validate;

import org.apache.beam.runners.flink.FlinkPipelineOptions;

/** Fixture for ArchitectureTest: a stage that reads a runner's options. */
public final class StageThatKnowsFlink {
  boolean metrics(FlinkPipelineOptions options) {
    return !options.getDisableMetrics();
  }
}
