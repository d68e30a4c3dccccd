package dev.beametl.archfixture.validate;

import dev.beametl.archfixture.cli.Main;

/** Fixture for ArchitectureTest: a stage that calls back into the command line. */
public final class StageThatRunsTheJob {
  void done() {
    Main.run();
  }
}
