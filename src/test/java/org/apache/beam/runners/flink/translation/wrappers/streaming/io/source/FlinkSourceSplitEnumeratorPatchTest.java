package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
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
import org.apache.beam.sdk.io.OffsetBasedSource;
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
 * split anew - the records read twice after a restore - so this test fails against it. And a
 * bounded source's splits, several per reader, are handed out one at a time as readers ask, each
 * once, including across a checkpoint and a reader's failure.
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
    running.handleSplitRequest(0, null); // the patched readers ask; Beam's original ignores it
    running.handleSplitRequest(1, null);
    assertThat("the first run handed out splits", first.assigned, not(empty()));
    Map<Integer, List<FlinkSourceSplit<Long>>> checkpoint = running.snapshotState(1);

    Context second = new Context();
    SplitEnumerator<FlinkSourceSplit<Long>, Map<Integer, List<FlinkSourceSplit<Long>>>> restored =
        (SplitEnumerator) make.newInstance(second, CountingSource.upTo(1000), OPTIONS, 2);
    checkpoint.forEach((subtask, splits) -> restored.addSplitsBack(splits, subtask)); // FlinkSource.restoreEnumerator
    restored.start();
    restored.addReader(0);
    restored.addReader(1);
    restored.handleSplitRequest(0, null);
    restored.handleSplitRequest(1, null);
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

  private static final long ELEMENTS = 100_000_000; // 800 MB by CountingSource's estimate: 16 splits

  private static FlinkSourceSplitEnumerator<Long> pulling(Context context) {
    FlinkSourceSplitEnumerator<Long> enumerator =
        new FlinkSourceSplitEnumerator<>(context, CountingSource.upTo(ELEMENTS), OPTIONS, 2);
    enumerator.start();
    enumerator.addReader(0);
    enumerator.addReader(1);
    return enumerator;
  }

  @Test
  public void aBoundedSourcesSplitsAreHandedOutOneAtATimeToWhoeverAsks() throws Exception {
    Context context = new Context();
    FlinkSourceSplitEnumerator<Long> enumerator = pulling(context);
    assertThat("nothing is pushed when a reader registers", context.assigned, is(empty()));
    for (int i = 0; i < 13; i++) {
      enumerator.handleSplitRequest(0, null); // a fast reader
    }
    for (int i = 0; i < 5; i++) {
      enumerator.handleSplitRequest(1, null);
    }
    assertThat(context.assigned, hasSize(16));
    assertThat("splits of a full answer's size go one at a time", context.assigned, everyItem(oneSplit()));
    assertThat("the fast reader took what the other did not need", context.splitsOf(0), hasSize(13));
    assertThat(context.splitsOf(1), hasSize(3));
    assertThat(context.noMoreSplits, contains(1, 1)); // (Flink itself stops asking after the first)
    assertThat(covered(context.allSplits()), is(ELEMENTS));
  }

  @Test
  public void readersThatAskBeforeTheSourceIsSplitAreAnsweredWhenItIs() throws Exception {
    Context context = new Context();
    context.deferAsync = true;
    FlinkSourceSplitEnumerator<Long> enumerator = pulling(context);
    enumerator.handleSplitRequest(1, null);
    enumerator.handleSplitRequest(0, null);
    assertThat(context.assigned, is(empty()));
    context.runDeferred();
    assertThat(context.splitsOf(0), hasSize(1));
    assertThat(context.splitsOf(1), hasSize(1));
  }

  @Test
  public void aCheckpointKeepsTheSplitsNotHandedOutAndAFailedReadersSplitsGoToTheNextToAsk() throws Exception {
    Context before = new Context();
    FlinkSourceSplitEnumerator<Long> running = pulling(before);
    for (int i = 0; i < 5; i++) {
      running.handleSplitRequest(i % 2, null);
    }
    Map<Integer, List<FlinkSourceSplit<Long>>> checkpoint = running.snapshotState(1);

    Context after = new Context();
    FlinkSourceSplitEnumerator<Long> restored =
        new FlinkSourceSplitEnumerator<>(after, CountingSource.upTo(ELEMENTS), OPTIONS, 2);
    checkpoint.forEach((subtask, splits) -> restored.addSplitsBack(splits, subtask)); // FlinkSource.restoreEnumerator
    restored.start();
    restored.addReader(0);
    restored.addReader(1);
    restored.handleSplitRequest(0, null);
    restored.addSplitsBack(after.splitsOf(0), 0); // reader 0 fails before the next checkpoint
    for (int i = 0; i < 20; i++) {
      restored.handleSplitRequest(1, null);
    }
    List<FlinkSourceSplit<Long>> read = new ArrayList<>(before.allSplits());
    read.addAll(after.splitsOf(1));
    assertThat("every split read once: the 5 before the checkpoint, the other 11 after it", read, hasSize(16));
    assertThat(covered(read), is(ELEMENTS));
  }

  @Test
  public void smallSplitsGoTogetherUpToASplitsSize() throws Exception {
    Context context = new Context();
    // 1,000 splits of 8 KB whatever size is asked for: 8 MB, two readers, answers of up to 4 MB.
    FlinkSourceSplitEnumerator<Long> enumerator =
        new FlinkSourceSplitEnumerator<>(context, new SmallSplits(1_000_000, 8_000), OPTIONS, 2);
    enumerator.start();
    for (int i = 0; i < 6; i++) {
      enumerator.handleSplitRequest(i % 2, null);
    }
    assertThat("two answers of 500 splits, then nothing", context.assigned, hasSize(2));
    assertThat(context.splitsOf(0), hasSize(500));
    assertThat(context.splitsOf(1), hasSize(500));
    assertThat(context.noMoreSplits, contains(0, 1, 0, 1));
    assertThat(covered(context.allSplits()), is(1_000_000L));
  }

  @Test
  public void aReaderThatIsNotRegisteredIsNotAnswered() throws Exception {
    Context context = new Context();
    FlinkSourceSplitEnumerator<Long> enumerator = pulling(context);
    context.readers.remove(1); // failed since it asked: Flink refuses assignments to it
    enumerator.handleSplitRequest(1, null);
    assertThat(context.assigned, is(empty()));
    assertThat(context.noMoreSplits, is(empty()));
  }

  @Test
  public void aCheckpointKeepsTheSplitsNotHandedOutUnderTheReadersKeysAsBuildsBeforeDid() throws Exception {
    Context context = new Context();
    FlinkSourceSplitEnumerator<Long> enumerator = pulling(context);
    enumerator.handleSplitRequest(0, null);
    Map<Integer, List<FlinkSourceSplit<Long>>> checkpoint = enumerator.snapshotState(1);
    assertThat("the marker and a list per reader", checkpoint.keySet(), containsInAnyOrder(-1, 0, 1));
    assertThat(checkpoint.get(0), hasSize(8));
    assertThat(checkpoint.get(1), hasSize(7));
  }

  @Test
  public void aCheckpointOfABuildThatDealtSplitsOutAtOnceIsHandedOutWithoutSplittingAgain() throws Exception {
    List<? extends org.apache.beam.sdk.io.BoundedSource<Long>> four =
        CountingSource.upTo(ELEMENTS).split(ELEMENTS * 8 / 4, OPTIONS);
    Context context = new Context();
    FlinkSourceSplitEnumerator<Long> restored =
        new FlinkSourceSplitEnumerator<>(context, CountingSource.upTo(ELEMENTS), OPTIONS, 2);
    restored.addSplitsBack(new ArrayList<>(), -1); // splits were handed out: the marker
    restored.addSplitsBack(List.of(new FlinkSourceSplit<>(0, four.get(0)), new FlinkSourceSplit<>(2, four.get(2))), 0);
    restored.addSplitsBack(List.of(new FlinkSourceSplit<>(1, four.get(1)), new FlinkSourceSplit<>(3, four.get(3))), 1);
    restored.start();
    restored.addReader(0);
    restored.addReader(1);
    for (int i = 0; i < 6; i++) {
      restored.handleSplitRequest(i % 2, null);
    }
    assertThat(context.allSplits(), hasSize(4));
    assertThat(covered(context.allSplits()), is(ELEMENTS));
  }

  /** A counting source that splits into pieces of a fixed size, whatever size it is asked for. */
  private static final class SmallSplits extends org.apache.beam.sdk.io.BoundedSource<Long> {
    private final long elements;
    private final long splitBytes;

    SmallSplits(long elements, long splitBytes) {
      this.elements = elements;
      this.splitBytes = splitBytes;
    }

    @Override
    public List<? extends org.apache.beam.sdk.io.BoundedSource<Long>> split(long desired, PipelineOptions options)
        throws Exception {
      return CountingSource.upTo(elements).split(splitBytes, options);
    }

    @Override
    public long getEstimatedSizeBytes(PipelineOptions options) {
      return elements * 8;
    }

    @Override
    public BoundedReader<Long> createReader(PipelineOptions options) throws java.io.IOException {
      return CountingSource.upTo(elements).createReader(options);
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<Long> getOutputCoder() {
      return org.apache.beam.sdk.coders.VarLongCoder.of();
    }
  }

  @Test
  public void anUnboundedSourceIsStillDealtOutWhenItsReadersRegister() throws Exception {
    Context context = new Context();
    FlinkSourceSplitEnumerator<Long> enumerator =
        new FlinkSourceSplitEnumerator<>(context, CountingSource.unbounded(), OPTIONS, 2);
    enumerator.start();
    enumerator.addReader(0);
    enumerator.addReader(1);
    assertThat(context.splitsOf(0), not(empty()));
    assertThat(context.splitsOf(1), not(empty()));
  }

  /** How many elements the splits hold together, each counted once (ranges that overlap fail). */
  private static long covered(List<FlinkSourceSplit<Long>> splits) {
    List<long[]> ranges = new ArrayList<>();
    for (FlinkSourceSplit<Long> split : splits) {
      OffsetBasedSource<?> range = (OffsetBasedSource<?>) split.getBeamSplitSource();
      ranges.add(new long[] {range.getStartOffset(), range.getEndOffset()});
    }
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    long next = 0;
    for (long[] r : ranges) {
      assertThat("ranges meet without gap or overlap", r[0], is(next));
      next = r[1];
    }
    return next;
  }

  private static org.hamcrest.Matcher<SplitsAssignment<FlinkSourceSplit<Long>>> oneSplit() {
    return new org.hamcrest.TypeSafeMatcher<>() {
      @Override
      protected boolean matchesSafely(SplitsAssignment<FlinkSourceSplit<Long>> a) {
        return a.assignment().size() == 1 && a.assignment().values().iterator().next().size() == 1;
      }

      @Override
      public void describeTo(org.hamcrest.Description d) {
        d.appendText("one split to one reader");
      }
    };
  }

  /** A coordinator context that runs async calls at once (or when told) and remembers what was assigned. */
  static final class Context implements SplitEnumeratorContext<FlinkSourceSplit<Long>> {
    final List<SplitsAssignment<FlinkSourceSplit<Long>>> assigned = new ArrayList<>();
    final List<Integer> noMoreSplits = new ArrayList<>();
    boolean deferAsync;
    private final List<Runnable> deferred = new ArrayList<>();

    List<FlinkSourceSplit<Long>> splitsOf(int subtask) {
      List<FlinkSourceSplit<Long>> splits = new ArrayList<>();
      assigned.forEach(a -> splits.addAll(a.assignment().getOrDefault(subtask, List.of())));
      return splits;
    }

    List<FlinkSourceSplit<Long>> allSplits() {
      List<FlinkSourceSplit<Long>> splits = new ArrayList<>(splitsOf(0));
      splits.addAll(splitsOf(1));
      return splits;
    }

    void runDeferred() {
      deferred.forEach(Runnable::run);
      deferred.clear();
    }
    final Map<Integer, ReaderInfo> readers = new java.util.HashMap<>(Map.of(0, new ReaderInfo(0, "localhost"),
        1, new ReaderInfo(1, "localhost")));

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
    public void signalNoMoreSplits(int subtask) {
      noMoreSplits.add(subtask);
    }

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
      if (deferAsync) {
        deferAsync = false;
        deferred.add(() -> callAsync(callable, handler));
        return;
      }
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
