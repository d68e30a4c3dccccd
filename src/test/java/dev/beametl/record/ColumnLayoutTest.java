package dev.beametl.record;

import static dev.beametl.record.ColumnLayout.AMBIGUOUS;
import static dev.beametl.record.ColumnLayout.CASE_AMBIGUOUS;
import static dev.beametl.record.ColumnLayout.MISSING;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import org.junit.Test;

/**
 * A header's columns matched to the schema's column names: exactly, else ignoring case, and a column
 * never feeds two fields through the second rule (fields id and ID once both took a column Id).
 */
public class ColumnLayoutTest {
  private static List<Integer> layout(List<String> header, List<String> fields) {
    return ColumnLayout.fromHeader(header, fields).columns();
  }

  @Test
  public void aColumnInAnotherCaseIsTheFields() {
    assertThat(layout(List.of("Discount", "id"), List.of("id", "discount")), equalTo(List.of(1, 0)));
  }

  @Test
  public void namesThatDifferInCaseOnlyTakeTheirOwnColumnsOnly() {
    assertThat(layout(List.of("ID", "id"), List.of("id", "ID")), equalTo(List.of(1, 0)));
    assertThat(layout(List.of("ID", "x"), List.of("id", "ID")), equalTo(List.of(MISSING, 0)));
    assertThat(layout(List.of("x", "iD"), List.of("ID", "iD")), equalTo(List.of(MISSING, 1)));
    assertThat(layout(List.of("ID", "name", "NAME"), List.of("id", "ID", "Id", "name", "NAME")),
        equalTo(List.of(MISSING, 0, MISSING, 1, 2)));
  }

  @Test
  public void twoColumnsEquallyGoodAreAmbiguousAndPaddingIsNoPartOfAName() {
    assertThat(layout(List.of("id", " id "), List.of("id", "x")), equalTo(List.of(AMBIGUOUS, MISSING)));
    assertThat(layout(List.of("ID", "Id", "x"), List.of("id", "x")), equalTo(List.of(AMBIGUOUS, 2)));
    assertThat(layout(List.of("x", "  ID"), List.of("id", "x")), equalTo(List.of(1, 0)));
    // Any white space a value's trim drops (WhiteSpace): a header exported with no-break or em spaces
    // named no field, where String.trim drops only what is up to U+0020
    assertThat(layout(List.of("x\u00A0", "\u2003id\u202F"), List.of("id", "x")), equalTo(List.of(1, 0)));
  }

  @Test
  public void aColumnMatchingTwoNamesOnlyIgnoringCaseIsNeithers() {
    assertThat(layout(List.of("Id", "x"), List.of("id", "ID", "x")), equalTo(List.of(CASE_AMBIGUOUS, CASE_AMBIGUOUS, 1)));
    assertThat(layout(List.of("iD"), List.of("ID", "Id")), equalTo(List.of(CASE_AMBIGUOUS, CASE_AMBIGUOUS)));
  }
}
