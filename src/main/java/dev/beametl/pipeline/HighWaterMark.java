package dev.beametl.pipeline;

import java.time.Instant;
import java.time.LocalDate;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The largest value of an incremental source's column among the valid rows read, as the count
 * {@value #COUNT} (integers as they are, dates as epoch days, timestamps as epoch microseconds),
 * for the job to keep as the next run's mark. No rows, or only NULLs: no count.
 */
final class HighWaterMark extends PTransform<PCollection<Row>, PCollection<KV<String, Long>>> {
  static final String COUNT = "incremental.max";
  private final String column;

  private HighWaterMark(String column) {
    this.column = column;
  }

  static HighWaterMark of(String column) {
    return new HighWaterMark(column);
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<Row> rows) {
    int index = rows.getSchema().indexOf(column);
    return rows
        .apply("Values of " + column, ParDo.of(new DoFn<Row, Long>() {
          @ProcessElement
          public void process(@Element Row row, OutputReceiver<Long> out) {
            Object v = row.getValue(index);
            if (v != null) {
              out.output(asLong(v));
            }
          }
        }))
        .setCoder(VarLongCoder.of())
        .apply("Largest", Combine.globally(Max.ofLongs()).withoutDefaults())
        .apply("As a count", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(max -> KV.of(COUNT, max)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
  }

  static long asLong(Object v) {
    if (v instanceof Instant) {
      Instant i = (Instant) v;
      return dev.beametl.spec.TemporalRange.micros(i);
    }
    if (v instanceof LocalDate) {
      return ((LocalDate) v).toEpochDay();
    }
    return ((Number) v).longValue();
  }
}
