package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;

import dev.beametl.extract.Extract;
import dev.beametl.load.Load;
import dev.beametl.spec.AggregationSpec;
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
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollectionTuple;
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

    PCollectionTuple valid = p
        .apply("Extract", Extract.from(source).withSchemaFields(List.of("region", "amount", "qty")))
        .apply("Validate", Validate.against(source, fields));
    valid.get(Validate.VALID)
        .apply("Transform", transform)
        .get(Transform.RESULT)
        .apply("Load", Load.to(SinkSpec.builder(output, SinkSpec.Format.JSONL).setShards(1).build(),
            transform.outputColumns()));
    p.run().waitUntilFinish();

    assertThat(readLines(output), containsInAnyOrder(
        "{\"region\":\"EU\",\"revenue\":21.00,\"orders\":1}",
        "{\"region\":\"NA\",\"revenue\":3.25,\"orders\":1}"));
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
