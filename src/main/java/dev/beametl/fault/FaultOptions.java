package dev.beametl.fault;

import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Hidden;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * The one flag of the test-only fault seam; hidden from {@code --help} (Beam hides options by their
 * interface). See {@link Faults}.
 */
@Hidden
public interface FaultOptions extends PipelineOptions {
  @Description("Testing only: faults to inject, e.g. records.failOnce(after=1000,marker=/tmp/m); see Faults.")
  String getFault();

  void setFault(String value);
}
