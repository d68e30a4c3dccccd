package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;

/**
 * A reference table joined to each valid row by key, adding some of its fields (a product's brand
 * and margin). The table is read and validated like a source, and goes to the workers whole, as a
 * side input, so it is limited in rows and in encoded bytes.
 */
@AutoValue
public abstract class LookupSpec implements Serializable {
  public static final long DEFAULT_MAX_ROWS = 1_000_000;
  /** Encoded; in a worker's heap the table takes some 3-5 times as much. */
  public static final long DEFAULT_MAX_BYTES = 64L << 20;

  /** What a row whose key has no match gets. */
  public enum OnMissing {
    /** A dead letter, {@code reason_kind: lookup_miss}, with the key. */
    DEAD_LETTER,
    /** Nulls in the added fields. */
    NULLS
  }

  /** What a key that the reference table holds twice is. */
  public enum OnDuplicate {
    /** An error naming the key: the run fails. */
    FAIL,
    /** The first row in source order (file, then position in the file) wins. */
    FIRST
  }

  /** One field the lookup adds: the reference table's field {@code from}, as {@code name}. */
  @AutoValue
  public abstract static class AddedField implements Serializable {
    public abstract String from();

    public abstract String name();

    public static AddedField of(String from, String name) {
      return new AutoValue_LookupSpec_AddedField(from, name);
    }
  }

  public abstract String name();

  public abstract SourceSpec source();

  public abstract Builder toBuilder();

  public abstract List<FieldSpec> schema();

  /** The reference table's key fields. */
  public abstract List<String> key();

  /** The row's fields matched to {@link #key()}, in the same order. */
  public abstract List<String> on();

  public abstract List<AddedField> fields();

  public abstract OnMissing onMissing();

  public abstract OnDuplicate onDuplicate();

  public abstract long maxRows();

  /** Whether a reference table with no rows is expected (a list of exceptions): else, with nulls, the run fails. */
  public abstract boolean allowEmpty();

  public abstract long maxBytes();

  /** The fields this lookup adds to each row, as the rows carry them: nullable where a value can be missing. */
  public List<FieldSpec> addedFieldSpecs() {
    List<FieldSpec> out = new java.util.ArrayList<>();
    for (AddedField f : fields()) {
      FieldSpec from = schema().stream().filter(s -> s.name().equals(f.from())).findFirst().orElseThrow();
      out.add(from.toBuilder().setName(f.name()).setColumn(null) // a row's field now, read from no source
          .setNullable(from.nullable() || onMissing() == OnMissing.NULLS).build());
    }
    return List.copyOf(out);
  }

  public static Builder builder() {
    return new AutoValue_LookupSpec.Builder()
        .setOnMissing(OnMissing.DEAD_LETTER)
        .setOnDuplicate(OnDuplicate.FAIL)
        .setMaxRows(DEFAULT_MAX_ROWS)
        .setAllowEmpty(false)
        .setMaxBytes(DEFAULT_MAX_BYTES);
  }

  /** Builder for {@link LookupSpec}. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setName(String name);

    public abstract Builder setSource(SourceSpec source);

    public abstract Builder setSchema(List<FieldSpec> schema);

    public abstract Builder setKey(List<String> key);

    public abstract Builder setOn(List<String> on);

    public abstract Builder setFields(List<AddedField> fields);

    public abstract Builder setOnMissing(OnMissing onMissing);

    public abstract Builder setOnDuplicate(OnDuplicate onDuplicate);

    public abstract Builder setMaxRows(long rows);

    public abstract Builder setAllowEmpty(boolean allowEmpty);

    public abstract Builder setMaxBytes(long bytes);

    public abstract LookupSpec build();
  }
}
