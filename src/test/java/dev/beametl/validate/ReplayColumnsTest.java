package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.beametl.record.ColumnLayout;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SourceSpec;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.Test;

/**
 * A CSV dead letter carries its file's whole header, so a column no field took when it was read is
 * there when the replay runs with the spec mended (it was null, and the mended field read null).
 */
public class ReplayColumnsTest {
  private static final SourceSpec CSV = SourceSpec.builder("f.csv", SourceSpec.Format.CSV).build();

  private static FieldSpec field(String name, String column) {
    return FieldSpec.builder(name, FieldType.of(FieldType.Kind.LONG)).setColumn(column).setNullable(true).build();
  }

  private static RecordValidator.Outcome read(List<FieldSpec> fields, List<String> header, String line) {
    List<String> names = fields.stream().map(FieldSpec::sourceName).collect(Collectors.toList());
    RecordValidator v = new RecordValidator(CSV, fields, false);
    return v.validate(SourceRecord.of("f.csv", 1, 0, line, ColumnLayout.fromHeader(header, names), false));
  }

  @Test
  public void aDeadLetterKeepsTheColumnsNoFieldTook() {
    List<FieldSpec> fields = List.of(field("k", null), field("id", null), field("id_2", "ID"));
    RecordValidator.Outcome first = read(fields, List.of("k", "iD", "extra"), "1,5,x");
    assertThat(first.bad.reason(), equalTo("id: the header's column for it matches another field's name as well, "
        + "ignoring case; name its column exactly"));
    assertThat(first.bad.columns(), equalTo(List.of("k", "iD", "extra")));

    List<FieldSpec> mended = List.of(field("k", null), field("id", "iD"), field("id_2", "ID"));
    RecordValidator.Outcome replayed = read(mended, first.bad.columns(), first.bad.payload());
    assertThat(replayed.bad == null ? "" : replayed.bad.reason(), replayed.row.getValues().subList(0, 3),
        equalTo(java.util.Arrays.asList(1L, 5L, null)));
  }
}
