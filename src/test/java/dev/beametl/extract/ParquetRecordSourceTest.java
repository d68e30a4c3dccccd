package dev.beametl.extract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import java.io.File;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
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
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupWriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ParquetRecordSourceTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private final PipelineOptions options = PipelineOptionsFactory.create();

  /**
   * A Parquet file compressed with a codec this job has no decoder for (BROTLI, as DuckDB, Spark and
   * Arrow can write) was reported as corrupt data, "replace the file", and retried six times; it is
   * named as the codec, a failure the runner does not retry (a DataError).
   */
  @Test
  public void aCodecWithoutADecoderIsNamedNotCalledCorrupt() {
    CheckedCodecFactory.UnsupportedCodec e = org.junit.Assert.assertThrows(CheckedCodecFactory.UnsupportedCodec.class,
        () -> new CheckedCodecFactory().getDecompressor(org.apache.parquet.hadoop.metadata.CompressionCodecName.BROTLI));
    assertThat(e, org.hamcrest.Matchers.instanceOf(dev.beametl.record.DataError.class));
    RuntimeException wrapped = new org.apache.parquet.io.ParquetDecodingException("Can not read value at 0", e);
    assertThat(CheckedCodecFactory.UnsupportedCodec.in(wrapped, "f.parquet").getMessage(), allOf(
        containsString("f.parquet: its pages are compressed with BROTLI, which this job cannot decompress"),
        containsString("COMPRESSION zstd")));
    assertThat(CheckedCodecFactory.UnsupportedCodec.in(new RuntimeException("bad page"), "f.parquet"), nullValue());
  }

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
   * A file as DuckDB writes it, each value read as the file means it: decimals of precision up to 18
   * stored as INT32/INT64 (Avro's reading gave 0.0056 as 56), unsigned integers (UINT64 max was -1),
   * times of day, intervals, UUIDs, enums, local and UTC timestamps of every unit, bytes without a
   * type (a ByteBuffer's toString once), structs, lists and maps as JSON (which Validate refuses where
   * one value is wanted), and column names Avro does not allow (the whole file was unreadable).
   */
  @Test
  public void everyValueIsReadAsTheFileMeansIt() throws Exception {
    File file = new File(tmp.getRoot(), "duckdb.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement()) {
      st.execute("COPY (SELECT 0.0056::DECIMAL(6,4) AS m4, -12.34::DECIMAL(9,2) AS m9, 1.5::DECIMAL(18,2) AS m18, "
          + "2.25::DECIMAL(20,2) AS m20, 18446744073709551615::UBIGINT AS ub, 5::UBIGINT AS ub5, "
          + "4294967295::UINTEGER AS ui, 200::UTINYINT AS ut, TIME '12:00:00' AS t, TIME '23:59:59.123456' AS tf, "
          + "NULL::DECIMAL(9,2) AS n, 'text'::BLOB AS txt, '\\xFF\\x00a'::BLOB AS blob, "
          + "{'m': 0.5::DECIMAL(4,1)} AS st, [1, 2] AS li, [[1], NULL, []] AS lili, MAP {'k': 1.25::DECIMAL(5,2)} AS mp, "
          + "TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ns, TIMESTAMP '1969-12-31 23:59:59.5' AS ts, "
          + "TIMESTAMP_MS '2024-01-02 03:04:05.123' AS ms, TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS tz, "
          + "DATE '1582-10-04' AS d, INTERVAL '1 month 2 days 3.5 seconds' AS iv, "
          + "'0b8f3b4e-3c1a-4c5e-9d2f-4a6b7c8d9e0f'::UUID AS u, 'b'::ENUM('a', 'b') AS e, "
          + "'{\"a\": 1}'::JSON AS j, 1.5::FLOAT AS f, true AS b, 7 AS \"x-y\", 8 AS \"unit price\", "
          + "TIME '24:00:00' AS midnight, 'infinity'::TIMESTAMP AS inf, '-infinity'::TIMESTAMP AS ninf, "
          + "'infinity'::DATE AS dinf) "
          + "TO '" + file.getPath() + "' (FORMAT PARQUET)");
    }
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records, hasSize(1));
    assertThat(records.get(0).unreadable(), is(nullValue()));
    assertThat(records.get(0).text(), is("{\"m4\":\"0.0056\",\"m9\":\"-12.34\",\"m18\":\"1.50\",\"m20\":\"2.25\","
        + "\"ub\":\"18446744073709551615\",\"ub5\":5,\"ui\":4294967295,\"ut\":200,\"t\":\"12:00:00\","
        + "\"tf\":\"23:59:59.123456\",\"n\":null,\"txt\":\"text\",\"blob\":\"\\\\xFF\\\\x00a\","
        + "\"st\":{\"m\":\"0.5\"},\"li\":[1,2],\"lili\":[[1],null,[]],\"mp\":{\"k\":\"1.25\"},"
        + "\"ns\":\"2024-01-02T03:04:05.123456789\",\"ts\":\"1969-12-31T23:59:59.5\","
        + "\"ms\":\"2024-01-02T03:04:05.123\",\"tz\":\"2024-01-02T03:04:05.500Z\",\"d\":\"1582-10-04\","
        + "\"iv\":\"P1M2DT3.5S\",\"u\":\"0b8f3b4e-3c1a-4c5e-9d2f-4a6b7c8d9e0f\",\"e\":\"b\",\"j\":\"{\\\"a\\\": 1}\","
        + "\"f\":1.5e0,\"b\":true,\"x-y\":7,\"unit price\":8,\"midnight\":\"24:00:00\",\"inf\":\"infinity\","
        + "\"ninf\":\"-infinity\",\"dinf\":\"infinity\"}"));
  }

  /**
   * INT96 timestamps, as Spark and Impala long wrote them (nanoseconds of the day, then the Julian
   * day, little-endian): Avro's reading refused the whole file. Now their wall-clock time, as DuckDB
   * reads them (the field's zone places it), before 1970 too.
   */
  @Test
  public void int96TimestampsAreTheirWallClockTimes() throws Exception {
    // 2024-01-02T03:04:05.123456789Z: Julian day 2460312; 1969-12-31T23:59:59Z: Julian day 2440587.
    File file = writtenByParquet("int96.parquet", "message spark { required int96 ts; optional int96 maybe; }",
        g -> g.append("ts", new NanoTime(2460312, (3 * 3600 + 4 * 60 + 5) * 1_000_000_000L + 123_456_789L)),
        g -> g.append("ts", new NanoTime(2440587, 86_399_000_000_000L)));
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records.stream().map(SourceRecord::text).collect(java.util.stream.Collectors.toList()), contains(
        "{\"ts\":\"2024-01-02T03:04:05.123456789\",\"maybe\":null}",
        "{\"ts\":\"1969-12-31T23:59:59\",\"maybe\":null}"));
  }

  /**
   * A FLOAT or DOUBLE reaches its field as the binary value it is, never as the decimal its shortest
   * text reads: 0.1f is 0.10000000149011612 in a double field (as Java widens it and DuckDB casts it),
   * 2^60 is exactly 1152921504606846976 in a decimal(38,0) (its text 1.15292150460684698E18 reads
   * ...980). A decimal takes a value whose shortest text fits its scale (0.1 is 0.10), and refuses one
   * that does not (0.125 in decimal(10,2)), as for text; a text field keeps the float's shortest text.
   */
  @Test
  public void floatsAndDoublesReachTheirFieldsAsTheirBinaryValues() throws Exception {
    File file = writtenByParquet("binary.parquet",
        "message m { required float f; required double d; required float fd; required float s; }",
        g -> g.append("f", 0.1f).append("d", Math.pow(2, 60)).append("fd", 0.1f).append("s", 0.1f),
        g -> g.append("f", -0.0f).append("d", 7.0).append("fd", 0.125f).append("s", 3f));
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records, hasSize(2));
    assertThat(records.get(0).text(), is("{\"f\":0.10000000149011612e0,\"d\":1.15292150460684698E18,"
        + "\"fd\":0.10000000149011612e0,\"s\":0.10000000149011612e0}"));
    dev.beametl.spec.SourceSpec source =
        dev.beametl.spec.SourceSpec.builder(file.getPath(), dev.beametl.spec.SourceSpec.Format.PARQUET).build();
    List<dev.beametl.spec.FieldSpec> fields = List.of(
        dev.beametl.spec.FieldSpec.builder("f", dev.beametl.spec.FieldType.parse("double")).build(),
        dev.beametl.spec.FieldSpec.builder("d", dev.beametl.spec.FieldType.parse("decimal(38,0)")).build(),
        dev.beametl.spec.FieldSpec.builder("fd", dev.beametl.spec.FieldType.parse("decimal(10,2)")).build(),
        dev.beametl.spec.FieldSpec.builder("s", dev.beametl.spec.FieldType.parse("string")).build());
    dev.beametl.validate.RecordValidator validator = new dev.beametl.validate.RecordValidator(source, fields, false);
    dev.beametl.validate.RecordValidator.Outcome first = validator.validate(records.get(0));
    assertThat(first.bad, is(nullValue()));
    assertThat(first.row.getDouble("f"), is(0.10000000149011612));
    assertThat(first.row.getDecimal("d"), is(new java.math.BigDecimal("1152921504606846976")));
    assertThat(first.row.getDecimal("fd"), is(new java.math.BigDecimal("0.10")));
    assertThat(first.row.getString("s"), is("0.1"));
    dev.beametl.validate.RecordValidator.Outcome second = validator.validate(records.get(1));
    assertThat(second.bad.field(), is("fd"));
    assertThat(second.bad.reason(), is("fd: 0.125 has more than 2 decimal places for decimal(10,2)"));
    // The second row read without fd: -0.0f stays negative zero; 3f in a text field is 3.0, as before.
    dev.beametl.validate.RecordValidator.Outcome rest = new dev.beametl.validate.RecordValidator(source,
        List.of(fields.get(0), fields.get(3)), false).validate(records.get(1));
    assertThat(1 / rest.row.getDouble("f"), is(Double.NEGATIVE_INFINITY));
    assertThat(rest.row.getString("s"), is("3.0"));
  }

  /**
   * A field's {@code format:} describes text; a typed DATE or TIMESTAMP column has none. Its ISO text
   * made every row bad against a format such as {@code dd/MM/yyyy} (a spec written for CSV, pointed at
   * Parquet). The value is now written in the field's format, so Validate reads the same date or
   * instant; a format that would drop part of the value keeps the ISO text, a bad record naming it.
   */
  @Test
  public void typedDatesAndTimestampsAreWrittenInTheirFieldsFormat() throws Exception {
    File file = new File(tmp.getRoot(), "typed.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement()) {
      st.execute("SET TimeZone = 'UTC'");
      st.execute("COPY (SELECT DATE '2024-01-31' AS d, TIMESTAMP '2024-07-01 10:00:00' AS ts, "
          + "TIMESTAMPTZ '2024-07-01 10:00:00+00' AS tz, TIMESTAMP '2024-07-01 10:30:00' AS coarse, "
          + "[DATE '2024-01-31'] AS list) TO '" + file.getPath() + "' (FORMAT PARQUET)");
    }
    java.util.function.BiFunction<String, String, dev.beametl.spec.FieldSpec> field = (name, type) ->
        dev.beametl.spec.FieldSpec.builder(name, dev.beametl.spec.FieldType.parse(type)).build();
    List<dev.beametl.spec.FieldSpec> fields = List.of(
        field.apply("d", "date").toBuilder().setFormat("dd/MM/yyyy").build(),
        field.apply("ts", "timestamp").toBuilder().setFormat("dd/MM/yyyy HH:mm:ss").setZone("Europe/Paris").build(),
        field.apply("tz", "timestamp").toBuilder().setFormat("dd/MM/yyyy HH:mm:ss").setZone("Europe/Paris").build(),
        field.apply("coarse", "timestamp").toBuilder().setFormat("dd/MM/yyyy").build());
    dev.beametl.spec.SourceSpec source =
        dev.beametl.spec.SourceSpec.builder(file.getPath(), dev.beametl.spec.SourceSpec.Format.PARQUET).build();
    Extract extract = Extract.from(source).withSchema(fields);
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFiles(
        InputFiles.match(file.getPath()), extract.schemaFields(), extract.temporalTexts()), options);
    assertThat(records.get(0).text(), is("{\"d\":\"31/01/2024\",\"ts\":\"01/07/2024 10:00:00\","
        + "\"tz\":\"01/07/2024 12:00:00\",\"coarse\":\"2024-07-01T10:30:00\"}"));
    dev.beametl.validate.RecordValidator.Outcome read =
        new dev.beametl.validate.RecordValidator(source, fields.subList(0, 3), false).validate(records.get(0));
    assertThat(read.bad, is(nullValue()));
    assertThat(read.row.getValue("d").toString(), is("2024-01-31"));
    assertThat(read.row.getValue("ts").toString(), is("2024-07-01T08:00:00Z")); // wall-clock time in Paris
    assertThat(read.row.getValue("tz").toString(), is("2024-07-01T10:00:00Z")); // the instant itself
    dev.beametl.validate.RecordValidator.Outcome coarse =
        new dev.beametl.validate.RecordValidator(source, fields.subList(3, 4), false).validate(records.get(0));
    assertThat(coarse.bad.reason(), containsString("\"2024-07-01T10:30:00\" is not a timestamp (format dd/MM/yyyy)"));
    // Without a format, and in a list, the ISO text as before.
    List<SourceRecord> plain = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(plain.get(0).text(), is("{\"d\":\"2024-01-31\",\"ts\":\"2024-07-01T10:00:00\","
        + "\"tz\":\"2024-07-01T10:00:00Z\",\"coarse\":\"2024-07-01T10:30:00\",\"list\":[\"2024-01-31\"]}"));
  }

  /** A column another field takes (Ts for the string field Ts, beside the timestamp field ts) keeps its text. */
  @Test
  public void aColumnOfAnotherFieldIsNotWrittenInThisFieldsFormat() throws Exception {
    File file = new File(tmp.getRoot(), "cases.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement st = c.createStatement()) {
      st.execute("COPY (SELECT TIMESTAMP '2024-07-01 10:00:00' AS \"Ts\") TO '" + file.getPath() + "' (FORMAT PARQUET)");
    }
    List<dev.beametl.spec.FieldSpec> fields = List.of(
        dev.beametl.spec.FieldSpec.builder("Ts", dev.beametl.spec.FieldType.parse("string")).build(),
        dev.beametl.spec.FieldSpec.builder("ts", dev.beametl.spec.FieldType.parse("timestamp"))
            .setFormat("dd/MM/yyyy HH:mm").setNullable(true).build());
    Extract extract = Extract.from(dev.beametl.spec.SourceSpec.builder(file.getPath(),
        dev.beametl.spec.SourceSpec.Format.PARQUET).build()).withSchema(fields);
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFiles(
        InputFiles.match(file.getPath()), extract.schemaFields(), extract.temporalTexts()), options);
    assertThat(records.get(0).text(), is("{\"Ts\":\"2024-07-01T10:00:00\"}"));
  }

  /** A value without a meaning (a decimal of no bytes) makes its row a bad record naming the column; the rest reads. */
  @Test
  public void aValueThatCannotBeReadIsItsRowsBadRecord() throws Exception {
    File file = writtenByParquet("odd.parquet", "message m { required binary d (DECIMAL(9,2)); }",
        g -> g.append("d", Binary.fromConstantByteArray(new byte[0])),
        g -> g.append("d", Binary.fromConstantByteArray(java.math.BigInteger.valueOf(-1234).toByteArray())));
    List<SourceRecord> records = SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options);
    assertThat(records, hasSize(2));
    assertThat(records.get(0).unreadable(), containsString("column d: a value that cannot be read"));
    assertThat(records.get(0).origin(), is(file.getPath() + ":row 1"));
    assertThat(records.get(1).text(), is("{\"d\":\"-12.34\"}"));
  }

  /**
   * Only the schema's columns are read (in any case, as Validate matches them): a value without a
   * meaning in a column it does not use leaves the row good. A file without one of them is read
   * whole, so a replay of its dead letters after the spec's fix finds the column it names; a value
   * that cannot be read in a column the schema does not use is null there, the row still good.
   */
  @Test
  public void onlyTheSchemasColumnsAreRead() throws Exception {
    File file = writtenByParquet("wide.parquet", "message m { required int64 ID; required binary junk (DECIMAL(9,2)); "
            + "optional binary note (UTF8); }",
        g -> g.append("ID", 1L).append("junk", Binary.fromConstantByteArray(new byte[0])).append("note", "a"),
        g -> g.append("ID", 2L).append("junk", Binary.fromConstantByteArray(new byte[] {1})));
    List<org.apache.beam.sdk.io.fs.MatchResult.Metadata> files = InputFiles.match(file.getPath());
    List<SourceRecord> records = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(files, List.of("id", "NOTE")), options);
    assertThat(records.stream().map(SourceRecord::text).collect(java.util.stream.Collectors.toList()), contains(
        "{\"ID\":1,\"note\":\"a\"}", "{\"ID\":2,\"note\":null}"));
    List<SourceRecord> all = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(files, List.of("id", "note")), options);
    assertThat(all.get(0).text(), is("{\"ID\":1,\"note\":\"a\"}"));
    for (List<String> lacking : List.of(List.of("other"), List.of("id", "amout"))) { // a column the file lacks
      List<SourceRecord> whole = SourceTestUtils.readFromSource(ParquetRecordSource.forFiles(files, lacking), options);
      // A trial: the value without a meaning in junk, a column the schema does not read, made row 1 unreadable
      assertThat(whole.get(0).unreadable(), is((String) null));
      assertThat(whole.get(0).text(), is("{\"ID\":1,\"junk\":null,\"note\":\"a\"}"));
      assertThat(whole.get(1).text(), is("{\"ID\":2,\"junk\":\"0.01\",\"note\":null}"));
    }
    List<SourceRecord> named = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(files, List.of("id", "junk", "amout")), options); // junk read: row 1 bad
    assertThat(named.get(0).unreadable(), containsString("column junk: a value that cannot be read"));
  }

  /**
   * A file lacking a field's column says so on its records, so Validate counts the rows it makes
   * NULL there; a file with every column (in any case) says nothing.
   */
  @Test
  public void aFileLackingAFieldsColumnSaysWhichOnItsRecords() throws Exception {
    File lacking = writtenByParquet("lacking.parquet", "message m { required int64 id; optional binary nmae (UTF8); }",
        g -> g.append("id", 1L).append("nmae", "alice"));
    File whole = writtenByParquet("whole.parquet", "message m { required int64 ID; optional binary name (UTF8); }",
        g -> g.append("ID", 2L).append("name", "bob"));
    List<SourceRecord> read = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(InputFiles.match(lacking.getPath()), List.of("id", "name")), options);
    assertThat(read.get(0).layout().columns(), contains(0, ColumnLayout.MISSING));
    assertThat(read.get(0).text(), is("{\"id\":1,\"nmae\":\"alice\"}"));
    List<SourceRecord> other = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(InputFiles.match(whole.getPath()), List.of("id", "name")), options);
    assertThat(other.get(0).layout(), nullValue());
  }

  /**
   * A data page that cannot be decompressed, in the second of five row groups: the read fails,
   * naming the file. It was one bad record for the rest of the file - 3 row groups' rows lost, the
   * 2 intact ones after the damage among them, and counted as one against the bad-record limits.
   */
  @Test
  public void corruptDataAfterTheFooterFailsTheReadNamingTheFile() throws Exception {
    File file = new File(tmp.getRoot(), "flipped.parquet");
    Schema schema = SchemaBuilder.record("r").fields().requiredLong("id").requiredString("name").endRecord();
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
            HadoopOutputFile.fromPath(new Path(file.getPath()), new Configuration()))
        .withSchema(schema).withRowGroupSize(64 * 1024).withPageSize(8 * 1024)
        .withCompressionCodec(CompressionCodecName.SNAPPY).withDictionaryEncoding(false).build()) {
      for (int i = 0; i < 20_000; i++) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", (long) i);
        r.put("name", "name-" + Integer.toHexString(i * 7919 + 13));
        w.write(r);
      }
    }
    List<org.apache.parquet.hadoop.metadata.BlockMetaData> blocks;
    try (org.apache.parquet.hadoop.ParquetFileReader footer = org.apache.parquet.hadoop.ParquetFileReader.open(
        HadoopInputFile.fromPath(new Path(file.getPath()), new Configuration()))) {
      blocks = footer.getFooter().getBlocks();
    }
    assertThat(blocks.size(), greaterThan(2));
    byte[] bytes = java.nio.file.Files.readAllBytes(file.toPath());
    org.apache.parquet.hadoop.metadata.ColumnChunkMetaData names = blocks.get(1).getColumns().get(1);
    for (long at = names.getStartingPos() + names.getTotalSize() / 2, k = 0; k < 64; k++) {
      bytes[(int) (at + k)] ^= 0x5a;
    }
    java.nio.file.Files.write(file.toPath(), bytes);
    Exception e = org.junit.Assert.assertThrows(Exception.class,
        () -> SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options));
    assertThat(org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Throwables.getRootCause(e)
        .getMessage(), allOf(containsString("flipped.parquet: its data after row "), containsString("is corrupt"),
        containsString("would be lost")));
  }

  /**
   * One bit flipped in a data page's header (DuckDB's file, the second row group's name column) raised
   * the size it declares uncompressed: Hadoop's Snappy stream then gave 0 bytes a call forever, and
   * the read spun at 100% CPU, never ending (a re-trial's find; DuckDB: "Uncompressed data size
   * mismatch"). It fails the read now, naming the file.
   */
  @Test(timeout = 60_000)
  public void aPageHeaderThatOverstatesItsSizeFailsTheReadInsteadOfSpinning() throws Exception {
    File file = new File(tmp.getRoot(), "header.parquet");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i::INT AS id, (i * 1.25)::DECIMAL(10,2) AS amt, i::INT AS n, 'f' || (i * 7919 % 100003)"
          + " AS name FROM range(0, 10000) t(i)) TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 2048, COMPRESSION"
          + " snappy)");
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(file.toPath());
    bytes[101490] ^= 0x01;
    java.nio.file.Files.write(file.toPath(), bytes);
    Exception e = org.junit.Assert.assertThrows(Exception.class,
        () -> SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options));
    assertThat(org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Throwables.getRootCause(e)
        .getMessage(), allOf(containsString("header.parquet: its data after row "), containsString("is corrupt")));
  }

  /**
   * A Parquet file cut short (a partial copy: its footer gone) was one bad record standing for all
   * its rows: 2,000 of 10,000 lost within the bad-record limits, exit 0 (a re-trial). DuckDB refuses
   * such a file; so does the read now, naming it.
   */
  @Test
  public void aParquetFileCutShortFailsTheReadNamingIt() throws Exception {
    File file = new File(tmp.getRoot(), "partial.parquet");
    Schema schema = SchemaBuilder.record("r").fields().requiredLong("id").endRecord();
    try (ParquetWriter<GenericRecord> w = AvroParquetWriter.<GenericRecord>builder(
            HadoopOutputFile.fromPath(new Path(file.getPath()), new Configuration())).withSchema(schema).build()) {
      for (int i = 0; i < 2_000; i++) {
        GenericData.Record r = new GenericData.Record(schema);
        r.put("id", (long) i);
        w.write(r);
      }
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(file.toPath());
    java.nio.file.Files.write(file.toPath(), java.util.Arrays.copyOf(bytes, bytes.length - 100));
    Exception e = org.junit.Assert.assertThrows(Exception.class,
        () -> SourceTestUtils.readFromSource(ParquetRecordSource.forFile(file.getPath()), options));
    assertThat(org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.base.Throwables.getRootCause(e)
        .getMessage(), allOf(containsString("partial.parquet: it begins as a Parquet file but ends before its "
            + "footer"), containsString("all its rows would be lost")));
  }

  /** A file of 0 bytes is no Parquet file either: one bad record, not silence. */
  @Test
  public void anEmptyFileIsOneBadRecord() throws Exception {
    File file = new File(tmp.getRoot(), "empty.parquet");
    java.nio.file.Files.write(file.toPath(), new byte[0]);
    org.apache.beam.sdk.io.BoundedSource<SourceRecord> source =
        ParquetRecordSource.forFiles(InputFiles.match(file.getPath()), List.of("id"));
    for (List<SourceRecord> records : List.of(SourceTestUtils.readFromSource(source, options),
        SourceTestUtils.readFromSplitsOfSource(source, 1 << 20, options))) { // read whole, and as a runner splits it
      assertThat(records, hasSize(1));
      assertThat(records.get(0).unreadable(), containsString("not a readable Parquet file"));
    }
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

  /**
   * A trial: text that is not valid UTF-8 in a STRING column was read as U+FFFD, exit 0, so the bytes
   * FF and FE became one group key. Now its row says badEncoding (Validate makes it a bad_encoding
   * record, as for a CSV file); valid UTF-8, U+FFFD itself included, reads as it is; bad bytes in a
   * column the schema does not read leave the row good (the file lacks a field's column, so it is
   * read whole).
   */
  @Test
  public void textThatIsNotUtf8InAColumnTheSchemaReadsMakesItsRowBadEncoding() throws Exception {
    File file = writtenByParquet("utf8.parquet", "message m { required int64 id; required binary k (STRING); "
            + "optional binary other (STRING); }",
        g -> g.append("id", 1L).append("k", Binary.fromConstantByteArray(new byte[] {'f', (byte) 0xFF, 'o'})),
        g -> g.append("id", 2L).append("k", Binary.fromConstantByteArray(new byte[] {(byte) 0xC0, (byte) 0xAF})),
        g -> g.append("id", 3L).append("k", Binary.fromConstantByteArray(new byte[] {(byte) 0xED, (byte) 0xA0,
            (byte) 0x80})),
        g -> g.append("id", 4L).append("k", "caf\u00e9 \uFFFD \uD83D\uDE00"),
        g -> g.append("id", 5L).append("k", "ok").append("other", Binary.fromConstantByteArray(new byte[] {(byte) 0xFE})));
    List<org.apache.beam.sdk.io.fs.MatchResult.Metadata> files = InputFiles.match(file.getPath());
    List<SourceRecord> records = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(files, List.of("id", "k")), options);
    assertThat(records.stream().map(SourceRecord::badEncoding).collect(java.util.stream.Collectors.toList()),
        contains(true, true, true, false, false));
    assertThat(records.get(3).text(), is("{\"id\":4,\"k\":\"caf\u00e9 \uFFFD \uD83D\uDE00\"}"));
    List<SourceRecord> whole = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(files, List.of("id", "k", "missing")), options);
    assertThat("bad bytes only in a column the schema does not read", whole.get(4).badEncoding(), is(false));
    assertThat(whole.get(0).badEncoding(), is(true));
  }

  /** The same inside a nested value: an element of a LIST, a field of a struct (a review's nit). */
  @Test
  public void textThatIsNotUtf8InsideANestedValueMakesItsRowBadEncoding() throws Exception {
    byte[] bad = {'x', (byte) 0xFF};
    File file = writtenByParquet("nested-utf8.parquet", "message m { required int64 id;"
            + " optional group tags (LIST) { repeated group list { optional binary element (STRING); } }"
            + " optional group addr { optional binary city (STRING); } }",
        g -> {
          g.append("id", 1L).addGroup("tags").addGroup("list").append("element", Binary.fromConstantByteArray(bad));
          return g;
        },
        g -> {
          g.append("id", 2L).addGroup("addr").append("city", Binary.fromConstantByteArray(bad));
          return g;
        },
        g -> {
          g.append("id", 3L).addGroup("tags").addGroup("list").append("element", "ok");
          g.addGroup("addr").append("city", "caf\u00e9");
          return g;
        });
    List<SourceRecord> records = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(InputFiles.match(file.getPath()), List.of("id", "tags", "addr")), options);
    assertThat(records.stream().map(SourceRecord::badEncoding).collect(java.util.stream.Collectors.toList()),
        contains(true, true, false));
    assertThat(records.get(2).text(), is("{\"id\":3,\"tags\":[\"ok\"],\"addr\":{\"city\":\"caf\u00e9\"}}"));
  }

  /** A MAP group that is not one as the format defines it (its repeated child a primitive): its fields, not a failed read. */
  @Test
  public void aMapGroupOfAnotherShapeIsReadAsItsFields() throws Exception {
    File file = writtenByParquet("odd-map.parquet", "message m { required int64 id;"
            + " optional group m (MAP) { repeated binary x (STRING); } }",
        g -> {
          g.append("id", 1L).addGroup("m").append("x", "a").append("x", "b");
          return g;
        });
    List<SourceRecord> records = SourceTestUtils.readFromSource(
        ParquetRecordSource.forFiles(InputFiles.match(file.getPath()), List.of("id", "m")), options);
    assertThat(records.get(0).unreadable(), org.hamcrest.Matchers.nullValue());
    assertThat(records.get(0).text(), is("{\"id\":1,\"m\":{\"x\":[\"a\",\"b\"]}}"));
  }

  /** A Parquet file replaced after the run listed it fails the read, as a text file does (UnchangedFile). */
  @Test
  public void aParquetFileReplacedAfterItWasListedFailsTheRead() throws Exception {
    File file = writtenByParquet("replaced.parquet", "message m { required int64 id; }", g -> g.append("id", 1L));
    ParquetRecordSource listed = ParquetRecordSource.forFile(file.getPath());
    assertThat(SourceTestUtils.readFromSource(listed, options), hasSize(1));
    File other = writtenByParquet("other.parquet", "message m { required int64 id; }", g -> g.append("id", 1L),
        g -> g.append("id", 2L), g -> g.append("id", 3L));
    java.nio.file.Files.move(other.toPath(), file.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    dev.beametl.record.DataError e = org.junit.Assert.assertThrows(dev.beametl.record.DataError.class,
        () -> SourceTestUtils.readFromSource(listed, options));
    assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("changed while the run read it"));
  }

  /**
   * A Parquet file replaced by another of the same size and modification time fails the read too:
   * its row groups were planned from the listed file (UnchangedFile's version).
   */
  @Test
  public void aParquetFileReplacedAtTheSameSizeAndTimeFailsTheRead() throws Exception {
    File file = writtenByParquet("same.parquet", "message m { required int64 id; }", g -> g.append("id", 1L));
    org.junit.Assume.assumeTrue(FileRecordSourceTest.versioned(file));
    ParquetRecordSource listed = ParquetRecordSource.forFile(file.getPath());
    File other = writtenByParquet("same-other.parquet", "message m { required int64 id; }", g -> g.append("id", 2L));
    FileRecordSourceTest.replaceKeepingSizeAndTime(file, java.nio.file.Files.readAllBytes(other.toPath()));
    dev.beametl.record.DataError e = org.junit.Assert.assertThrows(dev.beametl.record.DataError.class,
        () -> SourceTestUtils.readFromSource(listed, options));
    assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("(replaced by another file at the same size"));
    java.nio.file.Files.delete(file.toPath());
    e = org.junit.Assert.assertThrows(dev.beametl.record.DataError.class,
        () -> SourceTestUtils.readFromSource(listed, options));
    assertThat(e.getMessage(), org.hamcrest.Matchers.containsString(" is gone: deleted or moved away"));
  }

  /** A file written by parquet-mr's example writer (which DuckDB cannot write: INT96, odd values), one row per function. */
  @SafeVarargs
  private File writtenByParquet(String name, String schema, UnaryOperator<Group>... rows) throws Exception {
    File file = new File(tmp.getRoot(), name);
    MessageType type = MessageTypeParser.parseMessageType(schema);
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    Configuration conf = new Configuration();
    GroupWriteSupport.setSchema(type, conf);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new Path(file.getPath())).withConf(conf).build()) {
      for (UnaryOperator<Group> row : rows) {
        w.write(row.apply(groups.newGroup()));
      }
    }
    return file;
  }
}
