package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;

import dev.beametl.extract.Extract;
import dev.beametl.load.DeadLetters;
import dev.beametl.load.Load;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.AggregationSpec;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.DerivedFieldSpec;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.MetricSpec;
import dev.beametl.spec.SinkSpec;
import dev.beametl.spec.SourceSpec;
import dev.beametl.transform.Transform;
import dev.beametl.validate.Validate;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The four stages composed in plain Java, with no spec file: the library use of beam-etl. */
public class JavaApiTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void fourCompositeTransformsWithoutYaml() throws Exception {
    Path input = tmp.newFile("orders.csv").toPath();
    Files.writeString(input, "region,amount,qty\nEU,10.50,2\nNA,3.25,1\nEU,1.00,10\nEU,oops,1\nXX,1.00,1\n");
    String output = tmp.getRoot() + "/result";

    SourceSpec source = SourceSpec.builder(input.toString(), SourceSpec.Format.CSV).build();
    List<FieldSpec> fields = List.of(
        FieldSpec.builder("region", FieldType.of(FieldType.Kind.CATEGORY)).setValues(List.of("EU", "NA")).build(),
        FieldSpec.builder("amount", FieldType.decimal(8, 2)).setMin(BigDecimal.ZERO).build(),
        FieldSpec.builder("qty", FieldType.of(FieldType.Kind.INT)).build());
    Transform transform = Transform.of(fields)
        .withDerivedField(DerivedFieldSpec.of("total", FieldType.decimal(12, 2), "amount * qty"))
        .withFilter("qty < 10")
        .withAggregation(AggregationSpec.of(List.of("region"), List.of(
            MetricSpec.of("revenue", MetricSpec.Op.SUM, "total"),
            MetricSpec.of("orders", MetricSpec.Op.COUNT, null))));

    // As the README's "From Java" shows it.
    PCollectionTuple checked = p
        .apply("Extract", Extract.from(source).withSchemaFields(List.of("region", "amount", "qty")))
        .apply("Validate", Validate.against(source, fields));
    PCollectionTuple result = checked.get(Validate.VALID).apply("Transform", transform);
    result.get(Transform.RESULT).apply("Load", Load.to(SinkSpec.builder(output, SinkSpec.Format.JSONL).setShards(1)
        .build(), transform.outputColumns()));
    PCollectionList.of(checked.get(Validate.BAD)).and(result.get(Transform.BAD))
        .apply(Flatten.pCollections()).apply("Dead letters", DeadLetters.to(tmp.getRoot() + "/dead-letter"));
    p.run().waitUntilFinish();

    assertThat(readLines(output), containsInAnyOrder(
        "{\"region\":\"EU\",\"revenue\":21.00,\"orders\":1}",
        "{\"region\":\"NA\",\"revenue\":3.25,\"orders\":1}"));
    List<String> deadLetters = readLines(tmp.getRoot() + "/dead-letter");
    assertThat(deadLetters, containsInAnyOrder(
        allOf(containsString("orders.csv@byte 50"), containsString("\"field\":\"amount\"")),
        allOf(containsString("orders.csv@byte 60"), containsString("\"field\":\"region\""))));
  }

  private static final List<FieldSpec> AB = List.of(
      FieldSpec.builder("a", FieldType.of(FieldType.Kind.LONG)).build(),
      FieldSpec.builder("b", FieldType.of(FieldType.Kind.LONG)).build());

  /** Rows as Validate gives them for {@code fields}, made by the caller (a source of their own). */
  private PCollection<Row> rows(List<FieldSpec> fields,
      Object... values) {
    Schema schema = BeamTypes.inputSchema(fields, true);
    return p.apply(Create.of(
        Row.withSchema(schema).addValues(values).build()).withRowSchema(schema));
  }

  private static String refusal(Runnable build) {
    try {
      build.run();
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("not refused");
  }

  /**
   * A Transform or Load given rows of another shape than it was told refuses them where it is
   * applied, naming the column. Both read a row's values by position: a trial's rows {a=10, b=3}
   * under fields declared b, a gave d = a - b = -7, and a Load of two columns over rows of three
   * wrote a CSV header over lines of another width, exit 0.
   */
  @Test
  public void rowsOfAnotherShapeAreRefusedWhereTheStageIsApplied() {
    p.enableAbandonedNodeEnforcement(false);
    List<FieldSpec> swapped = List.of(AB.get(1), AB.get(0));
    String transform = refusal(() -> rows(AB, 10L, 3L).apply("swapped", Transform.of(swapped)
        .withDerivedField(DerivedFieldSpec.of("d", FieldType.of(FieldType.Kind.LONG), "a - b"))));
    assertThat(transform, allOf(
        containsString("Transform's input: column 1 of the rows is \"a\""),
        containsString("where \"b\" (long")));
    List<FieldSpec> decimal = List.of(AB.get(0), FieldSpec.builder("b", FieldType.decimal(8, 2)).build());
    assertThat(refusal(() -> rows(AB, 1L, 2L).apply("decimal", Transform.of(decimal))),
        containsString("where \"b\" (decimal(8,2)"));

    SinkSpec csv = SinkSpec.builder(tmp.getRoot() + "/csv", SinkSpec.Format.CSV).setShards(1).build();
    String load = refusal(() -> rows(AB, 1L, 2L).apply("narrow", Load.to(csv,
        OutputColumns.derivedRows(List.of(AB.get(0)), List.of(), true))));
    assertThat(load, containsString("Load's input: the rows have a column 2, \"b\""));
    assertThat(refusal(() -> rows(AB, 1L, 2L).apply("swapped columns", Load.to(csv,
        OutputColumns.derivedRows(swapped, List.of(), true)))),
        containsString("column 1 of the rows is \"a\""));
    List<FieldSpec> category = List.of(FieldSpec.builder("c", FieldType.of(FieldType.Kind.CATEGORY))
        .setValues(List.of("EU", "NA")).build());
    Schema text = BeamTypes.inputSchema(category, false);
    PCollection<Row> plain = p.apply(Create.of(Row.withSchema(text).addValues("EU").build()).withRowSchema(text));
    assertThat(refusal(() -> plain.apply("codes", Transform.of(category))), containsString("is expected; a category is"
        + " carried as its code or as its text, as withCategoryEncoding says: give the stages the same"));
    plain.apply("texts", Transform.of(category).withCategoryEncoding(false));
    rows(AB, 1L, 2L).apply("fine", Transform.of(AB)); // the same rows, told right
  }

  /**
   * An aggregation built in Java gets the checks a spec's gets where it is read: a trial's mean of a
   * date ran and wrote epoch days; a missing field was a bare NullPointerException at run time.
   */
  @Test
  public void anAggregationBuiltInJavaIsCheckedAsASpecsIs() {
    List<FieldSpec> fields = List.of(AB.get(0), FieldSpec.builder("day", FieldType.of(FieldType.Kind.DATE)).build(),
        FieldSpec.builder("x", FieldType.of(FieldType.Kind.DOUBLE)).build());
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("mean of a date", "metric m: mean does not apply to a date field");
    expected.put("unknown field", "metric m: unknown field \"zz\"; the rows have a, day, x");
    expected.put("sum without a field", "metric m: sum needs a field");
    expected.put("double key", "groupBy: x: a double cannot be a group-by key");
    expected.put("unknown key", "groupBy: unknown field \"g\"");
    expected.put("metric named as a key", "metric a: \"a\" is already an output column");
    List<AggregationSpec> aggregations = List.of(
        AggregationSpec.of(List.of("a"), List.of(MetricSpec.of("m", MetricSpec.Op.MEAN, "day"))),
        AggregationSpec.of(List.of("a"), List.of(MetricSpec.of("m", MetricSpec.Op.SUM, "zz"))),
        AggregationSpec.of(List.of("a"), List.of(MetricSpec.of("m", MetricSpec.Op.SUM, null))),
        AggregationSpec.of(List.of("x"), List.of(MetricSpec.of("m", MetricSpec.Op.COUNT, null))),
        AggregationSpec.of(List.of("g"), List.of(MetricSpec.of("m", MetricSpec.Op.COUNT, null))),
        AggregationSpec.of(List.of("a"), List.of(MetricSpec.of("a", MetricSpec.Op.COUNT, null))));
    int i = 0;
    for (Map.Entry<String, String> e : expected.entrySet()) {
      Transform t = Transform.of(fields).withAggregation(aggregations.get(i++));
      assertThat(e.getKey(), refusal(t::outputColumns), containsString("aggregate: " + e.getValue()));
    }
    p.enableAbandonedNodeEnforcement(false);
  }

  static List<String> readLines(String dir) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of(dir))) {
      for (Path f : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
        String name = f.getFileName().toString();
        if (!name.startsWith("_") && !name.startsWith(".")) { // metadata: _SUCCESS, _run, the lock and manifest
          out.addAll(Files.readAllLines(f));
        }
      }
    }
    return out;
  }
}
