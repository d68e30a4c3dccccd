package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SourceSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.Test;

/**
 * JSON lines read token by token ({@link JsonCells}) give what the tree reading gives: the same row,
 * or the same bad record (kind, field, reason), on random lines built to hit the edges: numbers as
 * JSON may write them (-0, trailing zeros, exponents, tiny and huge ones), escapes and lone
 * surrogates, nulls, booleans, nested values in schema and other keys, repeated keys, keys out of
 * order, trailing text, second values, arrays and scalars for the whole line, and cut lines.
 */
public class JsonCellsTest {
  private static final List<FieldSpec> SCHEMA = List.of(
      FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).build(),
      FieldSpec.builder("n", FieldType.of(FieldType.Kind.INT)).setNullable(true).build(),
      FieldSpec.builder("price", FieldType.decimal(10, 2)).setNullable(true).build(),
      FieldSpec.builder("ratio", FieldType.of(FieldType.Kind.DOUBLE)).setNullable(true).build(),
      FieldSpec.builder("note", FieldType.of(FieldType.Kind.STRING)).setNullable(true).build(),
      FieldSpec.builder("ok", FieldType.of(FieldType.Kind.BOOLEAN)).setNullable(true).build(),
      FieldSpec.builder("day", FieldType.of(FieldType.Kind.DATE)).setNullable(true).build(),
      FieldSpec.builder("kind", FieldType.of(FieldType.Kind.CATEGORY)).setValues(List.of("a", "b")).setNullable(true)
          .build());
  private static final SourceSpec JSON = SourceSpec.builder("f.jsonl", SourceSpec.Format.JSONL).build();
  private static final String[] NUMBERS = {"0", "-0", "7", "-12", "1.5", "1.50", "1.500", "100.0", "-0.0", "0.0",
      "0.000001", "0.0000001", "-0.0000005", "1e3", "1E+2", "1.0e-2", "12345678.91", "99999999.99", "123456789012345678901",
      "9223372036854775807", "9223372036854775808", "-9223372036854775809", "2147483648", "3.14159", "10.10", "0.5",
      "1" + "0".repeat(1200), "0e5", "-0.0e-3", "1.10e1", "10.00", "-20.50", "0.10", "0.00", "-0.00", "300.000",
      "0.0000010", "0.000010", "7.000001000",
      // beyond a double (the tree keeps a double: Infinity) or beyond any number (1e-9999999999)
      "1e400", "-2e308", "1.7976931348623159e308", "1.7976931348623158e308", "1e2147483648", "1e9999999999",
      "1e-9999999999", "9999999999999999999999999.2646440509E+342", "1" + "2".repeat(320) + ".5", "0." + "1".repeat(1200), "1.", ".5", "01", "+1", "NaN", "-", "1.2.3"};
  private static final String[] STRINGS = {"\"x\"", "\"\"", "\" padded \"", "\"a\"", "\"b\"", "\"2024-02-29\"",
      "\"2023-02-29\"", "\"\\u00e9\\n\\t\"", "\"\\ud83d\\ude00\"", "\"x\\ud800y\"", "\"\\udc00\"", "\"true\"", "\"12\"",
      "\"1.25\"", "\"unterminated", "\"bad \\q escape\""};
  private static final String[] OTHERS = {"null", "true", "false", "[]", "[1,2]", "{}", "{\"a\":1}", "{\"a\":1,\"a\":2}",
      "nul", "tru", "[1,", "{\"x\":[{\"y\":null}]}"};

  @Test
  public void tokensGiveWhatTheTreeGivesOnRandomAndHostileLines() {
    RecordValidator tokens = new RecordValidator(JSON, SCHEMA, true, false, false);
    RecordValidator tree = new RecordValidator(JSON, SCHEMA, true, false, true);
    Random random = new Random(20261201);
    int rows = 0;
    for (int n = 0; n < 60_000; n++) {
      String line = line(random);
      RecordValidator.Outcome a = tokens.validate(SourceRecord.of("f", n, 0, line, null, false));
      RecordValidator.Outcome b = tree.validate(SourceRecord.of("f", n, 0, line, null, false));
      assertThat(line, describe(a), equalTo(describe(b)));
      rows += a.row != null ? 1 : 0;
    }
    assertThat("enough lines pass for the values to be compared", rows, greaterThan(5_000));
  }

  /** A key in another case is the field's (Parquet's ID for id); two such keys are a bad record. */
  @Test
  public void keysInAnotherCaseAreTheFieldsOnce() {
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(JSON, SCHEMA, true, false, treeOnly);
      RecordValidator.Outcome one = v.validate(SourceRecord.of("f", 0, 0, "{\"ID\":7}", null, false));
      assertThat(describe(one), one.row == null ? "" : String.valueOf((Object) one.row.getValue(0)), equalTo("7"));
      RecordValidator.Outcome exact = v.validate(SourceRecord.of("f", 0, 0, "{\"ID\":7,\"id\":8}", null, false));
      assertThat(describe(exact), exact.row == null ? "" : String.valueOf((Object) exact.row.getValue(0)), equalTo("8"));
      RecordValidator.Outcome two = v.validate(SourceRecord.of("f", 0, 0, "{\"ID\":7,\"Id\":8}", null, false));
      assertThat(describe(two), org.hamcrest.Matchers.containsString("the keys \"ID\" and \"Id\" both name it"));
      // Equal ignoring case as String.equalsIgnoreCase has it, by both readings: a dotted capital I, a Kelvin sign.
      for (String key : new String[] {"\u0130D", "\u0130d"}) {
        RecordValidator.Outcome dotted = v.validate(SourceRecord.of("f", 0, 0, "{\"" + key + "\":9}", null, false));
        assertThat(key + " " + describe(dotted), dotted.row == null ? "" : String.valueOf((Object) dotted.row.getValue(0)),
            equalTo("9"));
      }
      RecordValidator kinds = new RecordValidator(JSON, List.of(FieldSpec.builder("kb", FieldType.of(FieldType.Kind.LONG))
          .build()), true, false, treeOnly);
      assertThat(describe(kinds.validate(SourceRecord.of("f", 0, 0, "{\"\u212Ab\":5}", null, false))), equalTo("row [5]"));
    }
  }

  /**
   * Fields whose source names differ in case only (id, and id_2 with column: ID): a key that is one's
   * name exactly is that one's alone, and a key matching both only ignoring case is a bad record,
   * not both fields' value, by either reading.
   */
  @Test
  public void aKeyMatchingTwoFieldsOnlyIgnoringCaseIsNeithers() {
    List<FieldSpec> variants = List.of(
        FieldSpec.builder("id", FieldType.of(FieldType.Kind.LONG)).setNullable(true).build(),
        FieldSpec.builder("id_2", FieldType.of(FieldType.Kind.LONG)).setColumn("ID").setNullable(true).build());
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(JSON, variants, true, false, treeOnly);
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"ID\":8}", null, false))), equalTo("row [null, 8]"));
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"id\":7}", null, false))), equalTo("row [7, null]"));
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"ID\":8,\"id\":7}", null, false))),
          equalTo("row [7, 8]"));
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"Id\":5}", null, false))),
          org.hamcrest.Matchers.containsString("the key \"Id\" matches it and ID only ignoring case"));
    }
  }

  /** A number with a fraction or exponent is no integer, whatever its digits (19.0 as 10.0), by either reading. */
  @Test
  public void aFractionIsNoIntegerInJsonAsInCsv() {
    String[] numbers = {"19.0", "10.0", "191.00", "0.0", "-0.0", "1E0", "1e1", "100e-2", "9223372036854775807.0"};
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(JSON, SCHEMA, true, false, treeOnly);
      for (String number : numbers) {
        for (String line : new String[] {"{\"id\":" + number + "}", "{\"x\":{\"id\":1},\"ID\":" + number + "}"}) {
          assertThat(line, describe(v.validate(SourceRecord.of("f", 0, 0, line, null, false))),
              equalTo("bad TYPE id id: \"" + number + "\" is not a long"));
        }
      }
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"id\":19,\"n\":-0}", null, false))),
          org.hamcrest.Matchers.startsWith("row [19, 0,"));
    }
  }

  /**
   * A number beyond a double's range is out of range for the field as written, by either reading:
   * the tree's Infinity said {@code "Infinity" is not a decimal}, a type error naming no such text.
   */
  @Test
  public void aNumberBeyondADoubleIsOutOfRangeAsWritten() {
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(JSON, SCHEMA, true, false, treeOnly);
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"id\":1,\"price\":1e400}", null, false))),
          equalTo("bad OUT_OF_RANGE price price: 1e400 does not fit decimal(10,2)"));
      assertThat(describe(v.validate(SourceRecord.of("f", 0, 0, "{\"id\":1,\"ratio\":-2E308}", null, false))),
          equalTo("bad OUT_OF_RANGE ratio ratio: -2E308 is out of range for a double"));
    }
  }

  /** A number in a text field is its text as written (1.50, not 1.5; 100.0, not 1E+2), by either reading. */
  @Test
  public void aNumberInATextFieldIsItsTextAsWritten() {
    String[] numbers = {"1.50", "100.0", "-0", "1e3", "1E+2", "0.0000001", "1e400", "123456789012345678901"};
    for (boolean treeOnly : new boolean[] {false, true}) {
      RecordValidator v = new RecordValidator(JSON, SCHEMA, true, false, treeOnly);
      for (String number : numbers) {
        for (String line : new String[] {"{\"id\":1,\"note\":" + number + "}",
            "{\"x\":{\"note\":2.0},\"id\":1,\"NOTE\":" + number + "}"}) { // a nested key: the tree reads it
          RecordValidator.Outcome o = v.validate(SourceRecord.of("f", 0, 0, line, null, false));
          assertThat(line + " " + describe(o), o.row == null ? null : o.row.getValue("note"), equalTo(number));
        }
      }
      RecordValidator.Outcome price = v.validate(SourceRecord.of("f", 0, 0, "{\"id\":1,\"price\":100.0}", null, false));
      assertThat(describe(price), price.row.getValue("price"), equalTo(new java.math.BigDecimal("100.00")));
      // A category's values are text too: 1.50 is not the declared "1.5", as in a CSV cell.
      RecordValidator categories = new RecordValidator(JSON, List.of(FieldSpec.builder("c", FieldType.of(
          FieldType.Kind.CATEGORY)).setValues(List.of("1.5", "2")).build()), false, false, treeOnly);
      assertThat(describe(categories.validate(SourceRecord.of("f", 0, 0, "{\"c\":1.5}", null, false))),
          equalTo("row [1.5]"));
      assertThat(describe(categories.validate(SourceRecord.of("f", 0, 0, "{\"C\":2}", null, false))),
          equalTo("row [2]"));
      assertThat(describe(categories.validate(SourceRecord.of("f", 0, 0, "{\"c\":1.50}", null, false))),
          org.hamcrest.Matchers.startsWith("bad NOT_ALLOWED c"));
    }
  }

  /** Folded names are equal exactly when String.equalsIgnoreCase says so, on random mixes of odd letters. */
  @Test
  public void foldedNamesAreEqualAsEqualsIgnoreCaseHasThem() {
    String letters = "aAiIıİkKKsSſßẞσςΣ_1éÉǅǄǆ\ud801\udc00\ud801\udc28";
    Random random = new Random(7);
    for (int n = 0; n < 20_000; n++) {
      String a = word(random, letters);
      String b = word(random, letters);
      assertThat(a + " " + b, JsonCells.folded(a).equals(JsonCells.folded(b)), equalTo(a.equalsIgnoreCase(b)));
    }
    String plain = "order_id2";
    assertThat(JsonCells.folded(plain) == plain, equalTo(true));
  }

  private static String word(Random random, String letters) {
    StringBuilder b = new StringBuilder();
    for (int i = random.nextInt(3); i >= 0; i--) {
      int at = random.nextInt(letters.length());
      b.append(Character.isHighSurrogate(letters.charAt(at)) ? letters.substring(at, at + 2)
          : Character.isLowSurrogate(letters.charAt(at)) ? letters.substring(at - 1, at + 1) : letters.substring(at, at + 1));
    }
    return b.toString();
  }

  private static String describe(RecordValidator.Outcome o) {
    return o.row != null ? "row " + o.row.getValues()
        : "bad " + o.bad.kind() + " " + o.bad.field() + " " + o.bad.reason();
  }

  private static final String[][] VALID = {
      {"1", "42", "-0", "9223372036854775807", "-17"},
      {"0", "-0", "2147483647", "null", "15"},
      {"1.5", "1.50", "1.500", "100.0", "12", "-0", "3.25", "0.0", "99999999.99", "1e2", "null"},
      {"0.1", "1e-7", "-2.5E3", "3", "0.0000001", "null"},
      // numbers in a text field: their text is the value, so every digit of the reading shows
      {"\"x\"", "\"\"", "\" padded \"", "\"\\u00e9\\n\"", "\"\\ud83d\\ude00\"", "null", "-0", "1.500", "1e2",
          "10.00", "-20.50", "0.10", "0.00", "-0.00", "300.000", "0.0000010", "0.000010", "49.00", "0e5", "-1.0E-8",
          "1e400", "-2e308", "1.7976931348623159e308", "1e-9999999999", "1" + "2".repeat(320) + ".5",
          "0.0000001", "-0.000001", "12.5", "123456789012345678901", "true"},
      {"true", "false", "null"},
      {"\"2024-02-29\"", "\"1999-12-31\"", "null"},
      {"\"a\"", "\"b\"", "null"}};

  private static String line(Random r) {
    List<String> members = new ArrayList<>();
    boolean clean = r.nextBoolean(); // half the lines hold valid values only, so rows are compared too
    for (int i = 0; i < SCHEMA.size(); i++) {
      FieldSpec f = SCHEMA.get(i);
      if (!clean && r.nextInt(10) == 0) {
        continue; // missing
      }
      String key = r.nextInt(8) == 0 ? f.name().toUpperCase(java.util.Locale.ROOT) : f.name(); // another case
      members.add("\"" + key + "\":" + (clean ? VALID[i][r.nextInt(VALID[i].length)] : value(f, r)));
    }
    if (r.nextInt(4) == 0) {
      String extra = clean ? (r.nextBoolean() ? "{\"a\":[1,{\"b\":null}]}" : VALID[4][r.nextInt(VALID[4].length)]) : any(r);
      members.add(r.nextInt(members.size() + 1), "\"extra\":" + extra);
    }
    if (!clean && r.nextInt(30) == 0 && !members.isEmpty()) {
      members.add(members.get(r.nextInt(members.size()))); // a key twice
    }
    if (!clean && r.nextInt(30) == 0 && !members.isEmpty()) {
      String member = members.get(r.nextInt(members.size())); // a key twice, in two cases
      int colon = member.indexOf("\":");
      members.add(member.substring(0, colon).toUpperCase(java.util.Locale.ROOT) + member.substring(colon));
    }
    if (r.nextInt(5) == 0) {
      Collections.shuffle(members, r);
    }
    String line = " {" + String.join(r.nextInt(3) == 0 ? " , " : ",", members) + "} ";
    switch (clean ? 39 : r.nextInt(40)) {
      case 0: return line + "{\"id\":1}";
      case 1: return line + " x";
      case 2: return line.substring(0, r.nextInt(line.length()));
      case 3: return "[" + line + "]";
      case 4: return any(r);
      case 5: return line.replace("\"id\"", "\"i\\u0064\"");
      default: return line;
    }
  }

  private static String value(FieldSpec f, Random r) {
    if (r.nextInt(12) == 0) {
      return any(r);
    }
    switch (f.type().kind()) {
      case STRING: case DATE: case CATEGORY:
        return r.nextInt(8) == 0 ? NUMBERS[r.nextInt(NUMBERS.length)] : STRINGS[r.nextInt(STRINGS.length)];
      case BOOLEAN:
        return r.nextBoolean() ? "true" : "false";
      default:
        if (r.nextInt(3) == 0) {
          return (r.nextBoolean() ? "-" : "") + r.nextInt(100000) + "." + r.nextInt(1000);
        }
        return r.nextInt(10) == 0 ? STRINGS[r.nextInt(STRINGS.length)] : NUMBERS[r.nextInt(NUMBERS.length)];
    }
  }

  private static String any(Random r) {
    int k = r.nextInt(3);
    return k == 0 ? NUMBERS[r.nextInt(NUMBERS.length)] : k == 1 ? STRINGS[r.nextInt(STRINGS.length)]
        : OTHERS[r.nextInt(OTHERS.length)];
  }
}
