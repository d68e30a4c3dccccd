package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** What a job prints reaches the warm runner's client line by line, however it was printed. */
public class WarmRunnerLinesTest {
  @Test
  public void aPrintfIsOneLineAndAnUnendedLastLineIsSentAtTheEnd() {
    ByteArrayOutputStream socket = new ByteArrayOutputStream();
    WarmRunner.Lines lines = new WarmRunner.Lines(socket, 'E');
    PrintStream err = new PrintStream(lines, true, StandardCharsets.UTF_8); // flushes after every piece
    err.printf("beam-etl: %s; see %s. Results were written without a _SUCCESS marker.%n", "92.44% bad", "/out-dl");
    err.println("second\r");
    err.print("no line end");
    err.flush();
    assertThat(socket.toString(StandardCharsets.UTF_8), is("E beam-etl: 92.44% bad; see /out-dl. Results were "
        + "written without a _SUCCESS marker.\nE second\n"));
    lines.finish();
    assertThat(socket.toString(StandardCharsets.UTF_8).endsWith("\nE no line end\n"), is(true));
  }
}
