package dev.beametl.fault;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.beam.sdk.io.jdbc.JdbcIO;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Testing only: the faults a test asks for with the hidden flag {@code --fault}, injected at named
 * points of the pipeline, so that unit tests, the ITs and the bundled jar on a cluster all use one
 * seam. Without the flag every method here returns its argument unchanged.
 *
 * <p>Syntax: faults separated by {@code ;}, each {@code point.kind(key=value,...)}:
 * <ul>
 *   <li>{@code records.failOnce(after=N,marker=FILE)}: the task reading records fails once, at its
 *       N-th record; the marker file remembers it, so the retried attempt runs clean.
 *   <li>{@code records.throttle(perSecond=N)}: each reading task passes at most N records a second,
 *       so a test can act while a job is surely still reading.
 *   <li>{@code results.throttle(perSecond=N)}: the same for the result rows on their way to the
 *       sink (after an aggregation), so a test can act after the reading and before the writing ends.
 *   <li>{@code jdbcSink.failOnce(afterRows=N,marker=FILE)}: the JDBC sink task fails once while
 *       binding its N-th row, after its earlier batches were committed.
 *   <li>{@code commit.failBeforeTable()} and {@code commit.failAfterTable()}: a successful run stops
 *       (an exception, as a job killed there) after writing its state unconfirmed, before or after
 *       its rows are committed into a staged table.
 * </ul>
 */
public final class Faults implements Serializable {
  private static final Pattern ONE = Pattern.compile("\\s*(\\w+)\\.(\\w+)\\(([^)]*)\\)\\s*");
  private static final Faults NONE = new Faults(List.of());

  private final List<Fault> faults;

  private Faults(List<Fault> faults) {
    this.faults = List.copyOf(faults);
  }

  /** No faults. */
  public static Faults none() {
    return NONE;
  }

  /** The faults of a {@code --fault} value; null or empty is none. */
  public static Faults parse(@Nullable String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    List<Fault> faults = new ArrayList<>();
    for (String part : spec.split(";")) {
      Matcher m = ONE.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException("--fault: \"" + part + "\" is not point.kind(key=value,...)");
      }
      Map<String, String> args = new LinkedHashMap<>();
      for (String kv : m.group(3).split(",")) {
        if (!kv.isBlank()) {
          String[] pair = kv.split("=", 2);
          if (pair.length != 2) {
            throw new IllegalArgumentException("--fault: \"" + kv + "\" in \"" + part + "\" is not key=value");
          }
          args.put(pair[0].trim(), pair[1].trim());
        }
      }
      faults.add(Fault.of(m.group(1) + "." + m.group(2), args));
    }
    return new Faults(faults);
  }

  public boolean isEmpty() {
    return faults.isEmpty();
  }

  /** The records read, with the {@code records.*} faults applied in the order given. */
  public <T> PCollection<T> atRecords(PCollection<T> records) {
    PCollection<T> out = records;
    for (Fault f : faults) {
      if (f.kind.equals("records.failOnce")) {
        out = out.apply("Injected fault: fail once", ParDo.of(new FailOnce<T>(f.longArg("after"), f.arg("marker"))))
            .setCoder(records.getCoder());
      } else if (f.kind.equals("records.throttle")) {
        out = out.apply("Injected fault: throttle", ParDo.of(new Throttle<T>(f.longArg("perSecond"))))
            .setCoder(records.getCoder());
      }
    }
    return out;
  }

  /** The result rows going to the sink, with {@code results.throttle} applied if asked for. */
  public <T> PCollection<T> atResults(PCollection<T> results) {
    PCollection<T> out = results;
    for (Fault f : faults) {
      if (f.kind.equals("results.throttle")) {
        out = out.apply("Injected fault: throttle results", ParDo.of(new Throttle<T>(f.longArg("perSecond"))))
            .setCoder(results.getCoder());
      }
    }
    return out;
  }

  /** The JDBC sink's statement setter, failing once if {@code jdbcSink.failOnce} asks for it. */
  public <T> JdbcIO.PreparedStatementSetter<T> inJdbcSink(JdbcIO.PreparedStatementSetter<T> setter) {
    for (Fault f : faults) {
      if (f.kind.equals("jdbcSink.failOnce")) {
        return new FailingStatementSetter<>(setter, f.longArg("afterRows"), f.arg("marker"));
      }
    }
    return setter;
  }

  /** Stops the run at {@code point} ("failBeforeTable", "failAfterTable") if {@code commit.<point>()} asks for it. */
  public void atCommit(String point) {
    if (!Fault.KINDS.containsKey("commit." + point)) {
      throw new IllegalArgumentException("no fault point commit." + point);
    }
    for (Fault f : faults) {
      if (f.kind.equals("commit." + point)) {
        throw new IllegalStateException("injected fault: " + f.kind);
      }
    }
  }

  @Override
  public String toString() {
    return faults.toString();
  }

  /** One fault: its point and kind, and its arguments. */
  private static final class Fault implements Serializable {
    private static final Map<String, List<String>> KINDS = Map.of(
        "records.failOnce", List.of("after", "marker"),
        "records.throttle", List.of("perSecond"),
        "results.throttle", List.of("perSecond"),
        "jdbcSink.failOnce", List.of("afterRows", "marker"),
        "commit.failBeforeTable", List.of(),
        "commit.failAfterTable", List.of());

    final String kind;
    final Map<String, String> args;

    private Fault(String kind, Map<String, String> args) {
      this.kind = kind;
      this.args = Map.copyOf(args);
    }

    static Fault of(String kind, Map<String, String> args) {
      List<String> keys = KINDS.get(kind);
      if (keys == null) {
        throw new IllegalArgumentException("--fault: unknown fault " + kind + "; known: " + KINDS.keySet());
      }
      if (!args.keySet().equals(new java.util.HashSet<>(keys))) {
        throw new IllegalArgumentException("--fault: " + kind + " takes exactly " + keys + ", not " + args.keySet());
      }
      Fault f = new Fault(kind, args);
      for (String key : keys) {
        if (!key.equals("marker") && f.longArg(key) < 0) {
          throw new IllegalArgumentException("--fault: " + kind + "(" + key + ") must be a number >= 0");
        }
      }
      return f;
    }

    String arg(String key) {
      return args.get(key);
    }

    long longArg(String key) {
      try {
        return Long.parseLong(args.get(key));
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    @Override
    public String toString() {
      return kind + args;
    }
  }
}
