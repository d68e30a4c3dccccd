package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.jar.JarFile;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.translation.wrappers.streaming.io.source.FlinkSourceReaderBase;
import org.junit.Test;

/**
 * The bundled jar (what runners/flink/submit.sh uploads to a cluster) holds beam-etl's patched
 * copies of Beam's classes, not Beam's originals, which the shaded Beam jar also contains: the
 * cluster loads the job's classes child-first from it, so these bytes are what the JobManager (the
 * enumerator) and the TaskManagers (the reader) run. FlinkClusterIT checks their logs say so. The
 * DirectRunner's two patched classes, the options' JSON cache (SerializablePipelineOptions) and the
 * splittable-ParDo matcher (PTransformMatchers), the options registry (PipelineOptionsFactory) and
 * the ParDo translation's two answers (ParDoTranslation) and the Flink runner's overrides for file
 * writes (FlinkTransformOverrides) are held to the same rule.
 */
public class BundledBeamOverridesIT {
  /** Each patched class file, and a class of the Beam jar its original comes from. */
  static final Map<String, Class<?>> PATCHED = Map.ofEntries(
      Map.entry("org/apache/beam/runners/flink/translation/wrappers/streaming/io/source/FlinkSourceSplitEnumerator.class",
          FlinkSourceReaderBase.class),
      Map.entry("org/apache/beam/runners/flink/translation/wrappers/streaming/io/source/bounded/FlinkBoundedSourceReader.class",
          FlinkSourceReaderBase.class),
      Map.entry("org/apache/beam/runners/direct/ImmutabilityEnforcementFactory.class", DirectRunner.class),
      Map.entry("org/apache/beam/runners/direct/ParDoEvaluatorFactory.class", DirectRunner.class),
      Map.entry("org/apache/beam/runners/core/construction/SerializablePipelineOptions.class", DoFnRunners.class),
      Map.entry("org/apache/beam/sdk/util/construction/PTransformMatchers.class", org.apache.beam.sdk.Pipeline.class),
      Map.entry("org/apache/beam/sdk/options/PipelineOptionsFactory.class", org.apache.beam.sdk.Pipeline.class),
      Map.entry("org/apache/beam/sdk/options/PipelineOptionsFactory$Cache.class", org.apache.beam.sdk.Pipeline.class),
      Map.entry("org/apache/beam/sdk/options/PipelineOptionsFactory$MethodComparator.class",
          org.apache.beam.sdk.Pipeline.class),
      Map.entry("org/apache/beam/sdk/util/construction/ParDoTranslation.class", org.apache.beam.sdk.Pipeline.class),
      Map.entry("org/apache/beam/runners/flink/FlinkTransformOverrides.class", FlinkSourceReaderBase.class));

  @Test
  public void theBundledJarCarriesThePatchedClassesNotBeamsOriginals() throws Exception {
    Path bundled = bundledJar();
    try (JarFile job = new JarFile(bundled.toFile())) {
      for (Map.Entry<String, Class<?>> patched : PATCHED.entrySet()) {
        String entry = patched.getKey();
        byte[] built = Files.readAllBytes(Path.of("target/classes", entry));
        byte[] inBundle = read(job, entry);
        assertThat(entry + " in the bundled jar is the one this build compiled", Arrays.equals(inBundle, built), is(true));
        try (JarFile beam = new JarFile(patched.getValue().getProtectionDomain().getCodeSource().getLocation().getPath())) {
          assertThat(entry + " differs from Beam's own", Arrays.equals(inBundle, read(beam, entry)), is(not(true)));
        }
      }
      assertThat(job.getEntry("org/apache/beam/runners/flink/PreCombineTranslator.class") != null, is(true));
    }
  }

  private static Path bundledJar() throws Exception {
    try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "beam-etl-*-bundled.jar")) {
      return jars.iterator().next();
    }
  }

  private static byte[] read(JarFile jar, String entry) throws Exception {
    try (InputStream in = jar.getInputStream(jar.getEntry(entry))) {
      return in.readAllBytes();
    }
  }
}
