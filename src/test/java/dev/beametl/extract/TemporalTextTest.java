package dev.beametl.extract;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.WallClock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import org.junit.Test;

/** A typed value is written in its field's format only where that text reads back as the same value. */
public class TemporalTextTest {
  private static TemporalText of(String type, String format, String zone) {
    return of(type, format, zone, WallClock.Ambiguous.DEAD_LETTER);
  }

  private static TemporalText of(String type, String format, String zone, WallClock.Ambiguous ambiguous) {
    return TemporalText.forField(FieldSpec.builder("f", FieldType.parse(type)).setFormat(format).setZone(zone)
        .setAmbiguous(ambiguous).build());
  }

  @Test
  public void onlyDatesAndTimestampsWithAFormatAreRewritten() {
    assertThat(TemporalText.forField(FieldSpec.builder("f", FieldType.parse("date")).build()), is(nullValue()));
    assertThat(TemporalText.forField(FieldSpec.builder("f", FieldType.parse("string")).setFormat("dd").build()),
        is(nullValue()));
  }

  @Test
  public void datesInTheirFormatAcrossEras() {
    TemporalText date = of("date", "dd/MM/yyyy", null);
    assertThat(date.text(LocalDate.of(2024, 2, 29)), is("29/02/2024"));
    assertThat(date.text(LocalDate.of(1, 1, 1)), is("01/01/0001"));
    assertThat(date.text(LocalDate.of(-44, 3, 15)), is("15/03/-0044"));
    assertThat(of("date", "yy-MM-dd", null).text(LocalDate.of(1950, 1, 1)), is(nullValue())); // reads back as 2050
    assertThat(date.text(LocalDateTime.of(2024, 1, 1, 10, 0)), is(nullValue())); // a timestamp for a date: as before
  }

  @Test
  public void timestampsReadBackAsTheSameInstantOrKeepTheirIsoText() {
    TemporalText paris = of("timestamp", "dd/MM/yyyy HH:mm:ss", "Europe/Paris");
    assertThat(paris.text(Instant.parse("2024-07-01T10:00:00Z")), is("01/07/2024 12:00:00"));
    assertThat(paris.text(OffsetDateTime.parse("2024-07-01T10:00:00-05:00")), is("01/07/2024 17:00:00"));
    assertThat(paris.text(LocalDateTime.parse("2024-07-01T10:00:00")), is("01/07/2024 10:00:00"));
    // 02:30 on 27 October 2024 occurs twice in Paris: as text it is refused (the default), so both
    // instants keep their ISO text; where the field says which it is, that one is written in the format.
    assertThat(paris.text(Instant.parse("2024-10-27T00:30:00Z")), is(nullValue()));
    assertThat(paris.text(Instant.parse("2024-10-27T01:30:00Z")), is(nullValue()));
    // A wall-clock time that hour is written in the format all the same: Validate refuses it, saying why.
    assertThat(paris.text(LocalDateTime.parse("2024-10-27T02:30:00")), is("27/10/2024 02:30:00"));
    assertThat(of("timestamp", "yyyy-MM-dd HH:mm VV", "Europe/Paris").text(LocalDateTime.parse("2024-10-27T02:30:00")),
        is(nullValue())); // a format that needs a zone to write it: the ISO text
    TemporalText earlier = of("timestamp", "dd/MM/yyyy HH:mm:ss", "Europe/Paris", WallClock.Ambiguous.EARLIER);
    assertThat(earlier.text(Instant.parse("2024-10-27T00:30:00Z")), is("27/10/2024 02:30:00"));
    assertThat(earlier.text(Instant.parse("2024-10-27T01:30:00Z")), is(nullValue()));
    TemporalText later = of("timestamp", "dd/MM/yyyy HH:mm:ss", "Europe/Paris", WallClock.Ambiguous.LATER);
    assertThat(later.text(Instant.parse("2024-10-27T00:30:00Z")), is(nullValue()));
    assertThat(later.text(Instant.parse("2024-10-27T01:30:00Z")), is("27/10/2024 02:30:00"));
    assertThat(later.text(LocalDateTime.parse("2024-10-27T02:30:00")), is("27/10/2024 02:30:00"));
    // 02:30 on 31 March 2024 does not exist there: Validate refuses it, as for a CSV cell.
    assertThat(paris.text(LocalDateTime.parse("2024-03-31T02:30:00")), is("31/03/2024 02:30:00"));
    // Seconds or fractions the format has no place for are never dropped.
    assertThat(paris.text(Instant.parse("2024-07-01T10:00:00.5Z")), is(nullValue()));
    assertThat(of("timestamp", "dd/MM/yyyy", null).text(Instant.parse("2024-07-01T10:00:00Z")), is(nullValue()));
    assertThat(of("timestamp", "dd/MM/yyyy", null).text(Instant.parse("2024-07-01T00:00:00Z")), is("01/07/2024"));
    // A format with the zone's id writes it, and reads it back as that zone's.
    assertThat(of("timestamp", "yyyy-MM-dd HH:mm VV", "Asia/Tokyo").text(Instant.parse("2024-07-01T10:00:00Z")),
        is("2024-07-01 19:00 Asia/Tokyo"));
    // A format with an offset says the instant whatever the zone.
    assertThat(of("timestamp", "yyyy-MM-dd HH:mm:ss.SSS XXX", "Asia/Tokyo").text(Instant.parse("2024-07-01T10:00:00.250Z")),
        is("2024-07-01 19:00:00.250 +09:00"));
  }
}
