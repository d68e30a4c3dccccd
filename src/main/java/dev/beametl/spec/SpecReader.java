package dev.beametl.spec;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.annotation.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads a YAML pipeline spec into a validated {@link PipelineSpec}, section by section
 * ({@link SourceSection}, {@link SchemaSection}, {@link LookupSection}, {@link TransformSection},
 * {@link SinkSection}).
 * Every mistake - unknown key, wrong type, unknown field, an aggregate that does not fit its field,
 * an expression that does not type-check - is a {@link SpecException} naming the key path and line.
 * The checks that need the stages come from the caller ({@link SpecChecks}).
 */
public final class SpecReader {
  private static final Set<String> TOP_KEYS =
      Set.of("version", "name", "source", "schema", "lookups", "derive", "filter", "aggregate", "sink",
          "deadLetter", "encodeCategories");
  private static final Set<String> DEAD_LETTER_KEYS = Set.of("path", "maxBadRatio", "maxBad");

  private SpecReader() {}

  /**
   * Reads a spec file, applies {@code key.path=value} overrides, and validates the result. Relative
   * paths in the file mean the file's directory; relative paths among the overrides mean
   * {@code callerDir}.
   */
  public static PipelineSpec read(Path file, List<String> overrides, Path callerDir, SpecChecks checks) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new SpecException("--pipeline " + file + ": no such spec file; specs live in pipelines/");
    } catch (IOException e) {
      throw new SpecException("--pipeline " + file + ": cannot read the spec file (" + e + ")");
    }
    // A link to a spec is the spec: it names the pipeline as the spec does (its output stays its own),
    // and its relative paths mean the spec's directory, where its data is - beside the link they
    // found nothing, or other files of those names.
    Path real = SpecPaths.real(file.toAbsolutePath());
    String defaultName = real.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    MappingNode root = compose(new StringReader(text));
    SpecPaths.resolveAgainstSpecDir(root, real.getParent());
    SpecOverrides.apply(root, overrides, callerDir);
    SpecPaths.substituteSpecDir(root, real.getParent()); // in --set values too
    SpecPaths.resolveJdbcUrls(root, callerDir);
    return read(new SpecNode(root, ""), defaultName, new Scope(checks));
  }

  /**
   * Parses spec text; {@code defaultName} names the pipeline when the spec does not. Its relative
   * paths stay relative (to the working directory).
   */
  public static PipelineSpec parse(String yaml, String defaultName, List<String> overrides, SpecChecks checks) {
    MappingNode root = compose(new StringReader(yaml));
    SpecOverrides.apply(root, overrides, null);
    return read(new SpecNode(root, ""), defaultName, new Scope(checks));
  }

  /** Limits a spec must stay within: an alias bomb or absurd nesting is refused, not expanded. */
  static final int MAX_ALIASES = 50;
  static final int MAX_NESTING = 50;
  static final int MAX_CHARACTERS = 1 << 20;

  private static MappingNode compose(Reader reader) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setNestingDepthLimit(MAX_NESTING);
    options.setCodePointLimit(MAX_CHARACTERS);
    Node node;
    try {
      node = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new SpecException("spec is not valid YAML (line " + line + "): " + firstLine(e.getProblem()));
    } catch (YAMLException e) {
      throw new SpecException("spec is refused: " + firstLine(e.getMessage()) + " (a spec may nest "
          + MAX_NESTING + " levels deep, use " + MAX_ALIASES + " aliases of lists and mappings, and hold "
          + MAX_CHARACTERS + " characters)");
    } catch (StackOverflowError e) {
      throw new SpecException("spec is refused: nested too deeply (at most " + MAX_NESTING + " levels)");
    }
    if (!(node instanceof MappingNode)) {
      throw new SpecException("spec must be a YAML mapping with keys " + String.join(", ", TOP_KEYS));
    }
    return (MappingNode) node;
  }

  /** The sections in the order they depend on each other: each may use what the ones before declared. */
  private static PipelineSpec read(SpecNode rootNode, String defaultName, Scope scope) {
    Map<String, SpecNode> root = rootNode.mapping(TOP_KEYS);
    SpecNode version = SpecNode.required(root, "version", rootNode);
    if (version.integer(1, Integer.MAX_VALUE) != PipelineSpec.CURRENT_VERSION) {
      throw version.error("unsupported version; this build reads version " + PipelineSpec.CURRENT_VERSION);
    }
    PipelineSpec.Builder spec = PipelineSpec.builder();
    if (!root.containsKey("name") && !isPipelineName(defaultName)) {
      throw new SpecException("name: the spec file's name gives none (\"" + defaultName.replaceAll("\\p{Cntrl}", "?")
          + "\"); set name: in the spec, e.g. sales-by-brand");
    }
    spec.setName(root.containsKey("name") ? pipelineName(root.get("name")) : defaultName);
    SourceSpec source = SourceSection.read(SpecNode.required(root, "source", rootNode));
    spec.setSource(source);
    spec.setSchema(SchemaSection.read(SpecNode.required(root, "schema", rootNode), scope, source));
    SpecNode incrementalNode = SourceSection.incrementalNode(root.get("source"));
    if (incrementalNode != null) {
      source = source.toBuilder().setIncremental(IncrementalSection.read(incrementalNode, source, scope)).build();
      spec.setSource(source);
    }
    // What a later stage may reject a row for, each a count key a maxBad limit can name
    List<String> failures = new java.util.ArrayList<>();
    if (root.containsKey("lookups")) {
      List<LookupSpec> lookups = LookupSection.read(root.get("lookups"), scope);
      spec.setLookups(lookups);
      // whatever onMissing says: --set=lookups.0.onMissing=nulls leaves the spec's lookup_miss limit idle, not wrong
      lookups.forEach(l -> failures.add("lookup_miss:" + String.join(",", l.on())));
    }
    if (root.containsKey("derive")) {
      List<DerivedFieldSpec> derived = TransformSection.derived(root.get("derive"), scope);
      spec.setDerived(derived);
      derived.forEach(d -> failures.add("expression:" + d.name()));
    }
    if (root.containsKey("filter")) {
      spec.setFilter(TransformSection.filter(root.get("filter"), scope));
      failures.add("expression:filter");
    }
    if (root.containsKey("aggregate")) {
      scope.aggregation = TransformSection.aggregation(root.get("aggregate"), scope);
      spec.setAggregation(scope.aggregation);
    }
    SinkSpec sink = SinkSection.read(SpecNode.required(root, "sink", rootNode), scope);
    spec.setSink(sink);
    if (incrementalNode != null) {
      IncrementalSection.checkSink(incrementalNode, source.incremental(), sink, scope.aggregation);
    }
    String deadLetter = sink.path().replaceAll("/+$", "") + "-dead-letter";
    if (root.containsKey("deadLetter")) {
      Map<String, SpecNode> dl = root.get("deadLetter").mapping(DEAD_LETTER_KEYS);
      if (dl.containsKey("path")) {
        deadLetter = dl.get("path").localDirectory();
        Path dead = SpecPaths.real(Path.of(normalize(deadLetter)));
        Path out = SpecPaths.real(Path.of(normalize(sink.path())));
        if (dead.equals(out)) { // also one directory under two names, through a symbolic link
          throw dl.get("path").error("must differ from sink.path, or bad records would mix with results");
        }
        if (dead.startsWith(out) || out.startsWith(dead)) {
          // Each is the job's own directory: either would hold the other's files as ones it did not
          // write (a run refused the dead-letter directory it had just made inside its output).
          throw dl.get("path").error((dead.startsWith(out) ? "is inside" : "holds") + " sink.path \"" + out
              + "\"; give them separate directories (the default is <sink.path>-dead-letter, beside it)");
        }
      }
      if (dl.containsKey("maxBadRatio")) {
        spec.setMaxBadRatio(dl.get("maxBadRatio").ratio());
      }
      if (dl.containsKey("maxBad")) {
        spec.setMaxBad(badLimits(dl.get("maxBad"), scope, failures));
      }
    }
    spec.setDeadLetterPath(deadLetter);
    if (root.containsKey("encodeCategories")) {
      spec.setEncodeCategories(root.get("encodeCategories").bool());
    }
    return spec.build();
  }

  /**
   * {@code maxBad: {kind|field|kind:field: ratio or count}}, each key a reason kind or a declared
   * field. The later stages' kinds ({@code failures}: {@code expression:<derived field or filter>},
   * {@code lookup_miss:<on fields>}) are held to what the spec can reject: a limit nothing can reach
   * - a lookup_miss limit without a lookup, say - was accepted and never held.
   */
  private static List<BadLimit> badLimits(SpecNode node, Scope scope, List<String> failures) {
    List<BadLimit> limits = new java.util.ArrayList<>();
    for (Map.Entry<String, SpecNode> e : node.anyMapping().entrySet()) {
      String key = e.getKey();
      String[] parts = key.split(":", 2);
      boolean kindOk = BadLimit.KINDS.contains(parts[0]);
      boolean fieldOk = scope.fields.containsKey(parts[parts.length - 1]);
      String later = parts[0].equals("expression") || parts[0].equals("lookup_miss") ? parts[0] : null;
      if (later != null) {
        List<String> reachable = failures.stream().filter(f -> f.startsWith(later + ":")).collect(Collectors.toList());
        if (parts.length == 2 ? !reachable.contains(key) : reachable.isEmpty()) {
          throw e.getValue().error("\"" + key + "\" can never be reached: " + (reachable.isEmpty()
              ? (later.equals("expression") ? "the spec has no derive or filter" : "the spec has no lookup") : "this spec's " + later + " keys are " + String.join(", ", reachable)));
        }
        fieldOk = true;
      }
      if (parts.length == 2 ? !(kindOk && fieldOk) : !(kindOk || fieldOk)) {
        throw e.getValue().error("\"" + key + "\" is neither a reason kind (" + String.join(", ", BadLimit.KINDS)
            + "), a declared field, nor kind:field");
      }
      String text = e.getValue().string().trim();
      boolean ratio = text.contains(".");
      double value = ratio ? e.getValue().ratio() : e.getValue().integer(0, Integer.MAX_VALUE);
      limits.add(BadLimit.of(key, ratio, value));
    }
    return List.copyOf(limits);
  }

  private static String firstLine(@Nullable String s) {
    String t = String.valueOf(s).trim();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }

  private static String normalize(@Nullable String path) {
    return path == null ? "" : Path.of(path).toAbsolutePath().normalize().toString();
  }

  /**
   * The pipeline's name, which names its checkpoint directory and its output's lock: no path (a
   * trial's {@code ../../x} put a resumable run's checkpoints outside --checkpointDir, and left them)
   * and no control character (a line break split the summary).
   */
  private static String pipelineName(SpecNode node) {
    String name = node.nonEmptyString();
    if (!isPipelineName(name)) {
      throw node.error("\"" + name.replaceAll("\\p{Cntrl}", "?") + "\" is not a pipeline name: no /, \\, control"
          + " characters, . or ..; e.g. sales-by-brand");
    }
    return name;
  }

  private static boolean isPipelineName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..")
        && name.chars().noneMatch(c -> c == '/' || c == '\\' || c < 0x20 || c == 0x7f);
  }
}
