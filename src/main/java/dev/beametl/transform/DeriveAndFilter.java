package dev.beametl.transform;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.Origins;
import dev.beametl.record.RowJson;
import dev.beametl.spec.DerivedFieldSpec;
import java.util.Arrays;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.commons.jexl3.JexlException;
import org.apache.commons.jexl3.JexlScript;

/**
 * Computes derived fields and applies the filter, row by row. Expressions are compiled once per
 * worker in {@code @Setup} ({@link CompiledExpression}; JEXL's interpreter for what it does not
 * cover). A row whose expression fails at run time (a null operand, a division by zero, a result
 * that does not fit its type) goes to the bad records with the reason; a row the filter rejects is
 * counted as filtered. Counts: {@code kept}, {@code filtered}, {@code failed}. What a kept row
 * becomes is the subclass's: a row ({@link Kept}), or its keyed forms for an aggregation
 * ({@link ThenKey}).
 */
abstract class DeriveAndFilter<OutputT> extends DoFn<Row, OutputT> {
  static final TupleTag<Row> KEPT = new TupleTag<>("kept") {};
  static final String STAGE = "transform";

  /** Input rows end with their origin, which names their dead letters and is not passed on. */
  private final boolean withOrigin;
  private final int dataFields;
  final Schema outputSchema;
  private final List<DerivedFieldSpec> derived;
  private final @Nullable String filter;
  private transient CompiledExpression.Eval[] expressions;
  private transient CompiledExpression.Eval filterExpression;
  private transient BundleCounts counts;
  private transient long[] kept;
  private transient long[] filtered;

  DeriveAndFilter(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter) {
    this.withOrigin = Origins.carried(inputSchema);
    this.dataFields = Origins.dataFields(inputSchema);
    this.outputSchema = outputSchema;
    this.derived = List.copyOf(derived);
    this.filter = filter;
  }

  /** The kept rows as rows of the output schema. */
  static DeriveAndFilter<Row> rows(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived,
      @Nullable String filter) {
    return new Kept(inputSchema, outputSchema, derived, filter);
  }

  /** Each kept row keyed as {@code keys} says, without a row in between. */
  static DeriveAndFilter<KV<Row, Row>> thenKey(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived,
      @Nullable String filter, RowKeys keys) {
    return new ThenKey(inputSchema, outputSchema, derived, filter, keys);
  }

  @Setup
  public void setup() {
    expressions = new CompiledExpression.Eval[derived.size()];
    for (int i = 0; i < expressions.length; i++) {
      expressions[i] = evaluator(derived.get(i).expression());
    }
    filterExpression = filter == null ? null : evaluator(filter);
    setupOutput();
  }

  /** The compiled form of an expression, or JEXL's interpreter where the compiler does not reach. */
  private CompiledExpression.Eval evaluator(String expression) {
    JexlScript script = ExpressionEngine.compile(expression);
    CompiledExpression.Eval compiled = CompiledExpression.compile(script, outputSchema);
    if (compiled != null) {
      return compiled;
    }
    RowContext context = new RowContext(outputSchema);
    return values -> {
      context.reset(values);
      return script.execute(context);
    };
  }

  @StartBundle
  public void startBundle() {
    counts = new BundleCounts();
    kept = counts.cell("kept");
    filtered = counts.cell("filtered");
  }

  @ProcessElement
  public void process(@Element Row row, MultiOutputReceiver out) {
    int n = dataFields;
    Object[] values = new Object[outputSchema.getFieldCount()];
    for (int i = 0; i < n; i++) {
      values[i] = row.getValue(i);
    }
    int at = 0; // the derived field being computed; expressions.length: the filter
    try {
      for (; at < expressions.length; at++) {
        values[n + at] = TypeCoercion.to(derived.get(at).type(), expressions[at].eval(values));
      }
      if (filterExpression != null && !Boolean.TRUE.equals(filterExpression.eval(values))) {
        filtered[0]++;
        return;
      }
    } catch (JexlException | IllegalArgumentException | ArithmeticException e) {
      // Named here, for the failing row only: building the name per row cost ~1% of a run.
      String step = at < expressions.length ? derived.get(at).name() : "filter";
      String where = at < expressions.length ? "derive[" + at + "] (" + step + ")" : "the filter";
      String reason = e instanceof JexlException ? ExpressionChecker.clean((JexlException) e) : e.getMessage();
      counts.increment("failed");
      counts.increment("failed.expression:" + step);
      out.get(Transform.BAD).output(BadRecord.of(Origins.of(row), STAGE, step, BadRecord.Kind.EXPRESSION,
          reason + " in " + where, RowJson.values(row)).replayableAs(BadRecord.PayloadFormat.VALUES, null));
      return;
    }
    kept[0]++;
    keep(row, values, out);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    counts.flush(context);
  }

  /** What the subclass makes in {@code @Setup}. */
  abstract void setupOutput();

  /** Outputs a kept row, given as its input and its output values. */
  abstract void keep(Row input, Object[] values, MultiOutputReceiver out);

  /** Whether a kept row is the input row itself: nothing derived and no origin to drop. */
  boolean passesRowOn() {
    return derived.isEmpty() && !withOrigin;
  }

  /** The kept rows, on {@link #KEPT}. */
  private static final class Kept extends DeriveAndFilter<Row> {
    /** attachValues leaves a builder empty, so one serves every row. */
    private transient Row.Builder rows;

    Kept(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter) {
      super(inputSchema, outputSchema, derived, filter);
    }

    @Override
    void setupOutput() {
      rows = Row.withSchema(outputSchema);
    }

    @Override
    void keep(Row input, Object[] values, MultiOutputReceiver out) {
      out.get(KEPT).output(passesRowOn() ? input : rows.attachValues(Arrays.asList(values)));
    }
  }

  /**
   * Each kept row keyed as {@link RowKeys} says: a step of its own for the keying cost every kept row
   * the runner's per-element work once more (on the DirectRunner, also its encoding checks) and a row.
   */
  private static final class ThenKey extends DeriveAndFilter<KV<Row, Row>> {
    private final RowKeys keys;

    ThenKey(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter,
        RowKeys keys) {
      super(inputSchema, outputSchema, derived, filter);
      this.keys = keys;
    }

    @Override
    void setupOutput() {
      keys.setup();
    }

    @Override
    void keep(Row input, Object[] values, MultiOutputReceiver out) {
      keys.output(i -> values[i], out);
    }
  }
}
