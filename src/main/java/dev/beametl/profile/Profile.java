package dev.beametl.profile;

import dev.beametl.extract.InputFiles;
import dev.beametl.pipeline.Specs;
import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code beam-etl profile}: reads the first records of a data set, infers each column's type,
 * nullability, range, categories or pattern, prints what it saw, and writes a starter spec that the
 * job runs as it is. How a user starts on a new data set.
 */
public final class Profile {
  static final String USAGE = "usage: bin/beam-etl profile --input=GLOB --out=SPEC.yaml [--format=csv|jsonl]"
      + " [--delimiter=,] [--header=true] [--charset=UTF-8] [--sampleRows=100000] [--tolerance=0.01] [--maxCategories=20] [--name=NAME]";

  private SourceSpec source;
  private final long sampleRows;
  private final double tolerance;
  private final int maxCategories;
  private Sample sample;

  private Profile(ProfileFlags flags) {
    String input = flags.required("input");
    SourceSpec.Builder b = SourceSpec.builder(input, flags.format(input)).setHeader(flags.header());
    if (flags.delimiter() != null) {
      b.setDelimiter(flags.delimiter());
    }
    if (flags.charset() != null) {
      b.setCharset(flags.charset());
    }
    source = b.build();
    sampleRows = flags.sampleRows();
    tolerance = flags.tolerance();
    maxCategories = flags.maxCategories();
  }

  /** Runs the command; returns the job's exit codes (0 written, 2 usage or input error). */
  public static int main(String[] args, PrintStream out, PrintStream err) {
    return main(Path.of("").toAbsolutePath(), args, out, err);
  }

  /** As {@link #main(String[], PrintStream, PrintStream)}, with relative paths meaning {@code callerDir}. */
  public static int main(Path callerDir, String[] args, PrintStream out, PrintStream err) {
    try {
      ProfileFlags flags = new ProfileFlags(callerDir, args);
      Profile p = new Profile(flags);
      Path spec = Path.of(flags.required("out"));
      if (Files.isDirectory(spec)) {
        throw ProfileFlags.outIsADirectory(spec.toString());
      }
      if (Files.exists(spec, java.nio.file.LinkOption.NOFOLLOW_LINKS)) { // a spec someone wrote or edited
        throw exists(spec);
      }
      p.read();
      if (p.sample.records == 0) { // a spec typed from no value would be nullable strings that reject every row
        throw new SpecException("no record of " + p.source.path() + " could be profiled: "
            + (p.sample.skippedCount() == 0 ? "it holds none" : p.sample.skippedText()) + "; no spec written");
      }
      List<ColumnProfile.Suggestion> fields = new ArrayList<>();
      List<String> nested = new ArrayList<>();
      for (ColumnProfile c : p.sample.columns.values()) {
        if (c.hasNested()) {
          nested.add(c.name());
        } else {
          fields.add(c.suggest(p.tolerance, p.maxCategories));
        }
      }
      if (fields.isEmpty()) {
        throw new SpecException(p.nothingToCopy(nested) + "; no spec written");
      }
      // Named after the spec's file, as the job names a spec without name: two data sets profiled from
      // folders of one name (orders/incoming, refunds/incoming) had one name and one output, and the
      // second run replaced the first's rows.
      String name = flags.has("name") ? flags.get("name") : defaultName(spec);
      List<String> leftOut = new ArrayList<>();
      if (!nested.isEmpty()) {
        leftOut.add(leftOut(nested));
      }
      if (!p.sample.unnamed.isEmpty()) {
        leftOut.add(unnamedLeftOut(p.sample.unnamed));
      }
      String yaml = StarterSpec.render(name, p.source, fields, leftOut, p.sample.records, p.tolerance,
          relativeTo(dev.beametl.spec.SpecPaths.real(spec.toAbsolutePath().normalize().getParent()), p.source.path()));
      write(spec, yaml);
      out.print(p.summary(fields));
      leftOut.forEach(out::println);
      out.println("starter spec -> " + spec + "   (run it: bin/beam-etl --pipeline=" + spec + ")");
      return 0;
    } catch (SpecException | IllegalArgumentException e) {
      err.println("beam-etl profile: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("beam-etl profile: cannot read the input: " + e.getMessage());
      return 2;
    } catch (dev.beametl.record.DataError e) { // the readers' (a file that changed, a charset's wrong): was a stack trace
      err.println("beam-etl profile: cannot read the input: " + e.getMessage());
      return 2;
    }
  }

  /**
   * Writes the spec, checked where it will be (its relative paths mean its directory), under a name
   * of its own until the job accepts it: a spec it refuses is never left behind. A new file (one of
   * that name is someone's), with the permissions a spec written at once would have. A failure here is
   * the spec's, not the input's (a trial's spec that could not be encoded said "cannot read the input").
   */
  private static void write(Path spec, String yaml) {
    try {
      if (spec.getParent() != null) {
        Files.createDirectories(spec.getParent());
      }
      Path unchecked = spec.resolveSibling("." + spec.getFileName() + "." + java.util.UUID.randomUUID()
          + ".unchecked");
      Files.writeString(unchecked, yaml, java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE);
      try {
        Specs.read(unchecked, List.of());
        Files.move(unchecked, spec); // fails, replacing nothing, if a file of that name came meanwhile
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw exists(spec);
      } finally {
        Files.deleteIfExists(unchecked);
      }
    } catch (IOException e) {
      throw new SpecException("--out: cannot write the spec " + spec + " (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")");
    }
  }

  /**
   * Why no field can be declared, said of the input: the spec's own check said "schema (line 14):
   * declare at least one field", a line of a spec never written (a hostile trial).
   */
  private String nothingToCopy(List<String> nested) {
    if (!nested.isEmpty()) {
      return "every key of " + source.path() + " holds objects or arrays (" + String.join(", ", nested)
          + "), which no field type reads: there is nothing a spec can copy";
    }
    if (!sample.unnamed.isEmpty()) {
      return "the header of " + source.path() + " names none of its columns, and the job finds a CSV file's columns "
          + "by their names: name them in the header line (" + sample.unnamed.values().iterator().next()
          + "), or profile with --header=false if the first line is data";
    }
    return "no record of " + source.path() + " holds a key (every object is {}): there is nothing a spec can copy";
  }

  private static SpecException exists(Path spec) {
    return new SpecException("--out: " + spec + " exists; profile writes a new file and replaces none: remove it "
        + "first, or choose another --out");
  }

  /** Why keys holding objects or arrays are not in the spec, and what the job then does with them. */
  static String leftOut(List<String> nested) {
    return "left out: " + String.join(", ", nested) + " (objects or arrays, which no field type reads: the job "
        + "ignores keys its schema does not name, so the output has no such column)";
  }

  /** Why header columns without a name are not in the spec, and how to read one. */
  static String unnamedLeftOut(Map<String, String> unnamed) {
    return "left out: " + String.join(", ", unnamed.keySet()) + " (no name in the header: the job finds a CSV file's "
        + "columns by their names and ignores this one; to read it, name it in the header line ("
        + unnamed.values().iterator().next() + "))";
  }

  /**
   * The input as the spec writes it: relative to the spec's own directory, as paths in a spec are
   * read - its real one, as the job reads a spec reached through a link (a trial: --out=specs/s.yaml,
   * specs a link to specs-real/team, wrote ../data/*.csv, which the job read as specs-real/data).
   */
  private static String relativeTo(Path specDir, String input) {
    try {
      return specDir.relativize(Path.of(input)).toString();
    } catch (IllegalArgumentException e) {
      return input;
    }
  }

  /**
   * The name the job gives a spec without one (SpecReader): its file's name less .yaml or .yml. Cut at
   * the first dot, sales.2024.yaml and sales.2025.yaml were both "sales", one output, and the second
   * run replaced the first's rows (a hostile trial).
   */
  static String defaultName(Path spec) {
    String name = spec.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    return name.isBlank() ? "profiled" : name;
  }

  private void read() throws IOException {
    if (InputFiles.match(source.path()).isEmpty()) {
      throw new SpecException("--input: no file matches \"" + source.path() + "\"");
    }
    sample = Sample.read(source, sampleRows);
    if (sample.openQuotes > 0) { // quoted values may hold line breaks: read the records as the job would then
      SourceSpec multiline = source.toBuilder().setMultiline(true).build();
      Sample records = Sample.read(multiline, sampleRows);
      // Line breaks in quotes only if records do span lines, more of them than the lines they take
      // that are records alone (stray quotes lines apart take the records between them as one value),
      // and reading so skips no more records than reading line by line.
      if (records.spanningLines > records.swallowedRecords && records.skippedCount() <= sample.skippedCount()) {
        source = multiline;
        sample = records;
      }
    }
  }

  private String summary(List<ColumnProfile.Suggestion> fields) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "profiled %,d records of %s%s%n", sample.records, source.path(),
        sample.skippedCount() == 0 ? ""
            : String.format(Locale.ROOT, " (%,d more skipped: %s)", sample.skippedCount(), sample.skippedText())));
    if (source.multiline()) {
      b.append(String.format(Locale.ROOT, "%,d records hold line breaks in quoted values: the spec reads them with "
          + "csv.multiline: true%n", sample.spanningLines));
    }
    b.append(String.format(Locale.ROOT, "  %-20s %-16s %9s %9s  %s%n", "column", "type", "nulls", "rejected", "seen"));
    for (ColumnProfile.Suggestion f : fields) {
      String seen = f.categoryValues != null ? f.categoryValues.toString().replace("\r", "\\r").replace("\n", "\\n")
          : f.pattern != null ? "pattern " + f.pattern : f.range != null ? f.range : "";
      b.append(String.format(Locale.ROOT, "  %-20s %-16s %9s %9s  %s%n", f.name,
          f.type + (f.nullable ? "?" : ""), String.format(Locale.ROOT, "%,d", f.nulls),
          String.format(Locale.ROOT, "%,d", f.rejected), seen));
    }
    return b.toString();
  }
}
