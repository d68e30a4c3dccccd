package dev.beametl.extract;

import dev.beametl.spec.DatePatterns;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.WallClock;
import java.io.Serializable;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import javax.annotation.Nullable;

/**
 * The text a typed date or timestamp (a Parquet DATE or TIMESTAMP column, a database's) is handed to
 * Validate as, for a field with a {@code format:}. The format describes the text a file writes; a
 * typed value has none, and its ISO text failed every row against a format such as {@code dd/MM/yyyy}
 * (a spec written for CSV, pointed at Parquet). So the value is written in the field's format, and
 * only when that text reads back, as Validate reads it, as the same date or instant: a format that
 * drops the time of day, or an instant in an hour the zone repeats, keeps the ISO text, which Validate
 * then refuses naming the format (loud, never a shifted value). A wall-clock time in that hour is
 * read as the field's {@code ambiguous} says ({@link WallClock}), as its ISO text and a CSV cell are.
 */
final class TemporalText implements Serializable {
  private final String format;
  private final @Nullable String zone;
  private final WallClock.Ambiguous ambiguous;
  private final boolean date;
  private transient DateTimeFormatter formatter;
  private transient ZoneId zoneId;

  private TemporalText(String format, @Nullable String zone, WallClock.Ambiguous ambiguous, boolean date) {
    this.format = format;
    this.zone = zone;
    this.ambiguous = ambiguous;
    this.date = date;
  }

  /** For a date or timestamp field with a format; else null (typed values keep their ISO text). */
  static @Nullable TemporalText forField(FieldSpec field) {
    FieldType.Kind kind = field.type().kind();
    if (field.format() == null || (kind != FieldType.Kind.DATE && kind != FieldType.Kind.TIMESTAMP)) {
      return null;
    }
    return new TemporalText(field.format(), field.zone(), field.ambiguous(), kind == FieldType.Kind.DATE);
  }

  /**
   * {@code value} (a LocalDate, LocalDateTime as wall-clock time, Instant or OffsetDateTime) in the
   * field's format, or null when that text would not read back as the same value (the caller writes
   * the ISO text).
   */
  @Nullable String text(Object value) {
    try {
      if (date) {
        if (!(value instanceof LocalDate)) {
          return null; // a timestamp into a date field: as before
        }
        String text = formatter().format((LocalDate) value);
        return LocalDate.from(formatter().parse(text)).equals(value) ? text : null;
      }
      ZonedDateTime zoned;
      if (value instanceof LocalDateTime) {
        try {
          zoned = WallClock.instant((LocalDateTime) value, zone(), ambiguous).atZone(zone());
        } catch (WallClock.Skipped | WallClock.Repeated e) {
          // Validate refuses it, and says why, as for a CSV cell: its text in the format (the ISO text
          // was refused as not in the format, a review), unless the format needs a zone to write it.
          return formatter().format((LocalDateTime) value);
        }
      } else if (value instanceof Instant) {
        zoned = ((Instant) value).atZone(zone());
      } else if (value instanceof OffsetDateTime) {
        zoned = ((OffsetDateTime) value).atZoneSameInstant(zone());
      } else {
        return null;
      }
      String text = formatter().format(zoned);
      return zoned.toInstant().equals(WallClock.instant(formatter().parse(text), zone(), ambiguous)) ? text : null;
    } catch (DateTimeException e) {
      return null; // the pattern cannot write or read this value
    }
  }

  private DateTimeFormatter formatter() {
    if (formatter == null) {
      formatter = DatePatterns.formatter(format); // as Validate builds it
    }
    return formatter;
  }

  private ZoneId zone() {
    if (zoneId == null) {
      zoneId = zone == null ? ZoneOffset.UTC : ZoneId.of(zone);
    }
    return zoneId;
  }
}
