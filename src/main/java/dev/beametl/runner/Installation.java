package dev.beametl.runner;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where beam-etl is installed, so its own files (the embedded runner's config) are found however the
 * job was started and from whichever directory: the launcher says it ({@code -Dbeametl.home}), or it
 * is the project that holds the classes or jar the job runs from ({@code <home>/target/...}).
 */
public final class Installation {
  private Installation() {}

  public static Optional<Path> home() {
    String given = System.getProperty("beametl.home");
    if (given != null && Files.isDirectory(Path.of(given))) {
      return Optional.of(Path.of(given).toAbsolutePath());
    }
    try {
      Path code = Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      for (Path p = code; p != null; p = p.getParent()) {
        if (p.getFileName() != null && p.getFileName().toString().equals("target")
            && Files.isRegularFile(p.resolveSibling("pom.xml"))) {
          return Optional.of(p.getParent());
        }
      }
    } catch (URISyntaxException | RuntimeException e) {
      // no code source (a custom class loader): no installation
    }
    return Optional.empty();
  }

  /** A file of the installation, when there is one and it holds the file. */
  public static Optional<Path> file(String relative) {
    return home().map(h -> h.resolve(relative)).filter(Files::exists);
  }
}
