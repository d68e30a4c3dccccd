package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.matchesPattern;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.Test;

public class WaitNoticeTest {
  @Test
  public void aStepStillWaitingSaysSoAgainUntilItEnds() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    long deadline = System.currentTimeMillis() + 10_000;
    try (WaitNotice notice = WaitNotice.start(out, Duration.ofMillis(20), Duration.ofMillis(20), "waited ", " s")) {
      while (lines(bytes).size() < 3 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
    }
    List<String> said = lines(bytes);
    assertThat(said.size(), greaterThanOrEqualTo(3));
    assertThat(said, everyItem(matchesPattern("waited \\d+ s")));
    Thread.sleep(100);
    assertThat("nothing once the step ended", lines(bytes).size(), is(said.size()));
  }

  @Test
  public void aStepThatEndsInTimeSaysNothing() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (WaitNotice notice = WaitNotice.start(new PrintStream(bytes, true, StandardCharsets.UTF_8), Duration.ofSeconds(10),
        Duration.ofSeconds(10), "waited ", " s")) {
      Thread.sleep(20);
    }
    assertThat(bytes.size(), is(0));
  }

  private static List<String> lines(ByteArrayOutputStream bytes) {
    return bytes.toString(StandardCharsets.UTF_8).lines().collect(java.util.stream.Collectors.toList());
  }
}
