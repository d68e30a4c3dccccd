package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import dev.beametl.extract.FileRecordSource;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.transform.Transform;
import dev.beametl.validate.Validate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Nothing is lost or counted twice when a file with every kind of bad record is read in several
 * byte-range splits: read = valid + bad, valid = kept + filtered, and each count is exact.
 */
public class CountInvariantsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  private static final String[] BAD = {
      "12x,EU,1.00,2024-01-01",          // type
      "13,Mars,1.00,2024-01-01",         // category
      "14,EU,1.00",                      // too few columns
      "15,EU,1.00,2024-01-01,extra",     // too many columns
      "16,EU,1.001,2024-01-01",          // decimal scale
      "17,\"EU,1.00,2024-01-01",         // unbalanced quote
      "18,EU,1.00,2023-02-29",           // impossible date
      "19,EU,-1.00,2024-01-01",          // below min
      ",EU,1.00,2024-01-01",             // missing required
      "",                                // blank line
      "99999999999999999999,EU,1.00,2024-01-01", // long overflow
  };

  @Test
  public void countsAddUpAcrossSplits() throws Exception {
    StringBuilder text = new StringBuilder("id,region,amount,day\r\n");
    int good = 0;
    int filtered = 0;
    for (int i = 0; i < 3000; i++) {
      if (i % 100 == 7) {
        text.append(BAD[(i / 100) % BAD.length]).append("\r\n");
        continue;
      }
      String day = i % 10 == 0 ? "2023-06-01" : "2024-06-01";
      filtered += i % 10 == 0 ? 1 : 0;
      good++;
      text.append(i).append(i % 2 == 0 ? ",EU," : ",NA,").append(i % 50).append(".25,").append(day).append("\r\n");
    }
    text.append("3001,EU,\u00ff\u00fe,2024-01-01\r\n");
    Path file = tmp.newFile("all-kinds.csv").toPath();
    Files.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 17] = (byte) 0xff; // invalid UTF-8 inside the last record
    Files.write(file, bytes);

    PipelineSpec spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + file + "', format: csv}",
        "schema:",
        "  - {name: id, type: long}",
        "  - {name: region, type: category, values: [EU, NA]}",
        "  - {name: amount, type: 'decimal(8,2)', min: 0}",
        "  - {name: day, type: date}",
        "filter: \"day >= date('2024-01-01')\"",
        "sink: {format: csv, path: unused}", ""), "t", List.of());

    BoundedSource<SourceRecord> source = FileRecordSource.forFiles(spec.source(), List.of("id", "region", "amount", "day"));
    List<? extends BoundedSource<SourceRecord>> splits = source.split(8 * 1024, PipelineOptionsFactory.create());
    assertThat(splits.size(), greaterThan(3));
    PCollectionList<SourceRecord> parts = PCollectionList.empty(p);
    for (int i = 0; i < splits.size(); i++) {
      parts = parts.and(p.apply("Read split " + i, Read.from(splits.get(i))));
    }
    PCollection<SourceRecord> records = parts.apply(Flatten.pCollections());
    PCollectionTuple validated = records.apply(Validate.against(spec.source(), spec.schema()));
    PCollectionTuple transformed = validated.get(Validate.VALID).apply(Transform.fromSpec(spec));
    PCollection<KV<String, Long>> counts = PCollectionList.of(validated.get(BundleCounts.TAG))
        .and(transformed.get(BundleCounts.TAG))
        .apply("All counts", Flatten.pCollections())
        .apply(Sum.longsPerKey());

    int bad = 30 + 1; // one bad line per hundred, plus the invalid UTF-8 line
    int expectedRead = good + bad;
    int expectedFiltered = filtered;
    PAssert.that(counts).satisfies(kvs -> {
      Map<String, Long> c = new HashMap<>();
      kvs.forEach(kv -> c.put(kv.getKey(), kv.getValue()));
      assertThat(c.get("read"), is(c.get("valid") + c.get("bad")));
      assertThat(c.get("valid"), is(c.get("kept") + c.get("filtered")));
      assertThat(c.get("read"), is((long) expectedRead));
      assertThat(c.get("bad"), is((long) bad));
      assertThat(c.get("filtered"), is((long) expectedFiltered));
      long byReason = c.entrySet().stream().filter(e -> e.getKey().startsWith("bad."))
          .collect(Collectors.summingLong(Map.Entry::getValue));
      assertThat(byReason, is((long) bad));
      assertThat(c.get("bad.bad_encoding"), is(1L));
      assertThat(c.get("bad.blank_line"), is(2L));
      return null;
    });
    p.run();
  }
}
