package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.Test;

/** A request to the warm runner carries every argument, an empty one included, and nothing past its count. */
public class WarmRunnerRequestTest {
  private static List<String> read(String request) throws IOException {
    return WarmRunner.readFields(new ByteArrayInputStream(request.getBytes(StandardCharsets.UTF_8)));
  }

  /** An empty argument ended the request: the flags after it were dropped, and the run wrote elsewhere, exit 0. */
  @Test
  public void anEmptyArgumentIsAnArgument() throws IOException {
    assertThat(read("tok\0run\0" + "4\0/dir\0--pipeline=a.yaml\0\0--output=o\0\0"),
        contains("tok", "run", "/dir", "--pipeline=a.yaml", "", "--output=o"));
    assertThat(read("tok\0status\0" + "0\0\0"), contains("tok", "status"));
  }

  @Test
  public void aRequestThatDoesNotAddUpIsRefused() {
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0/dir\0--pipeline=a.yaml\0\0")).getMessage(),
        containsString("without the count of its fields"));
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0" + "1\0/dir\0extra\0\0")).getMessage(),
        containsString("more fields than it counted"));
    assertThat(assertThrows(IOException.class, () -> read("tok\0run\0" + "2\0/dir\0")).getMessage(),
        containsString("ended within a field"));
  }
}
