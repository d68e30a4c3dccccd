package dev.beametl.archfixture.spec;

import dev.beametl.archfixture.validate.Checker;

/** Fixture for ArchitectureTest: spec reaching into a stage, and half of a cycle with record. */
public final class SpecThatValidates {
  public static boolean check(Object v) {
    return Checker.ok(v) && dev.beametl.archfixture.record.RecordThatUsesSpec.ANY != null;
  }
}
