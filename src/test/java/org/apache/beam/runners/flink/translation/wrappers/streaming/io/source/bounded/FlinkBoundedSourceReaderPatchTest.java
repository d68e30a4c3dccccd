package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.bounded;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.extract.FileRecordSource;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.SourceSpec;
import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.FlinkSourceReaderBase;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.FlinkSourceSplit;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.OffsetBasedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The patched reader's behaviour, without a cluster: a byte range being read is checkpointed as its
 * unread rest, so a reader restored from that checkpoint emits exactly the records not emitted
 * before it. Beam 2.62's original checkpoints the whole range, and the restored reader emits the
 * first records again - so this test fails against it.
 */
public class FlinkBoundedSourceReaderPatchTest {
  private static final int LINES = 100;
  private static final int BEFORE_CHECKPOINT = 10;
  private static final PipelineOptions OPTIONS = PipelineOptionsFactory.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** Reads {@code BEFORE_CHECKPOINT} records, checkpoints, and reads on from the checkpoint in a new reader. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Outcome readCheckpointAndRestore(Class<?> readerClass) throws Exception {
    Path file = tmp.newFile("lines.csv").toPath();
    Files.write(file, IntStream.range(0, LINES).mapToObj(i -> i + ",row " + i).collect(Collectors.toList()));
    SourceSpec spec = SourceSpec.builder(file.toString(), SourceSpec.Format.CSV).setHeader(false).build();
    List<? extends BoundedSource<SourceRecord>> ranges =
        FileRecordSource.forFiles(spec, List.of("id", "text")).split(1L << 30, OPTIONS);
    assertThat("one byte range: the whole file", ranges, hasSize(1));
    Constructor<?> make = readerClass.getConstructor(String.class, SourceReaderContext.class, PipelineOptions.class,
        Function.class);

    FlinkSourceReaderBase<SourceRecord, WindowedValue<SourceRecord>> first =
        (FlinkSourceReaderBase) make.newInstance("read", new Context(), OPTIONS, null);
    first.start();
    first.addSplits(List.of(new FlinkSourceSplit<>(0, ranges.get(0))));
    Output output = new Output();
    while (output.records.size() < BEFORE_CHECKPOINT) {
      first.pollNext(output);
    }
    List<FlinkSourceSplit<SourceRecord>> checkpoint = first.snapshotState(1);
    first.close();

    FlinkSourceReaderBase<SourceRecord, WindowedValue<SourceRecord>> restored =
        (FlinkSourceReaderBase) make.newInstance("read", new Context(), OPTIONS, null);
    restored.start();
    restored.addSplits(checkpoint);
    restored.notifyNoMoreSplits();
    Output after = new Output();
    for (int i = 0; i < 10 * LINES && restored.pollNext(after) != InputStatus.END_OF_INPUT; i++) {
      // reads to the end of the restored split
    }
    restored.close();
    return new Outcome(output.records, checkpoint, after.records);
  }

  @Test
  public void anOpenByteRangeIsCheckpointedAsItsUnreadRest() throws Exception {
    Outcome o = readCheckpointAndRestore(FlinkBoundedSourceReader.class);
    assertThat(o.checkpoint, hasSize(1));
    OffsetBasedSource<?> rest = (OffsetBasedSource<?>) o.checkpoint.get(0).getBeamSplitSource();
    long eleventh = o.before.get(BEFORE_CHECKPOINT - 1).offset() + ("9,row 9\n").length();
    assertThat("the rest starts at the first record not emitted", rest.getStartOffset(), is(eleventh));
    assertThat("the restored reader emits exactly the rest", ids(o.after),
        contains(IntStream.range(BEFORE_CHECKPOINT, LINES).boxed().toArray()));
  }

  @Test
  public void beamsOriginalReadsTheEmittedRecordsAgainSoThisTestPinsThePatch() throws Exception {
    Outcome o = readCheckpointAndRestore(
        org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.BeamOriginalAccess.of(
            FlinkBoundedSourceReader.class));
    assertThat(((OffsetBasedSource<?>) o.checkpoint.get(0).getBeamSplitSource()).getStartOffset(), is(0L));
    assertThat(ids(o.after), hasSize(LINES));
  }

  @Test
  public void aReaderWithNoSplitLeftAsksForTheNextOnceAndNotAfterNoMoreSplits() throws Exception {
    Path dir = tmp.newFolder("two").toPath();
    for (int f = 0; f < 2; f++) {
      Files.write(dir.resolve("part-" + f + ".csv"), IntStream.range(f * LINES / 2, (f + 1) * LINES / 2)
          .mapToObj(i -> i + ",row " + i).collect(Collectors.toList()));
    }
    SourceSpec spec = SourceSpec.builder(dir + "/*.csv", SourceSpec.Format.CSV).setHeader(false).build();
    List<? extends BoundedSource<SourceRecord>> ranges =
        FileRecordSource.forFiles(spec, List.of("id", "text")).split(1L << 30, OPTIONS);
    assertThat("a split per file", ranges, hasSize(2));
    Context context = new Context();
    // Waiting out an idle time after its last split, the reader polls on: it must not ask then.
    PipelineOptions idling = PipelineOptionsFactory.fromArgs("--shutdownSourcesAfterIdleMs=60000").create();
    FlinkBoundedSourceReader<SourceRecord> reader = new FlinkBoundedSourceReader<>("read", context, idling, null);
    reader.start();
    Output output = new Output();
    assertThat(reader.pollNext(output), is(InputStatus.NOTHING_AVAILABLE));
    assertThat(reader.pollNext(output), is(InputStatus.NOTHING_AVAILABLE));
    assertThat("asked once, not at every poll", context.splitRequests, is(1));
    reader.addSplits(List.of(new FlinkSourceSplit<>(0, ranges.get(0))));
    while (reader.pollNext(output) == InputStatus.MORE_AVAILABLE) {
      // reads the split to its end, then asks for the next
    }
    assertThat(context.splitRequests, is(2));
    reader.addSplits(List.of(new FlinkSourceSplit<>(1, ranges.get(1)))); // the last: the answer to the next ask
    reader.notifyNoMoreSplits();
    for (int i = 0; i < 2 * LINES; i++) {
      assertThat(reader.pollNext(output), is(not(InputStatus.END_OF_INPUT)));
    }
    reader.close();
    assertThat("no ask after the enumerator said there is no more", context.splitRequests, is(2));
    assertThat(ids(output.records), contains(IntStream.range(0, LINES).boxed().toArray()));
  }

  private static List<Integer> ids(List<SourceRecord> records) {
    return records.stream().map(r -> Integer.parseInt(r.text().split(",")[0])).collect(Collectors.toList());
  }

  private static final class Outcome {
    final List<SourceRecord> before;
    final List<FlinkSourceSplit<SourceRecord>> checkpoint;
    final List<SourceRecord> after;

    Outcome(List<SourceRecord> before, List<FlinkSourceSplit<SourceRecord>> checkpoint, List<SourceRecord> after) {
      this.before = before;
      this.checkpoint = checkpoint;
      this.after = after;
    }
  }

  /** What the reader emits. */
  private static final class Output implements ReaderOutput<WindowedValue<SourceRecord>> {
    final List<SourceRecord> records = new ArrayList<>();

    @Override
    public void collect(WindowedValue<SourceRecord> record) {
      records.add(record.getValue());
    }

    @Override
    public void collect(WindowedValue<SourceRecord> record, long timestamp) {
      collect(record);
    }

    @Override
    public void emitWatermark(Watermark watermark) {}

    @Override
    public void markIdle() {}

    @Override
    public void markActive() {}

    @Override
    public SourceOutput<WindowedValue<SourceRecord>> createOutputForSplit(String splitId) {
      return this;
    }

    @Override
    public void releaseOutputForSplit(String splitId) {}
  }

  /** A task's context with no metrics and one subtask; counts the reader's split requests. */
  private static final class Context implements SourceReaderContext {
    int splitRequests;

    @Override
    public SourceReaderMetricGroup metricGroup() {
      return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
    }

    @Override
    public Configuration getConfiguration() {
      return new Configuration();
    }

    @Override
    public String getLocalHostName() {
      return "localhost";
    }

    @Override
    public int getIndexOfSubtask() {
      return 0;
    }

    @Override
    public void sendSplitRequest() {
      splitRequests++;
    }

    @Override
    public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {}

    @Override
    public UserCodeClassLoader getUserCodeClassLoader() {
      return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
    }
  }
}
