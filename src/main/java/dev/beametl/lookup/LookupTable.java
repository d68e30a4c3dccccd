package dev.beametl.lookup;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.BiConsumer;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * A lookup's table as the join reads it: each key's added values, kept encoded ({@link
 * EncodedMap}) and decoded when a row asks for them. What goes to every task as a side input, so
 * its size in memory is about its encoded size, not the 15-20 times that Java objects took.
 */
final class LookupTable {
  /** An entry's key and payload on the wire: each its length (a varint), then its bytes. */
  static final ByteArrayCoder BYTES = ByteArrayCoder.of();
  private final EncodedMap entries;
  private final RowCoder valueCoder;

  /** Over entries whose payloads are rows of {@code valueCoder}. */
  LookupTable(EncodedMap entries, RowCoder valueCoder) {
    this.entries = entries;
    this.valueCoder = valueCoder;
  }

  int size() {
    return entries.size();
  }

  /** The entry of {@code key} (a key of {@link LookupKeys#of}), or -1: a number {@link #values} takes. */
  int find(List<String> key) {
    return entries.find(LookupKeys.bytes(key));
  }

  /** The values an entry adds, decoded anew on every call. */
  Row values(int entry) {
    try {
      return valueCoder.decode(entries.payloadStream(entry));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Nullable Row get(List<String> key) {
    int entry = find(key);
    return entry < 0 ? null : values(entry);
  }

  void forEach(BiConsumer<List<String>, Row> action) {
    for (int e = 0; e < entries.size(); e++) {
      action.accept(LookupKeys.fromBytes(entries.key(e)), values(e));
    }
  }

  /**
   * Entries go on the wire in chunks of this size, not one at a time: a table is one record, and
   * Flink's record buffer, once it cannot double near the heap's end, grows by each write's length
   * alone - a copy of the whole buffer and two full collections per entry (a 44 MB table at -Xmx256m
   * collected for minutes instead of finishing or failing).
   */
  static final int CHUNK = 1 << 20;

  /** The entries' count, then each entry's key and payload (each its length, then its bytes). */
  static void encodeEntries(EncodedMap entries, OutputStream out) throws IOException {
    // No bigger than the entries: a part of a few hundred rows is encoded as it crosses to its merge.
    int size = (int) Math.min(CHUNK, 16 + entries.bytes() + 10L * entries.size());
    BufferedOutputStream chunks = new BufferedOutputStream(out, size);
    VarIntCoder.of().encode(entries.size(), chunks);
    for (int e = 0; e < entries.size(); e++) {
      BYTES.encode(entries.key(e), chunks);
      BYTES.encode(entries.payload(e), chunks);
    }
    chunks.flush();
  }

  static Coder coder(Schema valueSchema) {
    return new Coder(RowCoder.of(valueSchema));
  }

  /** Each entry's key and encoded values as they lie: decoding copies bytes, it builds no objects per entry. */
  static final class Coder extends CustomCoder<LookupTable> {
    /** One for every table this coder makes: Beam generates a class per RowCoder made. */
    private final RowCoder valueCoder;

    Coder(RowCoder valueCoder) {
      this.valueCoder = valueCoder;
    }

    @Override
    public void encode(LookupTable table, OutputStream out) throws IOException {
      encodeEntries(table.entries, out);
    }

    @Override
    public LookupTable decode(InputStream in) throws IOException {
      int n = VarIntCoder.of().decode(in);
      EncodedMap entries = new EncodedMap();
      for (int e = 0; e < n; e++) {
        entries.add(BYTES.decode(in), BYTES.decode(in));
      }
      return new LookupTable(entries, valueCoder);
    }
  }
}
