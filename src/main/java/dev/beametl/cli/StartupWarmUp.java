package dev.beametl.cli;

/**
 * Class initializations every run of the job reaches later on its main thread, started at once on
 * another thread: while the main thread validates Beam's options (a third of a second on one core),
 * the second core parses the portable pipeline model's protobuf descriptors (which translation
 * reads), loads Snappy's native library (Beam compresses every object it serializes with it) and
 * the locale data behind the log's timestamps (slf4j-simple's date format). Each is a side-effect-free static initialization the
 * run would do anyway; whichever thread comes second waits for or reuses the first's result, and a
 * failure here is left for the main thread to meet and report where it always did.
 */
final class StartupWarmUp {
  private StartupWarmUp() {}

  static void start() {
    Thread thread = new Thread(StartupWarmUp::run, "beam-etl-warm-up");
    thread.setDaemon(true); // never holds the JVM up
    thread.start();
  }

  private static void run() {
    try {
      Class.forName("org.apache.beam.model.pipeline.v1.RunnerApi", true, StartupWarmUp.class.getClassLoader());
      // Beam's serialization of DoFns, sources and combine functions: Snappy's native library loaded.
      org.apache.beam.sdk.util.SerializableUtils.serializeToByteArray(new java.util.ArrayList<String>());
      new java.text.SimpleDateFormat("HH:mm:ss.SSS").format(new java.util.Date());
    } catch (Throwable ignored) { // the main thread meets it again, where it is reported
    }
  }
}
