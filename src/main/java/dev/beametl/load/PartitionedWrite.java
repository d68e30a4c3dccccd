package dev.beametl.load;

import dev.beametl.record.BundleCounts;
import dev.beametl.record.DataError;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.SinkSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Contextful;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * A Hive-style partitioned file output: {@code <path>/region=EU/year=2024/part-*.parquet}, written
 * with Beam's dynamic file destinations. As Hive does, the partition columns name the directories
 * and are left out of the files. The number of partitions is capped ({@link SinkSpec#maxPartitions()}):
 * each worker fails as soon as it alone has seen more, and the run fails at its end when all
 * workers together did. Returns the counts {@code written} and {@code partitions}.
 */
final class PartitionedWrite extends PTransform<PCollection<Row>, PCollection<KV<String, Long>>> {
  private static final TupleTag<String> PARTITIONS = new TupleTag<>("partitions") {};
  /** Where the write puts the one empty file it makes when there are no rows (see {@link #write}). */
  static final String EMPTY_RESULT = ".temp-beam-empty-result";
  /** What a directory name may hold on the file systems this job writes to. */
  static final int MAX_NAME_BYTES = 255;

  private final SinkSpec sink;
  private final OutputColumns columns;
  private final String filePrefix;
  private final List<String> nullMarkers;
  private final boolean trimmedMarkers;

  PartitionedWrite(SinkSpec sink, OutputColumns columns, String filePrefix, List<String> nullMarkers,
      boolean trimmedMarkers) {
    this.sink = sink;
    this.columns = columns;
    this.filePrefix = filePrefix;
    this.nullMarkers = nullMarkers;
    this.trimmedMarkers = trimmedMarkers;
  }

  @Override
  public PCollection<KV<String, Long>> expand(PCollection<Row> rows) {
    OutputColumns inFiles = columns.without(sink.partitionBy());
    String dir = sink.path().replaceAll("/+$", "");
    // A bounded input: an unbounded one needs the windowed write, which WriteFiles insists on.
    boolean streaming = rows.getPipeline().getOptions().as(StreamingOptions.class).isStreaming()
        && rows.isBounded() == PCollection.IsBounded.BOUNDED;
    PCollectionTuple out;
    if (sink.format() == SinkSpec.Format.PARQUET) {
      Schema avro = AvroRecords.schema("Result", inFiles);
      String schema = avro.toString();
      TupleTag<KV<String, GenericRecord>> records = new TupleTag<>("records") {};
      out = rows.apply("Rows to partitions", partition(records, inFiles, schema));
      SinkSpec spec = sink;
      out.get(records).setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(avro)))
          .apply("Write Parquet partitions", write(dir, ".parquet", streaming,
              partition -> Load.parquetSink(spec, new Schema.Parser().parse(schema))));
    } else {
      boolean csv = sink.format() == SinkSpec.Format.CSV;
      TupleTag<KV<String, String>> lines = new TupleTag<>("lines") {};
      out = rows.apply("Rows to partitions", partition(lines, inFiles, null));
      String header = csv ? Load.header(inFiles) : null;
      out.get(lines).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()))
          .apply(csv ? "Write CSV partitions" : "Write JSON lines partitions", write(dir, csv ? ".csv" : ".jsonl", streaming,
              partition -> header == null ? TextIO.sink() : TextIO.sink().withHeader(header)));
    }
    PCollection<KV<String, Long>> partitions = out.get(PARTITIONS).setCoder(StringUtf8Coder.of())
        .apply("Distinct partitions", Distinct.create())
        .apply("Count partitions", Count.globally())
        .apply("Check the partition cap", ParDo.of(new CheckCap(sink.maxPartitions())));
    return PCollectionList.of(out.get(BundleCounts.TAG).setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .and(partitions.setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of())))
        .apply("Write counts", org.apache.beam.sdk.transforms.Flatten.pCollections());
  }

  private <T> ParDo.MultiOutput<Row, KV<String, T>> partition(TupleTag<KV<String, T>> tag, OutputColumns inFiles,
      String avroSchema) {
    return ParDo.of(new ToPartition<T>(tag, columns, sink, inFiles, avroSchema, nullMarkers, trimmedMarkers))
        .withOutputTags(tag, TupleTagList.of(BundleCounts.TAG).and(PARTITIONS));
  }

  /**
   * The files of each partition; {@code sinks} makes a new sink for each file, as a file sink holds
   * its open writer and a worker writes several partitions at once.
   */
  private <T> FileIO.Write<String, KV<String, T>> write(String dir, String suffix, boolean streaming,
      SerializableFunction<String, FileIO.Sink<T>> sinks) {
    String prefix = filePrefix;
    FileIO.Write<String, KV<String, T>> write = FileIO.<String, KV<String, T>>writeDynamic()
        .by(KV::getKey)
        .withDestinationCoder(StringUtf8Coder.of())
        .via(Contextful.fn(KV::getValue), Contextful.fn(sinks))
        .to(dir)
        .withNaming(partition -> FileIO.Write.defaultNaming(partition + "/" + prefix, suffix));
    if (streaming) {
      // A streaming (resumable) run keeps what a write groups in state until its input ends: the
      // runner's fixed shards of a windowed write, and the rows Beam spills past 20 open files per
      // bundle (6M rows in 6 partitions ran out of a 256 MB heap). So, as the unpartitioned write
      // (Load): every file named in one finalize, each bundle - which ends at a checkpoint - writing
      // its rows to files of its own. A batch run keeps the spilling: there the grouping sorts on
      // disk, while a file open per partition per bundle (a task's whole input) held 84 partitions'
      // row groups at once and ran out of memory.
      write = write.withNoSpilling().withIgnoreWindowing()
          // With no rows at all, this write makes one empty file, of this "partition" (else of one
          // named null), which the job removes as soon as the pipeline is done (Load#writeEmptyResultIfNone).
          .withEmptyGlobalWindowDestination(EMPTY_RESULT);
    }
    return sink.shards() > 0 ? write.withNumShards(sink.shards()) : write;
  }

  /** Names each row's partition and formats the rest of it for the files. */
  static final class ToPartition<T> extends DoFn<Row, KV<String, T>> {
    private final TupleTag<KV<String, T>> tag;
    private final int[] partitionColumns;
    private final int[] fileColumns;
    private final List<String> partitionNames;
    private final org.apache.beam.sdk.schemas.Schema fileSchema;
    private final RowFormatter formatter;
    private final int maxPartitions;
    private transient Set<String> seen;
    private transient Set<String> seenInBundle;
    private transient BundleCounts counts;
    private transient long[] written;

    ToPartition(TupleTag<KV<String, T>> tag, OutputColumns columns, SinkSpec sink, OutputColumns inFiles,
        String avroSchema, List<String> nullMarkers, boolean trimmedMarkers) {
      this.tag = tag;
      this.partitionNames = sink.partitionBy();
      this.partitionColumns = partitionNames.stream().mapToInt(columns::indexOf).toArray();
      this.fileColumns = inFiles.columns().stream().mapToInt(c -> columns.indexOf(c.name())).toArray();
      this.fileSchema = inFiles.beamSchema();
      this.formatter = new RowFormatter(inFiles, avroSchema, sink.format(), nullMarkers, trimmedMarkers);
      this.maxPartitions = sink.maxPartitions();
    }

    @Setup
    public void setup() {
      seen = new HashSet<>();
    }

    @StartBundle
    public void startBundle() {
      counts = new BundleCounts();
      written = counts.cell("written");
      seenInBundle = new HashSet<>();
    }

    @SuppressWarnings("unchecked")
    @ProcessElement
    public void process(@Element Row row, MultiOutputReceiver out) throws IOException {
      StringBuilder path = new StringBuilder();
      for (int k = 0; k < partitionColumns.length; k++) {
        Object value = ValueText.plain(row, partitionColumns[k]);
        String name = HivePartitions.directory(partitionNames.get(k), value);
        if (value != null && HivePartitions.isNullsDirectory(name)) {
          counts.increment(HivePartitions.AS_NULL + partitionNames.get(k)); // the summary warns: they come back as nulls
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
          throw new DataError(String.format(Locale.ROOT, "sink.partitionBy: a value of \"%s\" makes a directory "
              + "name of %d bytes, more than a file system allows (%d): %.60s...; partition by a shorter column",
              partitionNames.get(k), name.getBytes(StandardCharsets.UTF_8).length, MAX_NAME_BYTES, name));
        }
        path.append(k == 0 ? "" : "/").append(name);
      }
      String partition = path.toString();
      if (seenInBundle.add(partition)) {
        out.get(PARTITIONS).output(partition);
        if (seen.add(partition) && seen.size() > maxPartitions) {
          throw CheckCap.tooMany(String.format(Locale.ROOT, "at least %,d", seen.size()), maxPartitions);
        }
      }
      Row.Builder values = Row.withSchema(fileSchema);
      for (int i : fileColumns) {
        values.addValue(row.getValue(i));
      }
      written[0]++;
      out.get(tag).output(KV.of(partition, (T) formatter.format(values.build())));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      counts.flush(context);
    }
  }

  /** The partitions of the whole run, counted once the data is all through: within the cap, or a failure. */
  static final class CheckCap extends DoFn<Long, KV<String, Long>> {
    private final int max;

    CheckCap(int max) {
      this.max = max;
    }

    @ProcessElement
    public void process(@Element Long partitions, OutputReceiver<KV<String, Long>> out) {
      if (partitions > max) {
        throw tooMany(String.format(Locale.ROOT, "%,d", partitions), max);
      }
      out.output(KV.of("partitions", partitions));
    }

    static DataError tooMany(String how, int max) {
      return new DataError(String.format(Locale.ROOT, "sink.partitionBy: the data has %s partitions, more than "
          + "sink.maxPartitions %,d; partition by fewer or coarser columns, or raise sink.maxPartitions", how, max));
    }
  }
}
