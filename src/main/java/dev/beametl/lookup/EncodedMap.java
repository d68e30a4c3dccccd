package dev.beametl.lookup;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Byte-string keys to byte-string payloads, held back to back in pages of bytes with an
 * open-addressing index of ints: a lookup's table as about its encoded size. As a HashMap of key
 * lists and Beam rows it took ~15-20 times that (a 46 MB table needed a heap of 1 GB), once per task
 * that joins with it and again while it is built.
 *
 * <p>An entry is {@code [key length][payload length][key][payload]}, the lengths as 4-byte ints.
 * {@link #replace} appends the entry anew and leaves the old bytes behind (lookups replace only
 * with {@code onDuplicate: first}, when a row earlier in source order comes later); when what is
 * left behind outgrows the entries, the pages are written anew, so the map stays within about twice
 * its entries whatever the input's duplicates. Not thread-safe while written; reads of a map no
 * longer written, once it is safely published (a side input's is), are.
 */
final class EncodedMap {
  private static final int FIRST_PAGE = 4 << 10;
  /** Pages grow to this, so a big table is not one array (nor copied whole as it grows). */
  static final int MAX_PAGE = 4 << 20;
  private static final int HEADER = 8;

  private final List<byte[]> pages = new ArrayList<>();
  /** Bytes used in the last page. */
  private int used;
  /** Each entry's page (high int) and offset in it (low int). */
  private long[] locations = new long[8];
  private int[] hashes = new int[8];
  private int size;
  /** The keys' and payloads' bytes. */
  private long bytes;
  /** Bytes of entries replaced, still in the pages. */
  private long leftBehind;
  /** Entry + 1, 0 for an empty slot; a power of two, at most half full. */
  private int[] slots = new int[16];

  int size() {
    return size;
  }

  /** The keys' and payloads' bytes, as the entries are now. */
  long bytes() {
    return bytes;
  }

  /** The entry of {@code key}, or -1. */
  int find(byte[] key) {
    int hash = hash(key);
    int mask = slots.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      int slot = slots[i];
      if (slot == 0) {
        return -1;
      }
      int entry = slot - 1;
      if (hashes[entry] == hash && keyEquals(entry, key)) {
        return entry;
      }
    }
  }

  /** Adds an entry for a key the map does not hold (see {@link #find}); returns its number. */
  int add(byte[] key, byte[] payload) {
    if (2 * (size + 1) > slots.length) {
      grow();
    }
    if (size == locations.length) {
      locations = Arrays.copyOf(locations, 2 * size);
      hashes = Arrays.copyOf(hashes, 2 * size);
    }
    int entry = size++;
    locations[entry] = append(key, payload);
    bytes += key.length + payload.length;
    hashes[entry] = hash(key);
    int mask = slots.length - 1;
    int i = hashes[entry] & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = entry + 1;
    return entry;
  }

  /** Gives {@code entry} another payload. */
  void replace(int entry, byte[] payload) {
    byte[] key = key(entry);
    bytes += payload.length - payloadLength(entry);
    leftBehind += HEADER + key.length + payloadLength(entry);
    locations[entry] = append(key, payload);
    if (leftBehind > Math.max(bytes, MAX_PAGE)) {
      compact();
    }
  }

  /** Writes the entries anew, without what replaces left behind. */
  private void compact() {
    List<byte[]> old = new ArrayList<>(pages);
    long[] oldLocations = Arrays.copyOf(locations, size);
    pages.clear();
    used = 0;
    leftBehind = 0;
    for (int entry = 0; entry < size; entry++) {
      byte[] page = old.get((int) (oldLocations[entry] >>> 32));
      int at = (int) oldLocations[entry];
      locations[entry] = append(keyAt(page, at), payloadAt(page, at));
    }
  }

  /** Bytes in the pages, entries and what replaces left behind: for tests. */
  long pageBytes() {
    long total = 0;
    for (byte[] page : pages) {
      total += page.length;
    }
    return total;
  }

  private int payloadLength(int entry) {
    return readInt(page(entry), offset(entry) + 4);
  }

  byte[] key(int entry) {
    return keyAt(page(entry), offset(entry));
  }

  byte[] payload(int entry) {
    return payloadAt(page(entry), offset(entry));
  }

  /** The key of the entry at {@code at} in {@code page}. */
  private static byte[] keyAt(byte[] page, int at) {
    return Arrays.copyOfRange(page, at + HEADER, at + HEADER + readInt(page, at));
  }

  private static byte[] payloadAt(byte[] page, int at) {
    int start = at + HEADER + readInt(page, at);
    return Arrays.copyOfRange(page, start, start + readInt(page, at + 4));
  }

  /** The payload's bytes as a stream, without copying them (reads take no lock, unlike ByteArrayInputStream's). */
  InputStream payloadStream(int entry) {
    byte[] page = page(entry);
    int at = offset(entry);
    int start = at + HEADER + readInt(page, at);
    return new Bytes(page, start, start + readInt(page, at + 4));
  }

  /**
   * Gives every entry's key and payload to {@code to} in the order they lie, lets each page go once
   * passed, and leaves the map empty: a map and what is built from it are not both whole in memory.
   */
  void drain(BiConsumer<byte[], byte[]> to) {
    long[] order = Arrays.copyOf(locations, size);
    Arrays.sort(order); // page, then offset: a replaced entry lies in a later page than its first
    int passed = 0;
    for (long location : order) {
      int pageIndex = (int) (location >>> 32);
      while (passed < pageIndex) {
        pages.set(passed++, null);
      }
      to.accept(keyAt(pages.get(pageIndex), (int) location), payloadAt(pages.get(pageIndex), (int) location));
    }
    clear();
  }

  void clear() {
    pages.clear();
    used = 0;
    locations = new long[8];
    hashes = new int[8];
    size = 0;
    bytes = 0;
    leftBehind = 0;
    slots = new int[16];
  }

  private byte[] page(int entry) {
    return pages.get((int) (locations[entry] >>> 32));
  }

  private int offset(int entry) {
    return (int) locations[entry];
  }

  private boolean keyEquals(int entry, byte[] key) {
    byte[] page = page(entry);
    int at = offset(entry);
    return readInt(page, at) == key.length
        && Arrays.equals(page, at + HEADER, at + HEADER + key.length, key, 0, key.length);
  }

  private long append(byte[] key, byte[] payload) {
    int need = HEADER + key.length + payload.length;
    if (pages.isEmpty() || used + need > pages.get(pages.size() - 1).length) {
      int last = pages.isEmpty() ? FIRST_PAGE / 2 : pages.get(pages.size() - 1).length;
      pages.add(new byte[Math.max(need, Math.min(MAX_PAGE, 2 * last))]); // an entry bigger than a page gets its own
      used = 0;
    }
    byte[] page = pages.get(pages.size() - 1);
    int at = used;
    writeInt(page, at, key.length);
    writeInt(page, at + 4, payload.length);
    System.arraycopy(key, 0, page, at + HEADER, key.length);
    System.arraycopy(payload, 0, page, at + HEADER + key.length, payload.length);
    used += need;
    return ((long) (pages.size() - 1) << 32) | at;
  }

  private void grow() {
    int[] bigger = new int[2 * slots.length];
    int mask = bigger.length - 1;
    for (int entry = 0; entry < size; entry++) {
      int i = hashes[entry] & mask;
      while (bigger[i] != 0) {
        i = (i + 1) & mask;
      }
      bigger[i] = entry + 1;
    }
    slots = bigger;
  }

  /** FNV-1a, its bits mixed down so that the index's low bits depend on all of them. */
  static int hash(byte[] key) {
    int h = 0x811c9dc5;
    for (byte b : key) {
      h = (h ^ b) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  private static int readInt(byte[] page, int at) {
    return (page[at] & 0xff) << 24 | (page[at + 1] & 0xff) << 16 | (page[at + 2] & 0xff) << 8 | (page[at + 3] & 0xff);
  }

  private static void writeInt(byte[] page, int at, int value) {
    page[at] = (byte) (value >>> 24);
    page[at + 1] = (byte) (value >>> 16);
    page[at + 2] = (byte) (value >>> 8);
    page[at + 3] = (byte) value;
  }

  /** A range of a page as a stream. */
  private static final class Bytes extends InputStream {
    private final byte[] bytes;
    private int position;
    private final int end;

    Bytes(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.position = start;
      this.end = end;
    }

    @Override
    public int read() {
      return position < end ? bytes[position++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (position >= end) {
        return -1;
      }
      int n = Math.min(len, end - position);
      System.arraycopy(bytes, position, into, off, n);
      position += n;
      return n;
    }

    @Override
    public int available() {
      return end - position;
    }
  }
}
