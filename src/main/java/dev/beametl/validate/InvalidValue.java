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

  /**
   * A field's allowed values as a reason lists them: the first 20 and how many more. A category of
   * 70,000 values spelled out each of them in every dead letter (550 KB a record).
   */
  static String listed(java.util.List<String> values) {
    if (values.size() <= LISTED) {
      return values.toString();
    }
    return values.subList(0, LISTED).toString().replaceFirst("]$", "") + String.format(java.util.Locale.ROOT,
        ", ... %,d more]", values.size() - LISTED);
  }

  private static final int LISTED = 20;

  /** A value as shown in a reason: cut to 60 characters and quoted, its own quotes escaped ("a\"" for a"). */
  static String quote(String text) {
    return dev.beametl.record.JsonSyntax.quoted(text.length() > 60 ? text.substring(0, 57) + "..." : text);
  }
}
