package dev.beametl.spec;

import java.nio.file.Path;
import java.util.List;
import javax.annotation.Nullable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Applies {@code key.path=value} overrides to the YAML tree before it is read, so an override is
 * checked exactly like the spec file itself. Dots separate keys; a number picks a list item
 * ({@code schema.3.nullable=true}). Missing mappings on the way are created. A value in YAML flow
 * style sets a list or mapping: {@code --set=schema.5.values=[EU,NA]}.
 */
final class SpecOverrides {
  private SpecOverrides() {}

  /**
   * Applies {@code key.path=value} assignments; relative paths among the values mean
   * {@code callerDir} (null: leave them relative).
   */
  static void apply(MappingNode root, List<String> assignments, @Nullable Path callerDir) {
    for (String assignment : assignments) {
      int eq = assignment.indexOf('=');
      if (eq <= 0) {
        throw new SpecException(
            "--set " + assignment + ": expected key.path=value, e.g. --set=sink.path=out/x");
      }
      String key = assignment.substring(0, eq).trim();
      String value = assignment.substring(eq + 1);
      // A path is resolved as text first, so a glob such as [ab]*.csv stays a path, not a YAML list;
      // in YAML quotes it is the text quoted ("my out" was a directory named with its quotes).
      // A path key's null removes it as any key's does (it had become the file "null" in the caller's directory)
      set(root, key, SpecPaths.isPathKey(key) && !isNull(value) ? SpecPaths.resolve(callerDir, unquoted(value)) : value);
      SpecPaths.resolveSetValue(root, key, callerDir);
    }
  }

  static void set(MappingNode root, String keyPath, String value) {
    String[] keys = keyPath.split("\\.");
    Node current = root;
    for (int i = 0; i < keys.length; i++) {
      String key = keys[i];
      boolean last = i == keys.length - 1;
      String where = "--set " + String.join(".", java.util.Arrays.copyOf(keys, i + 1));
      if (current instanceof SequenceNode) {
        List<Node> items = ((SequenceNode) current).getValue();
        int index = parseIndex(key, items.size(), where);
        if (last) {
          items.set(index, valueNode(value));
        } else {
          current = items.get(index);
        }
      } else if (current instanceof MappingNode) {
        MappingNode mapping = (MappingNode) current;
        NodeTuple found = null;
        for (NodeTuple t : mapping.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode) t.getKeyNode()).getValue().equals(key)) {
            found = t;
          }
        }
        if (found != null && !last) {
          current = found.getValueNode();
          continue;
        }
        if (found != null) {
          mapping.getValue().remove(found);
        }
        if (last && isNull(value)) {
          return; // key=null removes the key: to give its alternative instead (partitions -> rowsPerPartition)
        }
        Node next = last ? valueNode(value) : emptyMapping();
        mapping.getValue().add(new NodeTuple(scalar(key), next));
        current = next;
      } else {
        throw new SpecException(where + ": cannot set a key inside a single value");
      }
    }
  }

  private static int parseIndex(String key, int size, String where) {
    try {
      int index = Integer.parseInt(key);
      if (index >= 0 && index < size) {
        return index;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new SpecException(where + ": a list item is picked by its index, 0 to " + (size - 1));
  }

  /** YAML's null, which a key of the spec file may hold only as its absence. */
  private static boolean isNull(String value) {
    String v = value.trim();
    return v.equals("null") || v.equals("~");
  }

  /** The text a value in YAML quotes quotes, or the value as given. */
  private static String unquoted(String value) {
    if (!isQuoted(value.trim())) {
      return value;
    }
    Node node = valueNode(value);
    return node instanceof ScalarNode ? ((ScalarNode) node).getValue() : value;
  }

  private static boolean isQuoted(String v) {
    return v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"));
  }

  /**
   * Plain text stays a string (so 007 stays 007); [..] and {..} are read as YAML flow collections,
   * and a value in YAML quotes as the text it quotes: a pattern such as [a-z]+ is given as
   * {@code --set=schema.1.pattern='"[a-z]+"'} (its quotes had been kept in the pattern, a trial).
   */
  private static Node valueNode(String value) {
    String v = value.trim();
    boolean quoted = isQuoted(v);
    if (v.startsWith("[") || v.startsWith("{") || quoted) {
      try {
        Node node = new org.yaml.snakeyaml.Yaml().compose(new java.io.StringReader(v));
        if (node != null) {
          return node;
        }
      } catch (org.yaml.snakeyaml.error.YAMLException e) {
        if (quoted && String.valueOf(e.getMessage()).contains("escape")) { // "\d+": not one quoted text
          throw new SpecException("--set value " + value + ": in YAML's double quotes a backslash starts an escape;"
              + " give the text in single quotes: --set=key=\"'" + v.substring(1, v.length() - 1) + "'\"");
        }
        if (!quoted) {
          throw new SpecException("--set value " + value + " is not a valid YAML list or mapping (in one, quote an"
              + " item that holds , # : [ ] { } as in [NA, \"#N/A\"]); text that starts with [ or { is given in YAML"
              + " quotes: --set=key='\"" + v + "\"'");
        }
      }
    }
    return scalar(value);
  }

  private static ScalarNode scalar(String value) {
    return new ScalarNode(Tag.STR, value, null, null, DumperOptions.ScalarStyle.PLAIN);
  }

  private static MappingNode emptyMapping() {
    return new MappingNode(Tag.MAP, new java.util.ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
  }
}
