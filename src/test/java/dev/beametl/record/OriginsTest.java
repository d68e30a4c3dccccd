package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/**
 * Source order, which a lookup's {@code onDuplicate: first} keeps: positions in a file and a
 * database row's integer partition key compare as numbers, not as text ("10" sorted before "9").
 */
public class OriginsTest {
  @Test
  public void positionsAndIntegerKeysCompareAsNumbers() {
    List<String> origins = new ArrayList<>(List.of("ref[id=10]", "b.csv@byte 5", "ref[id=9]", "a.csv@byte 100",
        "ref[id=-5]", "ref[id=null]", "a.csv@byte 20", "ref[id=100]", "ref", "t.parquet:row 11", "t.parquet:row 2",
        "ref[id=1000000000000000000]", "ref[id=999999999999999999]", "ref[id=-9223372036854775808]"));
    origins.sort(Origins.SOURCE_ORDER);
    assertThat(origins, contains("a.csv@byte 20", "a.csv@byte 100", "b.csv@byte 5", "ref", "ref[id=-9223372036854775808]",
        "ref[id=-5]", "ref[id=9]", "ref[id=10]", "ref[id=100]", "ref[id=999999999999999999]",
        "ref[id=1000000000000000000]", "ref[id=null]", "t.parquet:row 2", "t.parquet:row 11"));
  }

  /**
   * A row carries its record's position and writes it out only when asked; encoded (the
   * DirectRunner encodes every element, a shuffle would), it is the same text, and so is the decoded row's.
   */
  @Test
  public void aRowsOriginIsItsRecordsPositionWrittenOutWhenAskedAndEncodedAsThatText() throws Exception {
    Schema schema = Origins.withOrigin(Schema.builder().addInt64Field("id").build());
    for (SourceRecord record : List.of(SourceRecord.of("dir/a.csv", 4096, 0, "1", null, false),
        SourceRecord.of("a.csv.gz", -1, 12, "1", null, false), SourceRecord.of("t.parquet", -1, 7, "{}", null, false),
        SourceRecord.of("ref[id=9]", -1, 0, "{}", null, false))) {
      Row row = Row.withSchema(schema).attachValues(List.of(1L, record.position()));
      assertThat(Origins.of(row), is(record.origin()));
      Row decoded = CoderUtils.clone(RowCoder.of(schema), row);
      assertThat(Origins.of(decoded), is(record.origin()));
      assertThat(decoded, equalTo(row));
      assertThat(decoded.hashCode(), is(row.hashCode()));
      Object position = row.getValue(1);
      Object decodedPosition = decoded.getValue(1);
      assertThat(decodedPosition, equalTo(position));
      assertThat(decodedPosition.hashCode(), is(position.hashCode()));
    }
    assertThat(List.of(SourceRecord.of("dir/a.csv", 4096, 0, "1", null, false).origin(),
        SourceRecord.of("a.csv.gz", -1, 12, "1", null, false).origin(),
        SourceRecord.of("t.parquet", -1, 7, "{}", null, false).origin()),
        contains("dir/a.csv@byte 4096", "a.csv.gz:line 12", "t.parquet:row 7"));
  }
}
