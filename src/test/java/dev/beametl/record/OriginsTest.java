package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;

import java.util.ArrayList;
import java.util.List;
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
}
