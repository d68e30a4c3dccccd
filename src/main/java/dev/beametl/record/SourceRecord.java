package dev.beametl.record;

import com.google.auto.value.AutoValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import javax.annotation.Nullable;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * One record as read from a file, before it is checked: its text and where it came from. The byte
 * offset is exact for split reads; files read whole (compressed, multi-line CSV, UTF-16) give the
 * line number instead.
 */
@AutoValue
public abstract class SourceRecord implements Serializable {
  /** The file the record came from. */
  public abstract String file();

  /** Byte offset of the record's first byte, or -1 when the file was read whole. */
  public abstract long offset();

  /** 1-based line (Parquet: row) number where the record starts, or 0 when the file was read in byte ranges. */
  public abstract long line();

  public abstract String text();

  /** Where each schema field sits in the record's columns; null when columns follow the schema. */
  public abstract @Nullable ColumnLayout layout();

  /** The bytes were not valid in the declared charset; {@link #text()} holds replacement characters. */
  public abstract boolean badEncoding();

  /**
   * The record's full length when it was longer than the source's {@code maxRecordBytes} (bytes, or
   * characters for files read whole): {@link #text()} then holds only its start. 0 otherwise.
   */
  public abstract long overLength();

  /**
   * Why the rest of the file could not be read from this record's position on (a truncated gzip
   * stream, a corrupt Parquet footer), or null. Such a record stands for everything unread, so a
   * corrupt file is one bad record that names it, not a failed and retried job.
   */
  public abstract @Nullable String unreadable();

  /** What {@link #text()} is: a record in the source's format, or a dead letter's JSON payload replayed. */
  public abstract Text textFormat();

  /** What a record's text is. */
  public enum Text {
    /** A record in the source's own format. */
    SOURCE,
    /** A JSON object of field values as the source wrote them (a JSON-lines, Parquet or database record). */
    JSON,
    /** A JSON object of a row's validated values: dates and timestamps ISO-8601, whatever the field's format. */
    VALUES
  }

  /** This record, its text in {@code format} (a replayed dead letter's payload). */
  public SourceRecord withTextFormat(Text format) {
    return new AutoValue_SourceRecord(file(), offset(), line(), text(), layout(), badEncoding(), overLength(),
        unreadable(), format);
  }

  public static SourceRecord of(
      String file, long offset, long line, String text, @Nullable ColumnLayout layout, boolean badEncoding) {
    return of(file, offset, line, text, layout, badEncoding, 0);
  }

  public static SourceRecord of(String file, long offset, long line, String text, @Nullable ColumnLayout layout,
      boolean badEncoding, long overLength) {
    return new AutoValue_SourceRecord(file, offset, line, text, layout, badEncoding, overLength, null, Text.SOURCE);
  }

  /** The rest of {@code file}, from this position on, could not be read, for {@code reason}. */
  public static SourceRecord unreadable(String file, long offset, long line, String reason) {
    return new AutoValue_SourceRecord(file, offset, line, "", null, false, 0, reason, Text.SOURCE);
  }

  /** A readable position: {@code file@byte 4096}, {@code file:line 12}, or {@code file.parquet:row 12}. */
  public String origin() {
    return Origins.format(file(), offset(), line());
  }

  /** {@link #origin()}, to be written out when needed: what a valid row carries (see {@link Origins.Position}). */
  public Origins.Position position() {
    return new Origins.Position(file(), offset(), line());
  }

  /** Hand-written coder: this type is on the hottest path, so it avoids schema inference. */
  public static final class RecordCoder extends AtomicCoder<SourceRecord> {
    private static final RecordCoder INSTANCE = new RecordCoder();
    private static final Coder<String> STRING = StringUtf8Coder.of();
    private static final Coder<Long> LONG = VarLongCoder.of();
    private static final Coder<ColumnLayout> LAYOUT = NullableCoder.of(ColumnLayout.LayoutCoder.of());
    private static final Coder<String> NULLABLE_STRING = NullableCoder.of(StringUtf8Coder.of());
    private static final Text[] TEXTS = Text.values();

    public static RecordCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(SourceRecord r, OutputStream out) throws IOException {
      STRING.encode(r.file(), out);
      LONG.encode(r.offset() + 1, out); // +1 keeps the common -1 a one-byte varint
      LONG.encode(r.line(), out);
      STRING.encode(r.text(), out);
      LAYOUT.encode(r.layout(), out);
      BooleanCoder.of().encode(r.badEncoding(), out);
      LONG.encode(r.overLength(), out);
      NULLABLE_STRING.encode(r.unreadable(), out);
      out.write(r.textFormat().ordinal());
    }

    @Override
    public SourceRecord decode(InputStream in) throws IOException {
      String file = STRING.decode(in);
      long offset = LONG.decode(in) - 1;
      long line = LONG.decode(in);
      String text = STRING.decode(in);
      ColumnLayout layout = LAYOUT.decode(in);
      boolean badEncoding = BooleanCoder.of().decode(in);
      long overLength = LONG.decode(in);
      return new AutoValue_SourceRecord(file, offset, line, text, layout, badEncoding, overLength,
          NULLABLE_STRING.decode(in), TEXTS[in.read()]);
    }

    @Override
    public void verifyDeterministic() {}
  }
}
