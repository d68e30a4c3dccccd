package dev.beametl.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/** The run report as one self-contained HTML page: no scripts, no network, an inline SVG chart. */
final class HtmlReport {
  private static final int BAR_HEIGHT = 22;
  private static final int LABEL_WIDTH = 260;
  private static final int CHART_WIDTH = 420;

  private HtmlReport() {}

  static String render(JsonNode r) {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>beam-etl: ")
        .append(esc(r.path("pipeline").asText())).append("</title>\n<style>\n")
        .append("body{font:14px/1.4 sans-serif;margin:2em;color:#222;background:#fff}")
        .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;")
        .append("text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}")
        .append(".ok{color:#1a7f37}.fail{color:#c62828}code{font-size:12px;word-break:break-all}\n")
        .append("</style></head><body>\n");
    boolean ok = r.path("succeeded").asBoolean();
    b.append("<h1>").append(esc(r.path("pipeline").asText())).append(" <span class=\"").append(ok ? "ok" : "fail")
        .append("\">").append(ok ? "succeeded" : "did not succeed (exit code " + r.path("exit_code").asInt() + ")")
        .append("</span></h1>\n");
    b.append(String.format(Locale.ROOT, "<p>%s, %.1f s, %,d records/s, peak heap %,d of %,d MiB</p>%n",
        esc(r.path("runner").asText()), r.path("timings").path("total_seconds").asDouble(),
        r.path("timings").path("records_per_second").asLong(),
        r.path("memory").path("peak_heap_used_bytes").asLong() >> 20, r.path("memory").path("max_heap_bytes").asLong() >> 20));
    b.append("<h2>Counts</h2>\n<table>\n");
    r.path("counts").fields().forEachRemaining(e -> row(b, e.getKey(), e.getValue().asLong()));
    b.append("</table>\n<h2>Bad records by reason and field</h2>\n");
    b.append(chart(RunReport.bars(r)));
    b.append("<h2>By reason</h2>\n<table>\n");
    r.path("bad_by_reason").fields().forEachRemaining(e -> row(b, e.getKey(), e.getValue().asLong()));
    b.append("</table>\n<h2>By field</h2>\n<table>\n");
    r.path("bad_by_field").fields().forEachRemaining(e -> row(b, e.getKey(), e.getValue().asLong()));
    b.append("</table>\n<h2>Examples</h2>\n<table>\n<tr><th>reason</th><th>origin</th><th>message</th><th>record</th></tr>\n");
    r.path("examples").fields().forEachRemaining(e -> e.getValue().forEach(x -> b.append("<tr><td>")
        .append(esc(e.getKey())).append("</td><td><code>").append(esc(x.path("origin").asText()))
        .append("</code></td><td>").append(esc(x.path("reason").asText())).append("</td><td><code>")
        .append(esc(x.path("payload").asText())).append("</code></td></tr>\n")));
    b.append("</table>\n<h2>Outputs</h2>\n<table>\n");
    r.path("outputs").fields().forEachRemaining(e -> b.append("<tr><td>").append(esc(e.getKey()))
        .append("</td><td><code>").append(esc(e.getValue().asText())).append("</code></td></tr>\n"));
    b.append("</table>\n<h2>Options</h2>\n<p>");
    r.path("options").forEach(o -> b.append("<code>").append(esc(o.asText())).append("</code> "));
    b.append("</p>\n</body></html>\n");
    return b.toString();
  }

  /** A horizontal bar per reason and field; each bar carries its key and count as data attributes. */
  static String chart(Map<String, Long> bars) {
    if (bars.isEmpty()) {
      return "<p>No bad records.</p>\n";
    }
    long max = bars.values().stream().mapToLong(Long::longValue).max().orElse(1);
    int height = bars.size() * BAR_HEIGHT + 10;
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "role=\"img\" aria-label=\"bad records by reason and field\">%n", LABEL_WIDTH + CHART_WIDTH + 80, height));
    int y = 5;
    for (Map.Entry<String, Long> bar : bars.entrySet()) {
      int width = (int) Math.max(1, Math.round((double) bar.getValue() / max * CHART_WIDTH));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s</text>%n",
          LABEL_WIDTH - 6, y + 15, esc(bar.getKey())));
      s.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-reason=\"%s\" data-count=\"%d\" x=\"%d\" y=\"%d\" "
          + "width=\"%d\" height=\"%d\" fill=\"#c62828\"/>%n", esc(bar.getKey()), bar.getValue(), LABEL_WIDTH, y + 2,
          width, BAR_HEIGHT - 6));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"12\">%,d</text>%n",
          LABEL_WIDTH + width + 6, y + 15, bar.getValue()));
      y += BAR_HEIGHT;
    }
    return s.append("</svg>\n").toString();
  }

  private static void row(StringBuilder b, String name, long n) {
    b.append(String.format(Locale.ROOT, "<tr><td>%s</td><td class=\"n\">%,d</td></tr>%n", esc(name), n));
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
