package dev.beametl.transform;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.Origins;
import dev.beametl.record.RowJson;
import dev.beametl.spec.DerivedFieldSpec;
import java.io.Serializable;
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
 * counted as filtered. Counts: {@code kept}, {@code filtered}, {@code failed}. {@link ThenKey} does
 * the same and keys each kept row for an aggregation in the same call.
 */
final class DeriveAndFilter extends DoFn<Row, Row> {
  static final TupleTag<Row> KEPT = new TupleTag<>("kept") {};
  static final String STAGE = "transform";

  private final Derivation derivation;
  /** Makes the output rows; attachValues leaves a builder empty, so one serves every row. */
  private transient Row.Builder rows;

  DeriveAndFilter(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter) {
    this.derivation = new Derivation(inputSchema, outputSchema, derived, filter);
  }

  @Setup
  public void setup() {
    derivation.setup();
    rows = Row.withSchema(derivation.outputSchema);
  }

  @StartBundle
  public void startBundle() {
    derivation.startBundle();
  }

  @ProcessElement
  public void process(@Element Row row, MultiOutputReceiver out) {
    Object[] values = derivation.apply(row, out);
    if (values != null) {
      out.get(KEPT).output(derivation.passesRowOn() ? row : rows.attachValues(Arrays.asList(values)));
    }
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    derivation.finishBundle(context);
  }

  /**
   * Derives, filters and keys each kept row as {@link RowKeys} says, without a row in between: a
   * step of its own cost every kept row the runner's per-element work once more (on the
   * DirectRunner, also its encoding checks) and a row.
   */
  static final class ThenKey extends DoFn<Row, KV<Row, Row>> {
    private final Derivation derivation;
    private final RowKeys keys;

    ThenKey(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter,
        RowKeys keys) {
      this.derivation = new Derivation(inputSchema, outputSchema, derived, filter);
      this.keys = keys;
    }

    @Setup
    public void setup() {
      derivation.setup();
      keys.setup();
    }

    @StartBundle
    public void startBundle() {
      derivation.startBundle();
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      Object[] values = derivation.apply(row, out);
      if (values != null) {
        keys.output(i -> values[i], out);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      derivation.finishBundle(context);
    }
  }

  /** The expressions, the filter and the counts of one step. */
  private static final class Derivation implements Serializable {
    private final boolean withOrigin;
    private final int dataFields;
    private final Schema outputSchema;
    private final List<DerivedFieldSpec> derived;
    private final @Nullable String filter;
    private transient CompiledExpression.Eval[] expressions;
    private transient CompiledExpression.Eval filterExpression;
    private transient BundleCounts counts;
    private transient long[] kept;
    private transient long[] filtered;

    Derivation(Schema inputSchema, Schema outputSchema, List<DerivedFieldSpec> derived, @Nullable String filter) {
      this.withOrigin = Origins.carried(inputSchema); // input rows end with their origin: named in dead letters, not passed on
      this.dataFields = Origins.dataFields(inputSchema);
      this.outputSchema = outputSchema;
      this.derived = List.copyOf(derived);
      this.filter = filter;
    }

    void setup() {
      expressions = new CompiledExpression.Eval[derived.size()];
      for (int i = 0; i < expressions.length; i++) {
        expressions[i] = evaluator(derived.get(i).expression());
      }
      filterExpression = filter == null ? null : evaluator(filter);
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

    void startBundle() {
      counts = new BundleCounts();
      kept = counts.cell("kept");
      filtered = counts.cell("filtered");
    }

    /** Whether a kept row is the input row itself: nothing derived and no origin to drop. */
    boolean passesRowOn() {
      return expressions.length == 0 && !withOrigin;
    }

    /**
     * The values of the output row for {@code row}, or null when the filter drops it or an
     * expression fails on it (then its bad record is output, with the reason).
     */
    @Nullable Object[] apply(Row row, MultiOutputReceiver out) {
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
          return null;
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
        return null;
      }
      kept[0]++;
      return values;
    }

    void finishBundle(DoFn<?, ?>.FinishBundleContext context) {
      counts.flush(context);
    }
  }
}
