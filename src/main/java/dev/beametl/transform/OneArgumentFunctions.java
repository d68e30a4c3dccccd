package dev.beametl.transform;

import java.util.function.Function;
import javax.annotation.Nullable;

/**
 * The one-argument functions of {@link ExpressionFunctions} as {@link CompiledExpression} calls them:
 * looked up once by name, with the argument checks JEXL makes when it calls them by reflection.
 */
final class OneArgumentFunctions {
  private static final ExpressionFunctions FUNCTIONS = new ExpressionFunctions();

  private OneArgumentFunctions() {}

  /** The function of {@link ExpressionFunctions} called {@code name}, with JEXL's argument check; null if none. */
  static @Nullable Function<Object, Object> of(String name) {
    switch (name) {
      case "year": return FUNCTIONS::year;
      case "month": return FUNCTIONS::month;
      case "day": return FUNCTIONS::day;
      case "hour": return FUNCTIONS::hour;
      case "weekday": return FUNCTIONS::weekday;
      case "date": return FUNCTIONS::date;
      case "timestamp": return FUNCTIONS::timestamp;
      case "upper": return v -> FUNCTIONS.upper(string(v));
      case "lower": return v -> FUNCTIONS.lower(string(v));
      case "trim": return v -> FUNCTIONS.trim(string(v));
      case "length": return v -> FUNCTIONS.length(string(v));
      case "abs": return v -> FUNCTIONS.abs(number(v));
      default: return null;
    }
  }

  private static String string(Object v) {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new IllegalArgumentException("expects a string");
  }

  private static Number number(Object v) {
    if (v == null || v instanceof Number) {
      return (Number) v;
    }
    throw new IllegalArgumentException("expects a number");
  }
}
