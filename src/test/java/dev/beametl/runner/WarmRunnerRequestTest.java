package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
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

  /** A run queued behind another, whose client was stopped before it began, ran minutes later anyway. */
  @Test
  public void aRunWhoseClientHasGoneIsNotStarted() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    WarmRunner.Job job = (dir, args, out, err) -> runs.incrementAndGet();
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      for (boolean stays : new boolean[] {false, true}) {
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        OutputStream o = client.getOutputStream();
        o.write(("tok\0run\0" + "2\0/dir\0--x\0\0").getBytes(StandardCharsets.UTF_8));
        o.flush();
        if (!stays) {
          client.close(); // Ctrl-C while another run held the runner
        }
        try (Socket accepted = server.accept()) {
          WarmRunner.serve(accepted, "tok", job);
        }
        client.close();
      }
    }
    assertThat("only the run whose client waited for it", runs.get(), is(1));
  }
}
