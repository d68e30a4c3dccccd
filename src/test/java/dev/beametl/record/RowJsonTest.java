package dev.beametl.record;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import org.junit.Test;

public class RowJsonTest {
  /**
   * Decimals are written as they are, at their scale: Jackson's default wrote 0E-10 and 1E-10 for
   * a decimal(38,10)'s 0 and 0.0000000001, which DuckDB's read_json then typed as a double.
   */
  @Test
  public void decimalsAreWrittenPlainAtTheirScale() throws Exception {
    ObjectMapper json = RowJson.writer();
    ObjectNode node = json.createObjectNode();
    RowJson.put(node, "zero", new BigDecimal("0E-10"));
    RowJson.put(node, "tiny", new BigDecimal("1E-10"));
    RowJson.put(node, "big", new BigDecimal("-12345678901234567890123456.7800000000"));
    assertThat(json.writeValueAsString(node),
        equalTo("{\"zero\":0.0000000000,\"tiny\":0.0000000001,\"big\":-12345678901234567890123456.7800000000}"));
  }
}
