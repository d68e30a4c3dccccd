package org.apache.beam.sdk.util.construction;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.pipeline.Specs;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformMatcher;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The patched {@link PTransformMatchers#splittableParDo()} answers for every ParDo what Beam's
 * translation-based answer ({@link ParDoTranslation#isSplittable}) does: over the sample pipelines'
 * steps (their reads are splittable DoFns, the rest are not) and a bounded and unbounded Read.
 */
@RunWith(JUnit4.class)
public class PTransformMatchersPatchTest {
  @Test
  public void splittableParDoAgreesWithTheTranslationForEveryStep() throws Exception {
    int[] splittable = {0};
    int[] parDos = {0};
    for (String spec : List.of("pipelines/sales-by-brand.yaml", "pipelines/sales-by-product.yaml")) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      EtlPipeline.of(Specs.read(Path.of(spec), List.of())).buildOn(p);
      p.apply("Bounded read", GenerateSequence.from(0).to(10));
      p.apply("Unbounded read", GenerateSequence.from(0));
      check(p, splittable, parDos);
    }
    assertThat("ParDos seen", parDos[0], greaterThan(50));
    assertThat("splittable ParDos seen (the reads)", splittable[0], greaterThan(3));
  }

  private static void check(Pipeline p, int[] splittable, int[] parDos) {
    PTransformMatcher matcher = PTransformMatchers.splittableParDo();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
        if (!node.isRootNode()) {
          visit(node);
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        visit(node);
      }

      private void visit(TransformHierarchy.Node node) {
        AppliedPTransform<?, ?, ?> applied = node.toAppliedPTransform(p);
        boolean parDo = PTransformTranslation.PAR_DO_TRANSFORM_URN.equals(
            PTransformTranslation.urnForTransformOrNull(node.getTransform()));
        boolean expected;
        try {
          expected = parDo && ParDoTranslation.isSplittable(applied);
        } catch (java.io.IOException e) {
          throw new RuntimeException(e);
        }
        assertThat(node.getFullName(), matcher.matches(applied), equalTo(expected));
        parDos[0] += parDo ? 1 : 0;
        splittable[0] += expected ? 1 : 0;
      }
    });
  }
}
