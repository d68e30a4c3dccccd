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
package org.apache.beam.runners.direct;

// beam-etl: a patched copy of Beam 2.62.0's class (Apache License 2.0, header above). Beam's
// isReadTransform walks the whole pipeline to answer whether one step sits inside a Read, and the
// DirectRunner asks it twice for every bundle (once for the bundle's consumer, once for the producer
// of every bundle it creates): with 400 steps and one bundle per key after each shuffle, that walk
// was 40% of a DirectRunner run of the sample. The patch answers from one walk per pipeline, kept per
// step; the answer cannot change while a pipeline runs (the graph is fixed by then), and every check
// this class makes on elements is unchanged. Changes are marked "beam-etl".

import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineVisitor;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy.Node;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.util.IllegalMutationException;
import org.apache.beam.sdk.util.MutationDetector;
import org.apache.beam.sdk.util.MutationDetectors;
import org.apache.beam.sdk.util.UserCodeException;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.cache.Cache;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.cache.CacheBuilder;
import org.slf4j.LoggerFactory;

/**
 * {@link ModelEnforcement} that enforces elements are not modified over the course of processing an
 * element.
 */
class ImmutabilityEnforcementFactory implements ModelEnforcementFactory {
  // beam-etl: says on first use that the patched class, not Beam's own, is in use, and with which Beam.
  static {
    LoggerFactory.getLogger(ImmutabilityEnforcementFactory.class).info(
        "beam-etl patch in use: {} (made for Beam 2.62.0; this is Beam {})",
        ImmutabilityEnforcementFactory.class.getName(),
        org.apache.beam.sdk.util.ReleaseInfo.getReleaseInfo().getVersion());
  }

  // beam-etl: per pipeline, every step of its last walk and whether it sits inside a Read. Both
  // levels hold their keys weakly and by identity: a step can reach its pipeline (a side input's view
  // holds it), so a strongly held step would keep the pipeline, and all it holds, for the life of
  // the JVM (the warm runner runs many).
  private static final Cache<Pipeline, Cache<PTransform<?, ?>, Boolean>> READ_STEPS =
      CacheBuilder.newBuilder().weakKeys().build();

  public static ModelEnforcementFactory create() {
    return new ImmutabilityEnforcementFactory();
  }

  @Override
  public <T> ModelEnforcement<T> forBundle(
      CommittedBundle<T> input, AppliedPTransform<?, ?, ?> consumer) {
    if (isReadTransform(consumer)) {
      return NoopReadEnforcement.INSTANCE;
    }
    return new ImmutabilityCheckingEnforcement<>(input, consumer);
  }

  // beam-etl: Beam walks the pipeline on every call; this walks it once per pipeline and looks the
  // step up, walking again only for a step the last walk did not see (one added since).
  static boolean isReadTransform(AppliedPTransform<?, ?, ?> consumer) {
    Pipeline pipeline = consumer.getPipeline();
    Cache<PTransform<?, ?>, Boolean> steps = READ_STEPS.getIfPresent(pipeline);
    Boolean isRead = steps == null ? null : steps.getIfPresent(consumer.getTransform());
    if (isRead == null) {
      ReadStepsVisitor visitor = new ReadStepsVisitor();
      pipeline.traverseTopologically(visitor);
      READ_STEPS.put(pipeline, visitor.steps);
      isRead = visitor.steps.getIfPresent(consumer.getTransform());
    }
    return isRead != null && isRead;
  }

  // beam-etl: Beam's IsReadVisitor looked for one transform; this one notes for every step what it
  // would have answered: true for a composite or primitive met while inside a Read.Bounded/Unbounded.
  private static class ReadStepsVisitor extends PipelineVisitor.Defaults {
    private final Cache<PTransform<?, ?>, Boolean> steps = CacheBuilder.newBuilder().weakKeys().build();
    private boolean isInsideRead;

    @Override
    public CompositeBehavior enterCompositeTransform(Node node) {
      if (node.getTransform() instanceof Read.Bounded
          || node.getTransform() instanceof Read.Unbounded) {
        isInsideRead = true;
      }
      if (node.getTransform() != null) {
        steps.asMap().merge(node.getTransform(), isInsideRead, Boolean::logicalOr);
      }
      return CompositeBehavior.ENTER_TRANSFORM;
    }

    @Override
    public void leaveCompositeTransform(Node node) {
      if (node.getTransform() instanceof Read.Bounded
          || node.getTransform() instanceof Read.Unbounded) {
        isInsideRead = false;
      }
    }

    @Override
    public void visitPrimitiveTransform(Node node) {
      steps.asMap().merge(node.getTransform(), isInsideRead, Boolean::logicalOr);
    }
  }

  private static class NoopReadEnforcement<T> extends AbstractModelEnforcement<T> {
    private static final NoopReadEnforcement INSTANCE = new NoopReadEnforcement<>();
  }

  private static class ImmutabilityCheckingEnforcement<T> extends AbstractModelEnforcement<T> {
    private final AppliedPTransform<?, ?, ?> transform;
    private final Map<WindowedValue<T>, MutationDetector> mutationElements;
    private final Coder<T> coder;

    private ImmutabilityCheckingEnforcement(
        CommittedBundle<T> input, AppliedPTransform<?, ?, ?> transform) {
      this.transform = transform;
      coder = input.getPCollection().getCoder();
      mutationElements = new IdentityHashMap<>();
    }

    @Override
    public void beforeElement(WindowedValue<T> element) {
      try {
        mutationElements.put(
            element, MutationDetectors.forValueWithCoder(element.getValue(), coder));
      } catch (CoderException e) {
        throw UserCodeException.wrap(e);
      }
    }

    @Override
    public void afterElement(WindowedValue<T> element) {
      verifyUnmodified(mutationElements.get(element));
    }

    @Override
    public void afterFinish(
        CommittedBundle<T> input,
        TransformResult<T> result,
        Iterable<? extends CommittedBundle<?>> outputs) {
      for (MutationDetector detector : mutationElements.values()) {
        verifyUnmodified(detector);
      }
    }

    private void verifyUnmodified(MutationDetector detector) {
      try {
        detector.verifyUnmodified();
      } catch (IllegalMutationException e) {
        throw new IllegalMutationException(
            String.format(
                "PTransform %s illegaly mutated value %s of class %s."
                    + " Input values must not be mutated in any way.",
                transform.getFullName(), e.getSavedValue(), e.getSavedValue().getClass()),
            e.getSavedValue(),
            e.getNewValue());
      }
    }
  }
}
