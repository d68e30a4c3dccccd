package dev.beametl.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;

/** How a JSON-lines record is read, and how text is written as a JSON string: as {@link CsvSyntax} is for CSV. */
public final class JsonSyntax {
  private JsonSyntax() {}

  /**
   * A reader of one JSON line as the validator reads it (and profile, which must agree): one value
   * per line, keys once each - a second value, trailing text or a repeated key would otherwise be
   * dropped silently (Jackson keeps the first value and the last key) - and numbers with a fraction
   * as decimals, as written. Strings as long as a record may be: Jackson's 20,000,000-character limit
   * made a longer text (a Parquet VARCHAR, a JSON line under a raised maxRecordBytes) a "not valid
   * JSON" record (a trial); its limits on nesting and on a number's digits stay.
   */
  public static ObjectMapper lineReader() {
    return new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build())
            .build())
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /** {@code text} as a JSON string: quoted, its quotes and backslashes escaped, control characters as \\uXXXX. */
  public static String quoted(String text) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
