package dev.beametl.spec;

import java.math.BigDecimal;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The {@code schema} section: the declared fields, their types and constraints. */
final class SchemaSection {
  private static final Set<String> KEYS =
      Set.of("name", "type", "nullable", "min", "max", "pattern", "values", "maxLength", "format", "zone", "ambiguous",
          "column");

  private SchemaSection() {}

  /** The fields of {@code source}'s records. */
  static List<FieldSpec> read(SpecNode node, Scope scope, SourceSpec source) {
    List<FieldSpec> fields = new ArrayList<>();
    Map<String, String> fieldOfColumn = new HashMap<>();
    for (SpecNode item : node.list()) {
      FieldSpec field = field(item, scope, source);
      scope.declare(item, field.name(), field.type(), Scope.Rename.SCHEMA);
      if (field.nullable()) {
        scope.nullable.add(field.name());
      }
      String other = fieldOfColumn.putIfAbsent(field.sourceName(), field.name());
      if (other != null) {
        throw item.error("the source's \"" + field.sourceName() + "\" is already read by field " + other
            + "; each source column is read by one field (derive a copy of it instead)");
      }
      fields.add(field);
    }
    if (fields.isEmpty()) {
      throw node.error("declare at least one field");
    }
    return List.copyOf(fields);
  }

  private static FieldSpec field(SpecNode node, Scope scope, SourceSpec source) {
    Map<String, SpecNode> m = node.mapping(KEYS);
    SpecNode nameNode = SpecNode.required(m, "name", node);
    if (!m.containsKey("column") && !SpecNode.isIdentifier(nameNode.nonEmptyString())) {
      throw nameNode.error("\"" + nameNode.nonEmptyString() + "\" is not a valid name; use ASCII letters, digits and "
          + "_ (no digit first), and name the source's column with column: {name: "
          + SpecNode.nameFor(nameNode.nonEmptyString()) + ", column: \"" + nameNode.nonEmptyString() + "\", ...}");
    }
    String name = nameNode.identifier();
    FieldType type = SpecNode.required(m, "type", node).fieldType();
    FieldType.Kind kind = type.kind();
    FieldSpec.Builder b = FieldSpec.builder(name, type);
    if (m.containsKey("column")) {
      SpecNode c = m.get("column");
      if (source.jdbc() != null) {
        throw c.error("a database source's columns are renamed in SQL: a query with SELECT \"unit price\" AS "
            + "unit_price, ... (column: is for files)");
      }
      if (source.format() == SourceSpec.Format.CSV && !source.header()) {
        throw c.error("this source has no header (csv.header: false), so its columns are in schema order and have "
            + "no names; drop column:, or read the header with csv.header: true");
      }
      b.setColumn(c.nonEmptyString()); // as written: a JSON key or Parquet column may have spaces
    }
    if (m.containsKey("nullable")) {
      b.setNullable(m.get("nullable").bool());
    }
    boolean temporal = kind == FieldType.Kind.DATE || kind == FieldType.Kind.TIMESTAMP;
    if (m.containsKey("format")) {
      SpecNode f = m.get("format").onlyFor(temporal, "date and timestamp fields");
      try {
        DatePatterns.formatter(f.string());
      } catch (IllegalArgumentException e) {
        throw f.error("not a date-time pattern (" + e.getMessage() + "); e.g. yyyy-MM-dd");
      }
      String zoneName = WallClock.zoneNameProblem(f.string());
      if (zoneName != null) {
        throw f.error(zoneName);
      }
      b.setFormat(f.string());
    }
    if (m.containsKey("zone")) {
      SpecNode z = m.get("zone").onlyFor(kind == FieldType.Kind.TIMESTAMP, "timestamp fields");
      try {
        ZoneId.of(z.string().trim());
      } catch (RuntimeException e) {
        throw z.error("unknown time zone \"" + z.string() + "\"; e.g. UTC, Europe/Paris, +02:00");
      }
      b.setZone(z.string().trim());
    }
    if (m.containsKey("ambiguous")) {
      SpecNode a = m.get("ambiguous").onlyFor(kind == FieldType.Kind.TIMESTAMP, "timestamp fields");
      String v = a.string().trim();
      if (v.equals("deadLetter")) {
        b.setAmbiguous(WallClock.Ambiguous.DEAD_LETTER);
      } else if (v.equals("earlier")) {
        b.setAmbiguous(WallClock.Ambiguous.EARLIER);
      } else if (v.equals("later")) {
        b.setAmbiguous(WallClock.Ambiguous.LATER);
      } else {
        throw a.error("\"" + v + "\" is not allowed; use deadLetter, earlier or later");
      }
    }
    for (String bound : List.of("min", "max")) {
      if (!m.containsKey(bound)) {
        continue;
      }
      SpecNode v = m.get(bound).onlyFor(kind.isNumeric() || temporal, "numeric, date and timestamp fields");
      if (temporal) {
        String text = v.string().trim();
        FieldSpec probe = b.build();
        String problem = scope.checks.valueProblem(probe, text);
        if (problem != null) { // the value's own reason: a time the zone passes twice is in the format (a trial)
          throw v.error(problem);
        }
        if (bound.equals("min")) {
          b.setMinText(text);
        } else {
          b.setMaxText(text);
        }
      } else if (bound.equals("min")) {
        b.setMin(numericBound(v, kind));
      } else {
        b.setMax(numericBound(v, kind));
      }
    }
    if (m.containsKey("pattern")) {
      SpecNode p = m.get("pattern").onlyFor(kind == FieldType.Kind.STRING, "string fields");
      try {
        Pattern.compile(p.string());
      } catch (PatternSyntaxException e) {
        throw p.error("not a regular expression: " + e.getDescription());
      }
      b.setPattern(p.string());
    }
    if (m.containsKey("maxLength")) {
      b.setMaxLength(m.get("maxLength").onlyFor(kind == FieldType.Kind.STRING, "string fields")
          .integer(1, Integer.MAX_VALUE));
    }
    if (m.containsKey("values")) {
      SpecNode v = m.get("values").onlyFor(kind == FieldType.Kind.STRING || kind == FieldType.Kind.CATEGORY,
          "string and category fields");
      List<String> values = v.stringList();
      if (values.isEmpty() || new HashSet<>(values).size() != values.size()) {
        throw v.error("list at least one value, each once");
      }
      b.setValues(List.copyOf(values));
    } else if (kind == FieldType.Kind.CATEGORY) {
      throw node.error("a category field needs values: [its allowed values]");
    }
    FieldSpec field = b.build();
    if (field.min() != null && field.max() != null && field.min().compareTo(field.max()) > 0) {
      throw m.get("min").error("min is greater than max");
    }
    return field;
  }
  private static final BigDecimal LONG_MIN = BigDecimal.valueOf(Long.MIN_VALUE);
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);

  /**
   * A number's bound, within what its type holds: an int or long bound beyond a long wrapped round to
   * its low 64 bits (a trial's min 2^64 let everything pass, max 2^64 + 5 was 5), a double's became
   * infinite, and an exponent of a billion failed the run where it was compared (exit 1).
   */
  private static BigDecimal numericBound(SpecNode v, FieldType.Kind kind) {
    BigDecimal d = v.decimal();
    if (Math.abs((long) d.precision() - d.scale()) > 400 || Math.abs((long) d.scale()) > 400) {
      throw v.error(d + " is beyond any number a field holds; give a bound of at most 400 digits");
    }
    if ((kind == FieldType.Kind.INT || kind == FieldType.Kind.LONG)
        && (d.compareTo(LONG_MIN) < 0 || d.compareTo(LONG_MAX) > 0)) {
      throw v.error(d.toPlainString() + " is beyond a long (" + LONG_MIN + " to " + LONG_MAX + "); leave the bound out");
    }
    if (kind == FieldType.Kind.DOUBLE && Double.isInfinite(d.doubleValue())) {
      throw v.error(d + " is beyond a double; leave the bound out");
    }
    return d;
  }

}
