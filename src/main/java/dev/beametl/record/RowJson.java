package dev.beametl.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.spec.BeamTypes;
import java.math.BigDecimal;
import org.apache.beam.sdk.values.Row;

/**
 * A row's validated values as one JSON object, the payload of a dead letter that a later stage
 * wrote (see {@link BadRecord.PayloadFormat#VALUES}): numbers as JSON numbers (decimals exact),
 * categories as their strings, dates and timestamps in ISO-8601. A replay reads it back exactly.
 */
public final class RowJson {
  private static final ObjectMapper JSON = writer();

  private RowJson() {}

  /**
   * A mapper for writing rows as JSON: decimals as written ({@code 0.0000000000}, not Jackson's
   * {@code 0E-10}, which DuckDB's read_json types as a double).
   */
  public static ObjectMapper writer() {
    return new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
        .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
        .build());
  }

  /**
   * A mapper for reading back the JSON this job wrote itself (dead letters): without Jackson's
   * 20,000,000-character limit on a string, since a dead letter's payload is as long as its record
   * (source.maxRecordBytes allows more), and reading it back must not fail the run or the replay.
   */
  public static ObjectMapper readerOfOwnFiles() {
    return new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
        .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
            .maxStringLength(Integer.MAX_VALUE).build())
        .build());
  }

  /**
   * A plain value (categories as strings) as JSON: decimals exact, other numbers and booleans as
   * such, a non-finite double and everything else as a string. Sinks write JSON lines the same way.
   */
  public static void put(ObjectNode node, String name, Object v) {
    if (v == null) {
      node.putNull(name);
    } else if (v instanceof BigDecimal) {
      node.put(name, (BigDecimal) v);
    } else if (v instanceof Double && !Double.isFinite((Double) v)) {
      node.put(name, v.toString());
    } else if (v instanceof Number || v instanceof Boolean) {
      node.putPOJO(name, v);
    } else {
      node.put(name, v.toString());
    }
  }

  public static String values(Row row) {
    ObjectNode node = JSON.createObjectNode();
    int n = Origins.dataFields(row.getSchema());
    for (int i = 0; i < n; i++) {
      String name = row.getSchema().getField(i).getName();
      put(node, name, BeamTypes.plainValue(row, i));
    }
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
