package dev.beametl.cli;

import dev.beametl.fault.FaultOptions;
import dev.beametl.runner.RunnerOptions;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * The job's flags. Precedence, lowest first: the spec file, then {@code --set} overrides, then the
 * named flags ({@code --input}, {@code --output}, ...). Resumable mode's flags are in
 * {@link RunnerOptions}; runner flags ({@code --runner}, {@code --parallelism}, ...) are Beam's and
 * the runner's own.
 */
public interface EtlOptions extends RunnerOptions, FaultOptions {
  @Description("Pipeline spec to run (YAML), e.g. pipelines/sales-by-product.yaml. Required.")
  String getPipeline();

  void setPipeline(String value);

  @Description("Override any spec key: --set=key.path=value, e.g. --set=sink.format=csv or "
      + "--set=schema.3.nullable=true; the value is taken whole, commas and all. A list or mapping is "
      + "written in YAML's flow style: --set=aggregate.groupBy=[product,region]. Repeat the flag for "
      + "several keys.")
  List<String> getSet();

  void setSet(List<String> value);

  @Description("Input file or glob; overrides source.path.")
  String getInput();

  void setInput(String value);

  @Description("Output directory; overrides sink.path.")
  String getOutput();

  void setOutput(String value);

  @Description("Dead-letter directory; overrides deadLetter.path (default: <output>-dead-letter).")
  String getDeadLetter();

  void setDeadLetter(String value);

  @Description("Largest tolerated share of bad records, 0.0 to 1.0; overrides deadLetter.maxBadRatio.")
  Double getMaxBadRatio();

  void setMaxBadRatio(Double value);

  @Description("When the output directory holds files: fail or overwrite; overrides sink.ifExists.")
  String getIfExists();

  void setIfExists(String value);

  @Description("Carry category fields as small integer codes (true) or as strings (false); "
      + "overrides encodeCategories.")
  Boolean getEncodeCategories();

  void setEncodeCategories(Boolean value);

  @Description("Print a progress line (records read, records/s, bad records, heap) every this many "
      + "seconds while the job runs; 0: never. Counts show for runners in this JVM (embedded Flink, Direct).")
  @Default.Integer(5)
  int getProgressSeconds();

  void setProgressSeconds(int value);

  @Description("Benchmark only: combine (Combine.perKey, partial combining before the shuffle) or "
      + "groupByKey (the anti-pattern: every row shuffled, each group looped over), to measure the difference.")
  @Default.String("combine")
  String getAggregation();

  void setAggregation(String value);

  @Description("Print the runner's log (Flink, Beam, stack traces) to the terminal too; it always goes to "
      + "<output>/_run/job.log.")
  @Default.Boolean(false)
  boolean isVerbose();

  void setVerbose(boolean value);

  @Description("Incremental sources (source.incremental): ignore what earlier runs loaded, read everything again "
      + "(also rows whose incremental column is NULL) and replace the output; the next runs go on from this one.")
  @Default.Boolean(false)
  boolean isFull();

  void setFull(boolean value);

  @Description("Replay: the dead-letter directory whose records to run through the job again "
      + "(bin/beam-etl replay --pipeline=SPEC --from=DIR).")
  String getReplayFrom();

  void setReplayFrom(String value);

  @Description("Check the spec and flags, print the plan, and exit without reading data.")
  @Default.Boolean(false)
  boolean isDryRun();

  void setDryRun(boolean value);
}
