package dev.beametl.lookup;

import dev.beametl.record.DataError;
import dev.beametl.record.Origins;
import dev.beametl.spec.LookupSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.CannotProvideCoderException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.common.ElementByteSizeObserver;
import org.apache.beam.sdk.values.Row;

/**
 * Builds a lookup's reference table - key to the fields it adds - from the validated reference
 * rows, with Beam's combine (partial tables merged). The limits are checked as rows arrive: past
 * {@link LookupSpec#maxRows()} or {@link LookupSpec#maxBytes()} (encoded) the table stops keeping
 * rows and only counts them, so the failure can say how big the table was without holding it. A
 * key twice is an error naming it, or with {@code onDuplicate: first} the row first in source order.
 */
final class ReferenceTable extends Combine.CombineFn<Row, ReferenceTable.Partial, LookupTable> {
  private final LookupSpec spec;
  private final int[] keyPositions;
  private final int[] valuePositions;
  private final Schema valueSchema;
  /** Built once: a RowCoder per row would generate a class per row (Beam gives each copy of a schema its own). */
  private transient RowCoder valueCoder;

  ReferenceTable(LookupSpec spec, Schema referenceSchema, Schema valueSchema) {
    this.spec = spec;
    this.keyPositions = spec.key().stream().mapToInt(referenceSchema::indexOf).toArray();
    this.valuePositions = spec.fields().stream().mapToInt(f -> referenceSchema.indexOf(f.from())).toArray();
    this.valueSchema = valueSchema;
  }

  /**
   * Part of the table: its entries (until a limit is passed), and how many rows and bytes it saw.
   * Each entry is a key's {@link Entry} encoded, in an {@link EncodedMap}: the table being built
   * takes about its encoded size, as the finished one does.
   */
  static final class Partial {
    final EncodedMap entries = new EncodedMap();
    long rows;
    long bytes;
    /** The encoded bytes of the entries kept, which the limit is on: a key twice is kept once. */
    long keptBytes;
    boolean overLimit;
  }

  /**
   * One key's added values (encoded), the origin of the reference row they came from, and its
   * size as the limit counts it; encoded as {@code [size][origin][values]}.
   */
  static final class Entry {
    final byte[] values;
    final String origin;
    final long bytes;

    Entry(byte[] values, String origin, long bytes) {
      this.values = values;
      this.origin = origin;
      this.bytes = bytes;
    }

    byte[] encoded() {
      byte[] originBytes = origin.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(12 + originBytes.length + values.length);
      b.putLong(bytes).putInt(originBytes.length).put(originBytes).put(values);
      return b.array();
    }

    static Entry of(byte[] encoded) {
      int originLength = ByteBuffer.wrap(encoded).getInt(8);
      String origin = new String(encoded, 12, originLength, StandardCharsets.UTF_8);
      return new Entry(Arrays.copyOfRange(encoded, 12 + originLength, encoded.length), origin, size(encoded));
    }

    /** An encoded entry's size as the limit counts it, without decoding the rest. */
    static long size(byte[] encoded) {
      return ByteBuffer.wrap(encoded).getLong(0);
    }

    /** An encoded entry's values, without decoding its origin. */
    static byte[] values(byte[] encoded) {
      return Arrays.copyOfRange(encoded, 12 + ByteBuffer.wrap(encoded).getInt(8), encoded.length);
    }
  }

  @Override
  public Partial createAccumulator() {
    return new Partial();
  }

  @Override
  public Partial addInput(Partial table, Row reference) {
    List<String> key = LookupKeys.of(reference, keyPositions); // never null: key fields are required
    Row.Builder values = Row.withSchema(valueSchema);
    for (int p : valuePositions) {
      values.addValue(reference.getValue(p));
    }
    byte[] encoded;
    try {
      encoded = CoderUtils.encodeToByteArray(valueCoder(), values.build());
    } catch (org.apache.beam.sdk.coders.CoderException e) {
      throw new IllegalStateException(e);
    }
    byte[] keyBytes = LookupKeys.bytes(key);
    long bytes = encoded.length + keyBytes.length; // as held: a key's chars in 1-3 bytes (a trial: CJK keys counted a third)
    table.rows++;
    table.bytes += bytes;
    if (!table.overLimit) {
      add(table, keyBytes, new Entry(encoded, Origins.of(reference), bytes).encoded());
    }
    return table;
  }

  private RowCoder valueCoder() {
    if (valueCoder == null) {
      valueCoder = RowCoder.of(valueSchema);
    }
    return valueCoder;
  }

  /** Adds an encoded {@link Entry}: decoded only when its key is there already. */
  private void add(Partial table, byte[] key, byte[] encoded) {
    if (table.overLimit) {
      return;
    }
    int at = table.entries.find(key);
    if (at < 0) {
      table.entries.add(key, encoded);
      table.keptBytes += Entry.size(encoded);
    } else {
      Entry before = Entry.of(table.entries.payload(at));
      Entry entry = Entry.of(encoded);
      if (spec.onDuplicate() == LookupSpec.OnDuplicate.FAIL) {
        throw new DataError(String.format(Locale.ROOT, "lookup %s: the reference table holds %s twice (%s and %s); "
            + "fix the table, or set onDuplicate: first to keep the first row in source order", spec.name(),
            LookupKeys.describe(spec.key(), LookupKeys.fromBytes(key)), first(before, entry).origin,
            later(before, entry).origin));
      } else if (first(before, entry) == entry) {
        table.entries.replace(at, encoded);
        table.keptBytes += entry.bytes - before.bytes;
      }
    }
    checkLimits(table);
  }

  /**
   * The entry first in source order; of two with one origin (a database row has its partition key
   * for one, or none), the one whose values come first as text: the same row whichever way the
   * runner merged the table, not the one that happened to arrive first.
   */
  private Entry first(Entry a, Entry b) {
    int order = Origins.SOURCE_ORDER.compare(a.origin, b.origin);
    if (order == 0) {
      try {
        order = CoderUtils.decodeFromByteArray(valueCoder(), a.values).toString()
            .compareTo(CoderUtils.decodeFromByteArray(valueCoder(), b.values).toString());
      } catch (org.apache.beam.sdk.coders.CoderException e) {
        throw new IllegalStateException(e);
      }
    }
    return order <= 0 ? a : b;
  }

  private Entry later(Entry a, Entry b) {
    return first(a, b) == a ? b : a;
  }

  /**
   * On the entries kept, not the rows read: with {@code onDuplicate: first} a reference of 50,000
   * rows and 10 keys failed a maxRows of 1,000, "more than a lookup holds in memory" (a trial).
   */
  private void checkLimits(Partial table) {
    if (!table.overLimit && (table.entries.size() > spec.maxRows() || table.keptBytes > spec.maxBytes())) {
      table.overLimit = true;
      table.entries.clear(); // from here on only counted: the failure says how big the table was
      table.keptBytes = 0;
    }
  }

  @Override
  public Partial mergeAccumulators(Iterable<Partial> partials) {
    Partial merged = null;
    for (Partial p : partials) { // into the first: a copy of the table so far per merge would be quadratic
      merged = merged == null ? p : mergeInto(merged, p);
    }
    return merged == null ? new Partial() : merged;
  }

  /** Adds a part of the table into {@code into}: work in the part's size, not the table's. */
  Partial mergeInto(Partial into, Partial p) {
    into.rows += p.rows;
    into.bytes += p.bytes;
    if (p.overLimit && !into.overLimit) {
      into.overLimit = true;
      into.entries.clear(); // only counted from here on, as checkLimits does
      into.keptBytes = 0;
    }
    for (int e = 0; e < p.entries.size() && !into.overLimit; e++) {
      add(into, p.entries.key(e), p.entries.payload(e));
    }
    return into;
  }

  /**
   * The table from parts of it ({@link PartTables}): the combine a lookup builds its table with. A
   * streaming runner keeps a combine's accumulator in its state backend and reads and writes it
   * whole for every input (Flink with RocksDB in resumable mode): fed row by row, a 20,000-row
   * table took 124 s and a 140,000-row one never finished; fed one part per bundle, the table is
   * written once per bundle.
   */
  CombineFn<Partial, Partial, LookupTable> ofParts() {
    ReferenceTable table = this;
    return new CombineFn<Partial, Partial, LookupTable>() {
      @Override
      public Partial createAccumulator() {
        return new Partial();
      }

      @Override
      public Partial addInput(Partial into, Partial part) {
        return table.mergeInto(into, part);
      }

      @Override
      public Partial mergeAccumulators(Iterable<Partial> partials) {
        return table.mergeAccumulators(partials);
      }

      @Override
      public LookupTable extractOutput(Partial all) {
        return table.extractOutput(all);
      }

      @Override
      public Coder<Partial> getAccumulatorCoder(CoderRegistry registry, Coder<Partial> inputCoder) {
        return partialCoder();
      }

      @Override
      public Coder<LookupTable> getDefaultOutputCoder(CoderRegistry registry, Coder<Partial> inputCoder) {
        return tableCoder(valueSchema);
      }
    };
  }

  Coder<Partial> partialCoder() {
    return new PartialCoder();
  }

  /**
   * Parts of the table, each of at most {@link #PART_ROWS} reference rows or a bundle's: what {@link
   * #ofParts} combines. Bounded, since a bundle is not: on Flink's DataSet translation a bundle is a
   * task's whole input, and a whole table as one record failed Flink's sort ("Record too large").
   */
  static final class PartTables extends DoFn<Row, Partial> {
    static final int PART_ROWS = 1_000;
    private final ReferenceTable table;
    private transient Partial part;

    PartTables(ReferenceTable table) {
      this.table = table;
    }

    @StartBundle
    public void startBundle() {
      part = null;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Partial> out) {
      if (part == null) {
        part = table.createAccumulator();
      }
      table.addInput(part, row);
      if (part.rows >= PART_ROWS) {
        out.output(part);
        part = null;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      if (part != null) {
        context.output(part, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
        part = null;
      }
    }
  }

  @Override
  public LookupTable extractOutput(Partial table) {
    if (table.overLimit) {
      throw new DataError(String.format(Locale.ROOT, "lookup %s: the reference table has %,d rows, %,d bytes "
          + "encoded, more keys than a lookup holds in memory (maxRows %,d, maxBytes %,d); raise lookups[].maxRows or "
          + "maxBytes if every worker has the memory, or filter the reference table (a query, for a database)",
          spec.name(), table.rows, table.bytes, spec.maxRows(), spec.maxBytes()));
    }
    EncodedMap out = new EncodedMap();
    table.entries.drain((key, entry) -> out.add(key, Entry.values(entry))); // each page let go as it is passed
    return new LookupTable(out, valueCoder());
  }

  @Override
  public Coder<Partial> getAccumulatorCoder(CoderRegistry registry, Coder<Row> inputCoder)
      throws CannotProvideCoderException {
    return partialCoder();
  }

  @Override
  public Coder<LookupTable> getDefaultOutputCoder(CoderRegistry registry, Coder<Row> inputCoder) {
    return tableCoder(valueSchema);
  }

  static Coder<LookupTable> tableCoder(Schema valueSchema) {
    return LookupTable.coder(valueSchema);
  }

  /** Coder of a partial table: its counts, then each entry's key and encoded {@link Entry} as they lie. */
  static final class PartialCoder extends AtomicCoder<Partial> {
    /** Its size is known without encoding it: a runner may send a big table on in parts (a global combine's pre-combine). */
    @Override
    public boolean isRegisterByteSizeObserverCheap(Partial p) {
      return true;
    }

    @Override
    public void registerByteSizeObserver(Partial p, ElementByteSizeObserver observer) {
      observer.update(30 + p.entries.bytes() + 10L * p.entries.size()); // the counts, and two lengths per entry
    }

    @Override
    public void encode(Partial p, OutputStream out) throws IOException {
      VarLongCoder.of().encode(p.rows, out);
      VarLongCoder.of().encode(p.bytes, out);
      BooleanCoder.of().encode(p.overLimit, out);
      LookupTable.encodeEntries(p.entries, out);
    }

    @Override
    public Partial decode(InputStream in) throws IOException {
      Partial p = new Partial();
      p.rows = VarLongCoder.of().decode(in);
      p.bytes = VarLongCoder.of().decode(in);
      p.overLimit = BooleanCoder.of().decode(in);
      int n = VarIntCoder.of().decode(in);
      for (int i = 0; i < n; i++) {
        byte[] key = LookupTable.BYTES.decode(in);
        byte[] entry = LookupTable.BYTES.decode(in);
        p.entries.add(key, entry);
        p.keptBytes += Entry.size(entry);
      }
      return p;
    }
  }
}
