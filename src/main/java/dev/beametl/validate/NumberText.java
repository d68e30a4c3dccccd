package dev.beametl.validate;

import dev.beametl.record.BadRecord;
import dev.beametl.spec.FieldType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/** Integers, doubles and decimals read from text, strictly: a value never changes on the way in. */
final class NumberText {
  /** Java's \\d is ASCII only unless asked otherwise. */
  private static final Pattern ASCII_NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern PLAIN_DOUBLE = ASCII_NUMBER;

  private NumberText() {}

  /**
   * An integer of ASCII digits with an optional sign, read digit by digit. Other digits (Arabic-Indic,
   * full-width: {@code Long.parseLong} takes them), exponents and decimal points are not integers.
   */
  static long parseInteger(String text, long min, long max, String what) throws InvalidValue {
    int n = text.length();
    long plain = plainInteger(text, 0, n); // up to 18 digits: no check per digit (JFR: 9% of a run)
    if (plain != NOT_PLAIN) {
      if (plain < min || plain > max) {
        throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for " + what);
      }
      return plain;
    }
    int i = n > 0 && (text.charAt(0) == '-' || text.charAt(0) == '+') ? 1 : 0;
    boolean negative = i == 1 && text.charAt(0) == '-';
    if (i == n) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not " + what);
    }
    long v = 0; // accumulated negatively: Long.MIN_VALUE has no positive counterpart
    boolean overflow = false;
    for (; i < n; i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not " + what);
      }
      int d = ch - '0';
      if (v < (Long.MIN_VALUE + d) / 10) {
        overflow = true;
      } else {
        v = v * 10 - d;
      }
    }
    if (!negative) {
      overflow |= v == Long.MIN_VALUE;
      v = -v;
    }
    if (overflow || v < min || v > max) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for " + what);
    }
    return v;
  }

  /** What {@link #plainInteger} returns for text it does not read. */
  static final long NOT_PLAIN = Long.MIN_VALUE;

  /**
   * {@code s[from, to)} when it is {@code [+-]digits} with 1 to 18 ASCII digits (no overflow is
   * possible), else {@link #NOT_PLAIN}: {@link #parseInteger} decides.
   */
  static long plainInteger(String s, int from, int to) {
    int i = from < to && (s.charAt(from) == '-' || s.charAt(from) == '+') ? from + 1 : from;
    if (i == to || to - i > 18) {
      return NOT_PLAIN;
    }
    boolean negative = i > from && s.charAt(from) == '-';
    long v = 0;
    for (; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (d < 0 || d > 9) {
        return NOT_PLAIN;
      }
      v = v * 10 + d;
    }
    return negative ? -v : v;
  }

  /**
   * {@code s[from, to)} when it is {@code [+-]digits[.digits]} with at most {@code scale} places and
   * at most 18 digits once written at that scale, as a long in units of 10^-scale (12.5 at scale 2 is
   * 1250); else {@link #NOT_PLAIN}: {@link #parseDecimal} decides.
   */
  static long plainUnscaled(String s, int from, int to, int scale) {
    int i = from < to && (s.charAt(from) == '-' || s.charAt(from) == '+') ? from + 1 : from;
    boolean negative = i > from && s.charAt(from) == '-';
    long v = 0;
    int digits = 0;
    int places = -1; // -1: no point yet
    for (; i < to; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (++digits > 18 || (places >= 0 && ++places > scale)) {
          return NOT_PLAIN;
        }
        v = v * 10 + (ch - '0');
      } else if (ch == '.' && places < 0) {
        places = 0;
      } else {
        return NOT_PLAIN;
      }
    }
    if (digits == 0) {
      return NOT_PLAIN;
    }
    for (int k = Math.max(places, 0); k < scale; k++) {
      if (++digits > 18) {
        return NOT_PLAIN;
      }
      v *= 10;
    }
    return negative ? -v : v;
  }

  static double parseDouble(String text) throws InvalidValue {
    if (!PLAIN_DOUBLE.matcher(text).matches()) {
      String word = text.replaceFirst("^[+-]", "").toLowerCase(java.util.Locale.ROOT);
      if (word.equals("nan") || word.startsWith("inf")) {
        throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a finite number (NaN and Infinity are rejected)");
      }
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a number");
    }
    double v = Double.parseDouble(text);
    if (Double.isInfinite(v)) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " is out of range for a double");
    }
    return v;
  }

  static BigDecimal parseDecimal(String text, FieldType type) throws InvalidValue {
    BigDecimal v = plainDecimal(text);
    try {
      if (v == null) {
        if (!ASCII_NUMBER.matcher(text).matches()) { // BigDecimal takes non-ASCII digits; we do not
          throw new NumberFormatException();
        }
        v = new BigDecimal(text);
      }
    } catch (NumberFormatException e) {
      throw new InvalidValue(BadRecord.Kind.TYPE, InvalidValue.quote(text) + " is not a decimal");
    }
    // Exponents are checked before any rescaling: 1E999999999 or 1E-999999999 would otherwise make
    // setScale compute a power of ten with a billion digits (a hung job, found by ValueParserRangeTest).
    if (v.signum() == 0) {
      return BigDecimal.valueOf(0, type.scale());
    }
    if (v.scale() > type.scale() && v.stripTrailingZeros().scale() > type.scale()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          text + " has more than " + type.scale() + " decimal places for " + type);
    }
    if ((long) v.precision() - v.scale() > type.precision() - type.scale()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, text + " does not fit " + type);
    }
    v = v.setScale(type.scale(), RoundingMode.UNNECESSARY); // exact: the checks above hold
    return v;
  }

  /**
   * A binary floating-point value of a file ({@code d}, a double or a widened float) as a decimal of
   * {@code type}: it fits when its shortest text ({@code shortest}: Double.toString, a float's
   * Float.toString) has no more places than the scale, as text does, and is then the binary value
   * rounded half-even to the scale - the shortest text where the binary precision is finer than the
   * scale, the exact integer where it is not (2^60 is 1152921504606846976, where its text
   * 1.15292150460684698E18 reads ...980). Never the decimal the text reads: floating point gets no
   * digits it does not hold.
   */
  static BigDecimal binaryDecimal(double d, String shortest, FieldType type) throws InvalidValue {
    if (d == 0) {
      return BigDecimal.valueOf(0, type.scale()); // -0.0 too: a decimal has no negative zero
    }
    if (places(shortest) > type.scale()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE,
          shortest + " has more than " + type.scale() + " decimal places for " + type);
    }
    BigDecimal v = new BigDecimal(d).setScale(type.scale(), RoundingMode.HALF_EVEN);
    if ((long) v.precision() - v.scale() > type.precision() - type.scale()) {
      throw new InvalidValue(BadRecord.Kind.OUT_OF_RANGE, shortest + " does not fit " + type);
    }
    return v;
  }

  /**
   * The decimal places of a number's text as Double.toString and Float.toString write it
   * ({@code [-]digits.digits[E[-]digits]}), trailing zeros aside: 0.0020 has 3, 1.5E-7 has 8, 1.0E20
   * none (a negative count). Read in place, without a BigDecimal.
   */
  static long places(String s) {
    int e = s.indexOf('E');
    if (e < 0) {
      e = s.indexOf('e');
    }
    int end = e < 0 ? s.length() : e;
    int dot = s.indexOf('.');
    long fraction = 0;
    if (dot >= 0 && dot < end) {
      int last = end;
      while (last > dot + 1 && s.charAt(last - 1) == '0') {
        last--;
      }
      fraction = last - dot - 1;
    }
    long exponent = 0;
    if (e >= 0) {
      int i = e + 1;
      boolean negative = i < s.length() && s.charAt(i) == '-';
      if (negative || i < s.length() && s.charAt(i) == '+') {
        i++;
      }
      for (; i < s.length(); i++) {
        exponent = exponent * 10 + (s.charAt(i) - '0'); // at most 3 digits for a double
      }
      exponent = negative ? -exponent : exponent;
    }
    return fraction - exponent;
  }

  /**
   * A decimal written as {@code [+-]digits[.digits]} with at most 18 digits, read digit by digit
   * into its unscaled long; {@code new BigDecimal(String)} cost about 1.4% of a run. The value and
   * scale are those of {@code new BigDecimal(text)}; any other text returns null and goes to it.
   */
  static BigDecimal plainDecimal(String s) {
    int n = s.length();
    int i = n > 0 && (s.charAt(0) == '-' || s.charAt(0) == '+') ? 1 : 0;
    boolean negative = i == 1 && s.charAt(0) == '-';
    long unscaled = 0;
    int digits = 0;
    int scale = 0;
    boolean point = false;
    for (; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= '0' && ch <= '9') {
        if (++digits > 18) {
          return null;
        }
        unscaled = unscaled * 10 + (ch - '0');
        if (point) {
          scale++;
        }
      } else if (ch == '.' && !point) {
        point = true;
      } else {
        return null;
      }
    }
    return digits == 0 ? null : BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
  }
}
