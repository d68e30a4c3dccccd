package dev.beametl.spec;

import java.util.Map;
import javax.annotation.Nullable;

/**
 * The checks of a spec that need the stages' own machinery - the expression compiler and the value
 * parsers - so that this package imports no stage. {@link SpecReader} calls them while it reads,
 * so their errors still name the key and line; the layer that wires the stages implements them.
 */
public interface SpecChecks {
  /** Null when {@code expression} over fields of {@code scope} gives a value of {@code expected}, else why not. */
  @Nullable
  String expressionProblem(String expression, Map<String, FieldType> scope, FieldType expected);

  /**
   * Null when {@code text} is a value of {@code field}, parsed as the job parses its input (a date
   * bound, say), else why not, as a bad record would say it.
   */
  @Nullable
  String valueProblem(FieldSpec field, String text);
}
