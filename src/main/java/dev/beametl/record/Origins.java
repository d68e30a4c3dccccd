package dev.beametl.record;

import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * Where a valid row came from, carried as its last field {@value #FIELD} while a later stage can
 * still reject it (a lookup, an expression), so its dead letter names the source record, not
 * "after validation". The stages that reject drop the field from the rows they pass on.
 */
public final class Origins {
  public static final String FIELD = "__origin";
  /** What an origin looks like when a row was built without one (in Java, not from a source). */
  public static final String UNKNOWN = "(after validation)";
  private static final Pattern POSITION = Pattern.compile("(.*)(?:@byte |:line |:row )(\\d+)");
  /** A database row's origin: the table and its integer partition key, {@code items[id=-12]}. */
  private static final Pattern KEY = Pattern.compile("(.*\\[\\w+=)(-?\\d{1,19})\\]");

  /**
   * File, then position in the file (bytes, lines or rows, as numbers); a database table, then its
   * integer partition key as a number ({@code [id=9]} before {@code [id=10]}); then the text.
   */
  public static final Comparator<String> SOURCE_ORDER = (a, b) -> {
    Matcher ma = POSITION.matcher(a);
    Matcher mb = POSITION.matcher(b);
    if (!ma.matches() || !mb.matches()) {
      ma = KEY.matcher(a);
      mb = KEY.matcher(b);
    }
    if (ma.matches() && mb.matches()) {
      int byFile = ma.group(1).compareTo(mb.group(1));
      if (byFile != 0) {
        return byFile;
      }
      int byPosition = new java.math.BigInteger(ma.group(2)).compareTo(new java.math.BigInteger(mb.group(2)));
      if (byPosition != 0) {
        return byPosition;
      }
    }
    return a.compareTo(b);
  };

  private Origins() {}

  /**
   * Whether {@code origin} names one record by its position in a file ({@code @byte}, {@code :line},
   * {@code :row}): a database row's origin names its table and at most a partition key, which many
   * rows may share.
   */
  public static boolean isPosition(String origin) {
    return POSITION.matcher(origin).matches();
  }

  /** {@code schema} with the origin field after its own. */
  public static Schema withOrigin(Schema schema) {
    return Schema.builder().addFields(schema.getFields()).addField(FIELD, Schema.FieldType.logicalType(TYPE)).build();
  }

  /** A readable position: {@code file@byte 4096}, {@code file:line 12}, or {@code file.parquet:row 12}. */
  static String format(String file, long offset, long line) {
    if (offset >= 0) {
      return file + "@byte " + offset;
    }
    if (line <= 0) {
      return file; // a database row: the file names the table and the row's key
    }
    return file + (file.endsWith(".parquet") ? ":row " : ":line ") + line;
  }

  /**
   * Where a valid row came from, written out only when asked: a row carries it until the transform
   * stage, and only the few that a lookup or an expression rejects need it as text. Formatting it
   * for every row was 3% of the reading stage's samples (16M sales rows, JFR).
   */
  public static final class Position implements java.io.Serializable {
    private final String file;
    private final long offset;
    private final long line;

    Position(String file, long offset, long line) {
      this.file = file;
      this.offset = offset;
      this.line = line;
    }

    @Override
    public String toString() {
      return format(file, offset, line);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Position && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
      return toString().hashCode();
    }
  }

  /** The origin field's type: a {@link Position}, encoded as its text (a decoded one holds just that text). */
  static final Schema.LogicalType<Position, String> TYPE = new OriginType();

  private static final class OriginType implements Schema.LogicalType<Position, String> {
    @Override
    public String getIdentifier() {
      return "beametl:origin";
    }

    @Override
    public Schema.FieldType getArgumentType() {
      return Schema.FieldType.STRING;
    }

    @Override
    public String getArgument() {
      return "";
    }

    @Override
    public Schema.FieldType getBaseType() {
      return Schema.FieldType.STRING;
    }

    @Override
    public String toBaseType(Position position) {
      return position.toString();
    }

    @Override
    public Position toInputType(String text) {
      return new Position(text, -1, 0);
    }
  }

  /** Whether rows of this schema carry their origin. */
  public static boolean carried(Schema schema) {
    int n = schema.getFieldCount();
    return n > 0 && schema.getField(n - 1).getName().equals(FIELD);
  }

  /** The fields that are data, not the origin. */
  public static int dataFields(Schema schema) {
    return carried(schema) ? schema.getFieldCount() - 1 : schema.getFieldCount();
  }

  /** The row's origin, or {@link #UNKNOWN}. */
  public static String of(Row row) {
    return carried(row.getSchema()) ? String.valueOf((Object) row.getValue(row.getFieldCount() - 1)) : UNKNOWN;
  }
}
