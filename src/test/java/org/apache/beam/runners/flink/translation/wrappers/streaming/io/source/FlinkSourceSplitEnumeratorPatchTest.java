package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.Test;

/**
 * The patched enumerator's behaviour, without a cluster: restored from a checkpoint taken after the
 * splits were handed out, it does not split the source again (the readers resume the splits in
 * their own state). Beam 2.62's original, run through the same scenario, splits and assigns every
 * split anew - the records read twice after a restore - so this test fails against it.
 */
public class FlinkSourceSplitEnumeratorPatchTest {
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();

  /** Splits, checkpoints after the splits were assigned, restores as Beam's FlinkSource does, starts again. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static List<SplitsAssignment<FlinkSourceSplit<Long>>> assignedAfterRestore(Class<?> enumeratorClass)
      throws Exception {
    Constructor<?> make = enumeratorClass.getConstructor(SplitEnumeratorContext.class,
        org.apache.beam.sdk.io.Source.class, PipelineOptions.class, int.class);
    Context first = new Context();
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> running =
        (SplitEnumerator) make.newInstance(first, CountingSource.upTo(1000), OPTIONS, 2);
    running.start();
    running.addReader(0);
    running.addReader(1);
    assertThat("the first run handed out splits", first.assigned, not(empty()));
    Map<Integer, List<FlinkSourceSplit<Long>>> checkpoint = running.snapshotState(1);

    Context second = new Context();
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> restored =
        (SplitEnumerator) make.newInstance(second, CountingSource.upTo(1000), OPTIONS, 2);
    checkpoint.forEach((subtask, splits) -> restored.addSplitsBack(splits, subtask)); // FlinkSource.restoreEnumerator
    restored.start();
    restored.addReader(0);
    restored.addReader(1);
    return second.assigned;
  }

  @Test
  public void aRestoredEnumeratorDoesNotSplitAgain() throws Exception {
    assertThat(assignedAfterRestore(FlinkSourceSplitEnumerator.class), is(empty()));
  }

  @Test
  public void beamsOriginalSplitsAgainSoThisTestPinsThePatch() throws Exception {
    assertThat(assignedAfterRestore(BeamOriginal.of(FlinkSourceSplitEnumerator.class)), hasSize(2));
  }

  /** A coordinator context that runs async calls at once and remembers what was assigned. */
  static final class Context implements SplitEnumeratorContext<FlinkSourceSplit<Long>> {
    final List<SplitsAssignment<FlinkSourceSplit<Long>>> assigned = new ArrayList<>();
    private final Map<Integer, ReaderInfo> readers = Map.of(0, new ReaderInfo(0, "localhost"),
        1, new ReaderInfo(1, "localhost"));

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

    @Override
    public int currentParallelism() {
      return 2;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      return readers;
    }

    @Override
    public void assignSplits(SplitsAssignment<FlinkSourceSplit<Long>> assignment) {
      assigned.add(assignment);
    }

    @Override
    public void signalNoMoreSplits(int subtask) {}

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
      try {
        handler.accept(callable.call(), null);
      } catch (Exception e) {
        handler.accept(null, e);
      }
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {
      callAsync(callable, handler);
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      runnable.run();
    }
  }
}
