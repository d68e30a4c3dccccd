package dev.beametl.spec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML node with its key path, so that every mistake can be reported as {@code source.csv.delimiter
 * (line 7): ...}. Reading a mapping checks its keys against the allowed ones.
 */
final class SpecNode {
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SQL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");
  private final Node node;
  private final String path;

  SpecNode(Node node, String path) {
    this.node = node;
    this.path = path;
  }

  String path() {
    return path;
  }

  int line() {
    return lineOf(node);
  }

  /** 1-based line of a node; 0 for nodes made by an override, which have no place in the file. */
  static int lineOf(Node n) {
    return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
  }

  SpecException error(String problem) {
    return SpecException.at(path, line(), problem);
  }

  /** This node as a mapping whose keys must all be among {@code allowed}. */
  Map<String, SpecNode> mapping(Set<String> allowed) {
    if (!(node instanceof MappingNode)) {
      throw error("expected a mapping of keys (" + String.join(", ", allowed) + ")");
    }
    Map<String, SpecNode> out = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode)) {
        throw SpecException.at(path, lineOf(t.getKeyNode()), "a key must be a plain name, not a list or mapping");
      }
      String key = ((ScalarNode) t.getKeyNode()).getValue();
      String childPath = path.isEmpty() ? key : path + "." + key;
      if (!allowed.contains(key)) {
        throw SpecException.at(
            childPath,
            lineOf(t.getKeyNode()),
            "unknown key; allowed here: " + String.join(", ", new java.util.TreeSet<>(allowed)));
      }
      if (out.put(key, new SpecNode(t.getValueNode(), childPath)) != null) {
        throw SpecException.at(childPath, lineOf(t.getKeyNode()), "key given twice");
      }
    }
    return out;
  }

  /** This node as a mapping with any keys (each a plain name), in the file's order. */
  Map<String, SpecNode> anyMapping() {
    if (!(node instanceof MappingNode)) {
      throw error("expected a mapping of keys to values");
    }
    Map<String, SpecNode> out = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode)) {
        throw SpecException.at(path, lineOf(t.getKeyNode()), "a key must be a plain name, not a list or mapping");
      }
      String key = ((ScalarNode) t.getKeyNode()).getValue();
      String childPath = path.isEmpty() ? key : path + "." + key;
      if (out.put(key, new SpecNode(t.getValueNode(), childPath)) != null) {
        throw SpecException.at(childPath, lineOf(t.getKeyNode()), "key given twice");
      }
    }
    return out;
  }

  List<SpecNode> list() {
    if (node instanceof ScalarNode && ((ScalarNode) node).getValue().isEmpty()) {
      if (((ScalarNode) node).getScalarStyle() != org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN) {
        // nullValues: "" meant no null marker at all, where its writer meant the empty cell as one
        throw error("expected a list: [\"\"] holds the empty text, [] nothing");
      }
      return List.of(); // the key written with no value
    }
    if (!(node instanceof SequenceNode)) {
      throw error("expected a list");
    }
    List<SpecNode> out = new ArrayList<>();
    List<Node> items = ((SequenceNode) node).getValue();
    for (int i = 0; i < items.size(); i++) {
      out.add(new SpecNode(items.get(i), path + "[" + i + "]"));
    }
    return out;
  }

  List<String> stringList() {
    List<String> out = new ArrayList<>();
    for (SpecNode item : list()) {
      out.add(item.string());
    }
    return out;
  }

  String string() {
    if (!(node instanceof ScalarNode)) {
      throw error("expected a single value, not a list or mapping");
    }
    return ((ScalarNode) node).getValue();
  }

  String nonEmptyString() {
    String s = string();
    if (s.isBlank()) {
      throw error("must not be empty");
    }
    return s;
  }

  boolean bool() {
    String s = string().trim().toLowerCase(java.util.Locale.ROOT);
    if (s.equals("true") || s.equals("yes")) {
      return true;
    }
    if (s.equals("false") || s.equals("no")) {
      return false;
    }
    throw error("\"" + string() + "\" is not a boolean; use true or false");
  }

  int integer(int min, int max) {
    try {
      int v = Integer.parseInt(string().trim());
      if (v < min || v > max) {
        throw error(v + " is out of range; allowed " + min + " to " + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw error("\"" + string() + "\"" + (string().trim().matches("[+-]?\\d+")
          ? " is out of range; allowed " + min + " to " + max : " is not a whole number"));
    }
  }

  BigDecimal decimal() {
    try {
      return new BigDecimal(string().trim());
    } catch (NumberFormatException e) {
      throw error("\"" + string() + "\" is not a number");
    }
  }

  double ratio() {
    double v = decimal().doubleValue();
    if (v < 0 || v > 1) {
      throw error(v + " is not a ratio; allowed 0.0 to 1.0");
    }
    return v;
  }

  char singleChar() {
    String s = string();
    if (s.equals("\\t") || s.equals("tab")) {
      return '\t';
    }
    if (s.length() != 1) {
      throw error("\"" + s + "\" must be exactly one character (\\t or tab for a tab)");
    }
    return s.charAt(0);
  }

  /** The child {@code key} of a mapping read from this node; missing is an error naming its path. */
  static SpecNode required(Map<String, SpecNode> mapping, String key, SpecNode parent) {
    SpecNode n = mapping.get(key);
    if (n == null) {
      String path = parent.path().isEmpty() ? key : parent.path() + "." + key;
      throw SpecException.at(path, parent.line(), "required key is missing");
    }
    return n;
  }

  /** This node, when the key applies to what it is in; else an error saying where it applies. */
  SpecNode onlyFor(boolean applies, String kinds) {
    if (!applies) {
      throw error("applies only to " + kinds);
    }
    return this;
  }

  /** A plain or schema-qualified table or column name, so a spec cannot inject SQL. */
  String sqlName() {
    String s = nonEmptyString().trim();
    if (!SQL_NAME.matcher(s).matches()) {
      throw error("\"" + s + "\" is not a plain table or column name (ASCII letters, digits, _, one optional schema.)");
    }
    return s;
  }

  /** Whether {@code s} is a name a spec allows for a field, a metric, a lookup. */
  static boolean isIdentifier(String s) {
    return IDENTIFIER.matcher(s).matches();
  }

  /** A valid name close to {@code column}: what a spec could call a source column named so. */
  static String nameFor(String column) {
    String name = column.trim().replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_+|_+$", "")
        .toLowerCase(java.util.Locale.ROOT);
    return name.isEmpty() || !Character.isLetter(name.charAt(0)) ? "f_" + name : name;
  }

  /**
   * A directory the job writes (its output, its dead letters), which it holds, lists and marks as a
   * local (or mounted) one: a {@code file:} URI is its path; another file system's URI is refused.
   * {@code --output=file:///data/out} wrote into a relative directory {@code file:/data/out}, exit 0.
   */
  String localDirectory() {
    String s = nonEmptyString();
    if (SpecPaths.isUri(s) && !SpecPaths.isRemote(s)) {
      return SpecPaths.local(null, s);
    }
    if (SpecPaths.isRemote(s)) {
      throw error("\"" + JdbcUrls.scrub(s) + "\" is on another file system; the job writes its output, dead letters and"
          + " marker to a local or mounted directory");
    }
    return s;
  }

  /** A field or metric name. */
  String identifier() {
    String s = nonEmptyString();
    if (!IDENTIFIER.matcher(s).matches()) {
      throw error("\"" + s + "\" is not a valid name; use ASCII letters, digits and _ (no digit first)");
    }
    return s;
  }

  FieldType fieldType() {
    try {
      return FieldType.parse(string());
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  <E extends Enum<E>> E enumValue(Class<E> type) {
    String s = string().trim();
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(java.util.Locale.ROOT));
    }
    throw error("\"" + s + "\" is not allowed; use one of " + String.join(", ", names));
  }

  boolean isScalar() {
    return node instanceof ScalarNode;
  }

  /** A size in bytes: a number, or with a unit (KiB, MiB, GiB; KB, MB, GB are decimal), between min and max. */
  long bytes(long min, long max) {
    String s = string().trim();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([KMG]i?B)?", java.util.regex.Pattern.CASE_INSENSITIVE)
        .matcher(s);
    if (!m.matches()) {
      throw error("\"" + s + "\" is not a size; write bytes, or e.g. 64MiB, 1GiB");
    }
    long unit = 1;
    if (m.group(2) != null) {
      String u = m.group(2).toUpperCase(java.util.Locale.ROOT);
      boolean binary = u.contains("I");
      int power = "KMG".indexOf(u.charAt(0)) + 1;
      for (int i = 0; i < power; i++) {
        unit *= binary ? 1024 : 1000;
      }
    }
    long v;
    try {
      v = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      v = Long.MAX_VALUE;
    }
    if (v < min || v > max) {
      throw error(String.format(java.util.Locale.ROOT, "%s is outside %,d to %,d bytes", s, min, max));
    }
    return v;
  }
}
