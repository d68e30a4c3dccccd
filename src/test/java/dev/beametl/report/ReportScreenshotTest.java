package dev.beametl.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.Assume.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Renders a run report in headless Chromium (Debian's chromium package, which .ci/run installs) and
 * checks the screenshot shows a page: ink on it, and the chart's red bars. Outside CI a machine
 * without chromium skips it.
 */
public class ReportScreenshotTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void theReportRendersInHeadlessChromium() throws Exception {
    String chromium = Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    if (System.getenv("CI") == null) {
      assumeTrue("chromium is not installed (.ci/run installs it)", chromium != null);
    }
    assertThat("chromium is installed (.ci/run installs it)", chromium != null, is(true));

    Path html = RunReportTest.report(List.of("--pipeline=x.yaml")).writeTo(tmp.getRoot().toPath());
    Path png = tmp.getRoot().toPath().resolve("report.png");
    Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--window-size=1000,800", "--screenshot=" + png, html.toUri().toString())
        .redirectErrorStream(true).redirectOutput(tmp.getRoot().toPath().resolve("chromium.log").toFile()).start();
    assertThat("chromium finished", p.waitFor(120, TimeUnit.SECONDS), is(true));
    assertThat(Files.readString(tmp.getRoot().toPath().resolve("chromium.log")), Files.exists(png), is(true));

    BufferedImage image = ImageIO.read(png.toFile());
    long ink = 0;
    long red = 0;
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        ink += rgb != 0xffffff ? 1 : 0;
        red += rgb == 0xc62828 ? 1 : 0;
      }
    }
    assertThat("the page is not blank", ink, is(greaterThan(2_000L)));
    assertThat("the chart's bars are drawn", red, is(greaterThan(1_000L)));
    assertThat("text and chart, not a flat fill", colours.size(), is(greaterThan(10)));
  }
}
