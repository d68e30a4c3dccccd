/*
 * Licensed to the Apache Software Foundation (ASF) under one
 * or more contributor license agreements.  See the NOTICE file
 * distributed with this work for additional information
 * regarding copyright ownership.  The ASF licenses this file
 * to you under the Apache License, Version 2.0 (the
 * "License"); you may not use this file except in compliance
 * with the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

// beam-etl: a patched copy of Beam 2.62.0's class (Apache License 2.0, header above). In 2.62 an
// enumerator restored from a checkpoint splits the whole source again and assigns every split anew,
// while the readers also resume the splits held in their own state: after a restore (a resumed run,
// or a streaming job's restart) records are read twice. Beam fixed it upstream in 2.63 (apache/beam
// #33606, issue #31313); 2.63 is not served here. The patch: a checkpoint taken after the splits were
// handed out carries a marker, and an enumerator restored from such a checkpoint does not split
// again. Changes are marked "beam-etl". Delete this file when moving to Beam >= 2.63 - but see the
// second change first.
//
// beam-etl, second change: Beam 2.62 cuts a bounded source into as many splits as readers (a file
// smaller than that share is one split) and deals them out round-robin, all at once. Three equal
// files on two readers: one reader reads two, the other one and then idles - the stage takes 4/3 of
// what it needs - and any reader slowed by its neighbours holds the stage up by a whole split. Here a
// bounded source is cut into about eight splits per reader and a reader is handed the next one (or
// small ones together, up to a split's size) when it asks (FlinkBoundedSourceReader asks whenever it
// has none left), as Flink's own file source does. Splits not yet handed out are part of the
// enumerator's checkpoint, under the readers' keys as before; unbounded sources are dealt out as
// before. Before deleting this file for Beam >= 2.63, check whether that Beam hands a bounded
// source's splits out on request; if not, port this change.

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Source;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink {@link org.apache.flink.api.connector.source.SplitEnumerator SplitEnumerator}
 * implementation that holds a Beam {@link Source} and does the following:
 *
 * <ul>
 *   <li>Split the Beam {@link Source} to desired number of splits.
 *   <li>Assign the splits to the Flink Source Reader.
 * </ul>
 *
 * <p>Note that at this point, this class has a static round-robin split assignment strategy.
 *
 * @param <T> The output type of the encapsulated Beam {@link Source}.
 */
public class FlinkSourceSplitEnumerator<T>
    implements SplitEnumerator<FlinkSourceSplit<T>, Map<Integer, List<FlinkSourceSplit<T>>>> {
  private static final Logger LOG = LoggerFactory.getLogger(FlinkSourceSplitEnumerator.class);
  // beam-etl: says on first use where this copy runs (a cluster's logs then show that the patched
  // class, not Beam's own, is the one in use there) and with which Beam.
  static {
    LOG.info("beam-etl patch in use: {} (made for Beam 2.62.0; this is Beam {})",
        FlinkSourceSplitEnumerator.class.getName(), org.apache.beam.sdk.util.ReleaseInfo.getReleaseInfo().getVersion());
  }
  private final SplitEnumeratorContext<FlinkSourceSplit<T>> context;
  private final Source<T> beamSource;
  private final PipelineOptions pipelineOptions;
  private final int numSplits;
  private final Map<Integer, List<FlinkSourceSplit<T>>> pendingSplits;
  private boolean splitsInitialized;
  // beam-etl: the key of the marker entry, and whether this enumerator was restored after splitting.
  private static final int SPLITS_HANDED_OUT = -1;
  private boolean restoredAfterSplitting;
  // beam-etl: a bounded source's splits are pulled: those not handed out yet, with their sizes, the
  // bytes one answer hands out (small splits go together: a request costs a round trip), and the
  // readers that asked before the source was split.
  private static final int SPLITS_PER_READER = 8;
  private static final long SMALLEST_SPLIT_BYTES = 4L << 20;
  private final boolean pulled;
  private final ArrayDeque<Pending<T>> notHandedOut = new ArrayDeque<>();
  private long bytesPerAnswer = SMALLEST_SPLIT_BYTES;
  private final Set<Integer> waitingReaders = new LinkedHashSet<>();

  public FlinkSourceSplitEnumerator(
      SplitEnumeratorContext<FlinkSourceSplit<T>> context,
      Source<T> beamSource,
      PipelineOptions pipelineOptions,
      int numSplits) {
    this.context = context;
    this.beamSource = beamSource;
    this.pipelineOptions = pipelineOptions;
    this.numSplits = numSplits;
    this.pendingSplits = new HashMap<>(numSplits);
    this.splitsInitialized = false;
    this.pulled = beamSource instanceof BoundedSource;
  }

  @Override
  public void start() {
    if (restoredAfterSplitting) { // beam-etl: the readers resume their own splits; hand out the rest
      LOG.info("Restored source {}: not splitting it again", beamSource);
      sendPendingSplitsToSourceReaders();
      return;
    }
    if (pulled) { // beam-etl
      int readers = Math.max(1, context.currentParallelism());
      context.callAsync(
          () -> cut((BoundedSource<T>) beamSource, readers),
          (cut, error) -> {
            if (error != null) {
              throw new RuntimeException("Failed to start source enumerator.", error);
            }
            LOG.info("Split source {} into {} splits, handed out as readers ask", beamSource, cut.splits.size());
            notHandedOut.addAll(cut.splits);
            bytesPerAnswer = Math.max(cut.splitBytes, 1);
            splitsInitialized = true;
            List<Integer> waiting = new ArrayList<>(waitingReaders);
            waitingReaders.clear();
            waiting.forEach(subtask -> handleSplitRequest(subtask, null));
          });
      return;
    }
    context.callAsync(
        () -> {
          try {
            LOG.info("Starting source {}", beamSource);
            List<? extends Source<T>> beamSplitSourceList = splitBeamSource();
            Map<Integer, List<FlinkSourceSplit<T>>> flinkSourceSplitsList = new HashMap<>();
            int i = 0;
            for (Source<T> beamSplitSource : beamSplitSourceList) {
              int targetSubtask = i % context.currentParallelism();
              List<FlinkSourceSplit<T>> splitsForTask =
                  flinkSourceSplitsList.computeIfAbsent(
                      targetSubtask, ignored -> new ArrayList<>());
              splitsForTask.add(new FlinkSourceSplit<>(i, beamSplitSource));
              i++;
            }
            return flinkSourceSplitsList;
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        },
        (sourceSplits, error) -> {
          if (error != null) {
            throw new RuntimeException("Failed to start source enumerator.", error);
          } else {
            pendingSplits.putAll(sourceSplits);
            splitsInitialized = true;
            sendPendingSplitsToSourceReaders();
          }
        });
  }

  @Override
  public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
    // beam-etl: a bounded source's reader asks for its next split.
    if (!pulled || !context.registeredReaders().containsKey(subtaskId)) {
      return; // a reader that failed since it asked asks again when it restarts
    }
    if (!splitsInitialized) {
      waitingReaders.add(subtaskId);
      return;
    }
    List<FlinkSourceSplit<T>> answer = new ArrayList<>();
    long room = bytesPerAnswer;
    while (!notHandedOut.isEmpty() && (answer.isEmpty() || notHandedOut.peek().bytes <= room)) {
      Pending<T> next = notHandedOut.poll();
      answer.add(next.split);
      room -= Math.min(room, next.bytes);
    }
    if (answer.isEmpty()) {
      context.signalNoMoreSplits(subtaskId);
    } else {
      context.assignSplits(new SplitsAssignment<>(Collections.singletonMap(subtaskId, answer)));
      LOG.debug("Assigned {} splits to subtask {}, from {}", answer.size(), subtaskId, answer.get(0));
    }
  }

  /**
   * beam-etl: the source cut into several splits per reader (none below a few MB, unless the source
   * is smaller than that per reader): whoever is done first takes the next one. Runs off the
   * coordinator's thread (estimating and splitting may list files).
   */
  private Cut<T> cut(BoundedSource<T> source, int readers) throws Exception {
    long bytes = source.getEstimatedSizeBytes(pipelineOptions);
    long splitBytes = Math.max(bytes / ((long) readers * SPLITS_PER_READER),
        Math.min(SMALLEST_SPLIT_BYTES, bytes / readers));
    List<Pending<T>> splits = new ArrayList<>();
    for (BoundedSource<T> split : source.split(splitBytes, pipelineOptions)) {
      splits.add(pending(new FlinkSourceSplit<>(splits.size(), split)));
    }
    return new Cut<>(splits, splitBytes);
  }

  /** beam-etl: the splits of a source and the size they were cut to. */
  private static final class Cut<T> {
    final List<Pending<T>> splits;
    final long splitBytes;

    Cut(List<Pending<T>> splits, long splitBytes) {
      this.splits = splits;
      this.splitBytes = splitBytes;
    }
  }

  /** beam-etl: a split not handed out yet, and its size (as big as an answer when it cannot be told). */
  private static final class Pending<T> {
    final FlinkSourceSplit<T> split;
    final long bytes;

    Pending(FlinkSourceSplit<T> split, long bytes) {
      this.split = split;
      this.bytes = bytes;
    }
  }

  private Pending<T> pending(FlinkSourceSplit<T> split) {
    long bytes;
    try {
      bytes = ((BoundedSource<T>) split.getBeamSplitSource()).getEstimatedSizeBytes(pipelineOptions);
    } catch (Exception e) {
      bytes = Long.MAX_VALUE;
    }
    return new Pending<>(split, bytes < 0 ? Long.MAX_VALUE : bytes);
  }

  @Override
  public void addSplitsBack(List<FlinkSourceSplit<T>> splits, int subtaskId) {
    if (subtaskId == SPLITS_HANDED_OUT) { // beam-etl: restored from a checkpoint taken after splitting
      restoredAfterSplitting = true;
      splitsInitialized = true;
      return;
    }
    LOG.info("Adding splits {} back from subtask {}", splits, subtaskId);
    if (pulled) { // beam-etl: a failed reader's splits, or a checkpoint's: the next reader to ask gets them
      for (int i = splits.size() - 1; i >= 0; i--) {
        notHandedOut.addFirst(pending(splits.get(i)));
      }
      return;
    }
    List<FlinkSourceSplit<T>> splitsForSubtask =
        pendingSplits.computeIfAbsent(subtaskId, ignored -> new ArrayList<>());
    splitsForSubtask.addAll(splits);
  }

  @Override
  public void addReader(int subtaskId) {
    if (pulled) {
      return; // beam-etl: the reader asks for its splits
    }
    List<FlinkSourceSplit<T>> splitsForSubtask = pendingSplits.remove(subtaskId);
    if (splitsForSubtask != null) {
      assignSplitsAndLog(splitsForSubtask, subtaskId);
    } else {
      if (splitsInitialized) {
        LOG.info("There is no split for subtask {}. Signaling no more splits.", subtaskId);
        context.signalNoMoreSplits(subtaskId);
      }
    }
  }

  @Override
  public Map<Integer, List<FlinkSourceSplit<T>>> snapshotState(long checkpointId) throws Exception {
    LOG.info("Taking snapshot for checkpoint {}", checkpointId);
    // beam-etl: a copy, with the marker once the splits were handed out.
    Map<Integer, List<FlinkSourceSplit<T>>> state = new HashMap<>(pendingSplits);
    if (splitsInitialized) {
      state.put(SPLITS_HANDED_OUT, new ArrayList<>());
    }
    // The splits not handed out yet, under the readers' keys as Beam's enumerator keeps the splits
    // it has not assigned: a build that deals them out at once, restoring this, hands them out too.
    int readers = Math.max(1, context.currentParallelism());
    int i = 0;
    for (Pending<T> pending : notHandedOut) {
      state.computeIfAbsent(i++ % readers, k -> new ArrayList<>()).add(pending.split);
    }
    return state;
  }

  @Override
  public void close() throws IOException {
    // NoOp
  }

  // -------------- Private helper methods ----------------------
  private List<? extends Source<T>> splitBeamSource() throws Exception {
    if (beamSource instanceof BoundedSource) {
      BoundedSource<T> boundedSource = (BoundedSource<T>) beamSource;
      long desiredSizeBytes = boundedSource.getEstimatedSizeBytes(pipelineOptions) / numSplits;
      return boundedSource.split(desiredSizeBytes, pipelineOptions);
    } else if (beamSource instanceof UnboundedSource) {
      List<? extends UnboundedSource<T, ?>> splits =
          ((UnboundedSource<T, ?>) beamSource).split(numSplits, pipelineOptions);
      LOG.info("Split source {} to {} splits", beamSource, splits);
      return splits;
    } else {
      throw new IllegalStateException("Unknown source type " + beamSource.getClass());
    }
  }

  private void sendPendingSplitsToSourceReaders() {
    Iterator<Map.Entry<Integer, List<FlinkSourceSplit<T>>>> splitIter =
        pendingSplits.entrySet().iterator();
    while (splitIter.hasNext()) {
      Map.Entry<Integer, List<FlinkSourceSplit<T>>> entry = splitIter.next();
      int readerIndex = entry.getKey();
      int targetSubtask = readerIndex % context.currentParallelism();
      if (context.registeredReaders().containsKey(targetSubtask)) {
        assignSplitsAndLog(entry.getValue(), targetSubtask);
        splitIter.remove();
      }
    }
  }

  private void assignSplitsAndLog(List<FlinkSourceSplit<T>> splits, int subtaskId) {
    context.assignSplits(new SplitsAssignment<>(Collections.singletonMap(subtaskId, splits)));
    context.signalNoMoreSplits(subtaskId);
    LOG.info("Assigned splits {} to subtask {}", splits, subtaskId);
  }
}
