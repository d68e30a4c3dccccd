package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.Test;

/** The reader of JSON lines the validator and profile share. */
public class JsonSyntaxTest {
  /**
   * A trial: a string of more than Jackson's 20,000,000 characters (a Parquet VARCHAR, a JSON line
   * under a raised maxRecordBytes) was a "not valid JSON" record. What a record may hold is read.
   */
  @Test
  public void aStringLongerThanJacksonsDefaultLimitIsRead() throws Exception {
    String text = "x".repeat(20_000_001);
    assertThat(JsonSyntax.lineReader().readTree("{\"s\":\"" + text + "\"}").get("s").textValue().length(),
        is(20_000_001));
  }

  @Test
  public void aSecondValueOrARepeatedKeyIsStillRefused() {
    ObjectMapper json = JsonSyntax.lineReader();
    assertThat(assertThrows(com.fasterxml.jackson.databind.exc.MismatchedInputException.class,
        () -> json.readTree("{\"a\":1} {\"a\":2}")).getMessage(), containsString("Trailing token"));
    assertThat(assertThrows(com.fasterxml.jackson.core.JsonParseException.class,
        () -> json.readTree("{\"a\":1,\"a\":2}")).getMessage(), containsString("Duplicate field 'a'"));
  }
}
