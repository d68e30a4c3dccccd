package dev.beametl.runner;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One request to the warm runner, read off its socket: NUL-terminated fields - the token, the
 * command ({@code run}, {@code status} or {@code stop}), how many fields follow, those (for
 * {@code run} the caller's directory and the job's arguments, any of them empty), then an empty
 * field. Read up to the first empty field, as the first framing was, an empty argument ended the
 * request and the flags after it were dropped: the run wrote to the spec's own sink path instead
 * of {@code --output}, exit 0. A request of that first framing (a launcher of an older build) is
 * still told apart: its third field is no count.
 */
final class WarmRequest implements AutoCloseable {
  private static final int MAX_BYTES = 16 << 20;

  final Socket client;
  final InputStream in;
  final String command;
  /** The fields after the command (for run: the caller's directory, then the job's arguments). */
  final List<String> fields;
  /** Sent in the first framing, without the count of its fields. */
  final boolean firstFraming;

  private WarmRequest(Socket client, InputStream in, String command, List<String> fields, boolean firstFraming) {
    this.client = client;
    this.in = in;
    this.command = command;
    this.fields = List.copyOf(fields);
    this.firstFraming = firstFraming;
  }

  /** The request on {@code client}, or null when it was refused (and answered so) for its token. */
  static @Nullable WarmRequest read(Socket client, String token) throws IOException {
    Fields in = new Fields(client.getInputStream());
    if (!MessageDigest.isEqual(in.next().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      try {
        rest(client, in); // read whole (within MAX_BYTES), so that closing the socket sends no reset
      } catch (IOException e) {
        // answered all the same
      }
      answer(client, WarmRunner.USAGE, "E beam-etl: the warm runner refused a request without its token");
      return null;
    }
    return rest(client, in);
  }

  /** Reads a request whatever its token, and answers it with {@code code}: a stopping runner's last word. */
  static void turnAway(Socket client, int code) throws IOException {
    Fields in = new Fields(client.getInputStream());
    in.next();
    rest(client, in); // read whole, so that closing the socket sends no reset
    answer(client, code);
  }

  private static WarmRequest rest(Socket client, Fields in) throws IOException {
    String command = in.next();
    List<String> fields = new ArrayList<>();
    String count = command.isEmpty() ? "" : in.next();
    if (count.isEmpty()) { // the first framing's status or stop: nothing after the command
      return new WarmRequest(client, in.in, command, fields, !command.isEmpty());
    }
    if (!count.matches("[0-9]{1,9}")) { // the first framing's run: the caller's directory, then its arguments
      fields.add(count);
      for (String f = in.next(); !f.isEmpty(); f = in.next()) {
        fields.add(f);
      }
      return new WarmRequest(client, in.in, command, fields, true);
    }
    for (int i = Integer.parseInt(count); i > 0; i--) {
      fields.add(in.next());
    }
    if (!in.next().isEmpty()) {
      throw new IOException("a request with more fields than it counted");
    }
    return new WarmRequest(client, in.in, command, fields, false);
  }

  /**
   * Whether the client has closed its end: a client sends nothing after its request, so a read that
   * finds the stream's end (not a timeout) means it has gone.
   */
  boolean clientGone() {
    try {
      client.setSoTimeout(1);
      try {
        return in.read() < 0;
      } finally {
        client.setSoTimeout(0);
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Tells the client its run begins: a launcher whose runner dies before this line runs the job in
   * a JVM of its own (a run queued behind another was lost with the runner, exit 1).
   */
  void started() throws IOException {
    OutputStream out = client.getOutputStream();
    out.write("S\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Answers with {@code lines} (each tagged {@code O } or {@code E }), then the exit code. */
  void answer(int code, String... lines) {
    answer(client, code, lines);
  }

  private static void answer(Socket client, int code, String... lines) {
    StringBuilder b = new StringBuilder();
    for (String line : lines) {
      b.append(line).append('\n');
    }
    try {
      OutputStream out = client.getOutputStream();
      out.write(b.append("X ").append(code).append('\n').toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    } catch (IOException e) {
      // the client has gone: nobody is waiting for the answer
    }
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      // closed already
    }
  }

  /** A request's NUL-terminated fields, read within {@link #MAX_BYTES}: a request is a command line, not a payload. */
  private static final class Fields {
    final InputStream in;
    private int left = MAX_BYTES;

    Fields(InputStream socket) {
      this.in = new BufferedInputStream(socket);
    }

    String next() throws IOException {
      ByteArrayOutputStream field = new ByteArrayOutputStream();
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b == 0) {
          return field.toString(StandardCharsets.UTF_8);
        }
        if (--left < 0) {
          throw new IOException("a request longer than " + MAX_BYTES + " bytes");
        }
        field.write(b);
      }
      throw new IOException("the request ended within a field");
    }
  }
}
