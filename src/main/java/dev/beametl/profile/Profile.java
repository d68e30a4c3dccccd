package dev.beametl.profile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.beametl.extract.BoundedLineReader;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.CsvSyntax;
import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.channels.Channels;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.commons.csv.CSVFormat;

/**
 * {@code beam-etl profile}: reads the first records of a data set, infers each column's type,
 * nullability, range, categories or pattern, prints what it saw, and writes a starter spec that the
 * job runs as it is. How a user starts on a new data set.
 */
public final class Profile {
  static final String USAGE = "usage: bin/beam-etl profile --input=GLOB --out=SPEC.yaml [--format=csv|jsonl]"
      + " [--delimiter=,] [--header=true] [--sampleRows=100000] [--tolerance=0.01] [--maxCategories=20] [--name=NAME]";

  private final Map<String, String> flags;
  private final SourceSpec source;
  private final long sampleRows;
  private final double tolerance;
  private final int maxCategories;
  private final Map<String, ColumnProfile> columns = new LinkedHashMap<>();
  private long records;
  /** Records skipped, by why, and where the first of each was: what the summary and a failure say. */
  private final Map<String, Long> skipped = new LinkedHashMap<>();
  private final Map<String, String> firstSkipped = new LinkedHashMap<>();

  private Profile(Map<String, String> flags) {
    this.flags = flags;
    String input = required("input");
    SourceSpec.Format format = SourceSpec.Format.valueOf(flags.getOrDefault("format",
        input.endsWith(".jsonl") || input.endsWith(".json") ? "jsonl" : "csv").toUpperCase(Locale.ROOT));
    if (format != SourceSpec.Format.CSV && format != SourceSpec.Format.JSONL) {
      throw new SpecException("--format: profile reads csv or jsonl files");
    }
    SourceSpec.Builder b = SourceSpec.builder(input, format)
        .setHeader(Boolean.parseBoolean(flags.getOrDefault("header", "true")));
    if (flags.containsKey("delimiter")) {
      String d = flags.get("delimiter");
      b.setDelimiter(d.equals("\\t") || d.equals("tab") ? '\t' : d.charAt(0));
    }
    source = b.build();
    sampleRows = Long.parseLong(flags.getOrDefault("sampleRows", "100000"));
    tolerance = Double.parseDouble(flags.getOrDefault("tolerance", "0.01"));
    maxCategories = Integer.parseInt(flags.getOrDefault("maxCategories", "20"));
  }

  private String required(String flag) {
    String v = flags.get(flag);
    if (v == null || v.isBlank()) {
      throw new SpecException("--" + flag + " is required; " + USAGE);
    }
    return v;
  }

  /** Runs the command; returns the job's exit codes (0 written, 2 usage or input error). */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    return main(Path.of("").toAbsolutePath(), args, out, err);
  }

  /** As {@link #main(String[], PrintStream, PrintStream)}, with relative paths meaning {@code callerDir}. */
  public static int main(Path callerDir, String[] args, PrintStream out, PrintStream err) {
    try {
      Map<String, String> flags = new LinkedHashMap<>();
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) {
          throw new SpecException("expected --name=value, got \"" + a + "\"; " + USAGE);
        }
        String key = a.substring(2, a.indexOf('='));
        if (!List.of("input", "out", "format", "delimiter", "header", "sampleRows", "tolerance", "maxCategories",
            "name").contains(key)) {
          throw new SpecException("unknown flag --" + key + "; " + USAGE);
        }
        String value = a.substring(a.indexOf('=') + 1);
        flags.put(key, key.equals("input") || key.equals("out") ? callerDir.resolve(value).normalize().toString() : value);
      }
      Profile p = new Profile(flags);
      Path spec = Path.of(p.required("out"));
      p.read();
      if (p.records == 0) { // a spec typed from no value would be nullable strings that reject every row
        throw new SpecException("no record of " + p.source.path() + " could be profiled: "
            + (p.skipped.isEmpty() ? "it holds none" : p.skippedText()) + "; no spec written");
      }
      List<ColumnProfile.Suggestion> fields = new ArrayList<>();
      List<String> nested = new ArrayList<>();
      for (ColumnProfile c : p.columns.values()) {
        if (c.hasNested()) {
          nested.add(c.name());
        } else {
          fields.add(c.suggest(p.tolerance, p.maxCategories));
        }
      }
      if (fields.isEmpty() && !nested.isEmpty()) {
        throw new SpecException("every key of " + p.source.path() + " holds objects or arrays (" + String.join(", ", nested)
            + "), which no field type reads: there is nothing a spec can copy");
      }
      String name = flags.getOrDefault("name", baseName(p.source.path()));
      String yaml = StarterSpec.render(name, p.source, fields, nested, p.records, p.tolerance,
          relativeTo(spec.toAbsolutePath().getParent(), p.source.path()));
      if (spec.getParent() != null) {
        Files.createDirectories(spec.getParent());
      }
      Files.writeString(spec, yaml);
      Specs.read(spec, List.of()); // the job must accept what we wrote
      out.print(p.summary(fields));
      if (!nested.isEmpty()) {
        out.println(leftOut(nested));
      }
      out.println("starter spec -> " + spec + "   (run it: bin/beam-etl --pipeline=" + spec + ")");
      return 0;
    } catch (SpecException | IllegalArgumentException e) {
      err.println("beam-etl profile: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("beam-etl profile: cannot read the input: " + e.getMessage());
      return 2;
    }
  }

  /** Why keys holding objects or arrays are not in the spec, and what the job then does with them. */
  static String leftOut(List<String> nested) {
    return "left out: " + String.join(", ", nested) + " (objects or arrays, which no field type reads: the job "
        + "ignores keys its schema does not name, so the output has no such column)";
  }

  /** The input as the spec writes it: relative to the spec's own directory, as paths in a spec are read. */
  private static String relativeTo(Path specDir, String input) {
    try {
      return specDir.relativize(Path.of(input)).toString();
    } catch (IllegalArgumentException e) {
      return input;
    }
  }

  /** A spec name from the input: the file's name, or the folder's when the file part is a glob. */
  static String baseName(String glob) {
    String[] parts = glob.split("/");
    String last = parts[parts.length - 1];
    if ((last.contains("*") || last.contains("?")) && parts.length > 1) {
      last = parts[parts.length - 2];
    }
    String file = last.replaceAll("\\..*", "").replaceAll("[^A-Za-z0-9]+", "-");
    file = file.replaceAll("^-+|-+$", "");
    return file.isEmpty() ? "profiled" : file;
  }

  private void read() throws IOException {
    MatchResult match = FileSystems.match(source.path(), EmptyMatchTreatment.ALLOW);
    if (match.metadata().isEmpty()) {
      throw new SpecException("--input: no file matches \"" + source.path() + "\"");
    }
    CSVFormat csv = CsvSyntax.of(source);
    // Numbers as written (1.50, 0.1000000000000000055511): a double would round them before they are typed.
    ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    for (MatchResult.Metadata file : match.metadata()) {
      try (Reader in = new InputStreamReader(Channels.newInputStream(FileSystems.open(file.resourceId())),
          Charset.forName(source.charset()).newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE))) {
        // The job's own line reader: byte-order mark skipped, a runaway line cut at maxRecordBytes.
        BoundedLineReader r = new BoundedLineReader(in, source.maxRecordBytes());
        r.skipByteOrderMark();
        List<String> header = null;
        boolean first = true;
        long lineNumber = 0;
        for (String line = r.readLine(); line != null && records + skippedCount() < sampleRows; line = r.readLine()) {
          lineNumber++;
          if (first && source.format() == SourceSpec.Format.CSV) {
            first = false;
            if (source.header()) {
              header = CsvSyntax.parseRecord(csv, line);
              for (String h : header) {
                columns.computeIfAbsent(h.trim(), ColumnProfile::new);
              }
              continue;
            }
          }
          first = false;
          String where = (match.metadata().size() > 1 ? file.resourceId().getFilename() + " " : "") + "line " + lineNumber;
          if (line.isBlank()) {
            skip("blank", where);
          } else if (line.indexOf('\uFFFD') >= 0) {
            skip("undecodable", where);
          } else if (r.lastLength() > line.length()) {
            skip("too long", where);
          } else if (source.format() == SourceSpec.Format.CSV) {
            addCsv(csv, line, header, where);
          } else {
            addJson(json, line, where);
          }
        }
      }
    }
  }

  private void addCsv(CSVFormat csv, String line, List<String> header, String where) {
    List<String> cells;
    try {
      cells = CsvSyntax.parseRecord(csv, line);
    } catch (IOException | IllegalStateException e) {
      skip("malformed", where + ": " + e.getMessage());
      return;
    }
    if (header == null) {
      for (int i = columns.size(); i < cells.size(); i++) {
        columns.put("column_" + (i + 1), new ColumnProfile("column_" + (i + 1)));
      }
    }
    if (cells.size() != columns.size()) {
      skip("with the wrong column count", where + ": " + cells.size() + " columns where the "
          + (header == null ? "first record has " : "header has ") + columns.size());
      return;
    }
    records++;
    Iterator<ColumnProfile> it = columns.values().iterator();
    for (String cell : cells) {
      add(it.next(), cell.strip());
    }
  }

  private void addJson(ObjectMapper json, String line, String where) {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      skip("malformed", where + ": " + e.getOriginalMessage());
      return;
    }
    if (node == null || !node.isObject()) {
      skip("not one JSON object", where);
      return;
    }
    records++;
    node.fieldNames().forEachRemaining(n -> columns.computeIfAbsent(n, ColumnProfile::new));
    for (ColumnProfile c : columns.values()) {
      JsonNode v = node.get(c.name());
      if (v != null && v.isContainerNode()) {
        c.addNested();
      } else {
        add(c, v == null || v.isNull() ? null : v.asText());
      }
    }
  }

  private void add(ColumnProfile c, String cell) {
    if (cell == null || source.nullValues().contains(cell)) {
      c.addNull();
    } else {
      c.add(cell);
    }
  }

  private void skip(String why, String where) {
    skipped.merge(why, 1L, Long::sum);
    firstSkipped.putIfAbsent(why, where);
  }

  private long skippedCount() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** "1 blank, 3 malformed (first at line 7: ...)": how many of each, and where to look. */
  private String skippedText() {
    List<String> parts = new ArrayList<>();
    skipped.forEach((why, n) -> parts.add(String.format(Locale.ROOT, "%,d %s (first at %s)", n, why,
        firstSkipped.get(why))));
    return String.join(", ", parts);
  }

  private String summary(List<ColumnProfile.Suggestion> fields) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "profiled %,d records of %s%s%n", records, source.path(),
        skipped.isEmpty() ? "" : String.format(Locale.ROOT, " (%,d more skipped: %s)", skippedCount(), skippedText())));
    b.append(String.format(Locale.ROOT, "  %-20s %-16s %9s %9s  %s%n", "column", "type", "nulls", "rejected", "seen"));
    for (ColumnProfile.Suggestion f : fields) {
      String seen = f.categoryValues != null ? f.categoryValues.toString()
          : f.pattern != null ? "pattern " + f.pattern : f.range != null ? f.range : "";
      b.append(String.format(Locale.ROOT, "  %-20s %-16s %9s %9s  %s%n", f.name,
          f.type + (f.nullable ? "?" : ""), String.format(Locale.ROOT, "%,d", f.nulls),
          String.format(Locale.ROOT, "%,d", f.rejected), seen));
    }
    return b.toString();
  }
}
