package dev.beametl.bench;

/** Which rows a generator spoils: every {@code round(1/share)}-th, counted from the first (0: none). */
final class BadShare {
  private BadShare() {}

  /** The distance between two bad rows; 0 when none is bad. */
  static long every(double share) {
    return share <= 0 ? 0 : Math.max(1, Math.round(1 / share));
  }

  /** How many of {@code rows} rows are bad. */
  static long count(long rows, double share) {
    long every = every(share);
    return every == 0 ? 0 : (rows + every - 1) / every;
  }
}
