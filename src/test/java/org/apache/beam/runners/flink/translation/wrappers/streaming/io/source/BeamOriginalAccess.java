package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

/** {@link BeamOriginal} for the tests of sub-packages. */
public final class BeamOriginalAccess {
  private BeamOriginalAccess() {}

  public static Class<?> of(Class<?> patched) throws ClassNotFoundException {
    return BeamOriginal.of(patched);
  }
}
