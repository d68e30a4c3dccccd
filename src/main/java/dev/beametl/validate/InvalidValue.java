package dev.beametl.validate;

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
}
