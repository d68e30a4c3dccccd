package dev.beametl.archfixture.validate;

/** Fixture for ArchitectureTest: a stage that uses the Scala that comes with Flink's RPC system. */
public final class StageThatUsesScala {
  boolean empty(scala.Option<String> value) {
    return value.isEmpty();
  }
}
