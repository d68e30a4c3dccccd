package dev.beametl.archfixture.validate;

/** Fixture for ArchitectureTest: a stage's own class. */
public final class Checker {
  public static boolean ok(Object value) {
    return value != null;
  }
}
