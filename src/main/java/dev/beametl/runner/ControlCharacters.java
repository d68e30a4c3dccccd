package dev.beametl.runner;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the job prints to a terminal shows a control character as its escape ({@code \u001b}): a
 * value from the data in a message - a category list, a duplicate key - printed ESC and BEL as they
 * were, so a data file could retitle the terminal, clear the screen or recolour the summary (a
 * trial). The spec profile writes and the HTML report escape them already. Line feeds and tabs stay;
 * carriage returns (which overwrite a line), the other C0 controls, DEL and the C1 controls in
 * UTF-8 (CSI among them) are escaped, byte by byte below the encoding.
 */
public final class ControlCharacters extends FilterOutputStream {
  private static final int NONE = -1;
  private final boolean utf8;
  /** A 0xC2 byte held back: with 0x80-0x9F after it, it is a C1 control in UTF-8. */
  private int held = NONE;

  private ControlCharacters(OutputStream out, boolean utf8) {
    super(out);
    this.utf8 = utf8;
  }

  /** {@code target} with the control characters the text written to it in {@code charset} holds escaped. */
  public static OutputStream escaping(OutputStream target, java.nio.charset.Charset charset) {
    return new ControlCharacters(target, charset.equals(StandardCharsets.UTF_8));
  }

  @Override
  public void write(int b) throws IOException {
    b &= 0xFF;
    if (held != NONE) {
      held = NONE;
      if (b >= 0x80 && b <= 0x9F) {
        escape(b);
        return;
      }
      out.write(0xC2);
    }
    if (utf8 && b == 0xC2) {
      held = b;
    } else if (b < 0x20 && b != '\n' && b != '\t' || b == 0x7F) {
      escape(b);
    } else {
      out.write(b);
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    for (int i = offset; i < offset + length; i++) {
      write(bytes[i]);
    }
  }

  private void escape(int b) throws IOException {
    out.write(String.format(Locale.ROOT, "\\u%04x", b).getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void flush() throws IOException {
    if (held != NONE) { // a line's last byte: no C1 control follows
      held = NONE;
      out.write(0xC2);
    }
    out.flush();
  }
}
