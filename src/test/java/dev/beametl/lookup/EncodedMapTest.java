package dev.beametl.lookup;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** The encoded map and the lookup table on it answer as a HashMap of the same entries does. */
public class EncodedMapTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Random keys (some empty, some sharing prefixes, some long enough to need pages of their own),
   * added, replaced and looked up against a HashMap, through many pages and index growths.
   */
  @Test
  public void answersAsAHashMapDoes() {
    Random random = new Random(7);
    for (int round = 0; round < 20; round++) {
      EncodedMap map = new EncodedMap();
      Map<String, byte[]> model = new HashMap<>();
      List<String> keys = new ArrayList<>();
      int n = random.nextInt(round < 10 ? 50 : 20_000);
      for (int i = 0; i < n; i++) {
        String key = key(random);
        byte[] payload = new byte[random.nextInt(3_000) == 0 ? EncodedMap.MAX_PAGE - 20 + random.nextInt(40) : random.nextInt(40)];
        random.nextBytes(payload);
        int at = map.find(bytes(key));
        assertThat(key, at >= 0, is(model.containsKey(key)));
        if (at < 0) {
          assertThat(map.add(bytes(key), payload), is(map.size() - 1));
          keys.add(key);
        } else {
          map.replace(at, payload);
        }
        model.put(key, payload);
        if (random.nextInt(1_000) == 0) { // an absent key now and then
          assertThat(map.find(bytes(key + "\u0000absent")) >= 0, is(model.containsKey(key + "\u0000absent")));
        }
      }
      assertThat(map.size(), is(model.size()));
      for (int e = 0; e < map.size(); e++) {
        String key = new String(map.key(e), StandardCharsets.UTF_8);
        assertThat(key, is(keys.get(e)));
        assertThat(Arrays.equals(map.payload(e), model.get(key)), is(true));
        assertThat(map.find(bytes(key)), is(e));
      }
      Map<String, byte[]> drained = new HashMap<>();
      map.drain((key, payload) -> drained.put(new String(key, StandardCharsets.UTF_8), payload));
      assertThat(drained.keySet(), is(model.keySet()));
      model.forEach((key, payload) -> assertThat(Arrays.equals(drained.get(key), payload), is(true)));
      assertThat(map.size(), is(0));
    }
  }

  /** Two keys with one hash (found by search) are told apart by their bytes. */
  @Test
  public void keysThatShareAHashKeepTheirOwnEntries() {
    assertThat(EncodedMap.hash(bytes("P-0775246")), is(EncodedMap.hash(bytes("P-1034780"))));
    EncodedMap map = new EncodedMap();
    map.add(bytes("P-0775246"), bytes("first"));
    assertThat(map.find(bytes("P-1034780")), is(-1));
    map.add(bytes("P-1034780"), bytes("second"));
    assertThat(new String(map.payload(map.find(bytes("P-0775246"))), StandardCharsets.UTF_8), is("first"));
    assertThat(new String(map.payload(map.find(bytes("P-1034780"))), StandardCharsets.UTF_8), is("second"));
  }

  /** A key replaced over and over (duplicates in the reference) does not grow the map without end. */
  @Test
  public void replacesDoNotGrowTheMapWithoutEnd() {
    EncodedMap map = new EncodedMap();
    for (int k = 0; k < 10; k++) {
      map.add(bytes("k" + k), new byte[100]);
    }
    byte[] payload = new byte[1_000];
    for (int i = 0; i < 200_000; i++) { // 200 MB replaced in all
      payload[0] = (byte) i;
      map.replace(i % 10, payload);
    }
    assertThat(map.bytes(), is(10 * (2L + 1_000)));
    assertThat("bytes in pages", map.pageBytes() < 3L * EncodedMap.MAX_PAGE, is(true));
    for (int k = 0; k < 10; k++) {
      assertThat(map.payload(map.find(bytes("k" + k)))[0], is((byte) (199_990 + k)));
    }
  }

  private static String key(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return "";
      case 1:
        return "P-" + random.nextInt(500);
      case 2:
        return "P-" + random.nextInt(500) + "-é" + random.nextInt(50);
      default:
        return Long.toString(random.nextLong(), 36);
    }
  }

  @Test
  public void aLookupTableKeepsItsEntriesThroughItsCoder() throws Exception {
    Schema values = Schema.builder().addNullableField("brand", Schema.FieldType.STRING)
        .addNullableField("price", Schema.FieldType.DECIMAL).build();
    EncodedMap entries = new EncodedMap();
    Map<List<String>, Row> model = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      List<String> key = i % 3 == 0 ? List.of("a" + i, "") : List.of("k" + i);
      Row row = Row.withSchema(values).addValues(i % 7 == 0 ? null : "brand " + i, new java.math.BigDecimal(i).movePointLeft(2)).build();
      entries.add(LookupKeys.bytes(key), CoderUtils.encodeToByteArray(org.apache.beam.sdk.coders.RowCoder.of(values), row));
      model.put(key, row);
    }
    LookupTable table = CoderUtils.clone(LookupTable.coder(values),
        new LookupTable(entries, org.apache.beam.sdk.coders.RowCoder.of(values)));
    assertThat(table.size(), is(model.size()));
    Map<List<String>, Row> back = new HashMap<>();
    table.forEach(back::put);
    assertThat(back, is(model));
    for (Map.Entry<List<String>, Row> e : model.entrySet()) {
      assertThat(table.get(e.getKey()), is(e.getValue()));
    }
    assertThat(table.get(List.of("a3")), is((Row) null)); // a key of two parts is not its first part
    assertThat(table.get(List.of("a3", "", "")), is((Row) null));
    assertThat(table.get(List.of("nothing")), is((Row) null));
  }

  @Test
  public void keyBytesGiveTheKeyBack() {
    for (List<String> key : List.of(List.<String>of(), List.of(""), List.of("", ""), List.of("x".repeat(300), "ü€𝄞"),
        List.of("a", "b", "c"), List.of("a\uD800", "\uDC00b", "\u0000"))) {
      assertThat(LookupKeys.fromBytes(LookupKeys.bytes(key)), is(key));
    }
    // Text with an unpaired surrogate (a database's) is its own key, not the '?' UTF-8 would make it.
    assertThat(java.util.Arrays.equals(LookupKeys.bytes(List.of("a\uD800")), LookupKeys.bytes(List.of("a?"))), is(false));
    Random random = new Random(5);
    for (int i = 0; i < 10_000; i++) { // any chars at all
      char[] chars = new char[random.nextInt(6)];
      for (int c = 0; c < chars.length; c++) {
        chars[c] = (char) random.nextInt(random.nextBoolean() ? 0x80 : 0x10000);
      }
      List<String> key = List.of(new String(chars), "x");
      assertThat(LookupKeys.fromBytes(LookupKeys.bytes(key)), is(key));
    }
  }
}
