package dev.beametl.load;

import com.google.auto.value.AutoValue;
import dev.beametl.fault.Faults;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.JdbcSinkSpec;
import dev.beametl.spec.SinkSpec;
import java.io.IOException;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.MoreFiles;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.io.RecursiveDeleteOption;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Load stage: writes result rows to a directory of part files ({@code part-00000-of-00002.parquet}),
 * in Parquet (row groups of {@link SinkSpec#rowGroupBytes()}, dictionary encoding on), CSV with a
 * header, or JSON lines. Beam's file sinks write to temporary files and rename them when the bundle
 * commits, so a retried bundle leaves no partial or duplicate file. With {@link SinkSpec#partitionBy()}
 * the files go to Hive-style directories instead ({@link PartitionedWrite}). Returns the count
 * {@code written}.
 */
@AutoValue
public abstract class Load extends PTransform<PCollection<Row>, PCollection<KV<String, Long>>> {
  private static final TupleTag<String> LINES = new TupleTag<>("lines") {};
  private static final TupleTag<GenericRecord> RECORDS = new TupleTag<>("records") {};
  private static final TupleTag<Row> ROWS = new TupleTag<>("rows") {};

  abstract SinkSpec sink();

  abstract OutputColumns columns();

  abstract Faults faults();

  abstract @Nullable String run();

  abstract boolean append();

  abstract boolean keysUnique();

  abstract List<String> nullMarkers();

  abstract boolean trimmedMarkers();

  abstract Builder toBuilder();

  public static Load to(SinkSpec sink, OutputColumns columns) {
    return new AutoValue_Load.Builder().setSink(sink).setColumns(columns).setFaults(Faults.none()).setRun(null)
        .setAppend(false).setKeysUnique(false).setNullMarkers(List.of()).setTrimmedMarkers(false).build();
  }

  /**
   * The CSV source's null markers ({@code csv.nullValues}), matched after trimming when
   * {@code trimmed} ({@code csv.trim}): the CSV sink quotes a string value that one matches, so its
   * output read with the same options gives the string back, not a null ({@code ""} is always quoted).
   */
  public Load withNullMarkers(List<String> markers, boolean trimmed) {
    return toBuilder().setNullMarkers(List.copyOf(markers)).setTrimmedMarkers(trimmed).build();
  }

  /**
   * The run this load is part of: a table written with overwrite or append stages its rows in the
   * run's staging table, which {@link JdbcTable#prepare} makes before the run and
   * {@link JdbcTable#commit} moves into the table after it.
   */
  public Load withRun(String run) {
    return toBuilder().setRun(run).build();
  }

  /**
   * Adds to the files of earlier runs instead of replacing them (an incremental load, a replay):
   * part files carry the run, {@code part-<run>-00000-of-00002.parquet}. Needs {@link #withRun}.
   */
  public Load withAppend(boolean append) {
    return toBuilder().setAppend(append).build();
  }

  /** The part files' names begin so: {@code part-00000-of-00002.parquet}. */
  public static final String FILE_PREFIX = "part";

  /** How this run's part files begin: {@code part}, or {@code part-<run>} when appending. */
  String filePrefix() {
    if (append() && run() == null) {
      throw new IllegalArgumentException("Load.withAppend: give the run, withRun(id), which names its files");
    }
    return append() ? FILE_PREFIX + "-" + run() : FILE_PREFIX;
  }

  /** Testing only: faults to inject inside the sink, see {@link Faults}. */
  public Load withFaults(Faults faults) {
    return toBuilder().setFaults(faults).build();
  }

  /**
   * The rows come one per upsert key (an aggregation by those keys), so the upsert need not check
   * that no key comes twice; see {@link TableWrite}.
   */
  public Load withKeysUnique(boolean unique) {
    return toBuilder().setKeysUnique(unique).build();
  }

  @AutoValue.Builder
  abstract static class Builder {
    abstract Builder setSink(SinkSpec sink);

    abstract Builder setColumns(OutputColumns columns);

    abstract Builder setFaults(Faults faults);

    abstract Builder setRun(@Nullable String run);

    abstract Builder setAppend(boolean append);

    abstract Builder setKeysUnique(boolean unique);

    abstract Builder setNullMarkers(List<String> markers);

    abstract Builder setTrimmedMarkers(boolean trimmed);

    abstract Load build();
  }

  /**
   * What a spec's sink section refuses, asked again of a SinkSpec built in Java (a trial's partitions
   * by a double, one column twice as nested directories reg=EU/reg=EU/, by every column as files of
   * empty lines, and -3 shards as 3 files all ran); null when it is sound.
   */
  static @Nullable String layoutProblem(SinkSpec sink, OutputColumns columns) {
    if (sink.shards() < 0) {
      return "shards " + sink.shards() + ": give 0 (the runner decides) or more";
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String name : sink.partitionBy()) {
      OutputColumns.Column column = columns.columns().stream().filter(c -> c.name().equals(name)).findFirst()
          .orElse(null);
      if (column == null) {
        return "partitionBy " + name + " is not an output column";
      }
      if (column.type().kind() == dev.beametl.spec.FieldType.Kind.DOUBLE) {
        return "partitionBy " + name + ": a double cannot name a directory exactly; partition by a decimal, long or string";
      }
      if (!seen.add(name)) {
        return "partitionBy lists " + name + " twice";
      }
    }
    if (!sink.partitionBy().isEmpty() && seen.size() == columns.columns().size()) {
      return "partitionBy names every output column: leave at least one for the files";
    }
    return null;
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<Row> rows) {
    String mismatch = columns().mismatch(rows.getSchema(), "give Load the columns of the rows it writes"
        + " (Transform.outputColumns() for a Transform's result)");
    if (mismatch != null) { // the formats read a row's values by position
      throw new IllegalArgumentException("Load's input: " + mismatch);
    }
    SinkSpec sink = sink();
    String problem = layoutProblem(sink, columns());
    if (problem != null) {
      throw new IllegalArgumentException("Load: " + problem);
    }
    if (sink.format() == SinkSpec.Format.JDBC) {
      return writeTable(rows, sink.jdbc());
    }
    if (!sink.partitionBy().isEmpty()) {
      return rows.apply("Write partitions",
          new PartitionedWrite(sink, columns(), filePrefix(), nullMarkers(), trimmedMarkers()));
    }
    String dir = sink.path().replaceAll("/+$", "");
    if (sink.format() == SinkSpec.Format.PARQUET) {
      Schema avro = AvroRecords.schema("Result", columns());
      // Ignoring windowing (deprecated, kept for WriteFiles' sake) gathers every file of the run
      // once and names them in one finalize, as TextIO does: all rows are in the global window,
      // and a streaming (resumable) run's files then come per checkpoint without repeating a
      // name (see the patched FlinkTransformOverrides). FileIO's windowed default finalizes each
      // list of files as it comes.
      PCollectionTuple out = rows.apply("Rows to Avro records",
          ParDo.of(new Format<GenericRecord>(RECORDS, columns(), avro.toString(), sink.format(), List.of(), false))
              .withOutputTags(RECORDS, TupleTagList.of(BundleCounts.TAG)));
      FileIO.Write<Void, GenericRecord> write = FileIO.<GenericRecord>write()
          .via(parquetSink(sink, avro))
          .to(dir)
          .withPrefix(filePrefix())
          .withSuffix(".parquet")
          .withNoSpilling()
          .withIgnoreWindowing();
      out.get(RECORDS).setCoder(AvroCoder.of(avro)).apply("Write Parquet", shards(write));
      return counts(out);
    }
    boolean csv = sink.format() == SinkSpec.Format.CSV;
    PCollectionTuple out = rows.apply(csv ? "Rows to CSV lines" : "Rows to JSON lines",
        ParDo.of(new Format<String>(LINES, columns(), null, sink.format(), nullMarkers(), trimmedMarkers()))
            .withOutputTags(LINES, TupleTagList.of(BundleCounts.TAG)));
    TextIO.Write write = TextIO.write().to(dir + "/" + filePrefix()).withSuffix(csv ? ".csv" : ".jsonl")
        .withNoSpilling();
    if (csv) {
      write = write.withHeader(header(columns()));
    }
    if (sink.shards() > 0) {
      write = write.withNumShards(sink.shards());
    }
    out.get(LINES).setCoder(StringUtf8Coder.of()).apply(csv ? "Write CSV" : "Write JSON lines", write);
    return counts(out);
  }

  /**
   * After a run whose result was empty: one valid part file with the columns and no rows (Parquet
   * with its schema, CSV its header, JSON lines empty), so a reader of {@code out/*.parquet} finds a
   * table, not nothing. Beam's file sinks write such a file on some runners but not on Flink.
   * A partitioned result without rows has no partitions: the empty file a resumable run's write
   * made ({@link PartitionedWrite#EMPTY_RESULT}) is removed, whatever the run's outcome after this.
   */
  public static void writeEmptyResultIfNone(SinkSpec sink, OutputColumns columns) throws IOException {
    if (sink.format() == SinkSpec.Format.JDBC) {
      return;
    }
    java.nio.file.Path dir = java.nio.file.Path.of(sink.path());
    if (!sink.partitionBy().isEmpty()) { // no rows: no partitions, and not the write's own empty file
      java.nio.file.Path empty = dir.resolve(PartitionedWrite.EMPTY_RESULT);
      if (java.nio.file.Files.exists(empty)) {
        MoreFiles.deleteRecursively(empty, RecursiveDeleteOption.ALLOW_INSECURE);
      }
      return;
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
      if (files.anyMatch(f -> f.getFileName().toString().startsWith("part-"))) {
        return;
      }
    }
    String ext = sink.format().name().toLowerCase(java.util.Locale.ROOT);
    java.nio.file.Path file = dir.resolve("part-00000-of-00001." + ext);
    try (java.nio.channels.WritableByteChannel channel = java.nio.file.Files.newByteChannel(file,
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      if (sink.format() == SinkSpec.Format.PARQUET) {
        ParquetIO.Sink parquet = parquetSink(sink, AvroRecords.schema("Result", columns));
        parquet.open(channel);
        parquet.flush();
      } else if (sink.format() == SinkSpec.Format.CSV) {
        channel.write(java.nio.ByteBuffer.wrap((header(columns) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
  }

  /**
   * Parquet's defaults dictionary-encode every column that repeats (categories included). No Hadoop
   * configuration is set: the sink would carry it serialized, and each copy of the writing DoFn
   * would parse Hadoop's default XML resources again as it is deserialized (35% of a DirectRunner
   * run of the sample, which deserializes DoFns per bundle).
   */
  static ParquetIO.Sink parquetSink(SinkSpec sink, Schema avro) {
    return ParquetIO.sink(avro)
        .withRowGroupSize(sink.rowGroupBytes())
        .withCompressionCodec(CompressionCodecName.valueOf(sink.compression().name()));
  }

  static String header(OutputColumns columns) {
    return csvLine(columns.columns().stream().map(OutputColumns.Column::name).toArray());
  }

  /** Batched JDBC writes, staged for overwrite and append; see {@link TableWrite} and {@link JdbcTable}. */
  private PCollection<KV<String, Long>> writeTable(PCollection<Row> rows, JdbcSinkSpec jdbc) {
    if (JdbcTable.staged(jdbc) && run() == null) {
      throw new IllegalArgumentException("sink.jdbc: mode " + jdbc.mode().name().toLowerCase(java.util.Locale.ROOT)
          + " stages its rows for the run: give Load.withRun(id), and call JdbcTable.prepare and commit around it");
    }
    PCollectionTuple out = rows.apply("Count rows for the table",
        ParDo.of(new Format<Row>(ROWS, columns(), null, SinkSpec.Format.JDBC, List.of(), false))
            .withOutputTags(ROWS, TupleTagList.of(BundleCounts.TAG)));
    out.get(ROWS).setRowSchema(rows.getSchema()).apply("Write table " + jdbc.connection().table(),
        new TableWrite(jdbc, columns(), run(), faults(), keysUnique()));
    return counts(out);
  }

  private FileIO.Write<Void, GenericRecord> shards(FileIO.Write<Void, GenericRecord> write) {
    return sink().shards() > 0 ? write.withNumShards(sink().shards()) : write;
  }

  private static PCollection<KV<String, Long>> counts(PCollectionTuple out) {
    return out.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()));
  }

  /**
   * One CSV line (TextIO adds the newline): a null value is nothing, an empty string is {@code ""},
   * as DuckDB writes and reads them. Each value is printed as a record's first, the position where
   * commons-csv quotes an empty string; before, both were nothing and could not be told apart.
   */
  static String csvLine(Object... values) {
    try {
      StringBuilder w = new StringBuilder();
      for (int i = 0; i < values.length; i++) {
        if (i > 0) {
          w.append(',');
        }
        if (values[i] instanceof Quoted) {
          QUOTED.print(((Quoted) values[i]).text, w, true);
        } else if (values[i] instanceof String && spaceAtAnEnd((String) values[i])) {
          QUOTED.print(values[i], w, true);
        } else if (values[i] != null) {
          CSVFormat.RFC4180.print(values[i], w, true);
        }
      }
      return w.length() == 0 ? "\"\"" : w.toString(); // one null column: not a blank line, which readers skip
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a text begins or ends in white space a reader that trims drops (a CSV source's
   * {@code trim}, {@link dev.beametl.record.WhiteSpace}): commons-csv quotes only up to U+0020, and a trial's
   * {@code "\u3000x\u3000"} was written bare and read back by the job as {@code x}, two keys merging.
   */
  private static boolean spaceAtAnEnd(String s) {
    return dev.beametl.record.WhiteSpace.atAnEnd(s);
  }

  /** RFC 4180, every value quoted: for a {@link Quoted} value. */
  private static final CSVFormat QUOTED = CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL).build();

  /** A value {@link #csvLine} writes in quotes, as it would not otherwise: a text equal to a null marker. */
  static final class Quoted {
    final String text;

    Quoted(String text) {
      this.text = text;
    }
  }

  /** Formats each row for its sink and counts what it passes on. */
  static final class Format<T> extends DoFn<Row, T> {
    private final TupleTag<T> tag;
    private final RowFormatter formatter;
    private transient BundleCounts counts;
    private transient long[] written;

    Format(TupleTag<T> tag, OutputColumns columns, String avroSchema, SinkSpec.Format format,
        List<String> nullMarkers, boolean trimmedMarkers) {
      this.tag = tag;
      this.formatter = new RowFormatter(columns, avroSchema, format, nullMarkers, trimmedMarkers);
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      written = counts.cell("written");
    }

    @SuppressWarnings("unchecked")
    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) throws IOException {
      written[0]++;
      out.get(tag).output((T) formatter.format(row));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      counts.flush(context);
    }
  }
}
