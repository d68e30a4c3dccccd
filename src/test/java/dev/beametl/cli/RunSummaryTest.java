package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.pipeline.Specs;
import dev.beametl.spec.PipelineSpec;
import java.util.List;
import java.util.Map;
import org.junit.Test;

/** The summary's lines say what their numbers count. */
public class RunSummaryTest {
  private static final PipelineSpec SPEC = Specs.parse(String.join("\n", "version: 1",
      "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}]",
      "sink: {format: csv, path: out}", "deadLetter: {maxBadRatio: 0.6}", ""), "t", List.of());

  /**
   * The limit's ratio counts records failed after validation too; shown beside the bad records alone,
   * "bad 0 50.00%" read as a wrong number. It now says what it counts when there are such records.
   */
  @Test
  public void theBadLinesRatioSaysWhenItCountsRecordsFailedAfterValidation() {
    String failed = new RunSummary(SPEC, Map.of("read", 4L, "valid", 4L, "bad", 0L, "failed", 2L, "kept", 2L), 1, "r")
        .render();
    assertThat(failed, containsString("50.00% with those failed after validation (max 60.00%)"));
    String badOnly = new RunSummary(SPEC, Map.of("read", 4L, "valid", 3L, "bad", 1L, "kept", 3L), 1, "r").render();
    assertThat(badOnly, containsString("25.00% (max 60.00%)"));
    assertThat(badOnly, not(containsString("failed after validation")));
  }

  /** A per-reason ratio at exactly its limit is within it, as maxBadRatio's is (0.29 * 100 < 29 in floating point). */
  @Test
  public void aPerReasonRatioAtItsLimitIsWithinIt() {
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1", "source: {path: in.csv, format: csv}",
        "schema: [{name: id, type: long}]", "sink: {format: csv, path: out}",
        "deadLetter: {maxBadRatio: 0.5, maxBad: {out_of_range: 0.29}}", ""), "t", List.of());
    RunSummary atLimit = new RunSummary(spec, Map.of("read", 100L, "valid", 71L, "bad", 29L,
        "bad.out_of_range:id", 29L, "kept", 71L), 1, "r");
    assertThat(atLimit.exceededLimits(), org.hamcrest.Matchers.empty());
    RunSummary over = new RunSummary(spec, Map.of("read", 100L, "valid", 70L, "bad", 30L,
        "bad.out_of_range:id", 30L, "kept", 70L), 1, "r");
    assertThat(over.exceededLimits().size(), is(1));
  }

  /** A limit on a field covers the misses of a lookup on that field and another: lookup_miss:store,product. */
  @Test
  public void aFieldLimitCoversALookupMissOnSeveralFields() {
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1", "source: {path: in.csv, format: csv}",
        "schema: [{name: store, type: string}, {name: product, type: string}]",
        "lookups:", "  - name: ref", "    source: {path: ref.csv, format: csv}",
        "    schema: [{name: s, type: string}, {name: p, type: string}, {name: label, type: string}]",
        "    key: [s, p]", "    on: [store, product]", "    fields: [label]",
        "sink: {format: csv, path: out}", "deadLetter: {maxBadRatio: 0.5, maxBad: {product: 0}}", ""), "t", List.of());
    RunSummary missed = new RunSummary(spec, Map.of("read", 10L, "valid", 10L, "failed", 1L,
        "failed.lookup_miss:store,product", 1L, "kept", 9L), 1, "r");
    assertThat(missed.exceededLimits(), contains(containsString("1 records were bad for product")));
  }

  /**
   * A reference table's bad rows are held to the run's ratio within the table: a table whose column
   * was renamed (every row bad) gave every joined row nulls, and the run succeeded.
   */
  @Test
  public void aReferenceTableOverTheBadRatioFailsTheLimits() {
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}, {name: code, type: string}]",
        "lookups:", "  - name: ref", "    source: {path: ref.csv, format: csv}",
        "    schema: [{name: code, type: string}, {name: label, type: string}]",
        "    key: code", "    on: code", "    fields: [label]", "    onMissing: nulls",
        "sink: {format: csv, path: out}", "deadLetter: {maxBadRatio: 0.25}", ""), "t", List.of());
    Map<String, Long> counts = Map.of("read", 100L, "valid", 100L, "kept", 100L, "lookup.ref.read", 4L,
        "lookup.ref.rows", 2L);
    RunSummary atLimit = new RunSummary(spec, with(counts, "lookup.ref.bad", 1L), 1, "r");
    assertThat(atLimit.withinBadRatio(), is(true));
    RunSummary over = new RunSummary(spec, with(counts, "lookup.ref.bad", 2L), 1, "r");
    assertThat(over.withinBadRatio(), is(false));
    assertThat(over.exceededLimits(), contains(
        "2 of the 4 rows of lookup ref's reference table were bad (50.00%), more than deadLetter.maxBadRatio 25.00%"));
  }

  /**
   * Two trials: an empty reference table (a truncated export), and one whose added field's column was
   * renamed (a nullable field: no row bad), gave every row nulls with onMissing: nulls, exit 0.
   */
  @Test
  public void aReferenceTableThatGivesEveryRowNullsFailsTheLimits() {
    PipelineSpec spec = Specs.parse(String.join("\n", "version: 1",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}, {name: code, type: string}]",
        "lookups:", "  - name: ref", "    source: {path: ref.csv, format: csv}",
        "    schema: [{name: code, type: string}, {name: label, type: string, nullable: true}]",
        "    key: code", "    on: code", "    fields: [label]", "    onMissing: nulls",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    Map<String, Long> counts = Map.of("read", 100L, "valid", 100L, "kept", 100L, "lookup.ref.read", 0L,
        "lookup.ref.missed", 100L);
    assertThat(new RunSummary(spec, counts, 1, "r").exceededLimits(), contains(
        "lookup ref's reference table has no rows, so every row got nulls: check its source (ref.csv), or say "
            + "allowEmpty: true"));
    PipelineSpec expected = Specs.parse(String.join("\n", "version: 1",
        "source: {path: in.csv, format: csv}", "schema: [{name: id, type: long}, {name: code, type: string}]",
        "lookups:", "  - name: ref", "    source: {path: ref.csv, format: csv}",
        "    schema: [{name: code, type: string}, {name: label, type: string, nullable: true}]",
        "    key: code", "    on: code", "    fields: [label]", "    onMissing: nulls", "    allowEmpty: true",
        "sink: {format: csv, path: out}", ""), "t", List.of());
    assertThat("a list of exceptions may be empty", new RunSummary(expected, counts, 1, "r").exceededLimits(),
        org.hamcrest.Matchers.empty());
    Map<String, Long> renamed = with(with(counts, "lookup.ref.rows", 4L), "lookup.ref.absent.label", 4L);
    assertThat(new RunSummary(spec, renamed, 1, "r").exceededLimits(), contains(containsString(
        "4 rows of lookup ref's reference table have no column for label, a field it adds")));
    assertThat(new RunSummary(spec, with(counts, "lookup.ref.rows", 4L), 1, "r").exceededLimits(),
        org.hamcrest.Matchers.empty());
  }

  private static Map<String, Long> with(Map<String, Long> counts, String name, long n) {
    Map<String, Long> more = new java.util.HashMap<>(counts);
    more.put(name, n);
    return more;
  }
}
