package dev.beametl.lookup;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** A finished table on the wire: one record, written in big chunks, read back entry for entry. */
public class LookupTableTest {
  private static final Schema VALUES = Schema.builder().addStringField("brand").build();
  private static final LookupTable.Coder CODER = LookupTable.coder(VALUES);

  private static String brand(int entry) {
    return "brand of P-" + entry + " ".repeat(entry % 50);
  }

  private static LookupTable table(int entries) throws Exception {
    RowCoder rows = RowCoder.of(VALUES);
    EncodedMap map = new EncodedMap();
    for (int e = 0; e < entries; e++) {
      map.add(LookupKeys.bytes(List.of("P-" + e)),
          CoderUtils.encodeToByteArray(rows, Row.withSchema(VALUES).addValue(brand(e)).build()));
    }
    return new LookupTable(map, rows);
  }

  /**
   * Flink grows a record's buffer by each write's length once it cannot double, copying the buffer and
   * collecting the heap for each write: entry by entry, a big table near the heap's end took minutes.
   */
  @Test
  public void aTableIsWrittenInChunksNotEntryByEntry() throws Exception {
    LookupTable table = table(200_000); // about 12 MB
    List<Integer> writes = new ArrayList<>();
    ByteArrayOutputStream wire = new ByteArrayOutputStream() {
      @Override
      public synchronized void write(byte[] b, int off, int len) {
        writes.add(len);
        super.write(b, off, len);
      }

      @Override
      public synchronized void write(int b) {
        writes.add(1);
        super.write(b);
      }
    };
    CODER.encode(table, wire);
    int size = wire.size();
    assertThat(size, greaterThanOrEqualTo(10 * LookupTable.CHUNK));
    assertThat(writes.size(), lessThanOrEqualTo(2 * size / LookupTable.CHUNK + 1));
    for (int w = 0; w < writes.size() - 1; w++) { // a chunk ends before the entry that would not fit
      assertThat(writes.get(w), greaterThanOrEqualTo(LookupTable.CHUNK / 2));
    }
  }

  @Test
  public void aTableReadBackHoldsEveryEntryAsWritten() throws Exception {
    for (int entries : new int[] {0, 1, 70_000}) {
      LookupTable table = table(entries);
      LookupTable back = CoderUtils.clone(CODER, table);
      assertThat(back.size(), is(entries));
      for (int e = 0; e < entries; e++) {
        assertThat(back.get(List.of("P-" + e)).getString("brand"), is(brand(e)));
      }
    }
  }
}
