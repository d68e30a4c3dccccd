package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.Test;

/**
 * A cell read where it lies in its record ({@code parse(text, from, to)}, which {@code parse(String)}
 * also takes) gives exactly what the general path gives for the cell's own string
 * ({@code parseGenerally}): the same value and class, or the same error.
 */
public class ValueParserRangeTest {
  private static final String ALPHABET = "0123456789012345678901234567890123456789-+.,eE /:xAbNR";

  private static List<FieldSpec> fields() {
    return List.of(
        FieldSpec.builder("i", FieldType.parse("int")).build(),
        FieldSpec.builder("i", FieldType.parse("int")).setMin(new BigDecimal("-5")).setMax(new BigDecimal("1000.5")).build(),
        FieldSpec.builder("l", FieldType.parse("long")).build(),
        FieldSpec.builder("l", FieldType.parse("long")).setMin(new BigDecimal("0.5")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(15,2)")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(6,3)")).setMin(new BigDecimal("-1.005")).setMax(BigDecimal.TEN).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(18,0)")).setMax(new BigDecimal("99.9")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(18,4)")).setMin(new BigDecimal("-1e30")).setMax(new BigDecimal("1e30")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(4,2)")).setMin(new BigDecimal("0.005")).setMax(new BigDecimal("12.345")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(20,2)")).setMin(new BigDecimal("-3")).build(),
        FieldSpec.builder("d", FieldType.parse("decimal(3,3)")).build(),
        FieldSpec.builder("t", FieldType.parse("date")).build(),
        FieldSpec.builder("t", FieldType.parse("date")).setMinText("2000-01-01").setMaxText("2030-12-31").build(),
        FieldSpec.builder("t", FieldType.parse("date")).setFormat("dd/MM/yyyy").build(),
        FieldSpec.builder("c", FieldType.parse("category")).setValues(List.of("A", "N", "R", "1", "10", "NN")).build(),
        FieldSpec.builder("s", FieldType.parse("string")).setMaxLength(4).build());
  }

  private static String cell(SplittableRandom rng) {
    switch (rng.nextInt(5)) {
      case 0:
        return Long.toString(rng.nextLong() >> rng.nextInt(64));
      case 1:
        String plain = BigDecimal.valueOf(rng.nextLong() >> rng.nextInt(64), rng.nextInt(-2, 5)).toPlainString();
        return rng.nextInt(4) == 0 ? plain + "0".repeat(rng.nextInt(1, 4)) : rng.nextInt(8) == 0 ? "-" + plain : plain;
      case 2:
        return String.format("%04d-%02d-%02d", rng.nextInt(1990, 2040), rng.nextInt(0, 14), rng.nextInt(0, 33));
      case 3:
        return String.format("%02d/%02d/%04d", rng.nextInt(0, 33), rng.nextInt(0, 14), rng.nextInt(1990, 2040));
      default:
        StringBuilder b = new StringBuilder();
        for (int n = rng.nextInt(0, 22); n > 0; n--) {
          b.append(ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
  }

  private static String outcome(ValueParser parser, String text) {
    try {
      Object v = parser.parseGenerally(text);
      return v.getClass().getSimpleName() + " " + v;
    } catch (InvalidValue e) {
      return e.kind() + " " + e.getMessage();
    }
  }

  private static String outcome(ValueParser parser, String text, int from, int to) {
    try {
      Object v = parser.parse(text, from, to);
      return v.getClass().getSimpleName() + " " + v;
    } catch (InvalidValue e) {
      return e.kind() + " " + e.getMessage();
    }
  }

  @Test
  public void aCellInPlaceIsItsOwnString() {
    SplittableRandom rng = new SplittableRandom(16);
    int values = 0;
    for (FieldSpec field : fields()) {
      for (boolean encode : new boolean[] {true, false}) {
        ValueParser parser = ValueParser.forField(field, encode);
        for (int i = 0; i < 20_000; i++) {
          String cell = cell(rng);
          String before = rng.nextBoolean() ? "x|" : "";
          String line = before + cell + (rng.nextBoolean() ? "|9" : "");
          String expected = outcome(parser, cell);
          assertThat(field + " [" + cell + "]", outcome(parser, line, before.length(), before.length() + cell.length()),
              equalTo(expected));
          values += expected.contains(" ") && !expected.startsWith("TYPE") && !expected.startsWith("OUT") ? 1 : 0;
        }
      }
    }
    assertThat(values, greaterThan(50_000));
  }
}
