package dev.beametl.profile;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.beametl.extract.FileRecordSource;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.CsvSyntax;
import dev.beametl.record.JsonSyntax;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.commons.csv.CSVFormat;

/**
 * One reading of the input's first records, through the job's own reader (so a record is what the
 * job's is: gzip, charsets, line ends, and with {@code csv.multiline} quoted line breaks), and what
 * its columns hold: the records profiled, and those skipped with why.
 */
final class Sample {
  final SourceSpec source;
  final Map<String, ColumnProfile> columns = new LinkedHashMap<>();
  long records;
  /** Records skipped, by why, and where the first of each was: what the summary and a failure say. */
  private final Map<String, Long> skipped = new LinkedHashMap<>();
  private final Map<String, String> firstSkipped = new LinkedHashMap<>();
  /** Malformed records that end inside a quoted value: line breaks in quotes, read line by line. */
  long openQuotes;
  /** Records profiled whose quoted values hold line breaks. */
  long spanningLines;
  /**
   * Lines of those records that are records of the right width on their own: a quote that opens a
   * value and one lines later that closes it, two inch marks, took them (genuine line breaks in
   * quotes leave lines that are no records alone: {@code 1,"line1} and {@code line2",2}).
   */
  long swallowedRecords;

  private final CSVFormat csv;
  /** The names of the header being read (trimmed): a column it lacks is null in its records. */
  private java.util.Set<String> headerNames = java.util.Set.of();
  /** The column each of the header's names is (see {@link #columnName}). */
  private List<String> headerColumns = List.of();
  /** Header columns without a name, left out of the spec: where, and the header with a name for each. */
  final Map<String, String> unnamed = new LinkedHashMap<>();
  /** Which cells of the record being read were quoted. */
  private final java.util.BitSet quoted = new java.util.BitSet();
  /** The last header whose names were checked: every record of a file carries the same one. */
  private List<String> checkedHeader;
  // As the job's validator reads a line; its numbers as written (1.50, 0.1000000000000000055511), as a
  // double would round them before they are typed.
  private final ObjectMapper json = JsonSyntax.lineReader().setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

  private Sample(SourceSpec source) {
    this.source = source;
    this.csv = CsvSyntax.of(source);
  }

  /** Reads up to {@code sampleRows} records, profiled or skipped, of the files {@code source} names. */
  static Sample read(SourceSpec source, long sampleRows) throws IOException {
    Sample s = new Sample(source);
    // No schema fields: each file's header is then kept whole in its records' layout.
    BoundedSource<SourceRecord> files = FileRecordSource.forFiles(source, List.of());
    try (BoundedSource.BoundedReader<SourceRecord> r = files.createReader(PipelineOptionsFactory.create())) {
      for (boolean more = r.start(); more && s.records + s.skippedCount() < sampleRows; more = r.advance()) {
        s.add(r.getCurrent());
      }
    }
    return s;
  }

  private void add(SourceRecord record) {
    String file = record.file().substring(record.file().lastIndexOf('/') + 1);
    String where = record.origin().substring(record.file().length() - file.length()); // in.csv@byte 120, in.csv:line 7
    if (record.unreadable() != null) {
      skip("unreadable", where + ": " + record.unreadable());
    } else if (record.overLength() > 0) {
      skip("too long", where);
    } else if (record.badEncoding()) {
      skip("undecodable", where);
    } else if (record.text().isBlank()) {
      skip("blank", where);
    } else if (source.format() == SourceSpec.Format.CSV) {
      addCsv(record.text(), record.layout() == null || record.layout().isIdentity() ? null : record.layout(), file, where);
    } else {
      addJson(record.text(), where);
    }
  }

  private void addCsv(String text, ColumnLayout layout, String file, String where) {
    if (layout != null && layout.headerProblem() != null) {
      skip("unreadable", where + ": " + layout.headerProblem());
      return;
    }
    if (layout != null && layout.header() != checkedHeader) {
      checkNames(layout.header(), file);
      checkedHeader = layout.header();
      List<String> names = new ArrayList<>();
      checkedHeader.forEach(n -> names.add(dev.beametl.record.WhiteSpace.strip(n)));
      headerColumns = new ArrayList<>();
      for (String n : names) {
        headerColumns.add(n.isEmpty() ? n : columnName(n, names));
      }
      headerNames = new java.util.HashSet<>(headerColumns);
    }
    List<String> cells = cells(text, where);
    if (cells == null) {
      if (CsvSyntax.openAfter(text, false, source.delimiter(), source.quote(), source.trim())) {
        openQuotes++;
      }
      return;
    }
    List<String> header = layout == null ? null : layout.header();
    if (header == null) {
      for (int i = columns.size(); i < cells.size(); i++) {
        columns.put("column_" + (i + 1), new ColumnProfile("column_" + (i + 1)));
      }
    }
    int width = header == null ? columns.size() : header.size();
    if (cells.size() != width) {
      skip("with the wrong column count", where + ": " + cells.size() + " columns where the "
          + (header == null ? "widest record has " : "header has ") + width);
      return;
    }
    records++;
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      spanningLines++;
      swallowedRecords += recordsAmongLines(text, width);
    }
    quoted.clear();
    if (text.indexOf(source.quote()) >= 0) {
      CsvSyntax.quotedCells(text, source.delimiter(), source.quote(), source.trim(), quoted);
    }
    for (int i = 0; i < cells.size(); i++) {
      String name = header == null ? "column_" + (i + 1) : headerColumns.get(i); // as the job matches a header
      if (name.isEmpty()) {
        continue; // no field can name it: the job ignores such a column (see checkNames)
      }
      ColumnProfile column = column(name);
      if (!quoted.get(i)) {
        add(column, dev.beametl.record.WhiteSpace.strip(cells.get(i)));
      } else if (source.nullValues().contains(cells.get(i))) { // as the validator reads a quoted cell: its exact text
        column.addQuotedMarker(cells.get(i));
      } else {
        column.add(cells.get(i));
      }
    }
    if (header != null && columns.size() > headerNames.size()) { // another file's header had more columns
      columns.values().stream().filter(c -> !headerNames.contains(c.name())).forEach(ColumnProfile::addNull);
    }
  }

  /**
   * The column a header name or JSON key is: its own, or one seen before under the same name in
   * another case when this record spells it no other way. The job finds a field's column by its
   * name exactly, else ignoring case, so one field reads both (a trial: {@code ID} in one file and
   * {@code id} in the next made two fields, each null in half the rows); a file with both {@code id}
   * and {@code ID} keeps two.
   */
  private String columnName(String name, List<String> namesOfRecord) {
    if (columns.containsKey(name)) {
      return name;
    }
    String seen = null;
    for (String c : columns.keySet()) {
      if (c.equalsIgnoreCase(name)) {
        if (seen != null) {
          return name;
        }
        seen = c;
      }
    }
    if (seen == null) {
      return name;
    }
    for (String other : namesOfRecord) {
      if (!other.equals(name) && other.equalsIgnoreCase(seen)) {
        return name; // this record spells it another way as well: two columns
      }
    }
    return seen;
  }

  /**
   * The column named {@code name}. One first seen now was missing from every record before this one
   * (an earlier file's header, an earlier JSON line lacked it), which the job reads as null there.
   */
  private ColumnProfile column(String name) {
    return columns.computeIfAbsent(name, n -> {
      ColumnProfile c = new ColumnProfile(n);
      c.addNulls(records - 1);
      return c;
    });
  }

  /**
   * The job finds a CSV column by its header name (trimmed). A column without one (a trailing
   * delimiter, a spreadsheet's index column) no field can name, and the job ignores it: it is left
   * out, and said so ({@link #unnamed}). A name given twice is ambiguous to the job, which then reads
   * neither column: that fails, before anything is written.
   */
  private void checkNames(List<String> header, String file) {
    String shown = String.join(String.valueOf(source.delimiter()), header);
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < header.size(); i++) {
      String name = dev.beametl.record.WhiteSpace.strip(header.get(i));
      if (name.isEmpty()) {
        unnamed.putIfAbsent(file + " column " + (i + 1), withNames(header));
        continue;
      }
      Integer before = seen.putIfAbsent(name, i);
      if (before != null) {
        throw new SpecException(file + ": columns " + (before + 1) + " and " + (i + 1) + " of the header (" + shown
            + ") are both named \"" + name + "\", and the job finds a CSV file's columns by their header names, so it "
            + "can read neither: rename one in the header line and profile again; no spec written");
      }
    }
  }

  /** The header with a name for each column that has none: column_2 for the second. */
  private String withNames(List<String> header) {
    List<String> named = new ArrayList<>();
    for (int i = 0; i < header.size(); i++) {
      named.add(header.get(i).isBlank() ? "column_" + (i + 1) : header.get(i));
    }
    return String.join(String.valueOf(source.delimiter()), named);
  }

  /** The record's cells as the job's validator reads them, or null (skipped) when it would refuse the record. */
  private List<String> cells(String text, String where) {
    if (CsvSyntax.strayQuote(text, source.delimiter(), source.quote(), source.trim()) >= 0) {
      skip("malformed", where + ": a quote inside a value that does not start with one");
      return null;
    }
    try {
      return CsvSyntax.parseRecord(csv, text);
    } catch (IOException | IllegalStateException e) {
      skip("malformed", where + ": " + e.getMessage());
      return null;
    }
  }

  /** How many of a multi-line record's lines are well-formed records of {@code width} columns alone. */
  private long recordsAmongLines(String text, int width) {
    long n = 0;
    for (String line : text.split("\r\n|\r|\n")) {
      try {
        boolean record = CsvSyntax.strayQuote(line, source.delimiter(), source.quote(), source.trim()) < 0
            && CsvSyntax.parseRecord(csv, line).size() == width;
        n += record ? 1 : 0;
      } catch (IOException | IllegalStateException e) {
        // not a record alone: a line of a value that holds line breaks
      }
    }
    return n;
  }

  private void addJson(String line, String where) {
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
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    Map<String, String> keyOf = new java.util.HashMap<>();
    boolean numbers = false;
    for (String key : keys) {
      keyOf.putIfAbsent(column(columnName(key, keys)).name(), key);
      numbers |= node.get(key).isNumber();
    }
    Map<String, String> written = numbers ? numbersAsWritten(line) : Map.of();
    for (ColumnProfile c : columns.values()) {
      String key = keyOf.get(c.name());
      JsonNode v = key == null ? null : node.get(key);
      if (v != null && v.isContainerNode()) {
        c.addNested();
      } else if (v == null || v.isNull()) {
        c.addNull();
      } else { // no null markers in JSON: the job reads "" and "NA" as text (a type error in a number field)
        c.add(v.isNumber() ? written.get(key) : v.asText());
      }
    }
  }

  /**
   * The line's top-level numbers as written, by key: what a text field takes, and digits a number
   * type reads exactly. The tree's asText() is BigDecimal.toString, 1.23E-7 for 0.000000123: no
   * decimal to profile, which typed the column double and the job rounded it (a hostile trial).
   */
  private Map<String, String> numbersAsWritten(String line) {
    Map<String, String> written = new java.util.HashMap<>();
    try (JsonParser p = json.getFactory().createParser(line)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        if (p.nextToken().isNumeric()) {
          written.put(key, p.getText());
        }
        p.skipChildren();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // the tree read this line: it parses
    }
    return written;
  }

  /** An unquoted CSV cell: null when it is a null marker, as the job reads it. */
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

  long skippedCount() {
    return skipped.values().stream().mapToLong(Long::longValue).sum();
  }

  /** "1 blank, 3 malformed (first at in.csv:line 7: ...)": how many of each, and where to look. */
  String skippedText() {
    List<String> parts = new ArrayList<>();
    skipped.forEach((why, n) -> parts.add(String.format(Locale.ROOT, "%,d %s (first at %s)", n, why,
        firstSkipped.get(why))));
    return String.join(", ", parts);
  }
}
