package dev.beametl.cli;

import dev.beametl.runner.WarmRunner;
import java.io.IOException;
import java.nio.file.Path;

/** {@code WarmRunnerMain DIR}: the JVM {@code bin/beam-etl daemon start} keeps up, running {@link EtlJob}s. */
public final class WarmRunnerMain {
  /** A system property set in the warm runner's JVM. */
  public static final String WARM_RUNNER = "beametl.warmRunner";

  private WarmRunnerMain() {}

  public static void main(String[] args) throws IOException {
    EtlJob.jvmStartedEarlier(); // a run's time line would show the runner's uptime as its JVM start
    System.setProperty(WARM_RUNNER, "true"); // for messages about the environment, which is the runner's
    WarmRunner.serveUntilStopped(Path.of(args[0]), EtlJob::main);
    System.exit(0); // a finished job can leave a non-daemon thread of the runner's behind
  }
}
