package dev.beametl.record;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * A record that did not make it: the original text, where it came from, the stage and field that
 * rejected it, a short reason kind for counting, and the precise reason for a person.
 */
@AutoValue
public abstract class BadRecord implements Serializable {
  /** Short reason kinds, used to count bad records by reason. */
  public enum Kind {
    BLANK_LINE, MALFORMED, BAD_ENCODING, COLUMN_COUNT, MISSING_COLUMN, MISSING_VALUE, TYPE, OUT_OF_RANGE,
    PATTERN, TOO_LONG, NOT_ALLOWED, EXPRESSION,
    /** The rest of a file could not be read (a corrupt gzip stream or Parquet file): one record for all of it. */
    UNREADABLE,
    /** A lookup found no row of its reference table for the row's key. */
    LOOKUP_MISS;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code file@byte N} or {@code file:line N}. */
  public abstract String origin();

  /** {@code validate}, {@code lookup} or {@code transform}. */
  public abstract String stage();

  public abstract @Nullable String field();

  public abstract Kind kind();

  public abstract String reason();

  public abstract String payload();

  /** How a replay reads {@link #payload()}, or NONE when it cannot (a cut or unreadable record). */
  public abstract PayloadFormat payloadFormat();

  /**
   * For a CSV payload: the schema field in each column of the record, null for columns the schema
   * does not read (the file's layout, so a replay reads the record as it was read). Else null.
   */
  public abstract @Nullable List<String> columns();

  /** What a dead letter's payload is, for {@code beam-etl replay}. */
  public enum PayloadFormat {
    /** The whole raw record, as read from a CSV file. */
    CSV,
    /** A JSON object of field values as the source wrote them (JSON lines, Parquet, a database row). */
    JSON,
    /** A JSON object of a row's validated values, dates and timestamps ISO-8601 (a later stage rejected it). */
    VALUES,
    /** Not replayable. */
    NONE;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static BadRecord of(
      String origin, String stage, @Nullable String field, Kind kind, String reason, String payload) {
    return new AutoValue_BadRecord(origin, stage, field, kind, reason, payload, PayloadFormat.NONE, null);
  }

  /** This record, replayable from its payload read as {@code format} (CSV: with these columns). */
  public BadRecord replayableAs(PayloadFormat format, @Nullable List<String> columns) {
    return new AutoValue_BadRecord(origin(), stage(), field(), kind(), reason(), payload(), format,
        columns == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(columns)));
  }

  /** The key bad records are counted by: {@code type:quantity}, or the kind alone for whole-record reasons. */
  public String countKey() {
    return field() == null ? kind().label() : kind().label() + ":" + field();
  }

  /** Coder for {@link BadRecord}. */
  public static final class BadRecordCoder extends AtomicCoder<BadRecord> {
    private static final BadRecordCoder INSTANCE = new BadRecordCoder();
    private static final Coder<String> S = StringUtf8Coder.of();
    private static final Coder<String> NS = NullableCoder.of(StringUtf8Coder.of());
    private static final Coder<List<String>> COLUMNS = NullableCoder.of(ListCoder.of(NullableCoder.of(
        StringUtf8Coder.of())));

    public static BadRecordCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(BadRecord r, OutputStream out) throws IOException {
      S.encode(r.origin(), out);
      S.encode(r.stage(), out);
      NS.encode(r.field(), out);
      S.encode(r.kind().name(), out);
      S.encode(r.reason(), out);
      S.encode(r.payload(), out);
      S.encode(r.payloadFormat().name(), out);
      COLUMNS.encode(r.columns(), out);
    }

    @Override
    public BadRecord decode(InputStream in) throws IOException {
      return new AutoValue_BadRecord(S.decode(in), S.decode(in), NS.decode(in), Kind.valueOf(S.decode(in)),
          S.decode(in), S.decode(in), PayloadFormat.valueOf(S.decode(in)), COLUMNS.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
