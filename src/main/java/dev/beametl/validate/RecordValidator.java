package dev.beametl.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.beametl.record.BadRecord;
import dev.beametl.record.BinaryFloat;
import dev.beametl.record.ColumnLayout;
import dev.beametl.record.ColumnMatch;
import dev.beametl.record.CsvSyntax;
import dev.beametl.record.Origins;
import dev.beametl.record.SourceRecord;
import dev.beametl.record.WhiteSpace;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.SourceSpec;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.commons.csv.CSVFormat;

/**
 * Checks one record against the declared schema: either a typed {@link Row} or a {@link BadRecord}
 * naming the first field that failed and why. Plain Java, so it is tested without a pipeline.
 */
public final class RecordValidator implements Serializable {
  static final String STAGE = "validate";
  /** A record over source.maxRecordBytes is kept in the dead letters by its start only. */
  static final int KEPT_OF_TOO_LONG = 1000;

  private final SourceSpec source;
  private final List<FieldSpec> fields;
  /** The fields' source names, in their order: what a record's header must have been matched against. */
  private final List<String> sourceNames;
  private final Schema schema;
  private final ValueParser[] parsers;
  private final Set<String> nullValues;
  /**
   * Per field, the null markers its values list declares: there the value, not null (a trial's
   * nullValues [NA, ""] made the category value NA, North America, null).
   */
  private final List<Set<String>> declaredMarkers;
  /** Longer cells cannot be a null marker; the length test spares hashing every cell (JFR: 3.6%). */
  private final int longestNullValue;
  /** Whether valid rows end with the record's origin ({@link Origins#FIELD}). */
  private final boolean origins;
  private transient CSVFormat csv;
  /** Which cells of the record being read were quoted (filled by splitQuoted). */
  private transient java.util.BitSet quotedCells;
  private transient ObjectMapper json;
  private transient JsonCells jsonCells;
  private transient JsonCells valuesCells;
  /** Only for JsonCellsTest: every JSON line read by the tree, the reading JsonCells is held to. */
  private final boolean jsonTreeOnly;
  /** The last layout found to fit these fields: a file's records share one. */
  private transient @Nullable ColumnLayout lastMatched;
  private transient ValueParser[] isoParsers;
  /** Makes each valid record's row; attachValues leaves a builder empty, so one serves every row. */
  private transient Row.Builder rows;
  /** Per field, the other fields' source names that differ from its own in case only (usually none). */
  private transient List<java.util.Set<String>> caseVariants;

  int fieldCount() {
    return fields.size();
  }

  String fieldName(int field) {
    return fields.get(field).name();
  }

  public RecordValidator(SourceSpec source, List<FieldSpec> fields, boolean encodeCategories) {
    this(source, fields, encodeCategories, false);
  }

  /** With {@code origins}, valid rows end with a field {@link Origins#FIELD}: where the record came from. */
  public RecordValidator(SourceSpec source, List<FieldSpec> fields, boolean encodeCategories, boolean origins) {
    this(source, fields, encodeCategories, origins, false);
  }

  RecordValidator(SourceSpec source, List<FieldSpec> fields, boolean encodeCategories, boolean origins,
      boolean jsonTreeOnly) {
    this.jsonTreeOnly = jsonTreeOnly;
    this.source = source;
    this.fields = List.copyOf(fields);
    this.sourceNames = fields.stream().map(FieldSpec::sourceName).collect(java.util.stream.Collectors.toUnmodifiableList());
    this.origins = origins;
    this.schema = origins ? Origins.withOrigin(BeamTypes.inputSchema(fields, encodeCategories))
        : BeamTypes.inputSchema(fields, encodeCategories);
    this.parsers = new ValueParser[fields.size()];
    for (int i = 0; i < parsers.length; i++) {
      parsers[i] = ValueParser.forField(fields.get(i), encodeCategories);
    }
    this.nullValues = new HashSet<>(source.nullValues());
    this.longestNullValue = source.nullValues().stream().mapToInt(String::length).max().orElse(-1);
    this.declaredMarkers = new ArrayList<>();
    for (FieldSpec field : fields) {
      Set<String> declared = new HashSet<>(field.values() == null ? List.of() : field.values());
      declared.retainAll(nullValues);
      declaredMarkers.add(declared);
    }
  }

  public Schema schema() {
    return schema;
  }

  /** The outcome for one record: exactly one of row and bad is set. */
  public static final class Outcome {
    public final Row row;
    public final BadRecord bad;

    private Outcome(Row row, BadRecord bad) {
      this.row = row;
      this.bad = bad;
    }
  }

  public Outcome validate(SourceRecord record) {
    try {
      List<Object> values = values(record);
      if (origins) {
        values.add(record.position());
      }
      if (rows == null) {
        rows = Row.withSchema(schema);
      }
      return new Outcome(rows.attachValues(values), null);
    } catch (InvalidField e) {
      String payload = record.text();
      if (record.overLength() > 0 && payload.length() > KEPT_OF_TOO_LONG) {
        // not between the two halves of a character beyond U+FFFF (an emoji): half of one failed the
        // run's report after the run, exit 1 (a trial)
        payload = payload.substring(0, Character.isHighSurrogate(payload.charAt(KEPT_OF_TOO_LONG - 1))
            ? KEPT_OF_TOO_LONG - 1 : KEPT_OF_TOO_LONG);
      }
      BadRecord bad = BadRecord.of(record.origin(), STAGE, e.field, e.kind, e.getMessage(), payload);
      return new Outcome(null, replayable(bad, record));
    }
  }

  /**
   * How a replay reads the record again: a whole CSV record with the columns it was read with, or a
   * JSON object. A record cut at maxRecordBytes, an unreadable rest of a file, or a CSV record whose
   * file's header could not be matched is not replayable.
   */
  private BadRecord replayable(BadRecord bad, SourceRecord record) {
    if (record.overLength() > 0 || record.unreadable() != null) {
      return bad;
    }
    if (record.textFormat() == SourceRecord.Text.VALUES) {
      return bad.replayableAs(BadRecord.PayloadFormat.VALUES, null);
    }
    if (record.textFormat() == SourceRecord.Text.JSON || source.format() != SourceSpec.Format.CSV) {
      return bad.replayableAs(BadRecord.PayloadFormat.JSON, null);
    }
    ColumnLayout layout = matched(record.layout());
    if (layout != null && layout.headerProblem() != null) {
      return bad;
    }
    if (layout != null) {
      return bad.replayableAs(BadRecord.PayloadFormat.CSV, layout.header()); // the file's own, whole
    }
    if (!source.header()) {
      // No header: no columns, and a replay reads the cells by position as the spec then in force
      // does. Named after this spec's fields, a replay after two fields were swapped back in the spec
      // put each cell under its old name (a trial).
      return bad.replayableAs(BadRecord.PayloadFormat.CSV, List.of());
    }
    // A header that is exactly the schema: the fields' columns, as a replay matches its header.
    List<String> columns = new ArrayList<>();
    for (FieldSpec field : fields) {
      columns.add(field.sourceName());
    }
    return bad.replayableAs(BadRecord.PayloadFormat.CSV, columns);
  }

  private List<Object> values(SourceRecord record) throws InvalidField {
    if (record.unreadable() != null) {
      throw new InvalidField(null, BadRecord.Kind.UNREADABLE, record.unreadable());
    }
    String text = record.text();
    if (record.overLength() > 0) {
      // Read in byte ranges a record's bytes are counted; read whole (compressed, multi-line) its
      // characters up to the limit, then its bytes: either way more bytes than the limit.
      // (The hint looks at the characters kept: a CR only beyond them goes unremarked.)
      throw new InvalidField(null, BadRecord.Kind.TOO_LONG, (record.offset() >= 0 ? String.format(Locale.ROOT,
          "a record of %,d bytes, more than source.maxRecordBytes %,d; its first %,d characters are kept here",
          record.overLength(), source.maxRecordBytes(), KEPT_OF_TOO_LONG) : String.format(Locale.ROOT,
          "a record of more bytes than source.maxRecordBytes %,d; its first %,d characters are kept here",
          source.maxRecordBytes(), KEPT_OF_TOO_LONG)) + loneCrHint(text));
    }
    if (record.badEncoding()) {
      throw new InvalidField(null, BadRecord.Kind.BAD_ENCODING,
          "bytes that are not valid " + source.charset() + " (shown as \uFFFD)");
    }
    if (text.isBlank()) {
      throw new InvalidField(null, BadRecord.Kind.BLANK_LINE, "blank line");
    }
    return source.format() == SourceSpec.Format.CSV && record.textFormat() == SourceRecord.Text.SOURCE
        ? fromCsv(record) : fromJson(text, record.textFormat() == SourceRecord.Text.VALUES,
            (source.format() == SourceSpec.Format.PARQUET || source.format() == SourceSpec.Format.JDBC)
                && record.textFormat() != SourceRecord.Text.VALUES);
  }

  /**
   * For a JSON-lines record with a CR in it, why it may be several records in one: a lone CR is
   * whitespace in JSON, and only LF ends a line there (a file of old-Mac line ends is one record).
   */
  private String loneCrHint(String text) {
    return source.format() == SourceSpec.Format.JSONL && text.indexOf('\r') >= 0
        ? " (its lines end in a lone CR? JSON lines end only at LF or CRLF; convert the file's line ends)" : "";
  }

  /**
   * A record's layout as this validator reads it: null for none or an identity, after checking
   * that its header was matched against these fields in this order. Extract and Validate given the
   * same fields in two orders (Java callers) put values in each other's columns, without an error.
   */
  private @Nullable ColumnLayout matched(@Nullable ColumnLayout layout) {
    if (layout == null) {
      return null;
    }
    if (layout != lastMatched && layout.fields() != null) {
      if (!layout.fields().equals(sourceNames)) {
        throw new IllegalArgumentException("the records' header was matched against the fields " + layout.fields()
            + ", and Validate checks " + sourceNames + ": give Extract and Validate the same fields in the same order"
            + " (Extract.from(source).withSchema(fields), Validate.against(source, fields))");
      }
      lastMatched = layout;
    }
    return layout.isIdentity() ? null : layout;
  }

  private List<Object> fromCsv(SourceRecord record) throws InvalidField {
    ColumnLayout layout = matched(record.layout());
    if (layout != null && layout.headerProblem() != null) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "this file's records cannot be matched to the "
          + "schema: " + layout.headerProblem());
    }
    String text = record.text();
    boolean quoted = text.indexOf(source.quote()) >= 0;
    // Unquoted, a record's cells are ranges of its text, parsed where they lie; the CSV parser's
    // cells are strings of their own. Substrings for every cell were a quarter of the bytes allocated.
    int expected = layout == null ? fields.size() : layout.width();
    List<String> columns = quoted ? splitQuoted(text) : null;
    int[] ends = quoted ? null : cellEnds(text, Math.max(expected, 1));
    int width = quoted ? columns.size() : ends.length;
    if (width != expected) {
      throw new InvalidField(null, BadRecord.Kind.COLUMN_COUNT,
          width + " columns, " + (layout == null ? "schema has " : "header has ") + expected);
    }
    List<Object> values = new ArrayList<>(fields.size() + 1); // + the origin: no regrowing per row
    for (int i = 0; i < parsers.length; i++) {
      int column = layout == null ? i : layout.columnOf(i);
      String name = fields.get(i).name();
      if (column == ColumnLayout.CASE_AMBIGUOUS) {
        throw new InvalidField(name, BadRecord.Kind.MISSING_COLUMN, name + ": the header's column for it matches "
            + "another field's name as well, ignoring case; name its column exactly");
      }
      if (column == ColumnLayout.AMBIGUOUS) {
        throw new InvalidField(name, BadRecord.Kind.MISSING_COLUMN, name + ": the header names this column twice");
      }
      if (column == ColumnLayout.MISSING) {
        if (!fields.get(i).nullable()) {
          throw new InvalidField(name, BadRecord.Kind.MISSING_COLUMN, name + ": no "
              + (fields.get(i).column() == null ? "such column" : "column \"" + fields.get(i).column() + "\"")
              + " in the header");
        }
        values.add(null);
      } else if (quoted) { // the CSV parser trimmed unquoted values itself, when asked
        String cell = columns.get(column);
        // A quoted string is exactly its text, never a null marker: "" is an empty string, as the
        // CSV sink writes one and DuckDB reads it (read back here, it was null). So is a quoted
        // category, declared or not: a quoted "" or "NA" the field does not list is not_allowed,
        // as in a string field with values, not a null counted valid.
        boolean exact = quotedCells.get(column) && isText(fields.get(i));
        if (exact) {
          values.add(value(i, cell));
        } else if (source.trim() && !quotedCells.get(column)) { // the parser drops only what isWhitespace calls white space
          int from = WhiteSpace.skipFrom(cell, 0, cell.length());
          values.add(cell(i, cell, from, WhiteSpace.skipBack(cell, from, cell.length())));
        } else {
          values.add(cell(i, cell, 0, cell.length()));
        }
      } else {
        int from = column == 0 ? 0 : ends[column - 1] + 1;
        int to = ends[column];
        if (source.trim()) {
          from = WhiteSpace.skipFrom(text, from, to);
          to = WhiteSpace.skipBack(text, from, to);
        }
        values.add(cell(i, text, from, to));
      }
    }
    return values;
  }

  /** Whether a field's values are text: a string's or a category's. */
  private static boolean isText(FieldSpec field) {
    return field.type().kind() == FieldType.Kind.STRING || field.type().kind() == FieldType.Kind.CATEGORY;
  }

  /** The value of field {@code i} from {@code text[from, to)}: a null marker, or parsed in place. */
  private Object cell(int i, String text, int from, int to) throws InvalidField {
    if (to - from <= longestNullValue) { // longer cells cannot be a null marker: no hashing of every cell
      String cell = text.substring(from, to);
      return value(i, nullValues.contains(cell) && !declaredMarkers.get(i).contains(cell) ? null : cell);
    }
    try {
      return parsers[i].parse(text, from, to);
    } catch (InvalidValue e) {
      FieldSpec field = fields.get(i);
      throw new InvalidField(field.name(), e.kind(), field.name() + ": " + e.getMessage());
    }
  }

  /** Where each cell of an unquoted record ends: the delimiters' positions, then the text's length. */
  private int[] cellEnds(String text, int expected) {
    char delimiter = source.delimiter();
    int[] ends = new int[expected];
    int k = 0;
    for (int i = text.indexOf(delimiter); i >= 0; i = text.indexOf(delimiter, i + 1)) {
      if (k == ends.length - 1) {
        ends = java.util.Arrays.copyOf(ends, ends.length * 2 + 1); // more columns than expected: a bad record
      }
      ends[k++] = i;
    }
    if (k == ends.length) {
      ends = java.util.Arrays.copyOf(ends, k + 1);
    }
    ends[k++] = text.length();
    return k == ends.length ? ends : java.util.Arrays.copyOf(ends, k);
  }

  private List<String> splitQuoted(String text) throws InvalidField {
    if (quotedCells == null) {
      quotedCells = new java.util.BitSet();
    }
    quotedCells.clear();
    List<String> simple =
        CsvSyntax.wholeCellQuotes(text, source.delimiter(), source.quote(), source.trim(), quotedCells);
    if (simple != null) {
      return simple;
    }
    int stray = CsvSyntax.strayQuote(text, source.delimiter(), source.quote(), source.trim());
    if (stray >= 0) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "a quote inside a value that does not start with one, "
          + "at character " + (text.codePointCount(0, stray) + 1) + ": quote the whole value and double the quote, "
          + (source.multiline() ? "" : "set csv.multiline: true if quoted values hold line breaks, ")
          + "or set csv.quote to a character the data does not use");
    }
    if (csv == null) {
      csv = CsvSyntax.of(source);
    }
    try {
      List<String> cells = CsvSyntax.parseRecord(csv, text);
      CsvSyntax.quotedCells(text, source.delimiter(), source.quote(), source.trim(), quotedCells);
      return cells;
    } catch (IOException | IllegalStateException e) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "not a well-formed CSV record: " + e.getMessage()
          + (source.multiline() || !e.getMessage().contains("EOF") ? ""
              : " (if quoted values hold line breaks, set csv.multiline: true)"));
    }
  }

  /**
   * The fields of a JSON object; {@code isoTimes}: dates and timestamps in ISO-8601, not the field's
   * format; {@code binaryFloats}: a Parquet row (or its dead letter replayed), whose numbers with a
   * fraction or exponent are the file's doubles and floats as {@link dev.beametl.record.BinaryFloat}
   * writes them, and are read as the binary values they are.
   */
  private List<Object> fromJson(String text, boolean isoTimes, boolean binaryFloats) throws InvalidField {
    if (json == null) {
      json = dev.beametl.record.JsonSyntax.lineReader();
    }
    // The source's objects have the source's names; a row's values (a replayed dead letter), the fields'.
    JsonCells cells = isoTimes ? valuesCells : jsonCells;
    if (cells == null) {
      cells = new JsonCells(json, fields.stream().map(f -> isoTimes ? f.name() : f.sourceName())
          .collect(java.util.stream.Collectors.toList()),
          fields.stream().map(f -> f.type().kind()).collect(java.util.stream.Collectors.toList()));
      if (isoTimes) {
        valuesCells = cells;
      } else {
        jsonCells = cells;
      }
    }
    if (!jsonTreeOnly && cells.read(text, binaryFloats)) {
      List<Object> values = new ArrayList<>(fields.size() + 1);
      for (int i = 0; i < parsers.length; i++) {
        values.add(cells.binary[i] ? binaryValue(i, cells.cells[i])
            : jsonValue(i, cells.cells[i], cells.textual[i], isoTimes));
      }
      return values;
    }
    JsonNode node;
    try {
      node = json.readTree(text);
    } catch (MismatchedInputException e) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, e.getOriginalMessage().startsWith("Trailing token")
          ? "more than one JSON value on the line" + loneCrHint(text) : "not valid JSON: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "not valid JSON: " + e.getOriginalMessage());
    } catch (NumberFormatException | ArithmeticException e) { // 1e-9999999999: valid JSON, no number Java holds
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "a number that cannot be read (" + e.getMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new InvalidField(null, BadRecord.Kind.MALFORMED, "not a JSON object");
    }
    List<Object> values = new ArrayList<>(fields.size() + 1);
    for (int i = 0; i < parsers.length; i++) {
      String name = fields.get(i).name();
      String key = isoTimes ? name : sourceKey(node, i);
      JsonNode v = key == null ? null : node.get(key);
      String cell;
      FieldType.Kind kind = fields.get(i).type().kind();
      // A file's double or float, as the job wrote it, into a decimal: its binary value (as JsonCells reads it)
      String binary = binaryFloats && kind == FieldType.Kind.DECIMAL && v != null && v.isNumber()
          && !v.isIntegralNumber() ? JsonCells.numberAsWritten(json, text, key) : null;
      if (v == null || v.isNull()) {
        cell = null;
      } else if (v.isContainerNode()) {
        throw new InvalidField(name, BadRecord.Kind.TYPE, name + ": a JSON " + v.getNodeType().name().toLowerCase()
            + " where a single " + fields.get(i).type() + " was expected");
      } else if (binary != null && BinaryFloat.isCanonical(binary)) {
        values.add(binaryValue(i, binary));
        continue;
      } else if (v.isNumber() && (JsonCells.numbersAsWritten(kind)
          || JsonCells.fractionsAsWritten(kind) && !v.isIntegralNumber()
          || v.isDouble() && !Double.isFinite(v.doubleValue()))) {
        // As JsonCells does: a text field takes 1.50 as 1.50, an integer field refuses 19.0 as written,
        // a double keeps -0.0, and a number beyond a double (the tree's Infinity) is out of range as written
        cell = JsonCells.numberAsWritten(json, text, key);
        if (binaryFloats && !v.isIntegralNumber()) {
          cell = cells.binaryAsWritten(i, cell);
        }
      } else if (v.isBigDecimal()) {
        // As written: 1e3 stays an exponent, so a long refuses it here as it does in CSV.
        cell = v.decimalValue().toString();
      } else {
        cell = v.asText();
      }
      values.add(jsonValue(i, cell, v != null && v.isTextual(), isoTimes));
    }
    return values;
  }

  /**
   * The key of field {@code i} in a source's JSON object (a JSON line, a Parquet or database row),
   * found as a CSV header's column is ({@link ColumnMatch}): its name, else the one key that differs
   * in case only (Parquet's {@code ID} for {@code id}; a nullable field was null in every row); null
   * when there is none. Two such keys are an error, and so is one that another field's name matches
   * only ignoring case as well. The keys are listed only when the name is not one of them.
   */
  private String sourceKey(JsonNode node, int i) throws InvalidField {
    FieldSpec field = fields.get(i);
    String name = field.sourceName();
    if (node.has(name)) {
      return name;
    }
    if (caseVariants == null) {
      caseVariants = ColumnMatch.caseVariants(fields.stream().map(FieldSpec::sourceName)
          .collect(java.util.stream.Collectors.toList()));
    }
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    int key = ColumnMatch.find(keys, name, caseVariants.get(i));
    if (key == ColumnMatch.AMBIGUOUS) {
      List<String> both = ColumnMatch.caseMatches(keys, name, caseVariants.get(i));
      throw new InvalidField(field.name(), BadRecord.Kind.MALFORMED, field.name() + ": the keys \"" + both.get(0)
          + "\" and \"" + both.get(1) + "\" both name it, in other cases");
    }
    if (key == ColumnMatch.CASE_AMBIGUOUS) {
      throw new InvalidField(field.name(), BadRecord.Kind.MISSING_COLUMN, field.name() + ": the key \""
          + ColumnMatch.caseMatches(keys, name, caseVariants.get(i)).get(0) + "\" matches it and "
          + String.join(", ", caseVariants.get(i)) + " only ignoring case");
    }
    return key == ColumnMatch.MISSING ? null : keys.get(key);
  }

  /** A replayed row's value: a date or timestamp in ISO-8601, checked against the field's bounds. */
  private Object isoValue(int i, String cell) throws InvalidField {
    if (isoParsers == null) {
      isoParsers = new ValueParser[fields.size()];
      for (int k = 0; k < fields.size(); k++) {
        FieldSpec f = fields.get(k);
        boolean temporal = f.type().kind() == FieldType.Kind.DATE || f.type().kind() == FieldType.Kind.TIMESTAMP;
        isoParsers[k] = temporal && f.format() != null
            ? ValueParser.forField(f.toBuilder().setFormat(null).setZone(null).setMinText(null).setMaxText(null).build())
            : null;
      }
    }
    if (isoParsers[i] == null || cell == null) {
      return value(i, cell);
    }
    Object parsed = value(i, cell, isoParsers[i]);
    try {
      return parsers[i].checkBounds(parsed, cell);
    } catch (InvalidValue e) {
      throw new InvalidField(fields.get(i).name(), e.kind(), fields.get(i).name() + ": " + e.getMessage());
    }
  }

  /** Field i's value from a JSON line's text for it; {@code textual}: it was a JSON string. */
  private Object jsonValue(int i, String cell, boolean textual, boolean isoTimes) throws InvalidField {
    if (textual && hasLoneSurrogate(cell)) {
      String name = fields.get(i).name();
      throw new InvalidField(name, BadRecord.Kind.BAD_ENCODING, name + ": text with a lone surrogate ("
          + "an unpaired \\uD800-\\uDFFF escape), which cannot be written as UTF-8");
    }
    return isoTimes ? isoValue(i, cell) : value(i, cell);
  }

  /** Whether {@code s} holds half of a UTF-16 surrogate pair without the other half. */
  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** Field i's value from a file's binary floating-point number, its text as BinaryFloat wrote it. */
  private Object binaryValue(int i, String cell) throws InvalidField {
    try {
      return parsers[i].parseBinary(cell);
    } catch (InvalidValue e) {
      FieldSpec field = fields.get(i);
      throw new InvalidField(field.name(), e.kind(), field.name() + ": " + e.getMessage());
    }
  }

  private Object value(int i, String cell) throws InvalidField {
    return value(i, cell, parsers[i]);
  }

  private Object value(int i, String cell, ValueParser parser) throws InvalidField {
    FieldSpec field = fields.get(i);
    if (cell == null) {
      if (!field.nullable()) {
        throw new InvalidField(field.name(), BadRecord.Kind.MISSING_VALUE, field.name() + ": missing (required)");
      }
      return null;
    }
    try {
      return parser.parse(cell);
    } catch (InvalidValue e) {
      throw new InvalidField(field.name(), e.kind(), field.name() + ": " + e.getMessage());
    }
  }

  private static final class InvalidField extends Exception {
    final String field;
    final BadRecord.Kind kind;

    InvalidField(String field, BadRecord.Kind kind, String message) {
      super(message, null, false, false);
      this.field = field;
      this.kind = kind;
    }
  }
}
