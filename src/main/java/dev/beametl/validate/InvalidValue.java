package dev.beametl.validate;

import dev.beametl.record.BadRecord;

/** Why one value is not acceptable; cheap to throw (no stack trace), since bad data is expected. */
public final class InvalidValue extends Exception {
  private final BadRecord.Kind kind;

  public InvalidValue(BadRecord.Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public BadRecord.Kind kind() {
    return kind;
  }

  /** A value as shown in a reason: quoted, and cut to 60 characters. */
  static String quote(String text) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < shown.length(); i++) { // escaped, so the value's own quotes cannot end it: "a\"" for a"
      char c = shown.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
