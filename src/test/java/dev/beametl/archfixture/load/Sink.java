package dev.beametl.archfixture.load;

/** Fixture for ArchitectureTest: a later stage. */
public final class Sink {
  public static void write(Object row) {}
}
