package dev.beametl.runner;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.beam.sdk.PipelineResult;

/** How long the Flink job itself ran, as Flink reported it. */
public final class FlinkJobTime {
  private static final Pattern RUNTIME = Pattern.compile("runtime=(\\d+)");

  private FlinkJobTime() {}

  /**
   * The job's runtime in seconds, or null on other runners. {@code FlinkRunnerResult} keeps the
   * runtime Flink reports but only shows it in {@code toString()}.
   */
  public static @Nullable Double seconds(PipelineResult result) {
    Matcher m = RUNTIME.matcher(String.valueOf(result));
    return result.getClass().getSimpleName().equals("FlinkRunnerResult") && m.find()
        ? Long.parseLong(m.group(1)) / 1e3 : null;
  }
}
