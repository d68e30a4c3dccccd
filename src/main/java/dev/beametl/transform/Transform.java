package dev.beametl.transform;

import com.google.auto.value.AutoValue;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.AggregationSpec;
import dev.beametl.spec.DerivedFieldSpec;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.PipelineSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Transform stage: derived fields, the filter, and the aggregation. Takes the valid rows from
 * Validate; gives {@link #RESULT} rows (shaped by {@link #outputColumns()}), {@link #BAD} rows whose
 * expressions failed, and the counts {@code kept}, {@code filtered}, {@code failed} on
 * {@link BundleCounts#TAG}.
 *
 * <pre>{@code
 * rows.apply(Transform.of(fields)
 *     .withDerivedField(DerivedFieldSpec.of("revenue", FieldType.decimal(18, 2), "quantity * unit_price"))
 *     .withFilter("quantity > 0")
 *     .withAggregation(AggregationSpec.of(List.of("region"), List.of(MetricSpec.of("revenue", SUM, "revenue")))));
 * }</pre>
 */
@AutoValue
public abstract class Transform extends PTransform<PCollection<Row>, PCollectionTuple> {
  public static final TupleTag<Row> RESULT = new TupleTag<>("result") {};
  public static final TupleTag<BadRecord> BAD = new TupleTag<>("transform-bad") {};

  abstract List<FieldSpec> fields();

  abstract List<DerivedFieldSpec> derived();

  abstract @Nullable String filter();

  abstract @Nullable AggregationSpec aggregation();

  abstract boolean encodeCategories();

  abstract boolean naiveGrouping();

  abstract Builder toBuilder();

  /** A transform of rows validated against {@code fields}; with nothing added it passes rows through. */
  public static Transform of(List<FieldSpec> fields) {
    return new AutoValue_Transform.Builder()
        .setFields(List.copyOf(java.util.Objects.requireNonNull(fields,
            "Transform.of: give the fields of the rows it gets (Validate's), not null")))
        .setDerived(List.of())
        .setEncodeCategories(true)
        .setNaiveGrouping(false)
        .build();
  }

  /** Everything a spec declares, over rows with the lookups' fields added. */
  public static Transform fromSpec(PipelineSpec spec) {
    return of(spec.rowFields())
        .withDerivedFields(spec.derived())
        .withFilter(spec.filter())
        .withAggregation(spec.aggregation())
        .withCategoryEncoding(spec.encodeCategories());
  }

  public Transform withDerivedFields(List<DerivedFieldSpec> derived) {
    return toBuilder().setDerived(List.copyOf(derived)).build();
  }

  public Transform withDerivedField(DerivedFieldSpec derived) {
    List<DerivedFieldSpec> all = new java.util.ArrayList<>(derived());
    all.add(derived);
    return withDerivedFields(all);
  }

  /** Keeps rows for which the boolean expression is true; null or false rows are counted as filtered. */
  public Transform withFilter(@Nullable String expression) {
    return toBuilder().setFilter(expression).build();
  }

  public Transform withAggregation(@Nullable AggregationSpec aggregation) {
    return toBuilder().setAggregation(aggregation).build();
  }

  /** Must match how Validate carried the categories. */
  public Transform withCategoryEncoding(boolean encode) {
    return toBuilder().setEncodeCategories(encode).build();
  }

  /** Benchmark only: aggregate with GroupByKey and a loop, see {@link Aggregate#withNaiveGrouping}. */
  public Transform withNaiveGrouping(boolean naive) {
    return toBuilder().setNaiveGrouping(naive).build();
  }

  /** The columns of {@link #RESULT}, with their declared types, for a sink. */
  public OutputColumns outputColumns() {
    checkAggregation();
    return OutputColumns.result(derivedColumns(), aggregation());
  }

  private OutputColumns derivedColumns() {
    return OutputColumns.derivedRows(fields(), derived(), encodeCategories());
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> rows) {
    String input = OutputColumns.derivedRows(fields(), List.of(), encodeCategories()).mismatch(rows.getSchema(),
        "give Transform.of the fields the rows were validated against, in their order (the rows of"
            + " Validate.against(source, fields))");
    if (input != null) { // the steps below read a row's values by position
      throw new IllegalArgumentException("Transform's input: " + input);
    }
    checkNames();
    checkExpressions();
    checkAggregation();
    OutputColumns derivedColumns = derivedColumns();
    Schema derivedSchema = derivedColumns.beamSchema();
    if (aggregation() != null && !naiveGrouping()) {
      return deriveFilterKeyAndAggregate(rows, derivedColumns);
    }
    PCollectionTuple derived = rows.apply(
        "Derive fields and filter",
        ParDo.of(DeriveAndFilter.rows(rows.getSchema(), derivedSchema, derived(), filter()))
            .withOutputTags(DeriveAndFilter.KEPT, TupleTagList.of(BAD).and(BundleCounts.TAG)));
    derived = withCoders(derived);
    PCollection<Row> kept = derived.get(DeriveAndFilter.KEPT).setRowSchema(derivedSchema);
    PCollection<Row> result = aggregation() == null
        ? kept
        : kept.apply("Aggregate", aggregate(derivedColumns));
    return results(result, derived);
  }

  /**
   * Derives, filters and keys each row for the aggregation in one step, then aggregates: a step of
   * its own for the keying cost every kept row the runner's per-element work once more, on the
   * DirectRunner its encoding checks too (the sample there 8.47 -> 7.95 s).
   */
  private PCollectionTuple deriveFilterKeyAndAggregate(PCollection<Row> rows, OutputColumns derivedColumns) {
    Aggregate aggregate = aggregate(derivedColumns);
    RowKeys keys = aggregate.keys(derivedColumns.beamSchema());
    PCollectionTuple derived = rows.apply(
        aggregate.keyingName("Derive fields, filter and key"),
        ParDo.of(DeriveAndFilter.thenKey(rows.getSchema(), derivedColumns.beamSchema(), derived(), filter(), keys))
            .withOutputTags(keys.metricsTag(), keys.pairTags().and(BAD).and(BundleCounts.TAG)));
    derived = withCoders(derived);
    return results(keys.keyedOnly(derived).apply("Aggregate", aggregate.ofKeyed(keys)), derived);
  }

  private Aggregate aggregate(OutputColumns derivedColumns) {
    return Aggregate.of(aggregation(), derivedColumns, outputColumns().beamSchema()).withNaiveGrouping(naiveGrouping());
  }

  private static PCollectionTuple withCoders(PCollectionTuple derived) {
    derived.get(BAD).setCoder(BadRecord.BadRecordCoder.of());
    derived.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return derived;
  }

  /** The result rows, with the bad records and counts of the step that derived them. */
  private static PCollectionTuple results(PCollection<Row> result, PCollectionTuple derived) {
    return PCollectionTuple.of(RESULT, result)
        .and(BAD, derived.get(BAD))
        .and(BundleCounts.TAG, derived.get(BundleCounts.TAG));
  }

  /**
   * A spec's rules for names, for pipelines built in Java: a derived field's name is an identifier,
   * and no two columns differ in case only (sinks and readers match columns ignoring case: a derived
   * Amount beside amount was written as two CSV columns of one name to DuckDB).
   */
  private void checkNames() {
    java.util.Map<String, String> seen = new java.util.HashMap<>();
    List<String> names = new java.util.ArrayList<>();
    fields().forEach(f -> names.add(f.name()));
    for (DerivedFieldSpec d : derived()) {
      if (!FieldSpec.isValidName(d.name())) {
        fail(d.name(), "not a field name: letters, digits and _, starting with a letter or _");
      }
      names.add(d.name());
    }
    for (String name : names) {
      String before = seen.putIfAbsent(name.toLowerCase(java.util.Locale.ROOT), name);
      if (before != null) {
        fail(name, before.equals(name) ? "named twice" : "differs from " + before + " only in case, and columns "
            + "are matched ignoring case: rename it");
      }
    }
  }

  /** The same checks a spec gets, for pipelines built in Java. */
  private void checkExpressions() {
    Map<String, FieldType> scope = new LinkedHashMap<>();
    fields().forEach(f -> scope.put(f.name(), f.type()));
    for (DerivedFieldSpec d : derived()) {
      fail(d.name(), ExpressionChecker.check(d.expression(), scope, d.type()));
      scope.put(d.name(), d.type());
    }
    if (filter() != null) {
      fail("filter", ExpressionChecker.check(filter(), scope, FieldType.of(FieldType.Kind.BOOLEAN)));
    }
  }

  private void checkAggregation() {
    if (aggregation() != null) {
      Map<String, FieldType> scope = new LinkedHashMap<>();
      fields().forEach(f -> scope.put(f.name(), f.type()));
      derived().forEach(d -> scope.put(d.name(), d.type()));
      fail("aggregate", aggregation().problem(scope));
    }
  }

  private static void fail(String where, @Nullable String problem) {
    if (problem != null) {
      throw new IllegalArgumentException(where + ": " + problem);
    }
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setFields(List<FieldSpec> fields);

    abstract Builder setDerived(List<DerivedFieldSpec> derived);

    abstract Builder setFilter(@Nullable String filter);

    abstract Builder setAggregation(@Nullable AggregationSpec aggregation);

    abstract Builder setEncodeCategories(boolean encode);

    abstract Builder setNaiveGrouping(boolean naive);

    abstract Transform build();
  }
}
