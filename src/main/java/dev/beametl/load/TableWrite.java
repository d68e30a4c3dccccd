package dev.beametl.load;

import dev.beametl.fault.Faults;
import dev.beametl.jdbc.JdbcConnections;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.JdbcSinkSpec;
import java.util.UUID;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.joda.time.Duration;

/**
 * Writes result rows to a table in batches ({@link JdbcIO}, transient errors retried with backoff).
 * An upsert writes the table itself. Overwrite and append write the run's staging table, each row
 * with the id of the bundle that wrote it, and note each bundle that finished; the bundle ids travel
 * through a shuffle, so the runner keeps those of the task attempts it kept and drops those of an
 * attempt that failed - whose committed batches are then left out when {@link JdbcTable#commit}
 * moves the rows into the table. A retried sink task so neither loses nor duplicates rows.
 */
final class TableWrite extends PTransform<PCollection<Row>, PDone> {
  private static final TupleTag<KV<String, Row>> ROWS = new TupleTag<>("rows") {};
  private static final TupleTag<String> BUNDLES = new TupleTag<>("bundles") {};

  private final JdbcSinkSpec sink;
  private final OutputColumns columns;
  private final String run;
  private final Faults faults;
  private final boolean keysUnique;

  TableWrite(JdbcSinkSpec sink, OutputColumns columns, String run, Faults faults, boolean keysUnique) {
    this.sink = sink;
    this.columns = columns;
    this.run = run;
    this.faults = faults;
    this.keysUnique = keysUnique;
  }

  @Override
  public PDone expand(PCollection<Row> rows) {
    if (!JdbcTable.staged(sink)) {
      if (!keysUnique) {
        rows.apply("Check each key comes once", new KeysOnce(sink.keys(), columns));
      }
      return rows.apply("Upsert into " + sink.connection().table(), batched(JdbcIO.<Row>write())
          .withStatement(JdbcTable.statement(sink, columns, run))
          .withPreparedStatementSetter(faults.inJdbcSink(new JdbcTable.Binder(sink, sink.keys(), columns))));
    }
    PCollectionTuple tagged = rows.apply("Tag rows with their bundle",
        ParDo.of(new TagWithBundle()).withOutputTags(ROWS, TupleTagList.of(BUNDLES)));
    tagged.get(ROWS).setCoder(KvCoder.of(StringUtf8Coder.of(), RowCoder.of(rows.getSchema())))
        .apply("Stage rows in " + JdbcTable.staging(sink, run), batched(JdbcIO.<KV<String, Row>>write())
            .withStatement(JdbcTable.statement(sink, columns, run))
            .withPreparedStatementSetter(faults.inJdbcSink(new JdbcTable.StagedBinder(sink))));
    return tagged.get(BUNDLES).setCoder(StringUtf8Coder.of())
        .apply("Bundles of kept attempts", Distinct.create())
        .apply("Note them in " + JdbcTable.committedBundles(sink, run), batched(JdbcIO.<String>write())
            .withStatement(JdbcTable.noteBundle(sink, run))
            .withPreparedStatementSetter((bundle, ps) -> ps.setString(1, bundle)));
  }

  private <T> JdbcIO.Write<T> batched(JdbcIO.Write<T> write) {
    return write
        .withDataSourceProviderFn(JdbcConnections.to(sink.connection()))
        .withBatchSize(sink.batchSize())
        .withRetryStrategy(new JdbcTable.TransientErrors(sink))
        .withRetryConfiguration(JdbcIO.RetryConfiguration.create(sink.attempts(), Duration.standardMinutes(5),
            Duration.standardSeconds(1)));
  }

  /** Gives each bundle an id its rows carry, and emits the id when the bundle has passed them all on. */
  static final class TagWithBundle extends DoFn<Row, KV<String, Row>> {
    private transient String bundle;

    @StartBundle
    public void startBundle() {
      bundle = UUID.randomUUID().toString();
    }

    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) {
      out.get(ROWS).output(KV.of(bundle, row));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      context.output(BUNDLES, bundle, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
    }
  }
}
