package dev.beametl.archfixture.record;

import dev.beametl.archfixture.spec.SpecThatValidates;

/** Fixture for ArchitectureTest: the other half of the cycle. */
public final class RecordThatUsesSpec {
  public static final Object ANY = new Object();

  public static boolean valid(Object v) {
    return SpecThatValidates.check(v);
  }
}
