package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import dev.beametl.record.DataError;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;

/** Hive's directory names, and the cap on partitions counted over the whole run. */
public class PartitionedWriteTest {
  @Rule public final transient TestPipeline p = TestPipeline.create().enableAbandonedNodeEnforcement(false);
  @Rule public final org.junit.rules.TemporaryFolder tmp = new org.junit.rules.TemporaryFolder();

  @Test
  public void valuesCannotLeaveTheirDirectory() {
    assertThat(HivePartitions.directory("region", "EU"), is("region=EU"));
    assertThat(HivePartitions.directory("name", "a/b"), is("name=a%2Fb"));
    assertThat(HivePartitions.directory("name", "x=y"), is("name=x%3Dy"));
    assertThat(HivePartitions.directory("name", "../.."), is("name=..%2F.."));
    assertThat(HivePartitions.directory("name", "50%"), is("name=50%25"));
    assertThat(HivePartitions.directory("name", "tab\there\u007f"), is("name=tab%09here%7F"));
    assertThat(HivePartitions.directory("a=b", "c"), is("a%3Db=c"));
    assertThat("spaces and letters stay", HivePartitions.directory("name", "São Paulo"), is("name=São Paulo"));
  }

  @Test
  public void nullAndEmptyGoToHivesDefaultPartition() {
    assertThat(HivePartitions.directory("name", null), is("name=__HIVE_DEFAULT_PARTITION__"));
    assertThat(HivePartitions.directory("name", ""), is("name=__HIVE_DEFAULT_PARTITION__"));
  }

  /**
   * A trial: rows whose partition value was "" went to the nulls' directory without a word, and read
   * back as null. They still go there (Hive's rule, which Spark and Hive read), and the run's summary
   * counts them per column with a warning; nulls and other values are not counted.
   */
  @Test
  public void emptyPartitionValuesAreWrittenWithTheNullsAndCounted() throws Exception {
    java.nio.file.Path out = tmp.getRoot().toPath().resolve("out");
    dev.beametl.cli.EtlJobTest.Run run = SpecRuns.csvThrough(tmp,
        "id,region,kind\n1,EU,a\n2,,a\n3,\"\",b\n4,__HIVE_DEFAULT_PARTITION__,\n5,NA,\n",
        "schema: [{name: id, type: long}, {name: region, type: string, nullable: true},"
            + " {name: kind, type: string, nullable: true}]",
        "sink: {format: csv, path: '" + out + "', partitionBy: [region, kind]}");
    assertThat(run.err, run.code, is(dev.beametl.cli.EtlJob.OK));
    assertThat(run.out, org.hamcrest.Matchers.matchesPattern("(?s).*\\n    region empty +2   warning: written to "
        + "__HIVE_DEFAULT_PARTITION__ with the nulls \\(Hive's rule\\); Spark and Hive read these rows back as null\\n.*"));
    assertThat(run.out, org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("kind empty")));
    assertThat(java.nio.file.Files.exists(out.resolve("region=__HIVE_DEFAULT_PARTITION__/kind=a")), is(true));
  }

  /** DuckDB read the directories name=NULL and name=null as SQL's NULL, not the strings written. */
  @Test
  public void theTextNullIsEscapedSoThatDuckDbReadsTheText() {
    assertThat(HivePartitions.directory("name", "NULL"), is("name=%4EULL"));
    assertThat(HivePartitions.directory("name", "null"), is("name=%6Eull"));
    assertThat(HivePartitions.directory("name", "nUlL"), is("name=%6EUlL"));
    assertThat(HivePartitions.directory("name", "nullable"), is("name=nullable"));
  }

  @Test
  public void typedValuesAsHiveWritesThem() {
    assertThat(HivePartitions.directory("d", LocalDate.of(2024, 2, 29)), is("d=2024-02-29"));
    assertThat(HivePartitions.directory("ts", Instant.parse("2024-02-29T10:15:30.5Z")),
        is("ts=2024-02-29 10%3A15%3A30.500000"));
    assertThat(HivePartitions.directory("amount", new BigDecimal("1E+3")), is("amount=1000"));
    assertThat(HivePartitions.directory("flag", true), is("flag=true"));
  }

  /** A trial: 44 BC went to 45 AD's directory (year of era); a date's directory had the sign. */
  @Test
  public void aYearBeforeOneHasItsSign() {
    assertThat(HivePartitions.directory("ts", Instant.parse("-0044-03-15T12:00:00Z")),
        is("ts=-0044-03-15 12%3A00%3A00.000000"));
    assertThat(HivePartitions.directory("ts", Instant.parse("0045-03-15T12:00:00Z")),
        is("ts=0045-03-15 12%3A00%3A00.000000"));
    assertThat(HivePartitions.directory("d", LocalDate.of(-44, 3, 15)), is("d=-0044-03-15"));
  }

  @Test
  public void theRunsPartitionsWithinTheCapAreCounted() {
    PCollection<KV<String, Long>> out = p.apply(Create.of(3L)).apply(ParDo.of(new PartitionedWrite.CheckCap(3)));
    PAssert.that(out).containsInAnyOrder(KV.of("partitions", 3L));
    p.run().waitUntilFinish();
  }

  @Test
  public void moreThanTheCapOverTheWholeRunFailsIt() {
    p.apply(Create.of(4L)).apply(ParDo.of(new PartitionedWrite.CheckCap(3)));
    Pipeline.PipelineExecutionException e = assertThrows(Pipeline.PipelineExecutionException.class, () -> p.run());
    assertThat(e.getCause(), org.hamcrest.Matchers.instanceOf(DataError.class));
    assertThat(e.getCause().getMessage(), containsString("the data has 4 partitions, more than sink.maxPartitions 3"));
  }
}
