package dev.beametl.transform;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasItem;

import dev.beametl.TestRows;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.OutputColumns;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.validate.Validate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.Rule;
import org.junit.Test;

public class TransformTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();

  private static final String SCHEMA = String.join("\n",
      "version: 1",
      "source: {path: x.csv, format: csv, csv: {header: false}}",
      "schema:",
      "  - {name: k, type: category, values: [a, b, c]}",
      "  - {name: k2, type: string}",
      "  - {name: q, type: int, nullable: true}",
      "  - {name: price, type: 'decimal(6,2)'}",
      "  - {name: d, type: date}",
      "  - {name: ts, type: timestamp}",
      "  - {name: x, type: double, nullable: true}",
      "sink: {format: parquet, path: out/t}",
      "");

  private static final String[] LINES = {
      "a,u,2,0.10,2024-01-01,2024-01-01T00:00:00Z,0.5",
      "a,u,3,0.20,2024-03-01,2024-01-02T00:00:00Z,",
      "a,v,,0.30,2024-02-01,2024-01-03T00:00:00Z,1.5",
      "b,w,1,1.00,2023-12-31,2024-01-04T00:00:00Z,",
      "b,w,1,1.00,2023-12-30,2024-01-05T00:00:00Z,2.5",
  };

  private PCollectionTuple run(String specTail) {
    return run(specTail, false);
  }

  /** The pipeline's primitive steps in order, by full name; a GroupByKey's with "shuffle:" before it. */
  private List<String> steps() {
    List<String> steps = new ArrayList<>();
    p.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        steps.add((node.getTransform() instanceof GroupByKey ? "shuffle:" : "") + node.getFullName());
      }
    });
    return steps;
  }

  private static List<SourceRecord> records() {
    List<SourceRecord> records = new ArrayList<>();
    for (int i = 0; i < LINES.length; i++) {
      records.add(SourceRecord.of("x.csv", i * 100L, 0, LINES[i], null, false));
    }
    return records;
  }

  private PCollectionTuple run(String specTail, boolean naive) {
    PipelineSpec spec = Specs.parse(SCHEMA + specTail, "t", List.of());
    PCollectionTuple validated = p.apply(Create.of(records()).withCoder(SourceRecord.RecordCoder.of()))
        .apply(Validate.against(spec.source(), spec.schema()).withCategoryEncoding(spec.encodeCategories())
            .withOrigins(true)); // as EtlPipeline does: rows carry origins into Transform, which drops them
    return validated.get(Validate.VALID).apply(Transform.fromSpec(spec).withNaiveGrouping(naive));
  }

  /** A Transform built in Java gets a spec's rules for names (a trial's derived Amount beside amount ran). */
  @Test
  public void derivedNamesFollowTheSpecsRules() {
    List<dev.beametl.spec.FieldSpec> fields = List.of(
        dev.beametl.spec.FieldSpec.builder("amount", dev.beametl.spec.FieldType.of(dev.beametl.spec.FieldType.Kind.LONG))
            .build());
    for (String[] bad : new String[][] {{"Amount", "differs from amount only in case"}, {"a b", "not a field name"},
        {"amount", "named twice"}}) {
      Transform t = Transform.of(fields).withDerivedField(dev.beametl.spec.DerivedFieldSpec.of(bad[0],
          dev.beametl.spec.FieldType.of(dev.beametl.spec.FieldType.Kind.LONG), "amount * 2"));
      IllegalArgumentException e = org.junit.Assert.assertThrows(IllegalArgumentException.class,
          () -> t.expand(p.apply(bad[0], Create.empty(org.apache.beam.sdk.schemas.SchemaCoder.of(
              dev.beametl.record.OutputColumns.derivedRows(fields, List.of(), true).beamSchema())))));
      org.hamcrest.MatcherAssert.assertThat(e.getMessage(), org.hamcrest.Matchers.containsString(bad[1]));
    }
    p.enableAbandonedNodeEnforcement(false);
  }

  @Test
  public void everyMetricPerGroupExactDecimals() {
    checkEveryMetric(false);
  }

  /** The benchmark's anti-pattern (GroupByKey and a loop) must compute the very same rows. */
  @Test
  public void naiveGroupingGivesTheSameRows() {
    checkEveryMetric(true);
  }

  /**
   * Aggregate on its own, as a Java caller applies it to rows (those without an aggregate's
   * Transform), keys them in a step of its own: the same rows as through Transform.
   */
  @Test
  public void aggregateOnItsOwnGivesTheSameRows() {
    PipelineSpec spec = Specs.parse(SCHEMA + EVERY_METRIC, "t", List.of());
    PipelineSpec withoutAggregate = spec.toBuilder().setAggregation(null).build();
    Transform derive = Transform.fromSpec(withoutAggregate);
    OutputColumns derived = derive.outputColumns();
    PCollectionTuple validated = p.apply(Create.of(records()).withCoder(SourceRecord.RecordCoder.of()))
        .apply(Validate.against(spec.source(), spec.schema()).withCategoryEncoding(spec.encodeCategories())
            .withOrigins(true));
    PCollection<Row> rows = validated.get(Validate.VALID).apply(derive).get(Transform.RESULT);
    PCollection<Row> out = rows.apply(Aggregate.of(spec.aggregation(), derived,
        Transform.fromSpec(spec).outputColumns().beamSchema()));
    PAssert.that(out.apply("render", TestRows.rendered())).containsInAnyOrder(EVERY_METRIC_ROWS);
    assertThat(steps(), hasItem("Aggregate/Key by k"));
    p.run();
  }

  private static final String EVERY_METRIC = String.join("\n",
        "derive:",
        "  - {name: total, type: 'decimal(12,2)', expr: 'coalesce(q, 0) * price / 3'}",
        "aggregate:",
        "  groupBy: [k]",
        "  metrics:",
        "    - {name: n, op: count}",
        "    - {name: nq, op: count, field: q}",
        "    - {name: sq, op: sum, field: q}",
        "    - {name: st, op: sum, field: total}",
        "    - {name: sx, op: sum, field: x}",
        "    - {name: minp, op: min, field: price}",
        "    - {name: maxd, op: max, field: d}",
        "    - {name: maxts, op: max, field: ts}",
        "    - {name: mink2, op: min, field: k2}",
        "    - {name: avgp, op: mean, field: price}",
        "    - {name: avgq, op: mean, field: q}",
        "    - {name: dk2, op: count_distinct, field: k2}",
        "    - {name: metrics, op: count_distinct, field: q}", // the join's own tag was named so
        "");

  // a: totals 2*0.10/3=0.0667->0.07, 3*0.20/3=0.20, 0*0.30/3=0.00; mean price 0.60/3 = 0.20000000
  private static final String[] EVERY_METRIC_ROWS = {
      "k=a n=3 nq=2 sq=5 st=0.27 sx=2.0 minp=0.10 maxd=2024-03-01 maxts=2024-01-03T00:00:00Z mink2=u "
          + "avgp=0.20000000 avgq=2.5 dk2=2 metrics=2",
      "k=b n=2 nq=2 sq=2 st=0.66 sx=2.5 minp=1.00 maxd=2023-12-31 maxts=2024-01-05T00:00:00Z mink2=w "
          + "avgp=1.00000000 avgq=1.0 dk2=1 metrics=1"};

  private void checkEveryMetric(boolean naive) {
    PCollectionTuple out = run(EVERY_METRIC, naive);
    PAssert.that(out.get(Transform.RESULT).apply("render", TestRows.rendered())).containsInAnyOrder(EVERY_METRIC_ROWS);
    p.run();
  }

  private static final String GLOBAL_METRICS = String.join("\n",
      "aggregate:",
      "  groupBy: []",
      "  metrics:",
      "    - {name: n, op: count}",
      "    - {name: sq, op: sum, field: q}",
      "    - {name: minp, op: min, field: price}",
      "    - {name: dk2, op: count_distinct, field: k2}",
      "");

  /** Without a group-by, one row as SQL gives it: over no input, counts 0 and the other metrics null. */
  @Test
  public void aGlobalAggregateOverNoInputGivesOneRow() {
    PAssert.that(run("filter: \"k == 'c'\"\n" + GLOBAL_METRICS).get(Transform.RESULT).apply("render", TestRows.rendered()))
        .containsInAnyOrder("n=0 sq=null minp=null dk2=0");
    p.run();
  }

  /** ...and over rows, just the one row of totals. */
  @Test
  public void aGlobalAggregateOverRowsGivesTheTotals() {
    PAssert.that(run(GLOBAL_METRICS).get(Transform.RESULT).apply("render", TestRows.rendered()))
        .containsInAnyOrder("n=5 sq=7 minp=0.10 dk2=3");
    p.run();
  }

  @Test
  public void derivedFieldsFilterAndTwoKeyGroupBy() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: month, type: int, expr: 'month(d)'}",
        "  - {name: big, type: boolean, expr: 'price >= 1'}",
        "filter: \"d >= date('2024-01-01') || k == 'b'\"",
        "aggregate:",
        "  groupBy: [k, big]",
        "  metrics:",
        "    - {name: months, op: sum, field: month}",
        ""));
    PAssert.that(out.get(Transform.RESULT).apply("render", TestRows.rendered())).containsInAnyOrder(
        "k=a big=false months=6", "k=b big=true months=24");
    PAssert.that(out.get(BundleCounts.TAG).apply("sum", Sum.longsPerKey()).apply("show", MapElements.into(TypeDescriptors.strings())
        .via(kv -> kv.getKey() + "=" + kv.getValue()))).containsInAnyOrder("kept=5");
    p.run();
  }

  @Test
  public void copyJobKeepsEveryColumnAndCountsFiltered() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: label, type: string, expr: \"upper(k) + '-' + k2\"}",
        "filter: 'x != null'",
        ""));
    PAssert.that(out.get(Transform.RESULT).apply("render", TestRows.rendered())).containsInAnyOrder(
        "k=a k2=u q=2 price=0.10 d=2024-01-01 ts=2024-01-01T00:00:00Z x=0.5 label=A-u",
        "k=a k2=v q=null price=0.30 d=2024-02-01 ts=2024-01-03T00:00:00Z x=1.5 label=A-v",
        "k=b k2=w q=1 price=1.00 d=2023-12-30 ts=2024-01-05T00:00:00Z x=2.5 label=B-w");
    PAssert.that(out.get(BundleCounts.TAG).apply("sum", Sum.longsPerKey()).apply("show", MapElements.into(TypeDescriptors.strings())
        .via(kv -> kv.getKey() + "=" + kv.getValue()))).containsInAnyOrder("kept=3", "filtered=2");
    p.run();
  }

  /** A form the expression compiler leaves to JEXL's interpreter (a coalesce of one argument) works the same. */
  @Test
  public void expressionsTheCompilerDoesNotCoverRunOnJexl() {
    String filter = "coalesce(k2) =~ '[uv]' && price > 0.15";
    org.hamcrest.MatcherAssert.assertThat(CompiledExpression.compile(ExpressionEngine.compile(filter),
        org.apache.beam.sdk.schemas.Schema.builder().addStringField("k2").addDecimalField("price").build()),
        org.hamcrest.Matchers.nullValue());
    PCollectionTuple out = run("filter: \"" + filter + "\"\n");
    PAssert.that(out.get(Transform.RESULT).apply("render", TestRows.rendered())).containsInAnyOrder(
        "k=a k2=u q=3 price=0.20 d=2024-03-01 ts=2024-01-02T00:00:00Z x=null",
        "k=a k2=v q=null price=0.30 d=2024-02-01 ts=2024-01-03T00:00:00Z x=1.5");
    p.run();
  }

  @Test
  public void expressionFailuresBecomeBadRecords() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: per_unit, type: 'decimal(8,2)', expr: 'price / q'}",
        ""));
    PAssert.that(out.get(Transform.BAD).apply("describe", MapElements.into(TypeDescriptors.strings())
        .via((BadRecord b) -> b.origin() + " " + b.stage() + " " + b.countKey() + " " + b.payloadFormat().label()
            + " " + b.payload())))
        .containsInAnyOrder("x.csv@byte 200 transform expression:per_unit values "
            + "{\"k\":\"a\",\"k2\":\"v\",\"q\":null,\"price\":0.30,\"d\":\"2024-02-01\","
            + "\"ts\":\"2024-01-03T00:00:00Z\",\"x\":1.5}");
    PAssert.that(out.get(Transform.RESULT)).satisfies(rows -> {
      org.hamcrest.MatcherAssert.assertThat(rows, org.hamcrest.Matchers.iterableWithSize(4));
      return null;
    });
    p.run();
  }

  /**
   * With an aggregation, one step derives, filters and keys each row (a step of its own for the
   * keying cost every row the runner's per-element work again): its dead letters, its counts and the
   * groups are those of the two steps it replaces.
   */
  @Test
  public void oneStepDerivesFiltersAndKeysForTheAggregation() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: per_unit, type: 'decimal(8,2)', expr: 'price / q'}",
        "filter: \"k2 != 'u' || q == 3\"",
        "aggregate:",
        "  groupBy: [k]",
        "  metrics:",
        "    - {name: n, op: count}",
        "    - {name: s, op: sum, field: per_unit}",
        "    - {name: dk2, op: count_distinct, field: k2}",
        ""));
    PAssert.that(out.get(Transform.BAD).apply("describe", MapElements.into(TypeDescriptors.strings())
        .via((BadRecord b) -> b.origin() + " " + b.countKey())))
        .containsInAnyOrder("x.csv@byte 200 expression:per_unit");
    PAssert.that(out.get(Transform.RESULT).apply("render", TestRows.rendered())).containsInAnyOrder(
        "k=a n=1 s=0.07 dk2=1", "k=b n=2 s=2.00 dk2=1");
    PAssert.that(out.get(BundleCounts.TAG).apply("sum", Sum.longsPerKey()).apply("show", MapElements.into(TypeDescriptors.strings())
        .via(kv -> kv.getKey() + "=" + kv.getValue())))
        .containsInAnyOrder("kept=3", "filtered=1", "failed=1", "failed.expression:per_unit=1");
    // Transform's steps up to its first shuffle: the one that derives, filters and keys
    List<String> steps = new ArrayList<>();
    for (String step : steps()) {
      if (step.replace("shuffle:", "").startsWith("Transform/") && !steps.contains("shuffle")) {
        steps.add(step.startsWith("shuffle:") ? "shuffle" : step);
      }
    }
    assertThat(steps, contains("Transform/Derive fields, filter and key by k", "shuffle"));
    p.run();
  }

  @Test
  public void aDivisionByZeroSaysWhereItHappened() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: ok, type: long, expr: 'q'}",
        "  - {name: spread, type: 'decimal(8,2)', expr: 'price / (q - 1)'}",
        ""));
    PAssert.that(out.get(Transform.BAD).apply("reasons", MapElements.into(TypeDescriptors.strings())
        .via((BadRecord b) -> b.field() + ": " + b.reason())))
        .containsInAnyOrder("spread: division by zero in derive[1] (spread)",
            "spread: division by zero in derive[1] (spread)",
            "spread: variable 'q' is null in derive[1] (spread)");
    p.run();
  }

  /**
   * A derived double is finite, as a double read from the input is (a hostile trial: d * d gave
   * Infinity in the output): an overflow is the row's dead letter.
   */
  @Test
  public void aDerivedDoubleThatOverflowsIsADeadLetter() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: huge, type: double, expr: 'coalesce(x, 0.5) * 1e300 * (q == 3 ? 1e300 : 1)'}",
        ""));
    PAssert.that(out.get(Transform.BAD).apply("reasons", MapElements.into(TypeDescriptors.strings())
        .via((BadRecord b) -> b.origin() + " " + b.field() + ": " + b.reason())))
        .containsInAnyOrder("x.csv@byte 100 huge: Infinity is not a finite double in derive[0] (huge)");
    PAssert.that(out.get(Transform.RESULT)).satisfies(rows -> {
      org.hamcrest.MatcherAssert.assertThat(rows, org.hamcrest.Matchers.iterableWithSize(4));
      return null;
    });
    p.run();
  }

  /**
   * A derived date or timestamp holds what one read from the input holds (a trial: a timestamp with
   * nanoseconds was written with them to CSV and cut to microseconds in Parquet; one past the range
   * failed the Parquet run with a long overflow; a date past it came out of Parquet as another day):
   * beyond it, the row's dead letter.
   */
  @Test
  public void aDerivedDateOrTimestampBeyondItsTypeIsADeadLetter() {
    PCollectionTuple out = run(String.join("\n",
        "derive:",
        "  - {name: t, type: timestamp, expr: \"q == 2 ? timestamp('2024-01-31T10:00:00.1234567Z')"
            + " : timestamp('2024-01-31T10:00:00.123456Z')\"}",
        "  - {name: day, type: date, expr: \"k2 == 'v' ? date('+300000-01-01') : date(ts)\"}",
        "  - {name: late, type: timestamp, expr: \"k2 == 'w' && q == 1 && x == null ? timestamp('+294247-01-11T00:00:00Z') : ts\"}",
        ""));
    PAssert.that(out.get(Transform.BAD).apply("reasons", MapElements.into(TypeDescriptors.strings())
        .via((BadRecord b) -> b.origin() + " " + b.field() + ": " + b.reason())))
        .containsInAnyOrder(
            "x.csv@byte 0 t: 2024-01-31T10:00:00.123456700Z is more precise than a microsecond, the finest a "
                + "timestamp holds here in derive[0] (t)",
            "x.csv@byte 200 day: +300000-01-01 is out of range: dates lie between -290308-12-22 and +294247-01-10"
                + " here (microseconds since 1970 in 64 bits, as Parquet and Avro store timestamps) in derive[1] (day)",
            "x.csv@byte 300 late: +294247-01-11T00:00:00Z is out of range: timestamps lie between "
                + "-290308-12-21T19:59:05.224192Z and +294247-01-10T04:00:54.775807Z here (microseconds since 1970"
                + " in 64 bits, as Parquet and Avro store timestamps) in derive[2] (late)");
    PAssert.that(out.get(Transform.RESULT)).satisfies(rows -> {
      org.hamcrest.MatcherAssert.assertThat(rows, org.hamcrest.Matchers.iterableWithSize(2));
      return null;
    });
    p.run();
  }
}
