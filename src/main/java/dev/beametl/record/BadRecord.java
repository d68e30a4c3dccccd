package dev.beametl.record;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;
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

  /** {@code validate} or {@code transform}. */
  public abstract String stage();

  public abstract @Nullable String field();

  public abstract Kind kind();

  public abstract String reason();

  public abstract String payload();

  public static BadRecord of(
      String origin, String stage, @Nullable String field, Kind kind, String reason, String payload) {
    return new AutoValue_BadRecord(origin, stage, field, kind, reason, payload);
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
    }

    @Override
    public BadRecord decode(InputStream in) throws IOException {
      return BadRecord.of(S.decode(in), S.decode(in), NS.decode(in), Kind.valueOf(S.decode(in)), S.decode(in),
          S.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
