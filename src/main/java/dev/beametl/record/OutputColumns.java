package dev.beametl.record;

import com.google.auto.value.AutoValue;
import dev.beametl.spec.AggregationSpec;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.DerivedFieldSpec;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.MetricSpec;
import dev.beametl.spec.PipelineSpec;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The columns a pipeline writes, with their declared types: the fields and derived fields of a copy
 * job, or the group-by keys and metrics of an aggregation. Sinks use it to declare exact types
 * (decimal precision and scale, dates, timestamps) and to turn category codes back into strings.
 *
 * <p>Result types: {@code count} and {@code count_distinct} are long; {@code sum} of int or long is
 * long, of double is double, of decimal(p,s) is decimal(38,s); {@code mean} of decimal(p,s) is
 * decimal(38,s+6) rounded half-even (see MetricSpec#meanType), of other numbers double; {@code min}/{@code max} keep the type.
 */
@AutoValue
public abstract class OutputColumns implements Serializable {
  /** One output column. */
  @AutoValue
  public abstract static class Column implements Serializable {
    public abstract String name();

    public abstract FieldType type();

    /** The declared values of a category column, else null. */
    public abstract @Nullable List<String> categoryValues();

    public abstract boolean nullable();

    static Column of(String name, FieldType type, @Nullable List<String> values, boolean nullable) {
      return new AutoValue_OutputColumns_Column(name, type, values, nullable);
    }

    public Schema.Field beamField(boolean encodeCategories) {
      return Schema.Field.of(name(), BeamTypes.of(type(), categoryValues() == null ? List.of() : categoryValues(),
          encodeCategories)).withNullable(nullable());
    }
  }

  public abstract List<Column> columns();

  /** The positions of the named columns in a row of these columns (-1 for a name not among them). */
  public int[] positionsOf(List<String> names) {
    List<String> all = columns().stream().map(Column::name).collect(Collectors.toList());
    return names.stream().mapToInt(all::indexOf).toArray();
  }

  public abstract boolean encodeCategories();

  public Schema beamSchema() {
    return columns().stream().map(c -> c.beamField(encodeCategories())).collect(Schema.toSchema());
  }

  /**
   * Why rows of {@code schema} are not rows of these columns, or null: each column's name and type,
   * in order (whether it may be null aside, and a trailing origin). The stages read a row's values
   * by position, so rows of another shape were read silently wrong: a trial's Transform over rows
   * whose two fields came in the other order relabelled their values, and a Load of other columns
   * wrote a CSV header over lines of another width. {@code advice} follows the difference, unless
   * it is a category carried as its code on one side and as its text on the other.
   */
  public @Nullable String mismatch(Schema schema, String advice) {
    Schema expected = beamSchema();
    int n = Origins.dataFields(schema);
    for (int i = 0; i < Math.max(n, expected.getFieldCount()); i++) {
      if (i >= n) {
        Column missing = columns().get(i);
        return "the rows have " + n + " columns and lack \"" + missing.name() + "\" (" + missing.type() + "), column "
            + (i + 1) + " of " + expected.getFieldCount() + "; " + advice;
      }
      Schema.Field got = schema.getField(i);
      if (i >= expected.getFieldCount()) {
        return "the rows have a column " + (i + 1) + ", \"" + got.getName() + "\", beyond the "
            + expected.getFieldCount() + " given; " + advice;
      }
      Schema.Field want = expected.getField(i);
      if (!got.getName().equals(want.getName())
          || !got.getType().withNullable(false).equals(want.getType().withNullable(false))) {
        boolean encoding = got.getName().equals(want.getName())
            && (BeamTypes.categories(got.getType()) == null) != (BeamTypes.categories(want.getType()) == null);
        return "column " + (i + 1) + " of the rows is \"" + got.getName() + "\" (" + describe(got.getType())
            + "), where \"" + want.getName() + "\" (" + columns().get(i).type() + ", as " + describe(want.getType()) + ") is expected; "
            + (encoding ? "a category is carried as its code or as its text, as withCategoryEncoding says: give the"
                + " stages the same" : advice);
      }
    }
    return null;
  }

  private static String describe(Schema.FieldType type) {
    if (type.getTypeName() != Schema.TypeName.LOGICAL_TYPE) {
      return type.getTypeName().toString();
    }
    Object argument = type.getLogicalType().getArgument();
    return type.getLogicalType().getIdentifier() + (argument == null ? "" : "(" + argument + ")");
  }

  /** Input fields followed by derived fields: the rows between derivation and aggregation. */
  public static OutputColumns derivedRows(List<FieldSpec> fields, List<DerivedFieldSpec> derived, boolean encode) {
    List<Column> out = new ArrayList<>();
    for (FieldSpec f : fields) {
      out.add(Column.of(f.name(), f.type(), f.values(), f.nullable()));
    }
    for (DerivedFieldSpec d : derived) {
      out.add(Column.of(d.name(), d.type(), null, true));
    }
    return new AutoValue_OutputColumns(List.copyOf(out), encode);
  }

  /** The result columns: the derived rows themselves, or the keys and metrics of the aggregation. */
  public static OutputColumns result(OutputColumns rows, @Nullable AggregationSpec agg) {
    if (agg == null) {
      return rows;
    }
    Map<String, Column> byName = rows.columns().stream().collect(Collectors.toMap(Column::name, Function.identity()));
    List<Column> out = new ArrayList<>();
    for (String key : agg.groupBy()) {
      out.add(byName.get(key));
    }
    for (MetricSpec m : agg.metrics()) {
      Column input = m.field() == null ? null : byName.get(m.field());
      out.add(Column.of(m.name(), resultType(m, input == null ? null : input.type()), null,
          !(m.op() == MetricSpec.Op.COUNT || m.op() == MetricSpec.Op.COUNT_DISTINCT)));
    }
    return new AutoValue_OutputColumns(List.copyOf(out), rows.encodeCategories());
  }

  /** These columns but the named ones, in order: what a partitioned sink keeps inside its files. */
  public OutputColumns without(java.util.Collection<String> names) {
    List<Column> kept = new ArrayList<>();
    for (Column c : columns()) {
      if (!names.contains(c.name())) {
        kept.add(c);
      }
    }
    return new AutoValue_OutputColumns(List.copyOf(kept), encodeCategories());
  }

  /** The position of the named column. */
  public int indexOf(String name) {
    for (int i = 0; i < columns().size(); i++) {
      if (columns().get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no output column \"" + name + "\"");
  }

  /** What the sink of a spec receives. */
  public static OutputColumns of(PipelineSpec spec) {
    return result(derivedRows(spec.rowFields(), spec.derived(), spec.encodeCategories()), spec.aggregation());
  }

  static FieldType resultType(MetricSpec m, @Nullable FieldType input) {
    switch (m.op()) {
      case COUNT:
      case COUNT_DISTINCT:
        return FieldType.of(FieldType.Kind.LONG);
      case SUM:
        if (input.kind() == FieldType.Kind.DECIMAL) {
          return MetricSpec.sumType(input);
        }
        return FieldType.of(input.kind() == FieldType.Kind.DOUBLE ? FieldType.Kind.DOUBLE : FieldType.Kind.LONG);
      case MEAN:
        if (input.kind() == FieldType.Kind.DECIMAL) {
          return MetricSpec.meanType(input);
        }
        return FieldType.of(FieldType.Kind.DOUBLE);
      default:
        return input;
    }
  }
}
