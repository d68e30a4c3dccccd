package dev.beametl.cli;

import dev.beametl.report.GcThrash;
import dev.beametl.spec.LookupSpec;
import dev.beametl.spec.PipelineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What to tell the user when the JVM exits while the job runs: Flink ends it itself on a fatal error
 * in a task (an OutOfMemoryError: exit 239), and the job's log, which has the error, is all that
 * says which. An OutOfMemoryError at the log's end is named with the heap the run had and, when the
 * spec has lookups, the tables every task holds, the usual reason (a trial: a 950,000-row table
 * within the default limits ran out of a 256 MB heap after two minutes of garbage collection).
 * Everything is made when the run starts: at the exit the heap is full, and a line made then ran out
 * of memory itself and said nothing.
 */
final class ExitDuringRun {
  private static final byte[] OUT_OF_MEMORY = "java.lang.OutOfMemoryError: ".getBytes(StandardCharsets.US_ASCII);

  private final Path log;
  private final String generic;
  private final String outOfMemory;
  private final String outOfMemoryEnd;
  private final byte[] tail = new byte[32 * 1024];
  /** Whether a line was given: one only, from the exit's hook or from the stop of a run that only collects garbage. */
  private final AtomicBoolean said = new AtomicBoolean();
  /**
   * The run's end, decided once: the job ended (the main thread goes on to commit) or the run is
   * being stopped for collecting garbage (the main thread commits nothing, says nothing).
   */
  private final AtomicReference<End> end = new AtomicReference<>();

  private enum End { ENDED, STOPPING }
  /** The stop's line, made when the run starts: when it is needed the heap is full. */
  private final String thrashed;

  ExitDuringRun(Path log, PipelineSpec spec, long maxHeap) {
    this.log = log;
    this.generic = "beam-etl: the JVM is exiting before the run ended (stopped, or a fatal error in a task such as "
        + "OutOfMemoryError: more heap with BEAM_ETL_JAVA_OPTS=-Xmx...); its log: " + log;
    this.outOfMemory = "beam-etl: the job ran out of memory (OutOfMemoryError: ";
    StringBuilder tailOfLine = new StringBuilder(String.format(Locale.ROOT, ") with a heap of %,d MiB; give it more with "
        + "BEAM_ETL_JAVA_OPTS=-Xmx%dm", maxHeap >> 20, Math.max(1024, 2 * (maxHeap >> 20))));
    if (!spec.lookups().isEmpty()) {
      LookupSpec first = spec.lookups().get(0);
      tailOfLine.append(String.format(Locale.ROOT, ". Every task holds each lookup's table whole, in about its encoded "
          + "size, and the task that builds it twice that%s (lookup %s: maxBytes %,d encoded): keep maxBytes under "
          + "a seventh of the heap, or filter the table (a query, for a database)", spec.lookups().size() > 1 ? ", one table after another"
          : "", first.name(), first.maxBytes()));
    }
    this.outOfMemoryEnd = tailOfLine.append("; its log: ").append(log).toString();
    this.thrashed = String.format(Locale.ROOT, "beam-etl: the job ran out of memory (the JVM spent over %.0f%% of "
        + "%d s collecting garbage, and the run was stopped", 100 * GcThrash.SHARE, GcThrash.WINDOW_SECONDS)
        + outOfMemoryEnd;
  }

  /** The one line for the terminal, or null when a line was given already. */
  String message() {
    if (!said.compareAndSet(false, true)) {
      return null;
    }
    try {
      String error = lastOutOfMemory();
      return error == null ? generic : outOfMemory(error);
    } catch (Throwable anything) { // the heap is full: say what is ready
      return generic;
    }
  }

  /**
   * The out-of-memory line when the log's end names an OutOfMemoryError, else null: for a runner
   * that reports a job stopped that way as not done (the DirectRunner says RUNNING).
   */
  String outOfMemoryInLog() {
    try {
      String error = lastOutOfMemory();
      return error == null ? null : outOfMemory(error);
    } catch (Throwable anything) { // the heap may still be full
      return null;
    }
  }

  /**
   * The line for a run being stopped because the JVM collects garbage nearly all the time (see
   * report.GcThrash), or null when the job ended first (the main thread commits its output) or the
   * JVM is exiting already and said why (Flink ends it on a task's error). Makes nothing.
   */
  String thrashed() {
    if (!end.compareAndSet(null, End.STOPPING) || !said.compareAndSet(false, true)) {
      return null;
    }
    return thrashed;
  }

  /**
   * The job ended (waitUntilFinish returned or threw): whether the run goes on to report and commit;
   * false when it is being stopped for collecting garbage, and then it must do neither.
   */
  boolean ended() {
    return end.compareAndSet(null, End.ENDED) || end.get() == End.ENDED;
  }

  /** The line for a job that ran out of memory with {@code error}, an OutOfMemoryError's message. */
  String outOfMemory(String error) {
    return outOfMemory + error + outOfMemoryEnd;
  }

  /** The last OutOfMemoryError's message in the log's end, or null. */
  private String lastOutOfMemory() throws java.io.IOException {
    int n;
    try {
      n = (int) Math.min(JobLog.readTail(log, tail), tail.length);
    } catch (java.io.FileNotFoundException none) {
      return null;
    }
    for (int at = n - OUT_OF_MEMORY.length; at >= 0; at--) {
      if (startsWith(at)) {
        int from = at + OUT_OF_MEMORY.length;
        int to = from;
        while (to < n && tail[to] != '\n' && tail[to] != '\r') {
          to++;
        }
        return new String(tail, from, to - from, StandardCharsets.UTF_8).trim();
      }
    }
    return null;
  }

  private boolean startsWith(int at) {
    for (int i = 0; i < OUT_OF_MEMORY.length; i++) {
      if (tail[at + i] != OUT_OF_MEMORY[i]) {
        return false;
      }
    }
    return true;
  }
}
