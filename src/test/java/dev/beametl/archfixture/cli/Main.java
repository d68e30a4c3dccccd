package dev.beametl.archfixture.cli;

/** Fixture for ArchitectureTest: the command line, which no one may use. */
public final class Main {
  public static void run() {}
}
