package dev.beametl.extract;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * The Parquet column types whose values Avro's reading hands over raw, and their real values. Avro's
 * decimal is only for bytes and fixed, so a DECIMAL stored as INT32 or INT64 (how DuckDB, Spark and
 * others write precision 18 or less) arrives as its unscaled integer: 0.0056 as 56. Unsigned
 * integers arrive as signed ones (UINT64 18446744073709551615 as -1), times of day as a count of
 * milli- or microseconds. Each is turned into the value the file holds, so Validate checks that.
 */
final class ParquetColumns {
  private enum Kind { DECIMAL, UNSIGNED, TIME_MILLIS, TIME_MICROS, TIME_NANOS, INSTANT_NANOS, LOCAL_NANOS }

  private final Map<String, Kind> kinds = new HashMap<>();
  private final Map<String, Integer> scales = new HashMap<>();

  private ParquetColumns() {}

  static ParquetColumns of(MessageType schema) {
    ParquetColumns columns = new ParquetColumns();
    for (Type field : schema.getFields()) {
      if (!field.isPrimitive()) {
        continue;
      }
      PrimitiveType.PrimitiveTypeName physical = field.asPrimitiveType().getPrimitiveTypeName();
      boolean integer = physical == PrimitiveType.PrimitiveTypeName.INT32 || physical == PrimitiveType.PrimitiveTypeName.INT64;
      LogicalTypeAnnotation logical = field.getLogicalTypeAnnotation();
      if (!integer || logical == null) {
        continue;
      }
      if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) {
        columns.kinds.put(field.getName(), Kind.DECIMAL);
        columns.scales.put(field.getName(), ((LogicalTypeAnnotation.DecimalLogicalTypeAnnotation) logical).getScale());
      } else if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation
          && !((LogicalTypeAnnotation.IntLogicalTypeAnnotation) logical).isSigned()) {
        columns.kinds.put(field.getName(), Kind.UNSIGNED);
      } else if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
          && ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) logical).getUnit()
              == LogicalTypeAnnotation.TimeUnit.NANOS) { // Avro has no nanosecond timestamp
        columns.kinds.put(field.getName(), ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) logical)
            .isAdjustedToUTC() ? Kind.INSTANT_NANOS : Kind.LOCAL_NANOS);
      } else if (logical instanceof LogicalTypeAnnotation.TimeLogicalTypeAnnotation) {
        LogicalTypeAnnotation.TimeUnit unit = ((LogicalTypeAnnotation.TimeLogicalTypeAnnotation) logical).getUnit();
        columns.kinds.put(field.getName(), unit == LogicalTypeAnnotation.TimeUnit.MILLIS ? Kind.TIME_MILLIS
            : unit == LogicalTypeAnnotation.TimeUnit.MICROS ? Kind.TIME_MICROS : Kind.TIME_NANOS);
      }
    }
    return columns;
  }

  /** The value of column {@code name} as the file means it, given what Avro read. */
  @Nullable Object value(String name, @Nullable Object read) {
    if (read instanceof ByteBuffer) { // bytes without a type; decimals arrive as BigDecimal
      return bytes((ByteBuffer) read);
    }
    if (read instanceof org.apache.avro.generic.GenericFixed) {
      return bytes(ByteBuffer.wrap(((org.apache.avro.generic.GenericFixed) read).bytes()));
    }
    Kind kind = kinds.get(name);
    if (kind == null || !(read instanceof Integer || read instanceof Long)) {
      return read;
    }
    long v = ((Number) read).longValue();
    switch (kind) {
      case DECIMAL:
        return BigDecimal.valueOf(v, scales.get(name));
      case UNSIGNED:
        return read instanceof Integer ? Integer.toUnsignedLong((Integer) read) : new BigDecimal(Long.toUnsignedString(v));
      case TIME_MILLIS:
        return time(v * 1_000_000L);
      case TIME_MICROS:
        return time(v * 1_000L);
      case TIME_NANOS:
        return time(v);
      default: // timestamps in nanoseconds: ISO text, which Validate refuses only for digits below a microsecond
        long second = Math.floorDiv(v, 1_000_000_000L);
        int nano = (int) Math.floorMod(v, 1_000_000_000L);
        return kind == Kind.INSTANT_NANOS ? java.time.Instant.ofEpochSecond(second, nano).toString()
            : java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                java.time.LocalDateTime.ofEpochSecond(second, nano, java.time.ZoneOffset.UTC));
    }
  }

  /**
   * Bytes without a type (a BLOB, or text an older writer stored without its UTF8 annotation): the
   * text they hold, or, when they are not UTF-8, written as DuckDB shows a blob ({@code \xFF}).
   * Before, such a column became "java.nio.HeapByteBuffer[pos=0 lim=6 cap=6]" in every row.
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
    return java.time.format.DateTimeFormatter.ISO_LOCAL_TIME.format(LocalTime.ofNanoOfDay(nanoOfDay));
  }
}
