package dev.beametl.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import org.apache.avro.Conversions;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Reads Parquet files into {@link SourceRecord}s whose text is the row as a JSON object, so Parquet
 * rows pass the same Validate stage as JSON lines. The origin is the file and 1-based row number.
 * Files are read in parallel, one file per task.
 */
final class ParquetRecords {
  private ParquetRecords() {}

  static PTransform<PBegin, PCollection<SourceRecord>> read(String glob) {
    return new PTransform<>() {
      @Override
      public PCollection<SourceRecord> expand(PBegin input) {
        return input
            .apply("Match files", FileIO.match().filepattern(glob))
            .apply("Open files", FileIO.readMatches())
            .apply("Rows as JSON", ParDo.of(new RowsAsJson()))
            .setCoder(SourceRecord.RecordCoder.of());
      }
    };
  }

  static final class RowsAsJson extends DoFn<FileIO.ReadableFile, SourceRecord> {
    private transient ObjectMapper json;
    private transient GenericData model;

    @Setup
    public void setup() {
      json = new ObjectMapper();
      model = new GenericData();
      model.addLogicalTypeConversion(new Conversions.DecimalConversion());
      model.addLogicalTypeConversion(new TimeConversions.DateConversion());
      model.addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
      model.addLogicalTypeConversion(new TimeConversions.TimestampMicrosConversion());
    }

    @ProcessElement
    public void process(@Element FileIO.ReadableFile file, OutputReceiver<SourceRecord> out) throws IOException {
      String name = file.getMetadata().resourceId().toString();
      InputFile input = new ChannelInputFile(file);
      try (ParquetReader<GenericRecord> reader =
          AvroParquetReader.<GenericRecord>builder(input).withDataModel(model).build()) {
        long row = 0;
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          row++;
          out.output(SourceRecord.of(name, -1, row, toJson(r), null, false));
        }
      }
    }

    private String toJson(GenericRecord record) throws IOException {
      ObjectNode node = json.createObjectNode();
      for (Schema.Field f : record.getSchema().getFields()) {
        Object v = record.get(f.pos());
        if (v == null) {
          node.putNull(f.name());
        } else if (v instanceof java.math.BigDecimal) {
          node.put(f.name(), ((java.math.BigDecimal) v).toPlainString());
        } else if (v instanceof Number || v instanceof Boolean) {
          node.putPOJO(f.name(), v);
        } else {
          node.put(f.name(), v.toString());
        }
      }
      return json.writeValueAsString(node);
    }
  }

  /** A Parquet {@link InputFile} over a Beam file, so any Beam file system can be read. */
  private static final class ChannelInputFile implements InputFile {
    private final FileIO.ReadableFile file;

    ChannelInputFile(FileIO.ReadableFile file) {
      this.file = file;
    }

    @Override
    public long getLength() {
      return file.getMetadata().sizeBytes();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      SeekableByteChannel channel = file.openSeekable();
      return new DelegatingSeekableInputStream(Channels.newInputStream(channel)) {
        @Override
        public long getPos() throws IOException {
          return channel.position();
        }

        @Override
        public void seek(long newPos) throws IOException {
          channel.position(newPos);
        }
      };
    }
  }
}
