package dev.beametl.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.record.OutputColumns;
import dev.beametl.record.RowJson;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SinkSpec;
import java.io.IOException;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.avro.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * One result row as its sink writes it: an Avro record for Parquet, a CSV line, a JSON line, or the
 * row itself for a table. Categories are written as their strings, decimals without exponent.
 */
final class RowFormatter implements Serializable {
  private final OutputColumns columns;
  private final @Nullable String avroSchema;
  private final SinkSpec.Format format;
  /** Texts a CSV line quotes in a string column: the CSV source's null markers, see Load.withNullMarkers. */
  private final java.util.Set<String> nullMarkers;
  /** The source trims its cells: a marker with whitespace around it is one too ({@code " NA"}). */
  private final boolean trim;
  private final boolean[] stringColumns;
  private transient Schema schema;
  private transient ObjectMapper json;

  RowFormatter(OutputColumns columns, @Nullable String avroSchema, SinkSpec.Format format,
      java.util.List<String> nullMarkers, boolean trim) {
    this.columns = columns;
    this.avroSchema = avroSchema;
    this.format = format;
    this.nullMarkers = new java.util.HashSet<>(nullMarkers);
    this.trim = trim;
    this.stringColumns = new boolean[columns.columns().size()];
    for (int i = 0; i < stringColumns.length; i++) {
      FieldType.Kind kind = columns.columns().get(i).type().kind();
      stringColumns[i] = kind == FieldType.Kind.STRING || kind == FieldType.Kind.CATEGORY; // written as text
    }
  }

  Object format(Row row) throws IOException {
    switch (format) {
      case PARQUET:
        if (schema == null) {
          schema = new Schema.Parser().parse(avroSchema);
        }
        return AvroRecords.toRecord(row, schema, columns);
      case JDBC:
        return row;
      case CSV:
        Object[] values = new Object[row.getFieldCount()];
        for (int i = 0; i < values.length; i++) {
          Object v = ValueText.plain(row, i);
          values[i] = v == null ? null : ValueText.text(v); // null stays apart from an empty string
          if (v instanceof String && stringColumns[i] && isNullMarker((String) v)) {
            values[i] = new Load.Quoted((String) v); // read back as the text, where unquoted it is a null
          }
        }
        return Load.csvLine(values);
      default:
        return jsonLine(row);
    }
  }

  /** Whether {@code s} written bare would be read as null: a marker, or with trimming one with spaces around. */
  private boolean isNullMarker(String s) {
    boolean spaced = trim && dev.beametl.record.WhiteSpace.atAnEnd(s);
    return nullMarkers.contains(spaced ? dev.beametl.record.WhiteSpace.strip(s) : s); // strip only a value it changes: none allocated per cell
  }

  private String jsonLine(Row row) throws IOException {
    if (json == null) {
      json = RowJson.writer();
    }
    ObjectNode node = json.createObjectNode();
    for (int i = 0; i < row.getFieldCount(); i++) {
      String name = columns.columns().get(i).name();
      RowJson.put(node, name, ValueText.plain(row, i));
    }
    return json.writeValueAsString(node);
  }
}
