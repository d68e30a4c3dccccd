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
package org.apache.beam.runners.flink;

// beam-etl: a patched copy of Beam 2.62.0's class (Apache License 2.0, header above). In a streaming
// job the Flink runner replaces every file write left to the runner's sharding with one of
// 2 x parallelism fixed shards: a GroupByKey per shard, which holds the whole shard in keyed state
// until the input ends and then reads it into the heap at once (RocksDB keeps a key's list as one
// value). A resumable run (streaming over bounded files) of 1M rows with -Xmx256m died of
// OutOfMemoryError there. The patch keeps Beam's own write for a bounded input: each bundle goes
// to a temporary file as it comes (the batch path), bundles end at every checkpoint, and the files
// a checkpoint has recorded are renamed into place when the input has ended - as Flink's own file
// sink rolls a file per checkpoint. Unbounded inputs and windowed writes keep the runner's override
// (see isBoundedUnwindowedWrite). Changes are marked "beam-etl".

import static org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.construction.PTransformMatchers;
import org.apache.beam.sdk.util.construction.PTransformReplacements;
import org.apache.beam.sdk.util.construction.PTransformTranslation;
import org.apache.beam.sdk.util.construction.SplittableParDo;
import org.apache.beam.sdk.util.construction.SplittableParDoNaiveBounded;
import org.apache.beam.sdk.util.construction.WriteFilesTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.collect.ImmutableList;
import org.slf4j.LoggerFactory;

/** {@link PTransform} overrides for Flink runner. */
@SuppressWarnings({
  "rawtypes" // TODO(https://github.com/apache/beam/issues/20447)
})
class FlinkTransformOverrides {
  // beam-etl: says on first use that the patched class, not Beam's own, is in use, and with which Beam.
  static {
    LoggerFactory.getLogger(FlinkTransformOverrides.class).info(
        "beam-etl patch in use: {} (made for Beam 2.62.0; this is Beam {})",
        FlinkTransformOverrides.class.getName(),
        org.apache.beam.sdk.util.ReleaseInfo.getReleaseInfo().getVersion());
  }

  /**
   * beam-etl: a write of a bounded input that ignores windowing. Beam's write then gathers every
   * temporary file once, as a side input complete when the input has ended, and names the files in
   * one finalize, {@code part-00000-of-0000n}. A windowed write finalizes each list of files as it
   * comes, and unsharded names would repeat across the lists: it keeps the runner's fixed shards.
   */
  private static boolean isBoundedUnwindowedWrite(AppliedPTransform<?, ?, ?> application) {
    try {
      return !WriteFilesTranslation.isWindowedWrites((AppliedPTransform) application)
          && ((PCollection<?>) PTransformReplacements.getSingletonMainInput((AppliedPTransform) application))
                  .isBounded()
              == PCollection.IsBounded.BOUNDED;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static List<PTransformOverride> getDefaultOverrides(FlinkPipelineOptions options) {
    ImmutableList.Builder<PTransformOverride> builder = ImmutableList.builder();
    if (options.isStreaming()) {
      builder.add(
          PTransformOverride.of(
              // beam-etl: not for a bounded input written without windowing, see above
              application ->
                  FlinkStreamingPipelineTranslator.StreamingShardedWriteFactory
                          .writeFilesNeedsOverrides()
                          .matches(application)
                      && !isBoundedUnwindowedWrite(application),
              new FlinkStreamingPipelineTranslator.StreamingShardedWriteFactory(
                  checkNotNull(options))));
    }
    if (options.isStreaming() || options.getUseDataStreamForBatch()) {
      builder.add(
          PTransformOverride.of(
              PTransformMatchers.urnEqualTo(PTransformTranslation.CREATE_VIEW_TRANSFORM_URN),
              CreateStreamingFlinkView.Factory.INSTANCE));
    }
    builder
        .add(
            PTransformOverride.of(
                PTransformMatchers.splittableParDo(), new SplittableParDo.OverrideFactory()))
        .add(
            PTransformOverride.of(
                PTransformMatchers.urnEqualTo(PTransformTranslation.SPLITTABLE_PROCESS_KEYED_URN),
                options.isStreaming()
                    ? new SplittableParDoViaKeyedWorkItems.OverrideFactory()
                    : new SplittableParDoNaiveBounded.OverrideFactory()));
    return builder.build();
  }
}
