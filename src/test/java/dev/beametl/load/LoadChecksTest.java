package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SinkSpec;
import java.util.List;
import org.junit.Test;

/** A SinkSpec built in Java gets the checks a spec's sink section makes (a trial's misuses all ran). */
public class LoadChecksTest {
  private static final OutputColumns COLUMNS = OutputColumns.derivedRows(List.of(
      FieldSpec.builder("reg", FieldType.of(FieldType.Kind.STRING)).build(),
      FieldSpec.builder("score", FieldType.of(FieldType.Kind.DOUBLE)).build(),
      FieldSpec.builder("n", FieldType.of(FieldType.Kind.LONG)).build()), List.of(), false);

  private static String problem(SinkSpec.Builder sink) {
    return Load.layoutProblem(sink.build(), COLUMNS);
  }

  private static SinkSpec.Builder parquet() {
    return SinkSpec.builder("/tmp/unused", SinkSpec.Format.PARQUET);
  }

  @Test
  public void partitionsAndShardsAreCheckedAsASpecChecksThem() {
    assertThat(problem(parquet().setPartitionBy(List.of("reg"))), nullValue());
    assertThat(problem(parquet().setPartitionBy(List.of("score"))), containsString("a double cannot name a directory"));
    assertThat(problem(parquet().setPartitionBy(List.of("reg", "reg"))), containsString("lists reg twice"));
    assertThat(problem(parquet().setPartitionBy(List.of("reg", "n"))), nullValue());
    assertThat(Load.layoutProblem(parquet().setPartitionBy(List.of("reg")).build(), OutputColumns.derivedRows(List.of(
        FieldSpec.builder("reg", FieldType.of(FieldType.Kind.STRING)).build()), List.of(), false)),
        containsString("every output column"));
    assertThat(problem(parquet().setPartitionBy(List.of("nope"))), containsString("nope is not an output column"));
    assertThat(problem(parquet().setShards(-3)), containsString("shards -3"));
  }
}
