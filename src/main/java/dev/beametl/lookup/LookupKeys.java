package dev.beametl.lookup;

import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.Row;

/**
 * A key as both sides of a lookup see it: the text of each key value, so an int matches a long of
 * the same value, a category its string, and decimals of different scales their equal value (1.5
 * matches 1.50). The spec allows only keys of one family on both sides (see LookupSection).
 */
final class LookupKeys {
  private LookupKeys() {}

  /** The key of {@code row} at {@code positions}, or null when a part of it is null. */
  static @Nullable List<String> of(Row row, int[] positions) {
    List<String> key = new ArrayList<>(positions.length);
    for (int p : positions) {
      Object v = BeamTypes.plainValue(row, p);
      if (v == null) {
        return null;
      }
      key.add(v instanceof BigDecimal ? canonical((BigDecimal) v) : v.toString());
    }
    return key;
  }

  /** A key as the table holds it: each part's bytes ({@link #charBytes}) after their length (a varint). */
  static byte[] bytes(List<String> key) {
    byte[][] parts = new byte[key.size()][];
    int length = 0;
    for (int i = 0; i < parts.length; i++) {
      parts[i] = charBytes(key.get(i));
      length += VarInt.getLength(parts[i].length) + parts[i].length;
    }
    byte[] bytes = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      for (int n = part.length; ; n >>>= 7) { // Beam's varint: 7 bits a byte, low bits first
        if ((n & ~0x7f) == 0) {
          bytes[at++] = (byte) n;
          break;
        }
        bytes[at++] = (byte) ((n & 0x7f) | 0x80);
      }
      System.arraycopy(part, 0, bytes, at, part.length);
      at += part.length;
    }
    return bytes;
  }

  /** The key {@link #bytes} gave. */
  static List<String> fromBytes(byte[] bytes) {
    List<String> key = new ArrayList<>();
    for (int at = 0; at < bytes.length; ) {
      int n = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = bytes[at++];
        n |= (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
      }
      key.add(fromCharBytes(bytes, at, n));
      at += n;
    }
    return key;
  }

  /**
   * Each char in one to three bytes as UTF-8 writes it, a surrogate alone as any other char: two
   * texts have equal bytes exactly when they are equal. String.getBytes(UTF_8) makes an unpaired
   * surrogate '?', and so two keys one (text from a database can hold one).
   */
  private static byte[] charBytes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        out[at++] = (byte) c;
      } else if (c < 0x800) {
        out[at++] = (byte) (0xc0 | c >> 6);
        out[at++] = (byte) (0x80 | c & 0x3f);
      } else {
        out[at++] = (byte) (0xe0 | c >> 12);
        out[at++] = (byte) (0x80 | c >> 6 & 0x3f);
        out[at++] = (byte) (0x80 | c & 0x3f);
      }
    }
    return out;
  }

  private static String fromCharBytes(byte[] bytes, int at, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int end = at + n; at < end; ) {
      int b = bytes[at++] & 0xff;
      if (b < 0x80) {
        s.append((char) b);
      } else if (b < 0xe0) {
        s.append((char) ((b & 0x1f) << 6 | bytes[at++] & 0x3f));
      } else {
        s.append((char) ((b & 0x0f) << 12 | (bytes[at++] & 0x3f) << 6 | bytes[at++] & 0x3f));
      }
    }
    return s.toString();
  }

  private static String canonical(BigDecimal d) {
    return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
  }

  /** {@code product_id = P-1001}, or {@code (a, b) = (1, x)} for a key of several fields. */
  static String describe(List<String> fields, @Nullable List<String> key) {
    if (key == null) {
      return (fields.size() == 1 ? fields.get(0) : "(" + String.join(", ", fields) + ")") + " is null";
    }
    return fields.size() == 1 ? fields.get(0) + " = " + key.get(0)
        : "(" + String.join(", ", fields) + ") = (" + String.join(", ", key) + ")";
  }
}
