package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.Test;

/** Control characters from the data reach the terminal as escapes; text, line feeds and tabs as they are. */
public class ControlCharactersTest {
  private static String printed(String text, java.nio.charset.Charset charset) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(ControlCharacters.escaping(bytes, charset), true, charset)) {
      out.print(text);
    }
    return bytes.toString(charset);
  }

  @Test
  public void controlCharactersAreEscapedAndTextIsNot() {
    // A trial's category value: retitles the terminal, then turns the rest red.
    assertThat(printed("key = \u001b]0;pwned\u0007\u001b[31mred\r\n", StandardCharsets.UTF_8),
        is("key = \\u001b]0;pwned\\u0007\\u001b[31mred\\u000d\n"));
    assertThat(printed("a\tb\nc\u007f\u009b31m\u0085", StandardCharsets.UTF_8), is("a\tb\nc\\u007f\\u009b31m\\u0085"));
    assertThat(printed("Müller ¢ ¿ ©\u00a0€ 漢字 😀", StandardCharsets.UTF_8), is("Müller ¢ ¿ ©\u00a0€ 漢字 😀"));
    assertThat(printed("x\u001by é", StandardCharsets.ISO_8859_1), is("x\\u001by é"));
  }
}
