package dev.beametl.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The run report: {@code report.json} and a self-contained {@code report.html} beside the run's
 * counts. Counts per stage, bad records by reason and by field, the first examples of each reason
 * with their origins, timings, peak heap, outputs, and the options used with secrets removed.
 */
public final class RunReport {
  /** Examples kept per reason. */
  static final int EXAMPLES = 3;
  /** Dead-letter lines read at most to find examples (the counts come from the run, not from here). */
  static final int SCAN_LIMIT = 200_000;
  private static final Pattern SECRET =
      Pattern.compile("(?i).*(password|passwd|secret|token|credential|apikey|api_key|accesskey|privatekey).*");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper DEAD_LETTERS = dev.beametl.record.RowJson.readerOfOwnFiles();

  private final ObjectNode root = JSON.createObjectNode();

  /** Adds the largest heap left after a forced full collection, when the run measured it (benchmark). */
  public RunReport withLiveHeap(long bytes) {
    if (bytes >= 0) {
      ((ObjectNode) root.get("memory")).put("live_heap_max_bytes", bytes);
    }
    return this;
  }

  /** Adds where the wall time went, phase by phase, in seconds (JVM start, setup, build, run, ...). */
  public RunReport withPhases(Map<String, Double> phases) {
    ObjectNode p = ((ObjectNode) root.get("timings")).putObject("phases_seconds");
    phases.forEach((name, s) -> p.put(name, Math.round(s * 1000) / 1000.0));
    return this;
  }

  /** Everything but the examples, which {@link #withExamplesFrom} adds. */
  public RunReport(String pipeline, String runner, boolean succeeded, int exitCode, Map<String, Long> counts,
      double seconds, long peakHeapBytes, long maxHeapBytes, Map<String, String> outputs, List<String> args) {
    root.put("pipeline", pipeline);
    root.put("runner", runner);
    root.put("succeeded", succeeded);
    root.put("exit_code", exitCode);
    ObjectNode stages = root.putObject("counts");
    for (String stage : List.of("read", "valid", "bad", "filtered", "failed", "kept", "written")) {
      stages.put(stage, counts.getOrDefault(stage, 0L));
    }
    ObjectNode byReason = root.putObject("bad_by_reason");
    ObjectNode byField = root.putObject("bad_by_field");
    ObjectNode byReasonAndField = root.putObject("bad_by_reason_and_field");
    new TreeMap<>(counts).forEach((name, n) -> {
      if (name.startsWith("bad.")) {
        String key = name.substring(4);
        int colon = key.indexOf(':');
        String reason = colon < 0 ? key : key.substring(0, colon);
        String field = colon < 0 ? "(record)" : key.substring(colon + 1);
        byReasonAndField.put(key, n);
        byReason.put(reason, byReason.path(reason).asLong() + n);
        byField.put(field, byField.path(field).asLong() + n);
      }
    });
    root.putObject("examples");
    ObjectNode timings = root.putObject("timings");
    timings.put("total_seconds", Math.round(seconds * 1000) / 1000.0);
    timings.put("records_per_second", Math.round(counts.getOrDefault("read", 0L) / Math.max(seconds, 1e-3)));
    ObjectNode memory = root.putObject("memory");
    memory.put("peak_heap_used_bytes", peakHeapBytes);
    memory.put("max_heap_bytes", maxHeapBytes);
    ObjectNode out = root.putObject("outputs");
    outputs.forEach(out::put);
    ArrayNode options = root.putArray("options");
    args.forEach(a -> options.add(redact(a)));
  }

  /** A flag with its value replaced when its name looks like a secret. */
  static String redact(String arg) {
    int eq = arg.indexOf('=');
    if (eq < 0) {
      return arg;
    }
    String name = arg.substring(0, eq);
    String value = arg.substring(eq + 1);
    if (name.equals("--set")) {
      int inner = value.indexOf('=');
      return inner >= 0 && SECRET.matcher(value.substring(0, inner)).matches()
          ? name + "=" + value.substring(0, inner) + "=***" : arg;
    }
    return SECRET.matcher(name).matches() ? name + "=***" : arg;
  }

  /** Adds the first {@link #EXAMPLES} dead-letter records of each reason found under {@code dir}. */
  public RunReport withExamplesFrom(Path dir) throws IOException {
    return withExamplesFrom(dir, name -> true);
  }

  /**
   * As {@link #withExamplesFrom(Path)}, from the files whose names {@code fileNames} takes: an appending
   * run's own, not those of the runs before it, whose reasons this run's counts do not have.
   */
  public RunReport withExamplesFrom(Path dir, java.util.function.Predicate<String> fileNames) throws IOException {
    ObjectNode examples = (ObjectNode) root.get("examples");
    if (!Files.isDirectory(dir)) {
      return this;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(f -> f.getFileName().toString().endsWith(".jsonl") && fileNames.test(f.getFileName().toString()))
          .sorted().collect(Collectors.toList());
    }
    int scanned = 0;
    for (Path f : files) {
      try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
        for (String line = in.readLine(); line != null && scanned < SCAN_LIMIT; line = in.readLine(), scanned++) {
          JsonNode bad = DEAD_LETTERS.readTree(line);
          String key = bad.path("reason_kind").asText() + (bad.path("field").isNull() || bad.path("field").asText().isEmpty()
              ? "" : ":" + bad.path("field").asText());
          ArrayNode list = examples.has(key) ? (ArrayNode) examples.get(key) : examples.putArray(key);
          if (list.size() < EXAMPLES) {
            list.addObject().put("origin", bad.path("origin").asText()).put("reason", bad.path("reason").asText())
                .put("payload", abbreviate(bad.path("payload").asText(), 300));
          }
        }
      }
    }
    return this;
  }

  private static String abbreviate(String s, int max) {
    int end = max > 0 && s.length() > max && Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.length() <= max ? s : s.substring(0, end) + "... (" + s.length() + " characters)";
  }

  public JsonNode json() {
    return root;
  }

  /** Writes report.json and report.html into {@code dir}; returns the HTML file. */
  public Path writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    // As bytes: Files.writeString refuses a lone surrogate (half a character, from the input), which
    // failed the run after it had finished; getBytes writes '?' for it.
    Files.write(dir.resolve("report.json"), JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
    Path html = dir.resolve("report.html");
    Files.write(html, HtmlReport.render(root).getBytes(StandardCharsets.UTF_8));
    return html;
  }

  /** The bars of the chart: bad records per reason and field, largest first. */
  static Map<String, Long> bars(JsonNode report) {
    Map<String, Long> bars = new LinkedHashMap<>();
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    report.path("bad_by_reason_and_field").fields().forEachRemaining(entries::add);
    entries.sort((a, b) -> Long.compare(b.getValue().asLong(), a.getValue().asLong()) != 0
        ? Long.compare(b.getValue().asLong(), a.getValue().asLong()) : a.getKey().compareTo(b.getKey()));
    entries.forEach(e -> bars.put(e.getKey(), e.getValue().asLong()));
    return bars;
  }
}
