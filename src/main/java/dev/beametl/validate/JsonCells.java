package dev.beametl.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beametl.record.BinaryFloat;
import dev.beametl.spec.FieldType;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema fields' texts of a JSON-lines record, read token by token: what the tree reading
 * ({@code ObjectMapper.readTree}, then a lookup per field) gives for the same line, without building
 * the tree. Building it (a node and a map entry per key, a type lookup per line) was 60% of a JSON
 * run's samples. Only the common case is read here: one object whose schema fields hold scalars or
 * null. Anything else - a syntax error, a repeated key, a container in a schema field, a second value,
 * no object at all - answers false, and the caller reads the line by the tree, which words the error.
 * {@code JsonCellsTest} holds the two readings equal on random and hostile lines; the equality rests on
 * how Jackson 2.15's tree reads numbers (a double first, BigDecimal without trailing zeros), so that
 * test is the tripwire when Jackson is upgraded.
 */
final class JsonCells {
  private final ObjectMapper json;
  private final String[] names;
  private final SerializedString[] quoted;
  private final Map<String, Integer> index = new HashMap<>();
  /** Field by its {@link #folded} name, for keys that differ from it in case only (one field each). */
  private final Map<String, Integer> foldedIndex = new HashMap<>();
  /** Which fields the last line gave a value, by their exact name or in another case. */
  private final boolean[] seen;
  /** Fields that take a number as its text as written (text fields): 1.50 stays 1.50, not 1.5. */
  private final boolean[] numbersAsWritten;
  /**
   * Fields that take a number with a fraction or exponent as written (integer fields): 19.0 is no
   * integer, as in a CSV cell, where the tree's value (19) would pass and 10.0's (1E+1) would not.
   */
  private final boolean[] fractionsAsWritten;

  /** Decimal fields, which take a binary floating-point number ({@link BinaryFloat}) as its binary value. */
  private final boolean[] decimals;
  /** Double fields, which take a float's text as written ({@link BinaryFloat}): its exact value. */
  private final boolean[] doubles;

  /**
   * The texts of the last line read; {@code textual[i]}: field i was a JSON string; {@code binary[i]}:
   * field i (a decimal) was a file's binary floating-point number, its text as {@link BinaryFloat} wrote
   * it, for {@link ValueParser#parseBinary}.
   */
  final String[] cells;
  final boolean[] textual;
  final boolean[] binary;

  JsonCells(ObjectMapper json, List<String> fieldNames, List<FieldType.Kind> kinds) {
    this.json = json; // its parser settings: a repeated key is an error
    this.names = fieldNames.toArray(new String[0]);
    this.numbersAsWritten = new boolean[names.length];
    this.fractionsAsWritten = new boolean[names.length];
    this.decimals = new boolean[names.length];
    this.doubles = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      numbersAsWritten[i] = numbersAsWritten(kinds.get(i));
      fractionsAsWritten[i] = fractionsAsWritten(kinds.get(i));
      decimals[i] = kinds.get(i) == FieldType.Kind.DECIMAL;
      doubles[i] = kinds.get(i) == FieldType.Kind.DOUBLE;
    }
    this.quoted = new SerializedString[names.length];
    for (int i = 0; i < names.length; i++) {
      quoted[i] = new SerializedString(names[i]);
      if (index.put(names[i], i) != null) {
        throw new IllegalArgumentException("field " + names[i] + " is in the schema twice");
      }
      foldedIndex.merge(folded(names[i]), i, (a, b) -> -1); // -1: two fields
    }
    seen = new boolean[names.length];
    cells = new String[names.length];
    textual = new boolean[names.length];
    binary = new boolean[names.length];
  }

  /**
   * Whether a field of this kind takes a JSON number as its text as written (text fields): values
   * compared as text, where 1.50 is not "1.5", as in a CSV cell; numbers and booleans take its value.
   */
  static boolean numbersAsWritten(FieldType.Kind kind) {
    return kind == FieldType.Kind.STRING || kind == FieldType.Kind.CATEGORY;
  }

  /**
   * Whether a field of this kind takes a JSON number with a fraction or exponent as written: integer
   * fields (19.0 and 1e3 are no integers, as in CSV) and doubles (-0.0 stays negative zero, where the
   * number's decimal, 0, lost its sign; every other value parses alike either way).
   */
  static boolean fractionsAsWritten(FieldType.Kind kind) {
    return kind == FieldType.Kind.INT || kind == FieldType.Kind.LONG || kind == FieldType.Kind.DOUBLE;
  }

  /**
   * The text field {@code i} takes for a file's binary floating-point number {@code raw}, as written
   * by {@link BinaryFloat}, where it takes its text as written (see {@link #read(String, boolean)}).
   */
  String binaryAsWritten(int i, String raw) {
    boolean floats = !doubles[i] && BinaryFloat.isFloat(raw) && BinaryFloat.isCanonical(raw);
    return floats ? BinaryFloat.floatShortest(raw) : raw;
  }

  /** Reads {@code text}, a JSON line; false when it must be read by the tree instead. */
  boolean read(String text) {
    return read(text, false);
  }

  /**
   * Reads {@code text}; false when it must be read by the tree instead. With {@code binaryFloats} the
   * line is a file's row (Parquet's) whose numbers with a fraction or exponent are binary floating-point
   * values as {@link BinaryFloat} writes them: a decimal field takes one as such ({@link #binary}), a
   * text or integer field a float's shortest text (0.1, as the file's float reads), a double field its
   * exact value.
   */
  boolean read(String text, boolean binaryFloats) {
    java.util.Arrays.fill(cells, null);
    java.util.Arrays.fill(textual, false);
    java.util.Arrays.fill(binary, false);
    java.util.Arrays.fill(seen, false);
    try (JsonParser p = json.getFactory().createParser(text)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      int expected = 0;
      for (;;) {
        int i;
        // Keys usually come in schema order: the parser compares the next key's characters with the
        // expected name in place, without its symbol table (11% of a JSON run) or a hash lookup.
        if (expected < names.length && p.nextFieldName(quoted[expected])) {
          i = expected;
        } else {
          JsonToken t = expected < names.length ? p.currentToken() : p.nextToken();
          if (t != JsonToken.FIELD_NAME) {
            break;
          }
          Integer found = index.get(p.currentName());
          if (found == null) {
            // A key in another case (Parquet's "ID" for the field id): the field's, as CSV headers
            // and database columns are matched; when that could be ambiguous the tree decides.
            Integer other = foldedIndex.get(folded(p.currentName()));
            if (other != null && (other < 0 || seen[other] || hasKey(text, names[other]))) {
              return false;
            }
            found = other;
          }
          i = found == null ? -1 : found;
        }
        if (i >= 0 && seen[i]) {
          return false; // the field's value twice, in two cases of its name: the tree says so
        }
        if (i >= 0) {
          seen[i] = true;
        }
        JsonToken value = p.nextToken();
        if (i < 0) { // not a schema field: read as the tree reads it (its limits and its numbers), then dropped
          if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            return false;
          } else if (value == JsonToken.VALUE_STRING) {
            p.getText();
          } else if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            decimalText(p);
          }
          continue;
        }
        expected = i + 1;
        switch (value) { // as the tree reads each, then asText(): see JsonCellsTest
          case VALUE_NULL:
            cells[i] = null;
            break;
          case VALUE_STRING:
            cells[i] = p.getText();
            textual[i] = true;
            break;
          case VALUE_NUMBER_INT:
            cells[i] = numbersAsWritten[i] ? p.getText() : integerText(p.getText());
            break;
          case VALUE_NUMBER_FLOAT:
            if (binaryFloats && decimals[i] && BinaryFloat.isCanonical(p.getText())) {
              cells[i] = p.getText(); // a double's or float's text: the decimal is its binary value
              binary[i] = true;
              break;
            }
            cells[i] = decimalText(p); // read as the tree reads it (its limits), whatever the field takes
            if (numbersAsWritten[i] || fractionsAsWritten[i]) {
              cells[i] = binaryFloats ? binaryAsWritten(i, p.getText()) : p.getText();
            }
            break;
          case VALUE_TRUE:
          case VALUE_FALSE:
            cells[i] = p.getText();
            break;
          default: // a container where a scalar is expected: the tree reading words that error
            return false;
        }
      }
      // The object's end, then nothing more: a second value or trailing text is the tree's error.
      return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null;
    } catch (IOException | IllegalArgumentException | ArithmeticException e) {
      return false; // malformed, a key given twice, a number beyond reading: the tree reading says which
    }
  }

  /**
   * The text of the number a line's top-level key {@code key} holds, as written, or null: what the
   * tree reading, which keeps a number's value only, gives a text field.
   */
  static String numberAsWritten(ObjectMapper json, String line, String key) {
    try (JsonParser p = json.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (name.equals(key) && value.isNumeric()) {
          return p.getText();
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * {@code s} with each character as String.equalsIgnoreCase compares it (its upper case's lower
   * case), so that two names fold alike exactly when they are equal ignoring case - as the tree
   * reading, CSV headers and Parquet columns match them. {@code toLowerCase} made "İD" "i̇d" (two
   * characters for one), so the key "İD" was the field id's for the tree reading and not for this one.
   */
  static String folded(String s) {
    int plain = 0; // ASCII other than capitals folds to itself: most keys, read without a copy
    while (plain < s.length() && s.charAt(plain) < 0x80 && (s.charAt(plain) < 'A' || s.charAt(plain) > 'Z')) {
      plain++;
    }
    if (plain == s.length()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length()).append(s, 0, plain);
    s.codePoints().skip(s.codePointCount(0, plain))
        .forEach(c -> b.appendCodePoint(Character.toLowerCase(Character.toUpperCase(c))));
    return b.toString();
  }

  /** Whether the line may hold the key {@code name} exactly (a cheap, conservative test). */
  private static boolean hasKey(String text, String name) {
    return text.contains("\"" + name + "\"");
  }

  /** An integer as the tree gives it (its value's digits): JSON's own digits, but -0 is 0. */
  private static String integerText(String raw) {
    return raw.equals("-0") ? "0" : raw;
  }

  /**
   * A number with a fraction or exponent as the tree gives it: its BigDecimal without trailing zeros
   * (Jackson's default), written by BigDecimal.toString, but a number beyond a double's range is its
   * text as written, as the tree reading takes it too: the field's parser then says 1e400 is out of
   * range (the tree's double, Infinity, was a type error, "not a decimal"). For the plain numbers files hold (49.00, 0.10, 19820.76) that
   * is the text less its trailing zeros, worked out on the text; an exponent, an integer part ending
   * in zero (100.0 is 1E+2), a tiny value (1E-7) or a long text goes through Jackson's own conversions.
   * One that fails (1e-9999999999) throws, and the tree reading words it.
   */
  private static String decimalText(JsonParser p) throws IOException {
    String raw = p.getText();
    int dot = raw.indexOf('.');
    if (dot > 0 && raw.length() < 300 && raw.indexOf('e') < 0 && raw.indexOf('E') < 0) {
      int start = raw.charAt(0) == '-' ? 1 : 0;
      int end = raw.length();
      while (end > dot + 1 && raw.charAt(end - 1) == '0') {
        end--;
      }
      boolean zeroInteger = dot - start == 1 && raw.charAt(start) == '0';
      if (end == dot + 1) { // no fraction left: an integer
        if (zeroInteger) {
          return "0"; // 0.00 and -0.0 are zero, without a sign
        }
        if (raw.charAt(dot - 1) != '0') {
          return raw.substring(0, dot);
        }
      } else {
        int leadingZeros = 0;
        while (zeroInteger && raw.charAt(dot + 1 + leadingZeros) == '0') {
          leadingZeros++;
        }
        if (leadingZeros <= 5) { // 0.000001 is still plain; 0.0000001 is 1E-7
          return end == raw.length() ? raw : raw.substring(0, end);
        }
      }
    }
    double d = p.getDoubleValue(); // what the tree asks first: a double out of range stays a double
    return Double.isFinite(d) ? p.getDecimalValue().stripTrailingZeros().toString() : p.getText();
  }
}
