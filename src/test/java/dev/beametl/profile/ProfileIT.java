package dev.beametl.profile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import dev.beametl.pipeline.RunCounts;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** profile on the sample sales files writes a spec the job runs as it is, catching the type and category errors. */
public class ProfileIT {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theStarterSpecRunsAndCatchesTheSamplesTypeAndCategoryErrors() throws Exception {
    String spec = tmp.getRoot() + "/sales.yaml";
    EtlJobTest.Run profile = new EtlJobTest.Run("profile", "--input=data-samples/sales/*.csv", "--out=" + spec);
    assertThat(profile.err, profile.code, is(EtlJob.OK));

    String out = tmp.getRoot() + "/out";
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=" + spec, "--output=" + out);
    assertThat(run.err, run.code, is(EtlJob.OK));
    var counts = RunCounts.read(out + "/_run");
    // Each bad kind occurs once per sample file.
    assertThat(counts.toString(), counts, hasEntry("bad.type:quantity", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.type:ts", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.not_allowed:region", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.not_allowed:category", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.out_of_range:order_id", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.pattern:product", 2L));
    assertThat(counts.toString(), counts, hasEntry("bad.out_of_range:unit_price", 2L)); // 19.999 in decimal(7,2)
    assertThat(counts.toString(), counts, hasEntry("read", 4530L));
  }

  /**
   * A file quoting every cell, as Python's csv.QUOTE_ALL and many exports write one: quoted cells are
   * their exact text to the job, so a quoted "" is a category value (null to a number) and quoted
   * spaces stay. Profiled as nulls and stripped, the starter spec rejected 84 of these 100 rows.
   */
  @Test
  public void theStarterSpecReadsAFileThatQuotesEveryCell() throws Exception {
    StringBuilder csv = new StringBuilder("\"id\",\"cat\",\"n\",\"pad\"\n");
    for (int i = 0; i < 100; i++) {
      csv.append(String.format("\"%d\",\"%s\",\"%s\",\"%s\"%n", i, new String[] {"a", "b", ""}[i % 3],
          i % 4 == 0 ? "" : String.valueOf(i), i % 2 == 0 ? " x " : "y"));
    }
    java.nio.file.Path in = tmp.getRoot().toPath().resolve("quoted.csv");
    java.nio.file.Files.writeString(in, csv);
    String spec = tmp.getRoot() + "/quoted.yaml";
    EtlJobTest.Run profile = new EtlJobTest.Run("profile", "--input=" + in, "--out=" + spec);
    assertThat(profile.err, profile.code, is(EtlJob.OK));

    String out = tmp.getRoot() + "/quoted-out";
    EtlJobTest.Run run = new EtlJobTest.Run("--pipeline=" + spec, "--output=" + out);
    assertThat(run.err, run.code, is(EtlJob.OK));
    var counts = RunCounts.read(out + "/_run");
    assertThat(counts.toString(), counts, hasEntry("read", 100L));
    assertThat(counts.toString(), counts, hasEntry("valid", 100L));
  }
}
