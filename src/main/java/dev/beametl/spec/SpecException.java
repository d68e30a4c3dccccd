package dev.beametl.spec;

/**
 * A mistake in a pipeline spec or a flag, found before the pipeline is built. The message names the
 * key path (and line where the YAML parser gives one) and says what is allowed.
 */
public class SpecException extends RuntimeException {
  /** The message is one line: a line break a spec's value carried into it shows as \n. */
  public SpecException(String message) {
    super(message.replace("\r", "\\r").replace("\n", "\\n"));
  }

  public static SpecException at(String path, int line, String problem) {
    String where = line > 0 ? path + " (line " + line + ")" : path;
    return new SpecException(where + ": " + problem);
  }
}
