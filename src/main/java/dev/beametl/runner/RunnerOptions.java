package dev.beametl.runner;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** The job's flags that the runner set-up reads: resumable mode and how input is split for it. */
public interface RunnerOptions extends PipelineOptions {
  @Description("Resumable mode (Flink runner): run in streaming mode with checkpoints to a RocksDB state "
      + "backend, so a run stopped by a crash can go on from its last checkpoint with --resumeFrom.")
  @Default.Boolean(false)
  boolean isResumable();

  void setResumable(boolean value);

  @Description("Resumable mode: where the runner keeps checkpoints, a directory every Flink process can "
      + "reach; the pipeline's name is added to it.")
  @Default.String("/tmp/beam-etl-checkpoints")
  String getCheckpointDir();

  void setCheckpointDir(String value);

  @Description("Resumable mode: go on from this retained checkpoint (a chk-N directory), or 'latest' for "
      + "the newest one of this pipeline under --checkpointDir. Same spec and flags as the stopped run.")
  String getResumeFrom();

  void setResumeFrom(String value);

  @Description("Largest file split in bytes (CSV, JSON lines; 0: no cap). Resumable mode defaults it to "
      + "8 MiB, since a restore re-reads each unfinished split whole.")
  @Default.Long(0)
  long getMaxSplitBytes();

  void setMaxSplitBytes(long value);
}
