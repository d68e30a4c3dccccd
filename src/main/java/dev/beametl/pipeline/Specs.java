package dev.beametl.pipeline;

import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecReader;
import java.nio.file.Path;
import java.util.List;

/** Reads pipeline specs with every check, the stages' own included ({@link SpecValidator}). */
public final class Specs {
  private Specs() {}

  /**
   * A spec file with {@code key.path=value} overrides applied, checked as the job checks it. Relative
   * paths in the file mean its directory; relative paths among the overrides mean {@code callerDir}.
   */
  public static PipelineSpec read(Path file, List<String> overrides, Path callerDir) {
    return SpecReader.read(file, overrides, callerDir, SpecValidator.INSTANCE);
  }

  /** {@link #read(Path, List, Path)} for a caller in the working directory. */
  public static PipelineSpec read(Path file, List<String> overrides) {
    return read(file, overrides, Path.of("").toAbsolutePath());
  }

  /** Spec text; {@code defaultName} names the pipeline when the spec does not. */
  public static PipelineSpec parse(String yaml, String defaultName, List<String> overrides) {
    return SpecReader.parse(yaml, defaultName, overrides, SpecValidator.INSTANCE);
  }
}
