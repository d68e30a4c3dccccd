package dev.beametl.transform;

import java.math.BigDecimal;

/**
 * A running exact sum of decimals: a long count of the last place's units while the sum fits one,
 * else a BigDecimal. {@link #value} is exactly what adding the same values with
 * {@link BigDecimal#add} gives, scale included (the largest scale added). Adding to a BigDecimal
 * made a new one per value (JFR: ~3% of a run with one decimal sum and mean); here a value of up to
 * 18 digits is a long addition, and any value or sum beyond goes to BigDecimal arithmetic, exactly.
 * {@code DecimalSumTest} holds the two to the same results over random values and overflow edges.
 */
final class DecimalSum {
  private static final long[] POWERS_OF_TEN = new long[19];

  static {
    POWERS_OF_TEN[0] = 1;
    for (int i = 1; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = POWERS_OF_TEN[i - 1] * 10;
    }
  }

  /** The sum in units of 10^-scale, while {@link #big} is null. */
  private long units;
  private int scale;
  private boolean empty = true;
  /** The sum, once a value or the sum no longer fit {@link #units}. */
  private BigDecimal big;

  /** A sum that starts at {@code start} (a decoded sum); an empty one takes its first value's scale. */
  static DecimalSum of(BigDecimal start) {
    DecimalSum sum = new DecimalSum();
    sum.add(start);
    return sum;
  }

  boolean isEmpty() {
    return empty;
  }

  void add(long value) {
    if (big == null && addUnits(value, 0)) {
      return;
    }
    addBig(BigDecimal.valueOf(value));
  }

  void add(BigDecimal value) {
    // precision <= 18: the unscaled value is a long, read without a BigInteger (see DecimalCoder)
    if (big == null && value.precision() <= 18
        && addUnits(value.scaleByPowerOfTen(value.scale()).longValue(), value.scale())) {
      return;
    }
    addBig(value);
  }

  void add(DecimalSum other) {
    if (other.empty || big == null && other.big == null && addUnits(other.units, other.scale)) {
      return;
    }
    addBig(other.value());
  }

  /** Adds a value the long sum cannot take: from here on the sum is a BigDecimal. */
  private void addBig(BigDecimal value) {
    if (empty) {
      big = value; // the first value as it is, as a sum of one value is
      empty = false;
    } else {
      big = (big == null ? value() : big).add(value);
    }
  }

  /** Adds {@code u} units of 10^-{@code s} to the long sum when it stays exact there; false: nothing added. */
  private boolean addUnits(long u, int s) {
    if (u == Long.MIN_VALUE) {
      return false; // never held: it marks a failed scaling below
    }
    if (empty) {
      units = u;
      scale = s;
      empty = false;
      return true;
    }
    long sum = units;
    if (s > scale) { // the sum takes the larger scale, as BigDecimal.add gives it
      long up = scaled(units, s - scale);
      if (up == Long.MIN_VALUE) {
        return false;
      }
      sum = up;
    } else if (s < scale) {
      u = scaled(u, scale - s);
      if (u == Long.MIN_VALUE) {
        return false;
      }
    }
    long total = sum + u;
    if (((sum ^ total) & (u ^ total)) < 0 || total == Long.MIN_VALUE) { // overflow; MIN_VALUE is never held
      return false;
    }
    units = total;
    scale = Math.max(scale, s);
    return true;
  }

  /** {@code v * 10^digits}, or Long.MIN_VALUE when that does not fit (a value never held). */
  private static long scaled(long v, int digits) {
    if (digits >= POWERS_OF_TEN.length) {
      return v == 0 ? 0 : Long.MIN_VALUE;
    }
    long p = POWERS_OF_TEN[digits];
    long r = v * p;
    return Math.multiplyHigh(v, p) != (r >> 63) || r == Long.MIN_VALUE ? Long.MIN_VALUE : r;
  }

  /** The sum; zero (scale 0) when nothing was added. */
  BigDecimal value() {
    if (big != null) {
      return big;
    }
    return empty ? BigDecimal.ZERO : BigDecimal.valueOf(units, scale);
  }
}
