package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.util.List;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** A table sink's set-up fails before the run, and says why in terms of the spec. */
public class TableSinkTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aColumnNamedForAnSqlKeywordIsNamedAsTheLikelyCauseWithItsFix() {
    PipelineSpec spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}, {name: month, type: int}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: 'jdbc:h2:mem:keywords', user: sa, "
            + "table: t, mode: overwrite, createTable: true}}", ""), "t", List.of());
    SpecException e = assertThrows(SpecException.class, () -> TableSink.prepare(spec, "0badc0de"));
    assertThat(e.getMessage(), allOf(containsString("sink.jdbc: Syntax error"), containsString("month"),
        containsString("a column name may be an SQL keyword"), containsString(";NON_KEYWORDS=<NAME>")));
  }
}
