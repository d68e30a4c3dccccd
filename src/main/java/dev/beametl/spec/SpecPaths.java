package dev.beametl.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where the paths of a spec point. A relative path written in the spec file means the spec file's
 * directory, so a spec and its data move together and a run works from any directory; a relative
 * path given on the command line ({@code --set}, {@code --input}, ...) means the caller's directory.
 * {@code ${specDir}} in any value of the file is the spec file's directory (e.g. in a JDBC URL).
 */
final class SpecPaths {
  /** The keys whose values are file paths or globs. */
  static final List<String> PATH_KEYS = List.of("source.path", "sink.path", "deadLetter.path",
      "source.jdbc.passwordFile", "sink.jdbc.passwordFile");
  /** The path keys of each item of {@code lookups}. */
  static final List<String> LOOKUP_PATH_KEYS = List.of("source.path", "source.jdbc.passwordFile");
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

  private SpecPaths() {}

  /** Resolves the file's relative paths against {@code dir} and replaces {@code ${specDir}}. */
  static void resolveAgainstSpecDir(MappingNode root, Path dir) {
    substitute(root, dir.toString());
    resolve(root, PATH_KEYS, dir);
    NodeTuple lookups = tupleAt(root, "lookups");
    if (lookups != null && lookups.getValueNode() instanceof SequenceNode) {
      for (Node item : ((SequenceNode) lookups.getValueNode()).getValue()) {
        if (item instanceof MappingNode) {
          resolve((MappingNode) item, LOOKUP_PATH_KEYS, dir);
        }
      }
    }
  }

  private static void resolve(MappingNode root, List<String> keys, Path dir) {
    for (String key : keys) {
      ScalarNode value = scalarAt(root, key);
      if (value != null) {
        replace(root, key, resolve(dir, value.getValue()));
      }
    }
  }

  /** {@code value} resolved against {@code dir}, unless it is absolute, empty or a URI ({@code gs://...}). */
  static String resolve(@Nullable Path dir, String value) {
    String v = value.trim();
    if (dir == null || v.isEmpty() || SCHEME.matcher(v).matches() || Path.of(v).isAbsolute()) {
      return value;
    }
    return dir.resolve(v).normalize().toString();
  }

  static boolean isPathKey(String keyPath) {
    return PATH_KEYS.contains(keyPath);
  }

  private static void substitute(Node node, String dir) {
    if (node instanceof ScalarNode) {
      return;
    }
    if (node instanceof MappingNode) {
      for (NodeTuple t : ((MappingNode) node).getValue()) {
        Node v = t.getValueNode();
        if (v instanceof ScalarNode && ((ScalarNode) v).getValue().contains("${specDir}")) {
          ((MappingNode) node).getValue().set(((MappingNode) node).getValue().indexOf(t),
              new NodeTuple(t.getKeyNode(), copy((ScalarNode) v, ((ScalarNode) v).getValue().replace("${specDir}", dir))));
        } else {
          substitute(v, dir);
        }
      }
    } else if (node instanceof SequenceNode) {
      List<Node> items = ((SequenceNode) node).getValue();
      for (int i = 0; i < items.size(); i++) {
        Node v = items.get(i);
        if (v instanceof ScalarNode && ((ScalarNode) v).getValue().contains("${specDir}")) {
          items.set(i, copy((ScalarNode) v, ((ScalarNode) v).getValue().replace("${specDir}", dir)));
        } else {
          substitute(v, dir);
        }
      }
    }
  }

  /** The scalar at {@code keyPath}, through mappings only; null when the path holds anything else. */
  private static @Nullable ScalarNode scalarAt(MappingNode root, String keyPath) {
    NodeTuple t = tupleAt(root, keyPath);
    return t != null && t.getValueNode() instanceof ScalarNode ? (ScalarNode) t.getValueNode() : null;
  }

  /**
   * The first entry at {@code keyPath}, through mappings only, or null. (A key given twice is
   * reported when the spec is read; here the first one is as good as any.)
   */
  private static @Nullable NodeTuple tupleAt(MappingNode root, String keyPath) {
    Node current = root;
    NodeTuple found = null;
    for (String key : keyPath.split("\\.")) {
      if (!(current instanceof MappingNode)) {
        return null;
      }
      found = null;
      for (NodeTuple t : ((MappingNode) current).getValue()) {
        if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode) t.getKeyNode()).getValue().equals(key)) {
          found = t;
          break;
        }
      }
      if (found == null) {
        return null;
      }
      current = found.getValueNode();
    }
    return found;
  }

  /** Sets the scalar at {@code keyPath} (found by {@link #scalarAt}) to {@code value}, keeping its place in the file. */
  private static void replace(MappingNode root, String keyPath, String value) {
    String[] keys = keyPath.split("\\.");
    MappingNode parent = keys.length == 1 ? root
        : (MappingNode) tupleAt(root, String.join(".", java.util.Arrays.copyOf(keys, keys.length - 1))).getValueNode();
    List<NodeTuple> tuples = parent.getValue();
    NodeTuple old = tupleAt(root, keyPath);
    tuples.set(tuples.indexOf(old), new NodeTuple(old.getKeyNode(), copy((ScalarNode) old.getValueNode(), value)));
  }

  /** A scalar with a new value and the old one's place in the file, so errors still name its line. */
  private static ScalarNode copy(ScalarNode old, String value) {
    return new ScalarNode(old.getTag(), value, old.getStartMark(), old.getEndMark(), old.getScalarStyle());
  }
}
