package dev.beametl.report;

import com.sun.management.GcInfo;
import dev.beametl.record.LiveCounts;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * A progress line every few seconds while a run lasts: records read, records/s, bad records so far,
 * elapsed time, heap used against the maximum; and the peak heap used, for the run report.
 *
 * <p>The counts come from where the job runs: in this JVM (the embedded runner, the DirectRunner)
 * from process-wide counters ({@link LiveCounts}) that Validate adds to every few thousand records;
 * on a cluster from the runner's own metrics ({@link Counts}, given by the caller), or not at all,
 * and the line then shows time and the client's heap only.
 */
public final class Progress implements AutoCloseable {
  private final PrintStream err;
  private final long intervalMillis;
  private final long start = System.nanoTime();
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final Thread thread;
  private volatile long peakHeapBytes;
  private volatile boolean running = true;
  private final GcThrash gcThrash = new GcThrash();
  /** Run once when the JVM collects nearly all the time ({@link GcThrash}); null: no one. */
  private volatile @Nullable Runnable onThrashing;

  /** Records read and bad so far; a negative number: not known. */
  public interface Counts {
    long read();

    long bad();

    /** The counters of stages that run in this JVM. */
    Counts IN_THIS_JVM = new Counts() {
      @Override
      public long read() {
        return LiveCounts.read();
      }

      @Override
      public long bad() {
        return LiveCounts.bad();
      }
    };
  }

  private final Counts counts;

  private Progress(PrintStream err, long intervalMillis, Counts counts) {
    this.err = err;
    this.intervalMillis = intervalMillis;
    this.counts = counts;
    LiveCounts.reset();
    this.thread = new Thread(this::loop, "beam-etl-progress");
    thread.setDaemon(true);
  }

  /**
   * Runs {@code action}, once, when this JVM spent nearly all of the last {@link GcThrash#WINDOW_SECONDS}
   * collecting garbage: for the caller to stop a run that would crawl for minutes before it ran out
   * of memory, if it ever did.
   */
  public void onThrashing(Runnable action) {
    onThrashing = action;
  }

  /** Starts printing to {@code err} every {@code intervalMillis} (0: sample the heap, print nothing). */
  public static Progress start(PrintStream err, long intervalMillis) {
    return start(err, intervalMillis, Counts.IN_THIS_JVM);
  }

  /** As {@link #start(PrintStream, long)}, with the counts taken from {@code counts}. */
  public static Progress start(PrintStream err, long intervalMillis, Counts counts) {
    Progress p = new Progress(err, intervalMillis, counts);
    p.thread.start();
    return p;
  }

  /**
   * Benchmark only ({@code -Dbeametl.liveHeapSeconds=N}): every N seconds force a full collection and
   * note the heap left, which is then the live data. The heap after an ordinary young collection also
   * holds old garbage that G1 has not yet had a reason to collect, so it overstates the live set.
   */
  private static final long LIVE_HEAP_EVERY_NANOS = Long.getLong("beametl.liveHeapSeconds", 0) * 1_000_000_000L;
  private volatile long liveHeapBytes = -1;

  private void loop() {
    long lastPrint = System.nanoTime();
    long lastLive = System.nanoTime();
    while (running) {
      try {
        sampleHeap();
        double collecting = gcThrash.sample(System.nanoTime(), GcThrash.collectingMillis());
        Runnable thrashing = onThrashing;
        if (thrashing != null && GcThrash.thrashing(collecting)) {
          thrashing.run();
          onThrashing = null;
        }
        if (LIVE_HEAP_EVERY_NANOS > 0 && System.nanoTime() - lastLive >= LIVE_HEAP_EVERY_NANOS) {
          liveHeapBytes = Math.max(liveHeapBytes, heapAfterFullCollection());
          lastLive = System.nanoTime();
        }
        if (intervalMillis > 0 && System.nanoTime() - lastPrint >= intervalMillis * 1_000_000L) {
          err.println(line());
          lastPrint = System.nanoTime();
        }
      } catch (OutOfMemoryError full) {
        // Try again at the next sample: this thread is what stops a run that only collects garbage,
        // and an OutOfMemoryError ended it first (2,000 wide Parquet columns at -Xmx256m: 6 minutes).
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Forces a full collection and returns the heap it left, as the collector itself recorded it.
   * Reading the heap after {@code System.gc()} returns races with the task threads, which at 16M rows
   * had allocated another 100 MB by then. A young collection right after the full one can replace
   * it as its collector's last; it leaves at least as much, so the smallest heap left by any
   * collection that ran meanwhile is the full one's.
   */
  static long heapAfterFullCollection() {
    List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    long[] before = collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).toArray();
    System.gc();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < collectors.size(); i++) {
      GarbageCollectorMXBean c = collectors.get(i);
      if (c.getCollectionCount() > before[i] && c instanceof com.sun.management.GarbageCollectorMXBean) {
        GcInfo info = ((com.sun.management.GarbageCollectorMXBean) c).getLastGcInfo();
        if (info != null) {
          least = Math.min(least, heapUsed(info.getMemoryUsageAfterGc()));
        }
      }
    }
    return least != Long.MAX_VALUE ? least : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long heapUsed(Map<String, MemoryUsage> pools) {
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = pool.getType() == MemoryType.HEAP ? pools.get(pool.getName()) : null;
      used += u == null ? 0 : u.getUsed();
    }
    return used;
  }

  private void sampleHeap() {
    long used = memory.getHeapMemoryUsage().getUsed();
    if (used > peakHeapBytes) {
      peakHeapBytes = used;
    }
  }

  /** The count of records read the last line showed, and when it last changed. */
  private long lastRead = -1;
  private long lastReadChange = start;
  /** Seconds without a new record read after which a line says so. */
  static final int STALL_SECONDS = 30;

  String line() {
    return line(System.nanoTime());
  }

  String line(long now) {
    double seconds = (now - start) / 1e9;
    long read = counts.read();
    long bad = counts.bad();
    long max = memory.getHeapMemoryUsage().getMax();
    String heap = String.format(Locale.ROOT, "heap %,d of %,d MiB", memory.getHeapMemoryUsage().getUsed() >> 20,
        max >> 20);
    if (read < 0) {
      return String.format(Locale.ROOT, "beam-etl: running, %.0f s, %s (client)", seconds, heap);
    }
    if (read != lastRead) {
      lastRead = read;
      lastReadChange = now;
    }
    // The average alone falls slowly: a cluster whose task manager died (tasks waiting for a slot)
    // showed a steady count at a falling rate for minutes. Also after the input ends (later stages).
    double still = (now - lastReadChange) / 1e9;
    return String.format(Locale.ROOT, "beam-etl: %,d records read (%,.0f/s)%s%s, %.0f s, %s", read,
        read / Math.max(seconds, 1e-3), bad < 0 ? "" : String.format(Locale.ROOT, ", %,d bad", bad),
        still >= STALL_SECONDS ? String.format(Locale.ROOT, ", none more in the last %.0f s", still) : "", seconds,
        heap);
  }

  public double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /** The largest heap used seen in this JVM during the run (sampled every 200 ms). */
  public long peakHeapBytes() {
    sampleHeap();
    return peakHeapBytes;
  }

  /** The largest heap left by a forced full collection, or -1 when not measured (see LIVE_HEAP_EVERY_NANOS). */
  public long liveHeapBytes() {
    return liveHeapBytes;
  }

  public long maxHeapBytes() {
    return memory.getHeapMemoryUsage().getMax();
  }

  /** Stops the line and the watch: no {@link #onThrashing} action runs once this returns. */
  @Override
  public void close() {
    onThrashing = null;
    running = false;
    thread.interrupt();
    try {
      thread.join(1_000); // an action already running (it ends the JVM) is not waited for
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
