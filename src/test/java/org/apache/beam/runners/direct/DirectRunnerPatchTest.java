package org.apache.beam.runners.direct;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.Pipeline.PipelineVisitor;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.TransformHierarchy.Node;
import org.apache.beam.sdk.schemas.JavaFieldSchema;
import org.apache.beam.sdk.schemas.annotations.DefaultSchema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.util.IllegalMutationException;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Test;

/**
 * beam-etl's two DirectRunner patches (src/main/java/org/apache/beam/runners/direct): the answers
 * Beam recomputed for every bundle are computed once, and nothing the runner checks or runs changes.
 */
public class DirectRunnerPatchTest {

  @Test
  public void theTestsRunThePatchedClassesNotBeamsOwn() throws Exception {
    assertThat(ImmutabilityEnforcementFactory.class.getDeclaredField("READ_STEPS") != null, is(true));
    assertThat(ParDoEvaluatorFactory.class.getDeclaredField("stepParts") != null, is(true));
  }

  /** Every step of a pipeline that ran, with reads of both kinds: the patch answers as Beam's own walk does. */
  @Test
  public void everyStepIsAReadStepExactlyWhenBeamsOwnWalkSaysSo() {
    Pipeline p = Pipeline.create(directOptions());
    PCollection<Long> counted = p.apply("Count", Read.from(CountingSource.upTo(50)));
    PCollection<Long> created = p.apply("Create", Create.of(1L, 2L, 3L));
    PCollection<KV<Long, Iterable<Long>>> grouped = PCollectionList(counted, created)
        .apply(WithKeys.of(n -> n % 3)).setCoder(org.apache.beam.sdk.coders.KvCoder.of(
            org.apache.beam.sdk.coders.VarLongCoder.of(), org.apache.beam.sdk.coders.VarLongCoder.of()))
        .apply(GroupByKey.create());
    grouped.apply(Values.create()).apply(MapElements.into(TypeDescriptors.strings()).via(Object::toString));

    Map<String, Boolean> beforeTheRun = beamsAnswers(p);
    assertThat(patchedAnswers(p), is(beforeTheRun));
    assertThat(beforeTheRun.values(), hasItem(true));
    assertThat(beforeTheRun.values(), hasItem(false));
    p.run().waitUntilFinish(); // the DirectRunner replaces the reads with steps of its own: ask again
    assertThat(patchedAnswers(p), is(beamsAnswers(p)));
  }

  private static Map<String, Boolean> beamsAnswers(Pipeline p) {
    Map<String, Boolean> answers = new LinkedHashMap<>();
    steps(p).forEach(step -> answers.put(step.getFullName(), beamsIsReadTransform(step)));
    return answers;
  }

  private static Map<String, Boolean> patchedAnswers(Pipeline p) {
    Map<String, Boolean> answers = new LinkedHashMap<>();
    steps(p).forEach(step -> answers.put(step.getFullName(), ImmutabilityEnforcementFactory.isReadTransform(step)));
    return answers;
  }

  @Test
  public void aStepAddedAfterTheWalkIsFoundByAnotherWalk() {
    Pipeline p = Pipeline.create(directOptions());
    p.apply("First", Create.of("a"));
    for (AppliedPTransform<?, ?, ?> step : steps(p)) {
      ImmutabilityEnforcementFactory.isReadTransform(step); // walked and remembered
    }
    p.apply("Later", Read.from(CountingSource.upTo(3)));
    List<AppliedPTransform<?, ?, ?>> later = new ArrayList<>();
    for (AppliedPTransform<?, ?, ?> step : steps(p)) {
      if (step.getFullName().startsWith("Later")) {
        later.add(step);
        assertThat(step.getFullName(), ImmutabilityEnforcementFactory.isReadTransform(step), is(beamsIsReadTransform(step)));
      }
    }
    assertThat(later.isEmpty(), is(false));
  }

  /**
   * What the patch remembers per pipeline lets go of it once the pipeline is dropped, also when a
   * step reaches back to the pipeline (a side input's view holds it): the warm runner runs many.
   */
  @Test
  public void aPipelineThatRanIsNotKeptByWhatThePatchRemembers() throws Exception {
    WeakReference<Pipeline> ran = runWithASideInput();
    for (int i = 0; i < 50 && ran.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertThat("the pipeline was collected", ran.get() == null, is(true));
  }

  private static WeakReference<Pipeline> runWithASideInput() {
    Pipeline p = Pipeline.create(directOptions());
    PCollectionView<Integer> offset = p.apply("Offset", Create.of(1)).apply(View.asSingleton());
    TupleTag<String> even = new TupleTag<>("even");
    TupleTag<String> odd = new TupleTag<>("odd");
    PCollectionTuple out = p.apply(Create.of(List.of(new Sale("s", 1))))
        .apply(ParDo.of(new SaleAsRow(offset, even, odd)).withSideInputs(offset).withOutputTags(even, TupleTagList.of(odd)));
    out.get(even).setCoder(StringUtf8Coder.of());
    out.get(odd).setCoder(StringUtf8Coder.of());
    p.run().waitUntilFinish();
    for (AppliedPTransform<?, ?, ?> step : steps(p)) {
      ImmutabilityEnforcementFactory.isReadTransform(step); // remembered, as the run did
    }
    return new WeakReference<>(p);
  }

  /** The immutability check still runs for every element: a DoFn that changes its input fails the run. */
  @Test
  public void aDoFnThatChangesItsInputStillFailsTheRun() {
    Pipeline p = Pipeline.create(directOptions());
    p.apply(Create.of(List.of(new ArrayList<>(List.of("a")), new ArrayList<>(List.of("b")))))
        .apply(WithKeys.of("k"))
        .apply(GroupByKey.create())
        .apply(Values.create())
        .apply("Change the input", ParDo.of(new ChangeTheInput()));
    IllegalMutationException e = assertThrows(IllegalMutationException.class, () -> p.run());
    assertThat(e.getMessage(), containsString("Change the input"));
  }

  /**
   * Side inputs, a second output and a schema conversion (POJOs in, Rows taken by the DoFn: that is
   * what the schema information the patch keeps is for), over one bundle per key, so all but the first
   * bundle of each step use what the patch kept.
   */
  @Test
  public void sideInputsOutputsAndSchemaConversionsHoldOverManyBundles() {
    Pipeline p = Pipeline.create(directOptions());
    PCollectionView<Integer> offset = p.apply("Offset", Create.of(1000)).apply(View.asSingleton());
    List<Sale> sales = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sales.add(new Sale("s" + (i % 10), i));
    }
    PCollection<Sale> perKey = p.apply(Create.of(sales))
        .apply(WithKeys.of((Sale s) -> s.store).withKeyType(TypeDescriptors.strings()))
        .apply(GroupByKey.create())
        .apply(Values.create())
        .apply("Flatten", ParDo.of(new Ungroup()));
    TupleTag<String> even = new TupleTag<>("even");
    TupleTag<String> odd = new TupleTag<>("odd");
    PCollectionTuple out = perKey.apply("Rows", ParDo.of(new SaleAsRow(offset, even, odd))
        .withSideInputs(offset).withOutputTags(even, TupleTagList.of(odd)));
    List<String> evens = new ArrayList<>();
    List<String> odds = new ArrayList<>();
    for (Sale s : sales) {
      (s.amount % 2 == 0 ? evens : odds).add(s.store + ":" + (s.amount + 1000));
    }
    PAssert.that(out.get(even).setCoder(StringUtf8Coder.of())).containsInAnyOrder(evens);
    PAssert.that(out.get(odd).setCoder(StringUtf8Coder.of())).containsInAnyOrder(odds);
    p.run().waitUntilFinish();
  }

  private static class ChangeTheInput extends DoFn<Iterable<ArrayList<String>>, Integer> {
    @ProcessElement
    public void process(@Element Iterable<ArrayList<String>> lists, OutputReceiver<Integer> out) {
      for (ArrayList<String> list : lists) {
        list.add("changed");
        out.output(list.size());
      }
    }
  }

  private static class Ungroup extends DoFn<Iterable<Sale>, Sale> {
    @ProcessElement
    public void process(@Element Iterable<Sale> in, OutputReceiver<Sale> out) {
      in.forEach(out::output);
    }
  }

  /** Takes a Sale as a Row (a schema conversion) and sends it to one of two outputs. */
  private static class SaleAsRow extends DoFn<Sale, String> {
    private final PCollectionView<Integer> offset;
    private final TupleTag<String> even;
    private final TupleTag<String> odd;

    SaleAsRow(PCollectionView<Integer> offset, TupleTag<String> even, TupleTag<String> odd) {
      this.offset = offset;
      this.even = even;
      this.odd = odd;
    }

    @ProcessElement
    public void process(@Element Row sale, ProcessContext c) {
      int amount = sale.getInt32("amount") + c.sideInput(offset);
      c.output(amount % 2 == 0 ? even : odd, sale.getString("store") + ":" + amount);
    }
  }

  /** A POJO with a schema, so a DoFn can take it as a Row. */
  @DefaultSchema(JavaFieldSchema.class)
  public static class Sale {
    public String store;
    public int amount;

    public Sale() {}

    Sale(String store, int amount) {
      this.store = store;
      this.amount = amount;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Sale && ((Sale) o).store.equals(store) && ((Sale) o).amount == amount;
    }

    @Override
    public int hashCode() {
      return store.hashCode() * 31 + amount;
    }
  }

  private static PipelineOptions directOptions() {
    PipelineOptions options = PipelineOptionsFactory.create();
    options.setRunner(DirectRunner.class);
    return options;
  }

  private static PCollection<Long> PCollectionList(PCollection<Long> a, PCollection<Long> b) {
    return org.apache.beam.sdk.values.PCollectionList.of(a).and(b).apply(Flatten.pCollections());
  }

  private static List<AppliedPTransform<?, ?, ?>> steps(Pipeline p) {
    List<AppliedPTransform<?, ?, ?>> steps = new ArrayList<>();
    p.traverseTopologically(new PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(Node node) {
        if (!node.isRootNode()) {
          steps.add(node.toAppliedPTransform(p));
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void visitPrimitiveTransform(Node node) {
        steps.add(node.toAppliedPTransform(p));
      }
    });
    return steps;
  }

  /** Beam 2.62's ImmutabilityEnforcementFactory.isReadTransform, as it was: one walk per question. */
  private static boolean beamsIsReadTransform(AppliedPTransform<?, ?, ?> consumer) {
    PTransform<?, ?> transform = consumer.getTransform();
    boolean[] state = new boolean[2]; // inside a read, is read
    consumer.getPipeline().traverseTopologically(new PipelineVisitor.Defaults() {
      @Override
      public CompositeBehavior enterCompositeTransform(Node node) {
        if (node.getTransform() instanceof Read.Bounded || node.getTransform() instanceof Read.Unbounded) {
          state[0] = true;
        }
        if (state[0] && node.getTransform() == transform) {
          state[1] = true;
        }
        return CompositeBehavior.ENTER_TRANSFORM;
      }

      @Override
      public void leaveCompositeTransform(Node node) {
        if (node.getTransform() instanceof Read.Bounded || node.getTransform() instanceof Read.Unbounded) {
          state[0] = false;
        }
      }

      @Override
      public void visitPrimitiveTransform(Node node) {
        if (state[0] && node.getTransform() == transform) {
          state[1] = true;
        }
      }
    });
    return state[1];
  }
}
