package org.apache.beam.sdk.util.construction;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.beametl.pipeline.EtlPipeline;
import dev.beametl.pipeline.Specs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.schemas.JavaFieldSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The patched {@link ParDoTranslation#getSideInputMapping(AppliedPTransform)} and
 * {@link ParDoTranslation#getSchemaInformation(AppliedPTransform)} answer for every Java ParDo what
 * Beam's answer read back from the step's portable form does: over the sample pipelines' steps (the
 * lookups' and file writes' side inputs among them) and a DoFn that takes its element as a Row of
 * a schema'd POJO, beside a side input.
 */
@RunWith(JUnit4.class)
public class ParDoTranslationPatchTest {
  @Test
  public void sideInputsAndSchemaInformationAgreeWithThePortableFormForEveryParDo() throws Exception {
    int[] seen = {0, 0, 0}; // ParDos, with side inputs, with element conversions
    for (String spec : List.of("pipelines/sales-by-brand.yaml", "pipelines/sales-by-product.yaml")) {
      Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
      EtlPipeline.of(Specs.read(Path.of(spec), List.of())).buildOn(p);
      check(p, seen);
    }
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionView<List<String>> names = p.apply("Names", Create.of("a", "b")).apply(View.asList());
    p.apply("Items", Create.of(new Item("x", 1), new Item("y", 2)))
        .apply("Rows of items", ParDo.of(new RowOfItem(names)).withSideInputs(names));
    check(p, seen);
    assertThat("ParDos seen", seen[0], greaterThan(50));
    assertThat("ParDos with side inputs (lookups, file writes, the test's)", seen[1], greaterThan(3));
    assertThat("ParDos converting their element", seen[2], equalTo(1));
  }

  private static void check(Pipeline p, int[] seen) {
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        if (!(node.getTransform() instanceof ParDo.MultiOutput)) {
          return;
        }
        AppliedPTransform<?, ?, ?> applied = node.toAppliedPTransform(p);
        try {
          RunnerApi.PTransform portable =
              PTransformTranslation.toProto(applied, SdkComponents.create(p.getOptions()));
          Map<String, PCollectionView<?>> sideInputs = ParDoTranslation.getSideInputMapping(applied);
          assertThat(node.getFullName(), tags(sideInputs), equalTo(tags(ParDoTranslation.getSideInputMapping(portable))));
          DoFnSchemaInformation schema = ParDoTranslation.getSchemaInformation(applied);
          DoFnSchemaInformation read = ParDoTranslation.getSchemaInformation(portable);
          assertThat(node.getFullName(), SerializableUtils.serializeToByteArray(schema),
              equalTo(SerializableUtils.serializeToByteArray(read)));
          seen[0]++;
          seen[1] += sideInputs.isEmpty() ? 0 : 1;
          seen[2] += schema.getElementConverters().isEmpty() ? 0 : 1;
        } catch (java.io.IOException e) {
          throw new RuntimeException(e);
        }
      }
    });
  }

  private static Map<String, String> tags(Map<String, PCollectionView<?>> views) {
    Map<String, String> tags = new TreeMap<>();
    views.forEach((name, view) -> tags.put(name, view.getClass().getName() + " " + view.getTagInternal().getId()));
    return tags;
  }

  /** A POJO with a schema, which a DoFn may take as a Row. */
  @DefaultSchema(JavaFieldSchema.class)
  public static class Item {
    public String name;
    public int count;

    public Item() {}

    Item(String name, int count) {
      this.name = name;
      this.count = count;
    }
  }

  private static class RowOfItem extends DoFn<Item, String> {
    private final PCollectionView<List<String>> names;

    RowOfItem(PCollectionView<List<String>> names) {
      this.names = names;
    }

    @ProcessElement
    public void process(@Element Row item, ProcessContext c) {
      c.output(item.getString("name") + c.sideInput(names).size());
    }
  }
}
