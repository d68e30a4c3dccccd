package dev.beametl.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.beametl.record.BinaryFloat;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.Temporal;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet row as the JSON object Validate reads, each value as the file means it, decided from the
 * column's physical type and its annotation. Read with Parquet's own record reader, not Avro's: Avro
 * refused whole files for a column name it does not allow ({@code x-y}, {@code unit price}) and for
 * INT96 timestamps (how Spark and Impala long wrote them), read decimals stored as INT32/INT64 unscaled,
 * unsigned integers as signed ones, and handed over times, intervals and untyped bytes raw.
 *
 * <p>Decimals become their exact text, a FLOAT or DOUBLE its exact value as {@link BinaryFloat} writes
 * it (Validate reads it as the binary value it is, not as the decimal its shortest text reads), dates
 * and times ISO-8601, a timestamp adjusted to UTC the instant ({@code ...Z}) and a local one its wall-clock time (Validate places it in the source's
 * zone, as for CSV), an INT96 timestamp its instant. A struct, list or map becomes a JSON object or
 * array, which Validate refuses where the schema wants one value, as for JSON lines.
 */
final class ParquetColumns {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The Julian day of 1970-01-01: INT96 timestamps count Julian days. */
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private ParquetColumns() {}

  /**
   * The row {@code group} as a JSON object, its fields in the file's order, a missing value as null.
   * A value that has no meaning (a time of day past midnight, a decimal of no bytes) throws an
   * IllegalArgumentException naming its column: the row is a bad record, the file reads on.
   */
  static ObjectNode row(Group group) {
    return read(group, Map.of(), name -> true).node;
  }

  /** A row as JSON, and whether text the schema reads in it was not valid UTF-8. */
  static final class Read {
    final ObjectNode node;
    /** Text in a column the schema reads was not valid UTF-8: the node shows its bad bytes as U+FFFD. */
    final boolean badEncoding;

    Read(ObjectNode node, boolean badEncoding) {
      this.node = node;
      this.badEncoding = badEncoding;
    }
  }

  /**
   * As {@link #row(Group)}; a DATE or TIMESTAMP column named in {@code temporalColumns} is written in
   * its field's format where that reads back as the same value ({@link TemporalText}). Text that is
   * not valid UTF-8 in a column {@code read} accepts makes the row's {@link Read#badEncoding}: as in a
   * CSV file, a bad record, not a value quietly changed (parquet-mr's own decoding put U+FFFD for
   * the bad bytes, so two different values could become one key). A column the schema does not use
   * cannot make the row bad: a value there that cannot be read is null.
   */
  static Read read(Group group, Map<String, TemporalText> temporalColumns, java.util.function.Predicate<String> read) {
    ParquetColumns reading = new ParquetColumns();
    ObjectNode node = NODES.objectNode();
    GroupType type = group.getType();
    boolean badEncoding = false;
    for (int i = 0; i < type.getFieldCount(); i++) {
      reading.badText = false;
      try {
        TemporalText temporal = temporalColumns.isEmpty() ? null : temporalColumns.get(type.getFieldName(i));
        node.set(type.getFieldName(i), temporal == null ? reading.field(group, i)
            : reading.temporalField(group, i, temporal));
      } catch (NullPointerException | ClassCastException e) {
        throw e; // a defect of this reader, not a value of the file's: not to be hidden as a bad row
      } catch (RuntimeException e) {
        if (!read.test(type.getFieldName(i))) {
          // A file lacking a field's column is read whole, for its dead letters' sake; a value without
          // a meaning in a column the schema does not read made good rows bad (a trial): null there.
          node.set(type.getFieldName(i), NODES.nullNode());
          continue;
        }
        throw new IllegalArgumentException("column " + type.getFieldName(i) + ": a value that cannot be read ("
            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
      }
      badEncoding |= reading.badText && read.test(type.getFieldName(i));
    }
    return new Read(node, badEncoding);
  }

  /** Whether text in the column being read was not valid UTF-8. */
  private boolean badText;

  /** A single date or timestamp in its field's format; anything else (a list, an INT32 not a DATE) as {@link #field}. */
  private JsonNode temporalField(Group group, int i, TemporalText temporal) {
    Type type = group.getType().getType(i);
    if (!type.isPrimitive() || type.isRepetition(Type.Repetition.REPEATED) || group.getFieldRepetitionCount(i) == 0) {
      return field(group, i);
    }
    Object v = primitive(type.asPrimitiveType(), group, i, 0);
    String text = v instanceof Temporal ? temporal.text(v) : null;
    return text == null ? node(v) : NODES.textNode(text);
  }

  /** The nested row {@code group} as a JSON object. */
  private ObjectNode struct(Group group) {
    ObjectNode node = NODES.objectNode();
    GroupType type = group.getType();
    for (int i = 0; i < type.getFieldCount(); i++) {
      node.set(type.getFieldName(i), field(group, i));
    }
    return node;
  }

  private JsonNode field(Group group, int i) {
    Type type = group.getType().getType(i);
    int count = group.getFieldRepetitionCount(i);
    if (type.isRepetition(Type.Repetition.REPEATED)) {
      ArrayNode values = NODES.arrayNode();
      for (int k = 0; k < count; k++) {
        values.add(value(type, group, i, k));
      }
      return values;
    }
    return count == 0 ? NODES.nullNode() : value(type, group, i, 0);
  }

  private JsonNode value(Type type, Group group, int i, int k) {
    if (type.isPrimitive()) {
      return node(primitive(type.asPrimitiveType(), group, i, k));
    }
    Group inner = group.getGroup(i, k);
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    if (logical instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      return list(inner);
    }
    if (logical instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.MapKeyValueTypeAnnotation) {
      return map(inner);
    }
    return struct(inner);
  }

  /**
   * A LIST group's elements as an array. Its repeated child is either the element itself (the old
   * two-level form) or a group around it (the standard three-level form), as the format's rules for
   * backward compatibility tell them apart.
   */
  private JsonNode list(Group list) {
    ArrayNode values = NODES.arrayNode();
    if (list.getType().getFieldCount() != 1) {
      return struct(list); // not a list as the format defines one: its fields as they are
    }
    Type repeated = list.getType().getType(0);
    boolean wrapped = !repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
        && !repeated.getName().equals("array") && !repeated.getName().equals(list.getType().getName() + "_tuple");
    for (int k = 0; k < list.getFieldRepetitionCount(0); k++) {
      if (wrapped) {
        values.add(field(list.getGroup(0, k), 0)); // null, a value, or (a repeated element) an array
      } else {
        values.add(value(repeated, list, 0, k));
      }
    }
    return values;
  }

  /** A MAP group's entries as an object: the key's text, its value. */
  private JsonNode map(Group map) {
    if (map.getType().getFieldCount() != 1 || map.getType().getType(0).isPrimitive()) {
      return struct(map); // not a map as the format defines one (a repeated group of key and value)
    }
    ObjectNode entries = NODES.objectNode();
    for (int k = 0; k < map.getFieldRepetitionCount(0); k++) {
      Group entry = map.getGroup(0, k);
      JsonNode key = field(entry, 0);
      entries.set(key.isTextual() ? key.textValue() : key.toString(),
          entry.getType().getFieldCount() > 1 ? field(entry, 1) : NODES.nullNode());
    }
    return entries;
  }

  /** The value of a primitive column as the file means it: a number, text, a boolean, or a decimal. */
  Object primitive(PrimitiveType type, Group group, int i, int k) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    switch (type.getPrimitiveTypeName()) {
      case BOOLEAN:
        return group.getBoolean(i, k);
      case FLOAT:
        return group.getFloat(i, k);
      case DOUBLE:
        return group.getDouble(i, k);
      case INT32:
        return int32(group.getInteger(i, k), logical);
      case INT64:
        return int64(group.getLong(i, k), logical);
      case INT96:
        return int96(group.getInt96(i, k));
      default: // BINARY, FIXED_LEN_BYTE_ARRAY
        return binary(group.getBinary(i, k), logical);
    }
  }

  private static Object int32(int v, LogicalTypeAnnotation logical) {
    if (logical instanceof DecimalLogicalTypeAnnotation) {
      return BigDecimal.valueOf(v, ((DecimalLogicalTypeAnnotation) logical).getScale());
    }
    if (logical instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
      if (v == Integer.MAX_VALUE || v <= Integer.MIN_VALUE + 1) {
        return v > 0 ? "infinity" : "-infinity"; // DuckDB's infinite dates, as its timestamps below
      }
      return LocalDate.ofEpochDay(v);
    }
    if (logical instanceof TimeLogicalTypeAnnotation) {
      return time(v * 1_000_000L);
    }
    if (logical instanceof IntLogicalTypeAnnotation && !((IntLogicalTypeAnnotation) logical).isSigned()) {
      return Integer.toUnsignedLong(v);
    }
    return v;
  }

  private static Object int64(long v, LogicalTypeAnnotation logical) {
    if (logical instanceof DecimalLogicalTypeAnnotation) {
      return BigDecimal.valueOf(v, ((DecimalLogicalTypeAnnotation) logical).getScale());
    }
    if (logical instanceof TimestampLogicalTypeAnnotation) {
      if (v == Long.MAX_VALUE || v <= Long.MIN_VALUE + 1) {
        return v > 0 ? "infinity" : "-infinity"; // DuckDB's infinite timestamps: no instant, a bad record
      }
      TimestampLogicalTypeAnnotation timestamp = (TimestampLogicalTypeAnnotation) logical;
      long perSecond = perSecond(timestamp.getUnit());
      long second = Math.floorDiv(v, perSecond);
      int nano = (int) (Math.floorMod(v, perSecond) * (1_000_000_000L / perSecond));
      return timestamp.isAdjustedToUTC() ? Instant.ofEpochSecond(second, nano)
          : LocalDateTime.ofEpochSecond(second, nano, ZoneOffset.UTC);
    }
    if (logical instanceof TimeLogicalTypeAnnotation) {
      return time(v * (1_000_000_000L / perSecond(((TimeLogicalTypeAnnotation) logical).getUnit())));
    }
    if (logical instanceof IntLogicalTypeAnnotation && !((IntLogicalTypeAnnotation) logical).isSigned() && v < 0) {
      return new BigDecimal(Long.toUnsignedString(v)); // beyond a long: its exact text
    }
    return v;
  }

  private static long perSecond(TimeUnit unit) {
    return unit == TimeUnit.MILLIS ? 1_000L : unit == TimeUnit.MICROS ? 1_000_000L : 1_000_000_000L;
  }

  /**
   * A legacy INT96 timestamp: nanoseconds of the day, then the Julian day, little-endian. Its
   * wall-clock time, as DuckDB reads it: Spark wrote UTC there, Impala local time, so the field's
   * {@code zone} (UTC by default) says which.
   */
  private static LocalDateTime int96(Binary value) {
    ByteBuffer b = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanoOfDay = b.getLong();
    long epochDay = Integer.toUnsignedLong(b.getInt()) - JULIAN_EPOCH_DAY;
    return LocalDateTime.ofEpochSecond(
        Math.addExact(Math.multiplyExact(epochDay, 86_400L), Math.floorDiv(nanoOfDay, 1_000_000_000L)),
        (int) Math.floorMod(nanoOfDay, 1_000_000_000L), ZoneOffset.UTC);
  }

  private Object binary(Binary value, LogicalTypeAnnotation logical) {
    if (logical instanceof DecimalLogicalTypeAnnotation) {
      return new BigDecimal(new BigInteger(value.getBytes()), ((DecimalLogicalTypeAnnotation) logical).getScale());
    }
    if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
        || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
      return utf8(value);
    }
    if (logical instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation && value.length() == 16) {
      ByteBuffer b = value.toByteBuffer();
      return new UUID(b.getLong(), b.getLong()).toString();
    }
    if (logical instanceof LogicalTypeAnnotation.IntervalLogicalTypeAnnotation && value.length() == 12) {
      ByteBuffer b = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN); // months, days, milliseconds
      long months = Integer.toUnsignedLong(b.getInt());
      long days = Integer.toUnsignedLong(b.getInt());
      BigDecimal seconds = BigDecimal.valueOf(Integer.toUnsignedLong(b.getInt()), 3).stripTrailingZeros();
      return "P" + months + "M" + days + "DT" + seconds.toPlainString() + "S"; // ISO-8601, as Java's Period and Duration
    }
    return bytes(value.toByteBuffer());
  }

  /** The text of UTF-8 bytes; bytes that are not valid UTF-8 become U+FFFD and mark {@link #badText}. */
  private String utf8(Binary value) {
    String text = value.toStringUsingUTF8();
    if (text.indexOf('\uFFFD') >= 0) { // a replacement, or U+FFFD itself: only then decoded strictly
      try {
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(value.toByteBuffer().duplicate());
      } catch (CharacterCodingException e) {
        badText = true;
      }
    }
    return text;
  }

  private static JsonNode node(Object v) {
    if (v instanceof BigDecimal) {
      return NODES.textNode(((BigDecimal) v).toPlainString()); // exact, whatever a JSON reader does with numbers
    }
    if (v instanceof Integer) {
      return NODES.numberNode((Integer) v);
    }
    if (v instanceof Long) {
      return NODES.numberNode((Long) v);
    }
    if (v instanceof Float) {
      float f = (Float) v; // its exact value, marked as a float's (see BinaryFloat); NaN and infinities as before
      return Float.isFinite(f) ? NODES.rawValueNode(new RawValue(BinaryFloat.ofFloat(f))) : NODES.numberNode(f);
    }
    if (v instanceof Double) {
      return NODES.numberNode((Double) v);
    }
    if (v instanceof Boolean) {
      return NODES.booleanNode((Boolean) v);
    }
    if (v instanceof LocalDateTime) { // with seconds always, as before (LocalDateTime.toString drops :00)
      return NODES.textNode(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format((LocalDateTime) v));
    }
    return NODES.textNode(v.toString()); // text; a LocalDate or Instant as ISO-8601
  }

  /**
   * Bytes without a type (a BLOB, or text an older writer stored without its UTF8 annotation): the
   * text they hold, or, when they are not UTF-8, written as DuckDB shows a blob ({@code \xFF}).
   */
  private static String bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(b).toString();
    } catch (CharacterCodingException e) {
      StringBuilder out = new StringBuilder();
      ByteBuffer raw = buffer.duplicate();
      while (raw.hasRemaining()) {
        int c = raw.get() & 0xff;
        if (c >= 0x20 && c < 0x7f && c != '\\') {
          out.append((char) c);
        } else {
          out.append(String.format(java.util.Locale.ROOT, "\\x%02X", c));
        }
      }
      return out.toString();
    }
  }

  /** ISO-8601 with seconds always (12:00:00, as DuckDB casts a TIME to text), a fraction when there is one. */
  private static String time(long nanoOfDay) {
    if (nanoOfDay == 86_400_000_000_000L) {
      return "24:00:00"; // the end of a day, which SQL's TIME allows and java.time does not
    }
    return DateTimeFormatter.ISO_LOCAL_TIME.format(LocalTime.ofNanoOfDay(nanoOfDay));
  }
}
