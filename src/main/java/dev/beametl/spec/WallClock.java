package dev.beametl.spec;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A wall-clock time read in a field's zone, one rule for every reader (a CSV cell, a JSON value, a
 * database's or Parquet's timestamp without time zone): a time the zone skips (02:30 on the night
 * the clocks go forward) is refused, never moved by an hour; a time it passes twice (01:30 on the
 * night they go back) is the instant the field's {@code ambiguous} names, and by default refused
 * too: java.time takes the earlier, PostgreSQL the later, and either guess puts half of that hour's
 * events an hour off without a word.
 */
public final class WallClock {
  private WallClock() {}

  /** How a wall-clock time the zone passes twice is read: a field's {@code ambiguous}. */
  public enum Ambiguous {
    /** Refused: the record is a dead letter saying so (the default). */
    DEAD_LETTER,
    /** The first time the clocks pass it, in the offset before they go back. */
    EARLIER,
    /** The second time, in the offset after. */
    LATER
  }

  /**
   * The instant {@code local} is in {@code zone}; throws {@link Skipped} or {@link Repeated}. One
   * offset lookup for the common time the zone passes once (this runs per value).
   */
  public static Instant instant(LocalDateTime local, ZoneId zone, Ambiguous ambiguous) {
    if (zone instanceof ZoneOffset) {
      return local.toInstant((ZoneOffset) zone);
    }
    ZoneRules rules = zone.getRules();
    List<ZoneOffset> offsets = rules.getValidOffsets(local);
    if (offsets.size() == 1) {
      return local.toInstant(offsets.get(0));
    }
    ZoneOffsetTransition transition = rules.getTransition(local);
    if (transition.isGap()) {
      throw new Skipped(zone, transition);
    }
    switch (ambiguous) {
      case EARLIER:
        return local.toInstant(transition.getOffsetBefore());
      case LATER:
        return local.toInstant(transition.getOffsetAfter());
      default:
        throw new Repeated(zone, transition);
    }
  }

  /**
   * The instant a timestamp's parsed text is, as every reader takes it: with its offset when it has
   * one; else a wall-clock time (midnight for a date alone) in the zone the text names itself (a
   * format's {@code VV}: {@code Asia/Tokyo}), else in {@code field}'s (a trial: a zone id in the text
   * was read and then dropped, nine hours off).
   */
  public static Instant instant(TemporalAccessor parsed, ZoneId field, Ambiguous ambiguous) {
    if (parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
      return LocalDateTime.from(parsed).toInstant(ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS)));
    }
    ZoneId own = parsed.query(TemporalQueries.zoneId());
    LocalDateTime local = parsed.isSupported(ChronoField.HOUR_OF_DAY) ? LocalDateTime.from(parsed)
        : LocalDate.from(parsed).atStartOfDay();
    return instant(local, own != null ? own : field, ambiguous);
  }

  /**
   * Why {@code pattern} cannot be a timestamp's format, or null: a zone name ({@code z}, {@code v})
   * says no one zone - CET, EST and IST each name several, and java.time reads EST and EDT alike as
   * New York's zone with its daylight saving, so 01:30 EST became 05:30Z. A zone id ({@code VV}) or
   * an offset ({@code XXX}, {@code xx}, {@code O}) says one.
   */
  public static @Nullable String zoneNameProblem(String pattern) {
    boolean quoted = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && (c == 'z' || c == 'v')) {
        return "a zone name (" + c + ") says no one zone: CET, EST and IST each name several, and Java reads "
            + "EST and EDT alike as New York's zone; write the zone's id (VV: America/New_York) or an offset "
            + "(XXX: -05:00)";
      }
    }
    return null;
  }

  /** A wall-clock time in a daylight-saving gap of {@link #zone}. */
  public static final class Skipped extends DateTimeException {
    public final ZoneId zone;

    Skipped(ZoneId zone, ZoneOffsetTransition t) {
      super("the clocks skip it (a daylight-saving gap, " + t.getOffsetBefore() + " to " + t.getOffsetAfter() + ")");
      this.zone = zone;
    }
  }

  /** A wall-clock time the clocks of {@link #zone} pass twice. */
  public static final class Repeated extends DateTimeException {
    public final ZoneId zone;

    Repeated(ZoneId zone, ZoneOffsetTransition t) {
      super("the clocks pass it twice (they go back from " + t.getOffsetBefore() + " to " + t.getOffsetAfter()
          + "); write it with its offset, or set the field's ambiguous: earlier or later");
      this.zone = zone;
    }
  }
}
