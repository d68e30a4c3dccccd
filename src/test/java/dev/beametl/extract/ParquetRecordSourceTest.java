package dev.beametl.extract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.record.SourceRecord;
import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.SourceTestUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ParquetRecordSourceTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private final PipelineOptions options = PipelineOptionsFactory.create();

  @Test
  public void rowGroupsSplitAcrossWorkersWithoutLossOrRepeat() throws Exception {
    File file = new File(tmp.getRoot(), "rows.parquet");
    Schema schema = SchemaBuilder.record("r").fields().requiredLong("id").requiredString("name").endRecord();
    int rows = 200_000;
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
            HadoopOutputFile.fromPath(new Path(file.getPath()), new Configuration()))
        .withSchema(schema)
        .withRowGroupSize(512 * 1024)
        .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
        .withDictionaryEncoding(false)
        .build()) {
      for (int i = 0; i < rows; i++) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", (long) i);
        r.put("name", "name-" + Integer.toHexString(i * 31 + 7));
        w.write(r);
      }
    }
    ParquetRecordSource source = ParquetRecordSource.forFile(file.getPath());
    List<? extends FileBasedSource<SourceRecord>> splits = source.split(1 << 20, options);
    assertThat(splits.size(), greaterThan(2));
    SourceTestUtils.assertSourcesEqualReferenceSource(source, splits, options);

    List<SourceRecord> all = SourceTestUtils.readFromSource(source, options);
    assertThat(all, hasSize(rows));
    Set<Long> rowNumbers = new HashSet<>();
    for (FileBasedSource<SourceRecord> split : splits) {
      for (SourceRecord r : SourceTestUtils.readFromSource(split, options)) {
        rowNumbers.add(r.line());
        // Row numbers are file-wide: row n holds id n-1.
        assertThat(r.text(), r.text().startsWith("{\"id\":" + (r.line() - 1) + ","), is(true));
      }
    }
    assertThat(rowNumbers, hasSize(rows));
    assertThat(all.get(0).origin(), is(file.getPath() + ":row 1"));
  }

  @Test
  public void aFileThatIsNoParquetIsOneBadRecordNamingIt() throws Exception {
    File file = new File(tmp.getRoot(), "broken.parquet");
    java.nio.file.Files.write(file.toPath(), "PAR1 this is not a parquet file at all PAR1".getBytes());
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records, hasSize(1));
    assertThat(records.get(0).unreadable(), containsString("not a readable Parquet file"));
    assertThat(records.get(0).unreadable(), not(containsString("ChannelInputFile@")));
    assertThat(records.get(0).origin(), is(file.getPath() + ":row 1"));
  }
}
