package dev.beametl.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;

/**
 * How a file's columns map to the schema, learned from its header: for each schema field the column
 * it is in ({@link #MISSING} when the header lacks it, {@link #AMBIGUOUS} when the header names it
 * twice), and how many columns a record of that file has.
 */
public final class ColumnLayout implements Serializable {
  public static final int MISSING = ColumnMatch.MISSING;
  public static final int AMBIGUOUS = ColumnMatch.AMBIGUOUS;
  /**
   * The header's only column for the field matches it ignoring case, and another field's name that
   * differs from this one in case only as well (fields id and ID, a column Id): neither takes it.
   */
  public static final int CASE_AMBIGUOUS = ColumnMatch.CASE_AMBIGUOUS;

  private final int width;
  private final int[] columnOfField;
  private final @Nullable String headerProblem;
  /** The header's names as the file has them, when known: a dead letter's columns, for its replay. */
  private final @Nullable List<String> header;
  /** The fields the file has no column for ({@link #MISSING}), derived once: read for every valid record. */
  private final int[] missingFields;
  /**
   * The field names a header was matched against, in their order, which the fields reading the
   * records must be ({@link #fields}); null where records are read by name (Parquet) or unmatched.
   */
  private final @Nullable List<String> fields;
  /** A header that is exactly the fields: each field in its own column, read as a file without one. */
  private final boolean identity;

  private ColumnLayout(int width, int[] columnOfField, @Nullable String headerProblem, @Nullable List<String> header) {
    this(width, columnOfField, headerProblem, header, null, false);
  }

  private ColumnLayout(int width, int[] columnOfField, @Nullable String headerProblem, @Nullable List<String> header,
      @Nullable List<String> fields, boolean identity) {
    this.width = width;
    this.columnOfField = columnOfField.clone();
    this.headerProblem = headerProblem;
    this.header = header == null ? null : List.copyOf(header);
    this.fields = fields == null ? null : List.copyOf(fields);
    this.identity = identity;
    this.missingFields = java.util.stream.IntStream.range(0, columnOfField.length)
        .filter(f -> columnOfField[f] == MISSING).toArray();
  }

  /** How many fields the file has no column for. */
  public int missingCount() {
    return missingFields.length;
  }

  /** The {@code i}th field the file has no column for, in the schema's order. */
  public int missingField(int i) {
    return missingFields[i];
  }

  /**
   * The layout of a file whose header cannot be read (blank, or not one CSV record): its records
   * cannot be matched to the schema, so each of them is a bad record saying why.
   */
  public static ColumnLayout unusableHeader(String problem) {
    return new ColumnLayout(0, new int[0], problem, null);
  }

  /** Why the file's header could not be used, or null. */
  public @Nullable String headerProblem() {
    return headerProblem;
  }

  /**
   * Matches header names to schema field names as {@link ColumnMatch} does: exactly, else ignoring
   * case (a header's {@code Discount} is the field {@code discount}, as database columns are matched;
   * before, a nullable field so named was null in every row). When the header is exactly the
   * schema, an {@linkplain #isIdentity identity}. A header that names none of the fields is unusable: the wrong delimiter or charset, most
   * likely.
   */
  public static ColumnLayout fromHeader(List<String> header, List<String> schemaFields) {
    if (header.equals(schemaFields)) {
      return new ColumnLayout(header.size(), java.util.stream.IntStream.range(0, header.size()).toArray(), null, null,
          schemaFields, true);
    }
    int[] columns = new int[schemaFields.size()];
    List<Set<String>> variants = ColumnMatch.caseVariants(schemaFields);
    List<String> names = new ArrayList<>();
    for (String name : header) {
      names.add(WhiteSpace.strip(name)); // a CSV header's spaces are the file's layout, not its names
    }
    boolean any = false;
    for (int f = 0; f < columns.length; f++) {
      columns[f] = ColumnMatch.find(names, WhiteSpace.strip(schemaFields.get(f)), variants.get(f));
      any |= columns[f] != MISSING;
    }
    if (!any && !schemaFields.isEmpty()) {
      String shown = String.join(",", header);
      return unusableHeader("its header line (the first line) names none of the schema's fields ("
          + (shown.length() > 100 ? shown.substring(0, 97) + "..." : shown) + "); check the delimiter, the "
          + "charset and csv.header");
    }
    return new ColumnLayout(header.size(), columns, null, header, schemaFields, false);
  }

  /**
   * The field names the header was matched against: the fields that read these records must be
   * these, in this order, for a column's index to mean the field it was matched to (Java callers
   * gave Extract one order and Validate another, and values landed in each other's columns). Null
   * where nothing was matched by position.
   */
  public @Nullable List<String> fields() {
    return fields;
  }

  /** Whether the header is exactly the fields: read as records of a file that has none. */
  public boolean isIdentity() {
    return identity;
  }

  /**
   * The layout of a file that names its columns in its own schema (Parquet), whose rows Validate
   * reads by name: null when each field has a column there, else one saying which fields the file
   * lacks ({@link #MISSING}), so the rows it makes NULL there are counted. Matched as Validate finds
   * a row's keys: exactly, else ignoring case; names are not trimmed, keys are what they are.
   */
  public static @Nullable ColumnLayout ofNamedColumns(List<String> columnNames, List<String> schemaFields) {
    int[] columns = new int[schemaFields.size()];
    List<Set<String>> variants = ColumnMatch.caseVariants(schemaFields);
    boolean lacking = false;
    for (int f = 0; f < columns.length; f++) {
      columns[f] = ColumnMatch.find(columnNames, schemaFields.get(f), variants.get(f));
      lacking |= columns[f] == MISSING;
    }
    // No header kept: such a file's dead letters are JSON objects with their own keys, and every
    // record carries its layout.
    return lacking ? new ColumnLayout(columnNames.size(), columns, null, null) : null;
  }

  /**
   * The file's header, as it has it, or null when not known. A dead letter carries it whole: a column
   * no field took (a misspelt column:, one two fields matched only ignoring case) is then still there
   * when the replay runs with the spec mended.
   */
  public @Nullable List<String> header() {
    return header;
  }

  public int width() {
    return width;
  }

  public int columnOf(int field) {
    return columnOfField[field];
  }

  public List<Integer> columns() {
    List<Integer> out = new ArrayList<>();
    for (int c : columnOfField) {
      out.add(c);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnLayout
        && ((ColumnLayout) o).width == width
        && Arrays.equals(((ColumnLayout) o).columnOfField, columnOfField)
        && Objects.equals(((ColumnLayout) o).headerProblem, headerProblem)
        && Objects.equals(((ColumnLayout) o).header, header)
        && Objects.equals(((ColumnLayout) o).fields, fields)
        && ((ColumnLayout) o).identity == identity;
  }

  @Override
  public int hashCode() {
    return 31 * width + Arrays.hashCode(columnOfField) + Objects.hashCode(headerProblem) + Objects.hashCode(header);
  }

  @Override
  public String toString() {
    return "ColumnLayout{width=" + width + ", columns=" + Arrays.toString(columnOfField)
        + (headerProblem == null ? "" : ", headerProblem=" + headerProblem) + "}";
  }

  /** Coder for {@link ColumnLayout}. */
  public static final class LayoutCoder extends AtomicCoder<ColumnLayout> {
    private static final LayoutCoder INSTANCE = new LayoutCoder();
    private static final NullableCoder<String> PROBLEM = NullableCoder.of(StringUtf8Coder.of());
    private static final NullableCoder<List<String>> HEADER = NullableCoder.of(ListCoder.of(StringUtf8Coder.of()));

    public static LayoutCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(ColumnLayout layout, OutputStream out) throws IOException {
      VarIntCoder.of().encode(layout.width, out);
      VarIntCoder.of().encode(layout.columnOfField.length, out);
      for (int c : layout.columnOfField) {
        VarIntCoder.of().encode(c + 2, out);
      }
      PROBLEM.encode(layout.headerProblem, out);
      HEADER.encode(layout.header, out);
      HEADER.encode(layout.fields, out);
      VarIntCoder.of().encode(layout.identity ? 1 : 0, out);
    }

    @Override
    public ColumnLayout decode(InputStream in) throws IOException {
      int width = VarIntCoder.of().decode(in);
      int[] columns = new int[VarIntCoder.of().decode(in)];
      for (int i = 0; i < columns.length; i++) {
        columns[i] = VarIntCoder.of().decode(in) - 2;
      }
      String problem = PROBLEM.decode(in);
      List<String> header = HEADER.decode(in);
      List<String> fields = HEADER.decode(in);
      return new ColumnLayout(width, columns, problem, header, fields, VarIntCoder.of().decode(in) == 1);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
