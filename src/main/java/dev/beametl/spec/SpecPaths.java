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
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

  private SpecPaths() {}

  /** Resolves the file's relative paths against {@code dir} and replaces {@code ${specDir}}. */
  static void resolveAgainstSpecDir(MappingNode root, Path dir) {
    substitute(root, dir.toString());
    for (String key : PATH_KEYS) {
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

  private static @Nullable ScalarNode scalarAt(MappingNode root, String keyPath) {
    Node current = root;
    for (String key : keyPath.split("\\.")) {
      if (!(current instanceof MappingNode)) {
        return null;
      }
      Node next = null;
      for (NodeTuple t : ((MappingNode) current).getValue()) {
        if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode) t.getKeyNode()).getValue().equals(key)) {
          next = t.getValueNode();
        }
      }
      current = next;
    }
    return current instanceof ScalarNode ? (ScalarNode) current : null;
  }

  /** Sets the scalar at {@code keyPath} (which exists) to {@code value}, keeping its place in the file. */
  private static void replace(MappingNode root, String keyPath, String value) {
    String[] keys = keyPath.split("\\.");
    MappingNode current = root;
    for (int i = 0; i < keys.length; i++) {
      List<NodeTuple> tuples = current.getValue();
      for (int j = 0; j < tuples.size(); j++) {
        NodeTuple t = tuples.get(j);
        if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode) t.getKeyNode()).getValue().equals(keys[i])) {
          if (i == keys.length - 1) {
            tuples.set(j, new NodeTuple(t.getKeyNode(), copy((ScalarNode) t.getValueNode(), value)));
            return;
          }
          current = (MappingNode) t.getValueNode();
          break;
        }
      }
    }
  }

  /** A scalar with a new value and the old one's place in the file, so errors still name its line. */
  private static ScalarNode copy(ScalarNode old, String value) {
    return new ScalarNode(old.getTag(), value, old.getStartMark(), old.getEndMark(), old.getScalarStyle());
  }
}
