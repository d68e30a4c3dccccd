package dev.beametl.cli;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a run's wall time went, phase by phase - JVM start, flag parsing, set-up, pipeline
 * construction, the run (and the Flink job inside it), the report - printed after the summary and
 * kept in the run report.
 */
final class RunTimeline {
  /** When the command line was entered, in seconds of JVM uptime; -1 for a run started from Java code. */
  private static double mainEntered = -1;

  /** Whether a run in this JVM already reported the JVM's start-up as its own. */
  private static boolean jvmStartReported;

  private final Map<String, Double> phases = new LinkedHashMap<>();
  private long phaseStart = System.nanoTime();

  /** Starts a run's time line; the first run of a command line also gets the JVM start and the flags. */
  RunTimeline() {
    if (mainEntered >= 0) {
      if (!jvmStartReported) { // only the first run in a JVM waited for it to start
        phases.put("jvm_start", mainEntered);
        jvmStartReported = true;
      }
      phases.put("options", uptimeSeconds() - mainEntered); // flag parsing scans the classpath for registrars
      mainEntered = -1; // a later run() from Java code in this JVM did not start with the JVM
    }
  }

  /** The command line was entered now. */
  static void mainEntered() {
    mainEntered = uptimeSeconds();
  }

  /** For a JVM that outlives its runs (the warm runner): no run waited for it to start. */
  static void jvmStartedEarlier() {
    jvmStartReported = true;
  }

  /** Ends the current phase as {@code name}; the next starts now. */
  void phaseEnded(String name) {
    long now = System.nanoTime();
    phases.put(name, (now - phaseStart) / 1e9);
    phaseStart = now;
  }

  /** A part of the phase before it (the Flink job inside the run), shown in parentheses. */
  void part(String name, double seconds) {
    phases.put(name, seconds);
  }

  Map<String, Double> phases() {
    return phases;
  }

  String render() {
    return "  time       " + phases.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, e.getKey().equals("job") ? "(%s %.1f s)" : "%s %.1f s",
            e.getKey().replace('_', ' '), e.getValue()))
        .collect(Collectors.joining(", ")).replace(", (", " (")
        + "  (run: translation, runner start, job and the runner's shutdown)";
  }

  private static double uptimeSeconds() {
    return ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
  }
}
