package dev.beametl.spec;

import java.nio.file.Path;
import java.util.ArrayList;
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
public final class SpecPaths {
  /** The path keys of a source section: the main source's and each lookup's. */
  private static final List<String> SOURCE_PATH_KEYS = List.of("path", "jdbc.passwordFile");
  /**
   * Every key of the spec whose value is a file path or glob; {@code *} stands for each item of a
   * list. The one list both readings use - against the spec file's directory and, for {@code --set},
   * the caller's - so a path key is resolved the same way wherever it is written (SpecPathsTest
   * fails for a path of the spec model that no key here reaches).
   */
  static final List<String> PATH_KEYS = pathKeys();
  /**
   * A URI as Beam's FileSystems tells one ({@code parseScheme}): a scheme, a colon and a slash
   * ({@code gs://b/x}, {@code hdfs:/x}, {@code file:///x}). Other text with a colon ({@code v2:out})
   * is a file name, as it is to Beam: it was taken as a URI, left unresolved and written relative to
   * the JVM's directory - the warm runner's, not the spec's or the caller's.
   */
  private static final Pattern URI = Pattern.compile("[A-Za-z][-A-Za-z0-9+.]*:/.*", Pattern.DOTALL);

  private SpecPaths() {}

  private static List<String> pathKeys() {
    List<String> keys = new ArrayList<>();
    for (String key : SOURCE_PATH_KEYS) {
      keys.add("source." + key);
      keys.add("lookups.*.source." + key);
    }
    keys.addAll(List.of("sink.path", "sink.jdbc.passwordFile", "deadLetter.path"));
    return List.copyOf(keys);
  }

  /** The keys whose values are JDBC URLs: an embedded database's file in them is a path too. */
  private static final List<String> URL_KEYS = List.of("source.jdbc.url", "lookups.*.source.jdbc.url", "sink.jdbc.url");
  /** An H2 URL naming its database file relative to the working directory ({@code jdbc:h2:file:./db}). */
  private static final Pattern H2_RELATIVE = Pattern.compile("(jdbc:h2:(?:file:)?)(\\.\\.?/[^;]*)(.*)", Pattern.DOTALL);

  /**
   * Resolves a relative H2 database file in the JDBC URLs against {@code callerDir}, where the job's own
   * JVM would open it: the warm runner, started elsewhere, opened or created another database there
   * (exit 0, the rows written to a file the caller never sees). Other drivers' URLs name servers.
   */
  static void resolveJdbcUrls(MappingNode root, @Nullable Path callerDir) {
    if (callerDir == null) {
      return;
    }
    for (String key : URL_KEYS) {
      resolveAt(root, key.split("\\."), 0, value -> {
        java.util.regex.Matcher m = H2_RELATIVE.matcher(value.trim());
        return m.matches() ? m.group(1) + callerDir.resolve(m.group(2)).normalize() + m.group(3) : value;
      });
    }
  }

  /** Resolves the file's relative paths against {@code dir} and replaces {@code ${specDir}}. */
  static void resolveAgainstSpecDir(MappingNode root, Path dir) {
    substitute(root, dir.toString());
    for (String key : PATH_KEYS) {
      resolveAt(root, key.split("\\."), 0, dir);
    }
  }

  /**
   * Resolves the paths at or under {@code keyPath}, just set from the command line, against
   * {@code callerDir}: {@code --set=lookups.0.source={path: ref.csv, format: csv}} holds a path as
   * much as {@code --set=lookups.0.source.path=ref.csv} does.
   */
  static void resolveSetValue(MappingNode root, String keyPath, @Nullable Path callerDir) {
    String[] set = keyPath.split("\\.");
    for (String key : PATH_KEYS) {
      String[] pattern = key.split("\\.");
      if (covers(pattern, set)) {
        System.arraycopy(set, 0, pattern, 0, set.length); // the items --set picked, not every item
        resolveAt(root, pattern, 0, callerDir);
      }
    }
  }

  /** True when {@code keyPath} (as given to --set, list items by index) is a path key. */
  static boolean isPathKey(String keyPath) {
    String[] set = keyPath.split("\\.");
    for (String key : PATH_KEYS) {
      String[] pattern = key.split("\\.");
      if (pattern.length == set.length && covers(pattern, set)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code keys} leads along {@code pattern} from its start, an index standing for its {@code *}. */
  private static boolean covers(String[] pattern, String[] keys) {
    if (keys.length > pattern.length) {
      return false;
    }
    for (int i = 0; i < keys.length; i++) {
      if (!(pattern[i].equals(keys[i]) || pattern[i].equals("*") && isIndex(keys[i]))) {
        return false;
      }
    }
    return true;
  }

  /** Resolves the scalars at {@code keys[i..]} below {@code node} against {@code dir}, keeping each in its place. */
  private static void resolveAt(Node node, String[] keys, int i, @Nullable Path dir) {
    resolveAt(node, keys, i, value -> resolve(dir, value));
  }

  /** Replaces the scalars at {@code keys[i..]} below {@code node} by {@code resolved} of each, in their places. */
  private static void resolveAt(Node node, String[] keys, int i, java.util.function.UnaryOperator<String> resolved) {
    boolean last = i == keys.length - 1;
    if (node instanceof MappingNode) {
      List<NodeTuple> tuples = ((MappingNode) node).getValue();
      for (int t = 0; t < tuples.size(); t++) {
        NodeTuple tuple = tuples.get(t);
        if (!(tuple.getKeyNode() instanceof ScalarNode) || !((ScalarNode) tuple.getKeyNode()).getValue().equals(keys[i])) {
          continue;
        }
        if (!last) {
          resolveAt(tuple.getValueNode(), keys, i + 1, resolved);
        } else if (tuple.getValueNode() instanceof ScalarNode) {
          ScalarNode value = (ScalarNode) tuple.getValueNode();
          tuples.set(t, new NodeTuple(tuple.getKeyNode(), copy(value, resolved.apply(value.getValue()))));
        }
      }
    } else if (node instanceof SequenceNode && !last) {
      List<Node> items = ((SequenceNode) node).getValue();
      for (int item = 0; item < items.size(); item++) {
        if (keys[i].equals("*") || isIndex(keys[i]) && Integer.parseInt(keys[i]) == item) {
          resolveAt(items.get(item), keys, i + 1, resolved);
        }
      }
    }
  }

  /** A list index as --set reads one (SpecOverrides.parseIndex). */
  private static boolean isIndex(String key) {
    try {
      return Integer.parseInt(key) >= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * The path of a {@code file:} URI, its glob kept as written: {@code file:/d/*.csv},
   * {@code file:///d/*.csv} and {@code file://localhost/d/*.csv} are {@code /d/*.csv}. Percent escapes
   * are decoded ({@code %20} is a space) and a space as written is taken too: an output, its dead
   * letters, a replay's {@code --from}, the runner's checkpoints and an input read one URI alike
   * (a review: {@code file:///d/my dir} was refused as an output and read as an input).
   */
  public static String fileUriPath(String fileUri) {
    String path = fileUri.trim().substring("file:".length());
    if (path.regionMatches(true, 0, "//localhost/", 0, 12)) {
      path = path.substring("//localhost".length());
    } else if (path.startsWith("///")) {
      path = path.substring(2);
    }
    try {
      return java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return path; // a % that escapes nothing: taken as written
    }
  }

  /**
   * The local path {@code value} names, normalized as text: a {@code file:} URI's path, else
   * {@link #resolve}'s; a URI of another file system as written.
   */
  public static String local(@Nullable Path dir, String value) {
    if (isUri(value) && !isRemote(value)) {
      return Path.of(fileUriPath(value)).normalize().toString();
    }
    return resolve(dir, value);
  }

  /** Whether {@code path} is a URI ({@code gs://b/x}, {@code file:/x}) rather than a file path; see {@link #URI}. */
  public static boolean isUri(String path) {
    return URI.matcher(path.trim()).matches();
  }

  /** Whether {@code path} is a URI of another file system than the local one ({@code gs://b/x}, {@code hdfs:/x}). */
  public static boolean isRemote(String path) {
    String p = path.trim();
    return isUri(path) && (!p.regionMatches(true, 0, "file:", 0, 5) || OTHER_HOST.matcher(p).lookingAt());
  }

  /**
   * A file URI naming a machine: {@code file://server/share/out} is another machine's file system,
   * where a trial's output went to the local directory /server/share/out, exit 0.
   */
  private static final Pattern OTHER_HOST = Pattern.compile("(?i)file://(?!localhost/|/)[^/]+");

  /**
   * {@code value} resolved against {@code dir} unless it is absolute, empty or a URI ({@code gs://...}),
   * and normalized as text, as Beam's file system normalizes the paths it writes and matches: an
   * absolute {@code /w/x/../out}, {@code x} a link to {@code a/b}, had the job's checks, manifest and
   * log in {@code a/out} (where the operating system goes) and Beam's files in {@code /w/out}.
   */
  public static String resolve(@Nullable Path dir, String value) {
    String v = value.trim();
    if (v.isEmpty() || isUri(v) || v.contains(SPEC_DIR)) { // ${specDir}: absolute once substituted, then normalized
      return value;
    }
    if (Path.of(v).isAbsolute()) {
      return Path.of(v).normalize().toString();
    }
    return dir == null ? value : dir.resolve(v).normalize().toString();
  }

  /**
   * The real path of as much of {@code path} (absolute) as exists: a directory reached through a
   * symbolic link, or as {@code x/../out}, is the directory itself.
   */
  public static Path real(Path path) {
    Path rest = Path.of("");
    for (Path existing = path; existing != null; existing = existing.getParent()) {
      try {
        return existing.toRealPath().resolve(rest);
      } catch (java.io.IOException e) {
        rest = existing.getFileName() == null ? rest : existing.getFileName().resolve(rest);
      }
    }
    return path;
  }

  /**
   * Replaces {@code ${specDir}} in every value: after the overrides, for a value {@code --set} gave,
   * and normalizes the paths it made. {@code --set=sink.path='${specDir}/out'} had been taken for a
   * relative path first, and written under the caller's directory ({@code caller/<spec dir>/out}).
   */
  static void substituteSpecDir(MappingNode root, Path dir) {
    substitute(root, dir.toString());
    for (String key : PATH_KEYS) {
      resolveAt(root, key.split("\\."), 0, (Path) null);
    }
  }

  private static final String SPEC_DIR = "${specDir}";

  private static void substitute(Node node, String dir) {
    if (node instanceof ScalarNode) {
      return;
    }
    if (node instanceof MappingNode) {
      for (NodeTuple t : ((MappingNode) node).getValue()) {
        Node v = t.getValueNode();
        if (v instanceof ScalarNode && ((ScalarNode) v).getValue().contains(SPEC_DIR)) {
          ((MappingNode) node).getValue().set(((MappingNode) node).getValue().indexOf(t),
              new NodeTuple(t.getKeyNode(), copy((ScalarNode) v, ((ScalarNode) v).getValue().replace(SPEC_DIR, dir))));
        } else {
          substitute(v, dir);
        }
      }
    } else if (node instanceof SequenceNode) {
      List<Node> items = ((SequenceNode) node).getValue();
      for (int i = 0; i < items.size(); i++) {
        Node v = items.get(i);
        if (v instanceof ScalarNode && ((ScalarNode) v).getValue().contains(SPEC_DIR)) {
          items.set(i, copy((ScalarNode) v, ((ScalarNode) v).getValue().replace(SPEC_DIR, dir)));
        } else {
          substitute(v, dir);
        }
      }
    }
  }

  /** A scalar with a new value and the old one's place in the file, so errors still name its line. */
  private static ScalarNode copy(ScalarNode old, String value) {
    return new ScalarNode(old.getTag(), value, old.getStartMark(), old.getEndMark(), old.getScalarStyle());
  }
}
