package org.apache.beam.runners.flink.translation.wrappers.streaming.io.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * Loads Beam's own copy of a class that beam-etl patches, from the beam-runners-flink jar, so a test
 * can run the same scenario against the original and show that it behaves otherwise: the proof that
 * the test pins the patch. Every other class comes from the test's class path.
 */
final class BeamOriginal extends ClassLoader {
  private final String name;

  private BeamOriginal(String name) {
    super(BeamOriginal.class.getClassLoader());
    this.name = name;
  }

  /** Beam's original of {@code patched}, defined in a loader of its own. */
  static Class<?> of(Class<?> patched) throws ClassNotFoundException {
    return new BeamOriginal(patched.getName()).loadClass(patched.getName());
  }

  /** The jar Beam's Flink runner classes come from (a class beam-etl does not patch). */
  static URL beamJar() {
    return FlinkSourceReaderBase.class.getProtectionDomain().getCodeSource().getLocation();
  }

  @Override
  protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
    if (!className.equals(name)) {
      return super.loadClass(className, resolve);
    }
    synchronized (getClassLoadingLock(className)) {
      Class<?> c = findLoadedClass(className);
      if (c == null) {
        byte[] bytes = originalBytes(className);
        c = defineClass(className, bytes, 0, bytes.length);
      }
      return c;
    }
  }

  static byte[] originalBytes(String className) throws ClassNotFoundException {
    try (JarFile jar = new JarFile(beamJar().getPath());
        InputStream in = jar.getInputStream(jar.getEntry(className.replace('.', '/') + ".class"))) {
      return in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new ClassNotFoundException(className + " in " + beamJar(), e);
    }
  }
}
