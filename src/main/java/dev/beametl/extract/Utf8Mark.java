package dev.beametl.extract;

import dev.beametl.record.DataError;
import java.nio.charset.Charset;

/**
 * The UTF-8 byte-order mark, which starts files that Excel saves as "CSV UTF-8". Read in UTF-8 it is
 * skipped; read in another charset it says the charset is wrong: decoded as windows-1252 it put
 * {@code ï»¿} before the first header name, that column matched no field, and a nullable field was
 * NULL in every row, exit 0 (a trial) - as every non-ASCII character of the file would be wrong.
 */
final class Utf8Mark {
  static final byte[] BYTES = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private Utf8Mark() {}

  /** Whether {@code charset} reads the mark as one (and skips it). */
  static boolean skippedIn(Charset charset) {
    return charset.name().startsWith("UTF-8");
  }

  /** Fails the run for a file that begins with the mark when read in {@code charset}, another than UTF-8. */
  static void refuseIn(Charset charset, String file) {
    if (!skippedIn(charset)) {
      throw new DataError(file + ": it begins with a UTF-8 byte-order mark (as Excel's \"CSV UTF-8\" saves "
          + "files), so its text is UTF-8, but the source's charset is " + charset.name() + ": its first "
          + "column's name and every non-ASCII character would be read wrong. Give source.charset: UTF-8 "
          + "(--set=source.charset=UTF-8)");
    }
  }
}
