package dev.beametl.archfixture.extract;

import dev.beametl.archfixture.load.Sink;

/** Fixture for ArchitectureTest: a stage that reaches into a later stage. */
public final class StageThatLoads {
  void read(Object row) {
    Sink.write(row);
  }
}
