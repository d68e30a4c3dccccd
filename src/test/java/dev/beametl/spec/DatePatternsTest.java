package dev.beametl.spec;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import org.junit.Test;

/** Two-digit years read as POSIX, Python and DuckDB read %y (a trial: 15.06.85 was 2085); the rest as java.time. */
public class DatePatternsTest {
  @Test
  public void twoDigitYearsFall1969To2068() {
    DateTimeFormatter f = DatePatterns.formatter("dd.MM.yy");
    assertThat(LocalDate.parse("31.12.99", f), is(LocalDate.of(1999, 12, 31)));
    assertThat(LocalDate.parse("15.06.85", f), is(LocalDate.of(1985, 6, 15)));
    assertThat(LocalDate.parse("01.01.69", f), is(LocalDate.of(1969, 1, 1)));
    assertThat(LocalDate.parse("31.12.68", f), is(LocalDate.of(2068, 12, 31)));
    assertThat(LocalDate.parse("29.02.00", f), is(LocalDate.of(2000, 2, 29)));
    assertThat(f.format(LocalDate.of(1985, 6, 15)), is("15.06.85"));
    assertThat(LocalDate.parse("85-06-15", DatePatterns.formatter("uu-MM-dd")), is(LocalDate.of(1985, 6, 15)));
  }

  @Test
  public void otherYearsAndQuotedTextAreJavaTimes() {
    assertThat(LocalDate.parse("15.06.1985", DatePatterns.formatter("dd.MM.yyyy")), is(LocalDate.of(1985, 6, 15)));
    assertThat(LocalDate.parse("-0044-03-15", DatePatterns.formatter("yyyy-MM-dd")), is(LocalDate.of(-44, 3, 15)));
    assertThat(LocalDate.parse("2024yy06-15", DatePatterns.formatter("yyyy'yy'MM-dd")), is(LocalDate.of(2024, 6, 15)));
    try {
      LocalDate.parse("30.02.85", DatePatterns.formatter("dd.MM.yy"));
      throw new AssertionError("February 30 was read");
    } catch (java.time.format.DateTimeParseException expected) {
      // strict
    }
  }
}
