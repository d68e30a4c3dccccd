package dev.beametl.load;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.math.BigDecimal;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/** An upsert key's text is equal where the database's key is: and only there. */
public class KeysOnceTest {
  private static final Schema SCHEMA = Schema.builder().addNullableField("a", Schema.FieldType.STRING)
      .addNullableField("b", Schema.FieldType.STRING).addNullableField("d", Schema.FieldType.DECIMAL)
      .addNullableField("x", Schema.FieldType.DOUBLE).build();
  private static final int[] ALL = {0, 1, 2, 3};

  private static String key(String a, String b, String d, Double x) {
    return KeysOnce.key(Row.withSchema(SCHEMA).addValues(a, b, d == null ? null : new BigDecimal(d), x).build(), ALL);
  }

  @Test
  public void equalKeysOnlyMakeEqualTexts() {
    assertThat(key("p", "q", "1.50", 0.0), equalTo(key("p", "q", "1.5", -0.0)));
    assertThat(key("x\", \"y", "z", null, null), not(equalTo(key("x", "y\", \"z", null, null))));
    assertThat(key("a\\", "\"", null, null), not(equalTo(key("a", "\\\"", null, null))));
    assertThat(key(null, "q", null, null), not(equalTo(key("NULL", "q", null, null))));
    assertThat(key("p", "q", "1.50", 0.0), equalTo("\"p\", \"q\", \"1.5\", \"0.0\""));
  }
}
