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

  /**
   * A file as DuckDB writes it: decimals of precision up to 18 stored as INT32/INT64, unsigned
   * integers, a time of day, nanosecond timestamps, bytes without a type. Avro's reading hands those
   * over raw (0.0056 as 56, UINT64 max as -1, a ByteBuffer's toString); the records carry the values
   * the file holds, and a struct or list as JSON (which Validate refuses where one value is wanted).
   */
  @Test
  public void valuesAvroLeavesRawAreReadAsTheFileMeansThem() throws Exception {
    File file = new File(tmp.getRoot(), "duckdb.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement()) {
      st.execute("COPY (SELECT 0.0056::DECIMAL(6,4) AS m4, -12.34::DECIMAL(9,2) AS m9, 1.5::DECIMAL(18,2) AS m18, "
          + "2.25::DECIMAL(20,2) AS m20, 18446744073709551615::UBIGINT AS ub, 4294967295::UINTEGER AS ui, "
          + "200::UTINYINT AS ut, TIME '12:00:00' AS t, TIME '23:59:59.123456' AS tf, NULL::DECIMAL(9,2) AS n, "
          + "'text'::BLOB AS txt, '\\xFF\\x00a'::BLOB AS blob, {'m': 0.5::DECIMAL(4,1)} AS st, [1, 2] AS li, "
          + "TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns) "
          + "TO '" + file.getPath() + "' (FORMAT PARQUET)");
    }
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records, hasSize(1));
    assertThat(records.get(0).text(), is("{\"m4\":\"0.0056\",\"m9\":\"-12.34\",\"m18\":\"1.50\",\"m20\":\"2.25\","
        + "\"ub\":\"18446744073709551615\",\"ui\":4294967295,\"ut\":200,\"t\":\"12:00:00\","
        + "\"tf\":\"23:59:59.123456\",\"n\":null,\"txt\":\"text\",\"blob\":\"\\\\xFF\\\\x00a\","
        + "\"st\":{\"m\":5},\"li\":[{\"element\":1},{\"element\":2}],\"ns\":\"2024-01-02T03:04:05.123456789\"}"));
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
