package dev.beametl.validate;

import com.google.auto.value.AutoValue;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.LiveCounts;
import dev.beametl.record.Origins;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SourceSpec;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Validate stage: the schema gate. Every record becomes a typed {@link Row} on {@link #VALID} or a
 * {@link BadRecord} on {@link #BAD}; nothing is dropped, so read = valid + bad. The counts
 * {@code read}, {@code valid}, {@code bad} and {@code bad.<reason>:<field>} go to {@link BundleCounts#TAG},
 * and {@code absent.<field>}: valid rows whose file has no column for that (nullable) field.
 */
@AutoValue
public abstract class Validate extends PTransform<PCollection<SourceRecord>, PCollectionTuple> {
  public static final TupleTag<Row> VALID = new TupleTag<>("valid") {};
  public static final TupleTag<BadRecord> BAD = new TupleTag<>("bad") {};

  abstract SourceSpec source();

  abstract List<FieldSpec> fields();

  abstract boolean encodeCategories();

  abstract boolean runnerMetrics();

  abstract boolean origins();

  abstract boolean liveCounts();

  /**
   * Validates records of {@code source} against {@code fields}; categories are encoded and runner
   * metrics reported by default.
   */
  public static Validate against(SourceSpec source, List<FieldSpec> fields) {
    return new AutoValue_Validate(source, List.copyOf(fields), true, true, false, true);
  }

  /** Carry categories as strings instead of positions, e.g. to measure what encoding saves. */
  public Validate withCategoryEncoding(boolean encode) {
    return new AutoValue_Validate(source(), fields(), encode, runnerMetrics(), origins(), liveCounts());
  }

  /**
   * Whether to report Beam metrics (records read, bad records per reason) to the runner. Off when
   * the runner's metrics are switched off ({@code --disableMetrics}): Beam then logs an error for
   * the first counter a DoFn touches. The exact counts travel as data either way.
   */
  public Validate withRunnerMetrics(boolean report) {
    return new AutoValue_Validate(source(), fields(), encodeCategories(), report, origins(), liveCounts());
  }

  /**
   * Valid rows end with their record's origin ({@link Origins#FIELD}), so a later stage that rejects
   * a row names the source record in its dead letter. Off by default.
   */
  public Validate withOrigins(boolean origins) {
    return new AutoValue_Validate(source(), fields(), encodeCategories(), runnerMetrics(), origins, liveCounts());
  }

  /**
   * Whether the records count on the run's progress line ({@link LiveCounts}): the input's do, a
   * lookup's reference table's do not (the summary's "records read" is the input's). On by default.
   */
  public Validate withLiveCounts(boolean live) {
    return new AutoValue_Validate(source(), fields(), encodeCategories(), runnerMetrics(), origins(), live);
  }

  @Override
  public PCollectionTuple expand(PCollection<SourceRecord> records) {
    for (FieldSpec field : fields()) { // a spec's schema section refuses these; fields built in Java get the same
      boolean category = field.type().kind() == FieldType.Kind.CATEGORY;
      String problem = category && (field.values() == null || field.values().isEmpty())
          ? "a category field needs values (its allowed values, in their code order)"
          : field.min() != null && field.max() != null && field.min().compareTo(field.max()) > 0
              ? "min " + field.min().toPlainString() + " is greater than max " + field.max().toPlainString() : null;
      if (problem != null) { // a category without values failed each row with a NullPointerException (a trial)
        throw new IllegalArgumentException("Validate: field " + field.name() + ": " + problem);
      }
    }
    RecordValidator validator = new RecordValidator(source(), fields(), encodeCategories(), origins());
    PCollectionTuple out = records.apply(
        "Check records against the schema",
        ParDo.of(new CheckFn(validator, runnerMetrics(), liveCounts()))
            .withOutputTags(VALID, TupleTagList.of(BAD).and(BundleCounts.TAG)));
    out.get(VALID).setRowSchema(validator.schema());
    out.get(BAD).setCoder(BadRecord.BadRecordCoder.of());
    out.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
    return out;
  }

  /** Records between two additions to the progress line's counts (a power of two). */
  static final int PROGRESS_EVERY = 4096;

  static final class CheckFn extends DoFn<SourceRecord, Row> {
    private final RecordValidator validator;
    private final boolean runnerMetrics;
    private final boolean liveCounts;
    private transient BundleCounts counts;
    private transient long[] read;
    private transient long[] valid;
    private transient long[] bad;
    /** What this bundle has already added to the progress line's counts. */
    private transient long shownRead;
    private transient long shownBad;
    private transient String[] absentKeys;

    CheckFn(RecordValidator validator, boolean runnerMetrics, boolean liveCounts) {
      this.validator = validator;
      this.runnerMetrics = runnerMetrics;
      this.liveCounts = liveCounts;
    }

    @Setup
    public void setup() {
      absentKeys = new String[validator.fieldCount()];
      for (int f = 0; f < absentKeys.length; f++) {
        absentKeys[f] = "absent." + validator.fieldName(f);
      }
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      read = counts.cell("read");
      valid = counts.cell("valid");
      bad = counts.cell("bad");
      shownRead = 0;
      shownBad = 0;
    }

    @ProcessElement
    public void process(@Element SourceRecord record, MultiOutputReceiver out) {
      RecordValidator.Outcome outcome = validator.validate(record);
      read[0]++;
      if (outcome.row != null) {
        valid[0]++;
        if (record.layout() != null) {
          countAbsentColumns(record.layout());
        }
        out.get(VALID).output(outcome.row);
      } else {
        bad[0]++;
        counts.increment("bad." + outcome.bad.countKey());
        if (runnerMetrics) { // bad records are rare, so a counter per reason costs little here
          Metrics.counter(Validate.class, "bad." + outcome.bad.countKey()).inc();
        }
        out.get(BAD).output(outcome.bad);
      }
      if ((read[0] & (PROGRESS_EVERY - 1)) == 0) { // a bundle can be a whole file or a database partition
        showProgress();
      }
    }

    /**
     * A nullable field whose column a file's header lacks is NULL in that file's rows: counted, so
     * the run says so (a misspelt header, or one file of many with a column renamed, was a silent
     * column of NULLs).
     */
    private void countAbsentColumns(ColumnLayout layout) {
      for (int i = 0; i < layout.missingCount(); i++) { // usually none: a header in another order, or wider
        counts.increment(absentKeys[layout.missingField(i)]);
      }
    }

    private void showProgress() {
      if (!liveCounts) {
        return;
      }
      LiveCounts.add(read[0] - shownRead, bad[0] - shownBad);
      shownRead = read[0];
      shownBad = bad[0];
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      // Runner metrics, once per bundle: what this attempt read, for watching a run live (Flink's
      // REST API). A restart resets them; the exact totals are the counts emitted as data.
      if (runnerMetrics) {
        Metrics.counter(Validate.class, "read").inc(read[0]);
        Metrics.counter(Validate.class, "bad").inc(bad[0]);
      }
      showProgress();
      counts.flush(context);
    }
  }
}
