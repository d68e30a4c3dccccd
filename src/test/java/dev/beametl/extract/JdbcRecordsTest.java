package dev.beametl.extract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.beametl.cli.EtlJobTest;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.JdbcSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Partitioned reads on an in-process H2 database, and the errors a user meets before a run. */
public class JdbcRecordsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private static final String URL = "jdbc:h2:mem:jdbc_records_test;DB_CLOSE_DELAY=-1";
  private static final int ROWS = 20_000;

  @BeforeClass
  public static void createTable() throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "sa", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE items (id BIGINT, name VARCHAR(20), price DECIMAL(8,2))");
      s.execute("INSERT INTO items SELECT CASE WHEN MOD(X, 97) = 0 THEN NULL ELSE X * 3 END, 'item-' || X,"
          + " CAST(X AS DECIMAL(8,2)) / 100 FROM SYSTEM_RANGE(1, " + ROWS + ")");
      s.execute("CREATE TABLE events (event_day DATE, event_at TIMESTAMP, name VARCHAR(20))");
      s.execute("INSERT INTO events SELECT CASE WHEN MOD(X, 50) = 0 THEN NULL ELSE DATEADD(DAY, MOD(X, 400), DATE '2023-01-01') END,"
          + " DATEADD(MINUTE, X * 7, TIMESTAMP '2024-01-01 00:00:00'), 'e' || X FROM SYSTEM_RANGE(1, 5000)");
      s.execute("CREATE TABLE cases (\"id\" INT, \"ID\" INT, \"Other\" INT)");
      s.execute("INSERT INTO cases VALUES (1, 2, 3)");
      s.execute("CREATE TABLE extremes (k BIGINT, v INT)");
      s.execute("INSERT INTO extremes VALUES (-9223372036854775808, 1), (9223372036854775807, 2), (0, 3), (NULL, 4),"
          + " (-5, 5), (1000000000000, 6), (9223372036854775806, 7), (-9223372036854775000, 8)");
      s.execute("CREATE TABLE old_days (d DATE, ts TIMESTAMP, v INT)");
      s.execute("INSERT INTO old_days VALUES (DATE '0001-01-01', TIMESTAMP '0001-01-01 00:00:00', 1),"
          + " (DATE '1500-01-01', TIMESTAMP '1500-01-01 12:30:00', 2), (DATE '1582-10-10', TIMESTAMP '1582-10-10 23:59:59', 3),"
          + " (DATE '2024-02-29', TIMESTAMP '2024-02-29 08:00:00', 4)");
      s.execute("CREATE TABLE odd_types (id INT, t TIME(6), tz TIME(3) WITH TIME ZONE, c CLOB, bin VARBINARY(4),"
          + " j JSON, u UUID)");
      s.execute("INSERT INTO odd_types VALUES (1, TIME '12:34:56.789012', TIME WITH TIME ZONE '12:34:56.5+02:00',"
          + " 'a long text', X'00ff41', JSON '{\"a\":[1,2]}', '0e5f1c3a-9b2d-4c6e-8f10-123456789abc')");
      s.execute("CREATE TABLE reals (id INT, r REAL, d DOUBLE PRECISION)");
      s.execute("INSERT INTO reals VALUES (1, POWER(2, 40), POWER(2, 60))");
      s.execute("CREATE USER reader PASSWORD 's3cret-pw'");
      s.execute("GRANT SELECT ON items TO reader");
    }
  }

  private static JdbcSpec.Builder items() {
    return JdbcSpec.builder(URL).setUser("sa").setTable("items");
  }

  /** Sum of a per-row hash: equal for equal multisets of rows, whatever their order. */
  private static PCollection<Long> checksum(String name, PCollection<SourceRecord> records) {
    return records
        .apply("Hash rows of " + name, MapElements.into(TypeDescriptors.longs()).via((SourceRecord r) -> (long) r.text().hashCode()))
        .apply("Sum hashes of " + name, Sum.longsGlobally());
  }

  /**
   * Columns and fields match one to one ignoring case (OTHER is other), else each column keeps its own
   * name for Validate to match: the columns id and ID stay two keys, not one field's value twice.
   */
  @Test
  public void columnsWhoseNamesDifferInCaseOnlyStayApart() {
    JdbcSpec cases = JdbcSpec.builder(URL).setUser("sa").setTable("cases").build();
    PCollection<String> both = p.apply("Both", new JdbcRecords(cases, List.of("id", "ID", "other")))
        .apply("Text of both", MapElements.into(TypeDescriptors.strings()).via(SourceRecord::text));
    PCollection<String> one = p.apply("One", new JdbcRecords(cases, List.of("id", "other")))
        .apply("Text of one", MapElements.into(TypeDescriptors.strings()).via(SourceRecord::text));
    PAssert.that(both).containsInAnyOrder("{\"id\":1,\"ID\":2,\"other\":3}");
    PAssert.that(one).containsInAnyOrder("{\"id\":1,\"ID\":2,\"other\":3}");
    p.run();
  }

  @Test
  public void partitionedReadReturnsExactlyTheRowsOfOneQueryNullKeysIncluded() {
    List<String> fields = List.of("id", "name", "price");
    PCollection<SourceRecord> partitioned = p.apply("Partitioned",
        new JdbcRecords(items().setPartitionColumn("id").setPartitions(7).build(), fields));
    PCollection<SourceRecord> single = p.apply("Single query", new JdbcRecords(items().build(), fields));
    PAssert.thatSingleton(partitioned.apply("Count partitioned", Count.globally())).isEqualTo((long) ROWS);
    PAssert.thatSingleton(single.apply("Count single", Count.globally())).isEqualTo((long) ROWS);
    long expected = 0;
    // The same rows rendered the same way: recompute the expected checksum from the generator's rule.
    for (int x = 1; x <= ROWS; x++) {
      String id = x % 97 == 0 ? "null" : String.valueOf(x * 3L);
      String price = new java.math.BigDecimal(x).divide(java.math.BigDecimal.valueOf(100)).setScale(2).toPlainString();
      expected += ("{\"id\":" + id + ",\"name\":\"item-" + x + "\",\"price\":\"" + price + "\"}").hashCode();
    }
    PAssert.thatSingleton(checksum("partitioned", partitioned)).isEqualTo(expected);
    PAssert.thatSingleton(checksum("single", single)).isEqualTo(expected);
    PAssert.that(partitioned.apply("Origins", MapElements.into(TypeDescriptors.strings()).via(SourceRecord::origin))
        .apply("Null origins", org.apache.beam.sdk.transforms.Filter.by(o -> o.endsWith("=null]"))))
        .satisfies(origins -> {
          int n = 0;
          for (String ignored : origins) {
            n++;
          }
          assertThat(n, is(ROWS / 97));
          return null;
        });
    p.run();
  }

  @Test
  public void dateAndTimestampColumnsPartitionTooWithNullKeys() {
    List<String> fields = List.of("event_day", "event_at", "name");
    JdbcSpec.Builder events = JdbcSpec.builder(URL).setUser("sa").setTable("events");
    PCollection<SourceRecord> byDay = p.apply("By day",
        new JdbcRecords(events.setPartitionColumn("event_day").setPartitions(6).build(), fields));
    PCollection<SourceRecord> byTime = p.apply("By time",
        new JdbcRecords(events.setPartitionColumn("event_at").setPartitions(9).build(), fields));
    PCollection<SourceRecord> single = p.apply("Single", new JdbcRecords(
        JdbcSpec.builder(URL).setUser("sa").setTable("events").build(), fields));
    PAssert.thatSingleton(byDay.apply("Count by day", Count.globally())).isEqualTo(5000L);
    PAssert.thatSingleton(byTime.apply("Count by time", Count.globally())).isEqualTo(5000L);
    PCollection<Long> sums = org.apache.beam.sdk.values.PCollectionList.of(checksum("by day", byDay))
        .and(checksum("by time", byTime)).and(checksum("single", single))
        .apply(org.apache.beam.sdk.transforms.Flatten.pCollections());
    PAssert.that(sums).satisfies(all -> {
      java.util.Set<Long> distinct = new java.util.HashSet<>();
      int n = 0;
      for (Long s : all) {
        distinct.add(s);
        n++;
      }
      assertThat(n, is(3));
      assertThat(distinct.size(), is(1)); // the same rows, whichever way they were read
      return null;
    });
    p.run();
  }

  private static PCollection<String> texts(PCollection<SourceRecord> records, String name) {
    return records.apply("Texts of " + name, MapElements.into(TypeDescriptors.strings()).via(SourceRecord::text));
  }

  /**
   * Bounds place the ranges only: keys below and above them are read too (bounds 3..6 read 5 of 11
   * rows once). Keys at Long.MIN_VALUE and Long.MAX_VALUE, and a key range wider than a long, are
   * read once each (MAX failed the plan; the wide range filled the heap).
   */
  @Test
  public void everyRowIsReadOnceWhateverTheBoundsAndKeys() {
    List<String> items = new java.util.ArrayList<>();
    for (int x = 1; x <= ROWS; x++) {
      items.add(x % 97 == 0 ? "null" : String.valueOf(x * 3L));
    }
    PCollection<SourceRecord> narrow = p.apply("Narrow bounds", new JdbcRecords(items().setPartitionColumn("id")
        .setPartitions(4).setLowerBound(3000L).setUpperBound(6000L).build(), List.of("id")));
    PAssert.that(narrow.apply("Ids", MapElements.into(TypeDescriptors.strings())
        .via((SourceRecord r) -> r.text().replaceAll("^\\{\"id\":(.*)}$", "$1")))).containsInAnyOrder(items);
    JdbcSpec.Builder extremes = JdbcSpec.builder(URL).setUser("sa").setTable("extremes").setPartitionColumn("k");
    List<String> all = List.of("{\"k\":-9223372036854775808,\"v\":1}", "{\"k\":9223372036854775807,\"v\":2}",
        "{\"k\":0,\"v\":3}", "{\"k\":null,\"v\":4}", "{\"k\":-5,\"v\":5}", "{\"k\":1000000000000,\"v\":6}",
        "{\"k\":9223372036854775806,\"v\":7}", "{\"k\":-9223372036854775000,\"v\":8}");
    for (int partitions : new int[] {1, 4, 64}) {
      PAssert.that(texts(p.apply("Extremes in " + partitions, new JdbcRecords(
          extremes.setPartitions(partitions).build(), List.of("k", "v"))), "extremes in " + partitions))
          .containsInAnyOrder(all);
    }
    p.run();
  }

  @Test
  public void wideKeyRangesAreSplitWithinALong() {
    JdbcRecords.Plan plan = JdbcRecords.plan(JdbcSpec.builder(URL).setUser("sa").setTable("extremes")
        .setPartitionColumn("k").setPartitions(4).build());
    assertThat(plan.lower, is(Long.MIN_VALUE + 2));
    assertThat(plan.upper, is(Long.MIN_VALUE + 2 + Long.MAX_VALUE / 2));
    assertThat(plan.partitions, is(4));
  }

  /** Days before the Gregorian reform of 1582 stay as SQL has them (java.sql.Date turned them Julian). */
  @Test
  public void datesBefore1582AreTheDatabasesOwn() {
    List<String> expected = List.of("{\"d\":\"0001-01-01\",\"ts\":\"0001-01-01T00:00\",\"v\":1}",
        "{\"d\":\"1500-01-01\",\"ts\":\"1500-01-01T12:30\",\"v\":2}",
        "{\"d\":\"1582-10-10\",\"ts\":\"1582-10-10T23:59:59\",\"v\":3}",
        "{\"d\":\"2024-02-29\",\"ts\":\"2024-02-29T08:00\",\"v\":4}");
    JdbcSpec.Builder days = JdbcSpec.builder(URL).setUser("sa").setTable("old_days");
    PAssert.that(texts(p.apply("One query", new JdbcRecords(days.build(), List.of("d", "ts", "v"))), "one"))
        .containsInAnyOrder(expected);
    PAssert.that(texts(p.apply("By day", new JdbcRecords(days.setPartitionColumn("d").setPartitions(3).build(),
        List.of("d", "ts", "v"))), "by day")).containsInAnyOrder(expected);
    p.run();
  }

  /** A field with a format gets a DATE or TIMESTAMP column's value in it, as Validate will read it (see TemporalText). */
  @Test
  public void typedDatesAndTimestampsAreWrittenInTheirFieldsFormat() {
    List<dev.beametl.spec.FieldSpec> fields = List.of(
        dev.beametl.spec.FieldSpec.builder("d", dev.beametl.spec.FieldType.parse("date")).setFormat("dd/MM/yyyy").build(),
        dev.beametl.spec.FieldSpec.builder("ts", dev.beametl.spec.FieldType.parse("timestamp"))
            .setFormat("d.M.yyyy H:mm:ss").build(),
        dev.beametl.spec.FieldSpec.builder("v", dev.beametl.spec.FieldType.parse("int")).build());
    Extract extract = Extract.from(dev.beametl.spec.SourceSpec.builder("db", dev.beametl.spec.SourceSpec.Format.JDBC)
        .build()).withSchema(fields);
    PAssert.that(texts(p.apply(new JdbcRecords(JdbcSpec.builder(URL).setUser("sa").setTable("old_days").build(),
        extract.schemaFields(), extract.temporalTexts())), "formatted")).containsInAnyOrder(
        "{\"d\":\"01/01/0001\",\"ts\":\"1.1.0001 0:00:00\",\"v\":1}",
        "{\"d\":\"01/01/1500\",\"ts\":\"1.1.1500 12:30:00\",\"v\":2}",
        "{\"d\":\"10/10/1582\",\"ts\":\"10.10.1582 23:59:59\",\"v\":3}",
        "{\"d\":\"29/02/2024\",\"ts\":\"29.2.2024 8:00:00\",\"v\":4}");
    p.run();
  }

  /**
   * A trial: a TIME lost its fraction and offset, a CLOB or binary value became a Java object's name
   * ({@code [B@d33835}); all rows valid. Times and CLOBs are read as the database's text, and binary
   * data makes the row an unreadable bad record (the job refuses a field of such a column before the run).
   */
  @Test
  public void timesAndLargeTextsAreTheDatabasesTextAndBinaryDataIsUnreadable() {
    JdbcSpec odd = JdbcSpec.builder(URL).setUser("sa").setTable("odd_types").build();
    // H2 gives JSON and UUID columns as bytes: their text instead (every JSON value was an unreadable record)
    PAssert.that(texts(p.apply("Texts", new JdbcRecords(odd, List.of("id", "t", "tz", "c", "j", "u"))), "texts"))
        .containsInAnyOrder("{\"id\":1,\"t\":\"12:34:56.789012\",\"tz\":\"12:34:56.5+02\",\"c\":\"a long text\","
            + "\"j\":\"{\\\"a\\\":[1,2]}\",\"u\":\"0e5f1c3a-9b2d-4c6e-8f10-123456789abc\"}");
    PCollection<String> binary = p.apply("Binary", new JdbcRecords(odd, List.of("id", "bin")))
        .apply("Reasons", MapElements.into(TypeDescriptors.strings())
            .via((SourceRecord r) -> String.valueOf(r.unreadable())));
    PAssert.that(binary).containsInAnyOrder("column BIN (BINARY VARYING): binary data, which no field type reads;"
        + " read it as text in a query; the row's other values: {\"id\":1}");
    p.run();
  }

  /** A trial: a REAL 2^40 became 1099511630000 in a decimal field, digits its shortest text invents. */
  @Test
  public void aDecimalFieldTakesAFloatColumnsBinaryValue() throws Exception {
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, String.join("\n", "version: 1",
        "source: {format: jdbc, jdbc: {url: '" + URL + "', user: sa, table: reals}}",
        "schema: [{name: id, type: long}, {name: r, type: 'decimal(20,0)'}, {name: d, type: 'decimal(20,0)'}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/reals'}", ""));
    EtlJobTest.Run r = new EtlJobTest.Run("--pipeline=" + spec, "--runner=DirectRunner");
    assertThat(r.err, r.code, is(0));
    assertThat(dev.beametl.load.SpecRuns.partFiles(tmp.getRoot().toPath().resolve("reals")), containsString("1,1099511627776,1152921504606846976"));
  }

  @Test
  public void plansPartitionsFromRowsPerPartitionAndInfersBounds() {
    JdbcRecords.Plan plan = JdbcRecords.plan(items().setPartitionColumn("id").setRowsPerPartition(1000).build());
    assertThat(plan.lower, is(3L));
    assertThat(plan.upper, is(ROWS * 3L));
    assertThat(plan.nullRows, is((long) ROWS / 97));
    assertThat(plan.partitions, is((int) Math.ceil((ROWS - ROWS / 97) / 1000.0)));
  }

  private String spec(String jdbcBlock) throws Exception {
    Path spec = tmp.newFile().toPath();
    Files.writeString(spec, String.join("\n",
        "version: 1",
        "source:",
        "  format: jdbc",
        "  jdbc: " + jdbcBlock,
        "schema: [{name: id, type: long}, {name: name, type: string}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/out'}", ""));
    return spec.toString();
  }

  @Test
  public void mistakesAreOneLineErrorsWithoutThePassword() throws Exception {
    EtlJobTest.Run missingTable = new EtlJobTest.Run("--pipeline=" + spec("{url: '" + URL + "', user: sa, table: nope}"),
        "--dryRun");
    assertThat(missingTable.code, is(2));
    assertThat(missingTable.err, containsString("source.jdbc: Table \"NOPE\" not found"));

    Path pw = tmp.newFile("pw").toPath();
    Files.writeString(pw, "wrong-pw\n");
    EtlJobTest.Run wrongPassword = new EtlJobTest.Run("--pipeline="
        + spec("{url: '" + URL + "', user: reader, passwordFile: '" + pw + "', table: items}"), "--dryRun");
    assertThat(wrongPassword.code, is(2));
    assertThat(wrongPassword.err, containsString("Wrong user name or password"));
    assertThat(wrongPassword.err, not(containsString("wrong-pw")));
    assertThat(wrongPassword.err.lines().count(), is(1L));

    EtlJobTest.Run unreachable = new EtlJobTest.Run("--pipeline="
        + spec("{url: 'jdbc:postgresql://127.0.0.1:1/db', user: x, table: items}"), "--dryRun");
    assertThat("a database that cannot be reached may be back later: exit 1, not a usage error",
        unreachable.code, is(1));
    assertThat(unreachable.err, containsString("Connection to 127.0.0.1:1 refused"));

    Path previous = tmp.getRoot().toPath().resolve("out");
    Files.createDirectories(previous);
    Files.writeString(previous.resolve("part-00000-of-00001.csv"), "a previous run's result");
    Files.writeString(previous.resolve(".beam-etl-manifest.json"), // and its manifest, listing it
        "{\"run\": \"previous\", \"complete\": true, \"entries\": [\"part-00000-of-00001.csv\"]}");
    EtlJobTest.Run textKey = new EtlJobTest.Run("--pipeline="
        + spec("{url: '" + URL + "', user: sa, table: items, partitionColumn: name}"), "--runner=DirectRunner",
        "--ifExists=overwrite");
    assertThat(textKey.code, is(2));
    assertThat("refused while the pipeline was built: the previous output is untouched",
        Files.readString(previous.resolve("part-00000-of-00001.csv")), is("a previous run's result"));
    assertThat(textKey.err, containsString("name is of SQL type CHARACTER VARYING; partitioned reads need an integer, date or timestamp column"));

    EtlJobTest.Run injection = new EtlJobTest.Run("--pipeline="
        + spec("{url: '" + URL + "', user: sa, table: 'items; DROP TABLE items'}"), "--dryRun");
    assertThat(injection.code, is(2));
    assertThat(injection.err, containsString("is not a plain table or column name"));

    Path binarySpec = tmp.newFile().toPath();
    Files.writeString(binarySpec, String.join("\n", "version: 1",
        "source: {format: jdbc, jdbc: {url: '" + URL + "', user: sa, table: odd_types}}",
        "schema: [{name: id, type: long}, {name: bin, type: string}]",
        "sink: {format: csv, path: '" + tmp.getRoot() + "/out'}", ""));
    EtlJobTest.Run binary = new EtlJobTest.Run("--pipeline=" + binarySpec, "--dryRun");
    assertThat(binary.code, is(2));
    assertThat(binary.err, containsString("source.jdbc: odd_types: column BIN holds binary data (BINARY VARYING), which no"
        + " field type reads; read it as text in a query"));

    EtlJobTest.Run noColumn = new EtlJobTest.Run("--pipeline=" + spec("{url: '" + URL + "', user: sa, query: 'SELECT id"
        + " FROM items'}"), "--dryRun");
    assertThat(noColumn.code, is(2));
    assertThat("a trial's field was NULL in every row, exit 0", noColumn.err,
        containsString("source.jdbc: query: no column is named name (the columns: ID); rename the field, or select"));

    for (String query : new String[] {"SELECT id, name FROM items; ", "SELECT id, name FROM items -- all of them"}) {
      EtlJobTest.Run asAClientTakesIt = new EtlJobTest.Run("--pipeline=" + spec("{url: '" + URL + "', user: sa,"
          + " query: '" + query + "'}"), "--dryRun", "--ifExists=overwrite");
      assertThat(asAClientTakesIt.err, asAClientTakesIt.code, is(0)); // a trial: a bare syntax error
    }

    EtlJobTest.Run passwordInUrl = new EtlJobTest.Run("--pipeline="
        + spec("{url: '" + URL + ";PASSWORD=x', user: sa, table: items}"), "--dryRun");
    assertThat(passwordInUrl.err, containsString("put no password in the URL"));
  }
}
