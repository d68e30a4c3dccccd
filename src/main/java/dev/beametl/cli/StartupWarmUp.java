package dev.beametl.cli;

/**
 * Class initializations every run of the job reaches later on its main thread, started at once on
 * another thread: while the main thread validates Beam's options, the second core parses the
 * portable pipeline model's protobuf descriptors (which translation reads), loads Snappy's native
 * library (Beam compresses every object it serializes with it) and the locale data behind the log's
 * timestamps (slf4j-simple's date format). Each is a static initialization without side effects
 * that the run would make anyway; whichever thread comes second waits for the first's result. A
 * step that fails here fails again on the main thread, where the run reports it as before (Java
 * then says "Could not initialize class", with this thread's error as the cause); the other steps
 * still run.
 */
final class StartupWarmUp {
  private StartupWarmUp() {}

  static void start() {
    Thread thread = new Thread(StartupWarmUp::run, "beam-etl-warm-up");
    thread.setDaemon(true); // never holds the JVM up
    thread.start();
  }

  private static void run() {
    step(() -> Class.forName("org.apache.beam.model.pipeline.v1.RunnerApi", true,
        StartupWarmUp.class.getClassLoader()));
    // Beam's serialization of DoFns, sources and combine functions: Snappy's native library loaded.
    step(() -> org.apache.beam.sdk.util.SerializableUtils.serializeToByteArray(new java.util.ArrayList<String>()));
    step(() -> new java.text.SimpleDateFormat("HH:mm:ss.SSS").format(new java.util.Date()));
  }

  private interface Step {
    Object run() throws Exception;
  }

  private static void step(Step step) {
    try {
      step.run();
    } catch (Throwable ignored) { // the main thread meets it again, and reports it
    }
  }
}
