package dev.beametl.spec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code lookups} section: reference tables joined to the rows by key. Each is read after the
 * schema and before the derived fields, so what it adds can be used by everything after it.
 */
final class LookupSection {
  private static final Set<String> KEYS = Set.of("name", "source", "schema", "key", "on", "fields", "onMissing",
      "onDuplicate", "maxRows", "maxBytes", "allowEmpty");
  private static final Set<String> FIELD_KEYS = Set.of("name", "as");

  private LookupSection() {}

  static List<LookupSpec> read(SpecNode node, Scope scope) {
    List<LookupSpec> lookups = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (SpecNode item : node.list()) {
      LookupSpec lookup = lookup(item, scope);
      if (!names.add(lookup.name())) {
        throw item.error("a second lookup named \"" + lookup.name() + "\"; give each its own name");
      }
      lookups.add(lookup);
    }
    return List.copyOf(lookups);
  }

  private static LookupSpec lookup(SpecNode node, Scope scope) {
    Map<String, SpecNode> m = node.mapping(KEYS);
    LookupSpec.Builder b = LookupSpec.builder();
    String name = SpecNode.required(m, "name", node).identifier();
    b.setName(name);
    SourceSpec source = SourceSection.read(SpecNode.required(m, "source", node));
    SpecNode incremental = SourceSection.incrementalNode(m.get("source"));
    if (incremental != null) {
      throw incremental.error("a lookup reads its whole reference table every run; remove incremental");
    }
    b.setSource(source);
    Scope reference = new Scope(scope.checks);
    List<FieldSpec> schema = SchemaSection.read(SpecNode.required(m, "schema", node), reference, source);
    b.setSchema(schema);

    SpecNode keyNode = SpecNode.required(m, "key", node);
    SpecNode onNode = SpecNode.required(m, "on", node);
    List<String> key = names(keyNode);
    List<String> on = names(onNode);
    if (key.size() != on.size()) {
      throw onNode.error("names " + on.size() + " field(s) for a key of " + key.size() + "; match each key field");
    }
    for (int i = 0; i < key.size(); i++) {
      String keyName = key.get(i);
      FieldSpec k = schema.stream().filter(f -> f.name().equals(keyName)).findFirst().orElse(null);
      if (k == null) {
        throw keyNode.error("\"" + key.get(i) + "\" is not a field of this lookup's schema; declared: "
            + String.join(", ", reference.fields.keySet()));
      }
      if (k.nullable()) {
        throw keyNode.error("key field \"" + k.name() + "\" is nullable; a key must be present (declare it without "
            + "nullable: true, and rows without it go to the dead letters)");
      }
      FieldType rowType = scope.known(onNode, on.get(i));
      String problem = keyMismatch(k.type(), rowType);
      if (problem != null) {
        throw onNode.error("\"" + on.get(i) + "\" (" + rowType + ") cannot match key \"" + k.name() + "\" ("
            + k.type() + "): " + problem);
      }
    }
    b.setKey(key).setOn(on);

    List<LookupSpec.AddedField> added = new ArrayList<>();
    SpecNode fieldsNode = SpecNode.required(m, "fields", node);
    for (SpecNode item : fieldsNode.list()) {
      String from;
      String as;
      if (item.isScalar()) {
        from = item.identifier();
        as = from;
      } else {
        Map<String, SpecNode> f = item.mapping(FIELD_KEYS);
        from = SpecNode.required(f, "name", item).identifier();
        as = f.containsKey("as") ? f.get("as").identifier() : from;
      }
      if (!reference.fields.containsKey(from)) {
        throw item.error("\"" + from + "\" is not a field of this lookup's schema; declared: "
            + String.join(", ", reference.fields.keySet()));
      }
      if (scope.fields.containsKey(as)) {
        throw item.error("the rows already have a field \"" + as + "\"; add it under another name: {name: " + from
            + ", as: " + name + "_" + from + "}");
      }
      added.add(LookupSpec.AddedField.of(from, as));
    }
    if (added.isEmpty()) {
      throw fieldsNode.error("name at least one field of the reference table to add");
    }
    b.setFields(added);
    if (m.containsKey("onMissing")) {
      String v = m.get("onMissing").string().trim();
      if (v.equals("deadLetter")) {
        b.setOnMissing(LookupSpec.OnMissing.DEAD_LETTER);
      } else if (v.equals("nulls")) {
        b.setOnMissing(LookupSpec.OnMissing.NULLS);
      } else {
        throw m.get("onMissing").error("\"" + v + "\" is not allowed; use deadLetter or nulls");
      }
    }
    if (m.containsKey("onDuplicate")) {
      b.setOnDuplicate(m.get("onDuplicate").enumValue(LookupSpec.OnDuplicate.class));
    }
    if (m.containsKey("allowEmpty")) {
      b.setAllowEmpty(m.get("allowEmpty").bool());
    }
    if (m.containsKey("maxRows")) {
      b.setMaxRows(m.get("maxRows").integer(1, Integer.MAX_VALUE));
    }
    if (m.containsKey("maxBytes")) {
      b.setMaxBytes(m.get("maxBytes").bytes(1024, 16L << 30));
    }
    LookupSpec lookup = b.build();
    for (FieldSpec f : lookup.addedFieldSpecs()) {
      scope.declare(fieldsNode, f.name(), f.type(), Scope.Rename.LOOKUP);
    }
    return lookup;
  }

  private static List<String> names(SpecNode node) {
    List<String> out = new ArrayList<>();
    if (node.isScalar()) {
      out.add(node.identifier());
    } else {
      for (SpecNode item : node.list()) {
        out.add(item.identifier());
      }
    }
    if (out.isEmpty()) {
      throw node.error("name at least one field");
    }
    if (new HashSet<>(out).size() != out.size()) {
      throw node.error("a field is named twice");
    }
    return out;
  }

  /** Why values of these types cannot be equal keys, or null when they can. */
  private static String keyMismatch(FieldType key, FieldType row) {
    String k = family(key);
    String r = family(row);
    if (k == null || r == null) {
      return "a double is not exact enough to be a key";
    }
    return k.equals(r) ? null : r + " values never equal " + k + " values";
  }

  private static String family(FieldType t) {
    switch (t.kind()) {
      case INT:
      case LONG:
      case DECIMAL: // by value, as in SQL: the int 1 is the decimal 1.0 (LookupKeys writes both as 1)
        return "number";
      case STRING:
      case CATEGORY:
        return "text";
      case DOUBLE:
        return null;
      default:
        return t.kind().name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
