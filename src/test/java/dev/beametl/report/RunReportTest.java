package dev.beametl.report;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class RunReportTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  /** A report with three reasons of bad records; the screenshot test renders it too. */
  static RunReport report(List<String> args) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("read", 1000L);
    counts.put("valid", 990L);
    counts.put("bad", 10L);
    counts.put("bad.type:quantity", 5L);
    counts.put("bad.not_allowed:region", 3L);
    counts.put("bad.blank_line", 2L);
    counts.put("kept", 900L);
    counts.put("written", 40L);
    return new RunReport("sales", "FlinkRunner", true, 0, counts, 2.5, 100L << 20, 512L << 20,
        Map.of("results", "out/sales (parquet)"), args);
  }

  @Test
  public void countsAreGroupedByReasonAndByField() {
    JsonNode r = report(List.of()).json();
    assertThat(r.get("counts").get("read").asLong(), is(1000L));
    assertThat(r.get("bad_by_reason").get("type").asLong(), is(5L));
    assertThat(r.get("bad_by_reason").get("blank_line").asLong(), is(2L));
    assertThat(r.get("bad_by_field").get("quantity").asLong(), is(5L));
    assertThat(r.get("bad_by_field").get("(record)").asLong(), is(2L));
    assertThat(r.get("memory").get("peak_heap_used_bytes").asLong(), is(100L << 20));
  }

  @Test
  public void secretsAreRemovedFromTheOptions() {
    JsonNode options = report(List.of("--pipeline=p.yaml", "--set=source.jdbc.password=hunter2",
        "--apiToken=abc", "--set=sink.jdbc.keys=[id]")).json().get("options");
    assertThat(options.toString(), not(containsString("hunter2")));
    assertThat(options.toString(), not(containsString("abc")));
    assertThat(options.get(1).asText(), equalTo("--set=source.jdbc.password=***"));
    assertThat(options.get(3).asText(), equalTo("--set=sink.jdbc.keys=[id]"));
  }

  /** Half a character in a sample dead letter (a lone surrogate) is written as '?', not a failed run. */
  @Test
  public void halfACharacterInADeadLetterDoesNotFailTheReport() throws Exception {
    Path dir = tmp.newFolder("half").toPath();
    Files.write(dir.resolve("bad-records-0.jsonl"), ("{\"origin\":\"a.csv@byte 10\",\"field\":\"s\","
        + "\"reason_kind\":\"too_long\",\"reason\":\"long\",\"payload\":\"1,\\ud83d\"}\n")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path html = report(List.of()).withExamplesFrom(dir).writeTo(tmp.getRoot().toPath().resolve("_run"));
    assertThat(Files.readString(html), containsString("1,?"));
    assertThat(Files.readString(html.resolveSibling("report.json")), containsString("1,?"));
  }

  @Test
  public void theHtmlChartHasOneBarPerReasonWithItsCount() throws Exception {
    Path dir = tmp.newFolder("dead").toPath();
    Files.writeString(dir.resolve("bad-records-0.jsonl"),
        "{\"origin\":\"a.csv@byte 10\",\"field\":\"quantity\",\"reason_kind\":\"type\",\"reason\":\"quantity: <x> & y\",\"payload\":\"1,x\"}\n");
    Path html = report(List.of()).withExamplesFrom(dir).writeTo(tmp.getRoot().toPath().resolve("_run"));
    String page = Files.readString(html);
    assertThat(page, not(containsString("<script")));
    assertThat(page, containsString("quantity: &lt;x&gt; &amp; y"));
    String svg = page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + "</svg>".length());
    NodeList rects = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getElementsByTagName("rect");
    Map<String, Long> bars = new LinkedHashMap<>();
    for (int i = 0; i < rects.getLength(); i++) {
      Element bar = (Element) rects.item(i);
      bars.put(bar.getAttribute("data-reason"), Long.parseLong(bar.getAttribute("data-count")));
    }
    assertThat(bars, equalTo(Map.of("type:quantity", 5L, "not_allowed:region", 3L, "blank_line", 2L)));
    assertThat("the largest bar is the widest", ((Element) rects.item(0)).getAttribute("width"), equalTo("420"));
    assertThat(Files.readString(html.resolveSibling("report.json")), containsString("\"a.csv@byte 10\""));
  }
}
