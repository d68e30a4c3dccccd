package dev.beametl.pipeline;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SpecChecks;
import dev.beametl.transform.ExpressionChecker;
import dev.beametl.validate.ValueParser;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The checks of a spec that need the stages: expressions type-checked by Transform's own checker,
 * and bounds parsed by Validate's own value parsers, so a spec is refused for exactly what the stages
 * would refuse. The spec reader calls these while it reads, so errors still name the key and line.
 */
public final class SpecValidator implements SpecChecks {
  public static final SpecValidator INSTANCE = new SpecValidator();

  private SpecValidator() {}

  @Override
  public @Nullable String expressionProblem(String expression, Map<String, FieldType> scope, FieldType expected) {
    return ExpressionChecker.check(expression, scope, expected);
  }

  @Override
  public @Nullable String valueProblem(FieldSpec field, String text) {
    try {
      ValueParser.forField(field).parse(text);
      return null;
    } catch (dev.beametl.validate.InvalidValue e) {
      return e.getMessage();
    }
  }
}
