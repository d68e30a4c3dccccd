package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import javax.annotation.Nullable;

/** A whole pipeline as declared in a spec file: validated, immutable, serializable. */
@AutoValue
public abstract class PipelineSpec implements Serializable {
  public static final int CURRENT_VERSION = 1;
  /** By default one bad record in ten fails the run. */
  public static final double DEFAULT_MAX_BAD_RATIO = 0.1;

  public abstract String name();

  public abstract SourceSpec source();

  public abstract List<FieldSpec> schema();

  /** Reference tables joined to the rows, in order, after validation and before the derived fields. */
  public abstract List<LookupSpec> lookups();

  /** The fields of a row after the lookups: the schema's, then each lookup's added fields. */
  public List<FieldSpec> rowFields() {
    List<FieldSpec> out = new java.util.ArrayList<>(schema());
    for (LookupSpec lookup : lookups()) {
      out.addAll(lookup.addedFieldSpecs());
    }
    return List.copyOf(out);
  }

  public abstract List<DerivedFieldSpec> derived();

  public abstract @Nullable String filter();

  public abstract @Nullable AggregationSpec aggregation();

  public abstract SinkSpec sink();

  /** Directory of the dead-letter output (JSON lines). */
  public abstract String deadLetterPath();

  /** The run fails (exit code 3) when bad / read exceeds this. */
  public abstract double maxBadRatio();

  /** Limits per reason kind or field, beside {@link #maxBadRatio()}. */
  public abstract List<BadLimit> maxBad();

  /** Carry category fields as their position in the declared list (on by default). */
  public abstract boolean encodeCategories();

  public Optional<FieldSpec> field(String name) {
    return schema().stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public static Builder builder() {
    return new AutoValue_PipelineSpec.Builder()
        .setDerived(List.of())
        .setLookups(List.of())
        .setMaxBadRatio(DEFAULT_MAX_BAD_RATIO)
        .setMaxBad(List.of())
        .setEncodeCategories(true);
  }

  public abstract Builder toBuilder();

  /** Builder for {@link PipelineSpec}; {@link SpecReader} checks what it builds. */
  @AutoValue.Builder
  public abstract static class Builder {
    public abstract Builder setName(String name);

    public abstract Builder setSource(SourceSpec source);

    public abstract Builder setSchema(List<FieldSpec> schema);

    public abstract Builder setDerived(List<DerivedFieldSpec> derived);

    public abstract Builder setLookups(List<LookupSpec> lookups);

    public abstract Builder setFilter(@Nullable String filter);

    public abstract Builder setAggregation(@Nullable AggregationSpec aggregation);

    public abstract Builder setSink(SinkSpec sink);

    public abstract Builder setDeadLetterPath(String path);

    public abstract Builder setMaxBadRatio(double ratio);

    public abstract Builder setMaxBad(List<BadLimit> limits);

    public abstract Builder setEncodeCategories(boolean encode);

    public abstract PipelineSpec build();
  }
}
