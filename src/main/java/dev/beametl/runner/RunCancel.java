package dev.beametl.runner;

import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;

/**
 * A request to cancel the run in progress, made by the warm runner when the run's client goes away
 * (Ctrl-C, a killed launcher). One per run, so a request never reaches the next run. A request that
 * comes while the run sets up stops it before it touches an output ({@link #requested}, asked at
 * the job's phase boundaries); one that comes while its jobs run on the embedded runner cancels them
 * ({@link EmbeddedFlink}); a run already committing its output finishes.
 */
public final class RunCancel {
  private static final AtomicReference<RunCancel> CURRENT = new AtomicReference<>();

  private boolean requested;
  private @Nullable Runnable onRequest;

  private RunCancel() {}

  /** Begins a run's token: the one {@link #requested} and {@link EmbeddedFlink} find until {@link #end}. */
  static RunCancel begin() {
    RunCancel token = new RunCancel();
    CURRENT.set(token);
    return token;
  }

  void end() {
    CURRENT.compareAndSet(this, null);
  }

  /** Whether the run in progress in this JVM was asked to stop: false outside the warm runner. */
  public static boolean requested() {
    RunCancel token = CURRENT.get();
    return token != null && token.isRequested();
  }

  /** The run in progress's token, or null (a run in a JVM of its own). */
  static @Nullable RunCancel current() {
    return CURRENT.get();
  }

  synchronized boolean isRequested() {
    return requested;
  }

  /** Asks this run to stop; what was attached to it is told at once. */
  void request() {
    Runnable then;
    synchronized (this) {
      requested = true;
      then = onRequest;
    }
    if (then != null) {
      then.run();
    }
  }

  /** What to do on a request: at once when it came already. */
  void onRequest(Runnable action) {
    boolean already;
    synchronized (this) {
      onRequest = action;
      already = requested;
    }
    if (already) {
      action.run();
    }
  }
}
