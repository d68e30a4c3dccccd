package dev.beametl.record;

/**
 * How a file's binary floating-point value (a Parquet DOUBLE or FLOAT) is written in a record's JSON
 * text, so that Validate takes the value the file holds, not the decimal its shortest text reads. A
 * double is its {@code Double.toString}, as Jackson writes it. A float is the {@code Double.toString}
 * of its exact value (0.1f is 0.10000000149011612, as Java widens it and DuckDB casts it to a double)
 * with its exponent in lower case ({@code 0.10000000149011612e0}), which {@code Double.toString} never
 * writes: any JSON reader (a replay, a profile) gets the float's exact value, and Validate knows it
 * for a float, whose shortest text ({@code Float.toString}: 0.1) says which decimals it fits.
 */
public final class BinaryFloat {
  private BinaryFloat() {}

  /** The text of a finite float. */
  public static String ofFloat(float f) {
    String s = Double.toString(f);
    int e = s.indexOf('E');
    return e < 0 ? s + "e0" : s.replace('E', 'e');
  }

  /** Whether a number's text, written here, is a float's ({@link #ofFloat}) rather than a double's. */
  public static boolean isFloat(String text) {
    return text.indexOf('e') >= 0;
  }

  /**
   * Whether {@code text} is a number exactly as written here: a double's {@code Double.toString}, or
   * {@link #ofFloat} of a float. Anything else - a decimal a person typed into a replayed dead letter's
   * payload, {@code 12345678901234.5678} - is read as the decimal it says, never through a double.
   */
  public static boolean isCanonical(String text) {
    double d;
    try {
      d = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return false;
    }
    if (!Double.isFinite(d)) {
      return false;
    }
    return isFloat(text) ? (double) (float) d == d && text.equals(ofFloat((float) d))
        : text.equals(Double.toString(d));
  }

  /** The shortest text of the float {@code text} ({@link #ofFloat}) holds: what a float field of the file reads. */
  public static String floatShortest(String text) {
    return Float.toString((float) Double.parseDouble(text));
  }
}
