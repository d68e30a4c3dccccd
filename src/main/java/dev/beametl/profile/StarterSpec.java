package dev.beametl.profile;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.SourceSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** Writes a profile's findings as a pipeline spec: schema gate, pass-through, Parquet out. */
final class StarterSpec {
  private StarterSpec() {}

  static String render(String name, SourceSpec source, List<ColumnProfile.Suggestion> fields, List<String> leftOut,
      long records, double tolerance, String sourcePath) {
    StringBuilder b = new StringBuilder();
    b.append("# Starter spec written by `beam-etl profile` from ").append(String.format(Locale.ROOT, "%,d", records))
        .append(" sampled records.\n")
        .append("# Types, categories and patterns cover all but ").append(tolerance * 100)
        .append("% of the sample's values; the rest will be\n")
        .append("# dead-lettered. Review it: tighten ranges, add derive/filter/aggregate, pick the sink.\n")
        .append(leftOut.stream().map(line -> "# " + line + "\n").collect(java.util.stream.Collectors.joining()))
        .append("version: 1\n")
        .append("name: ").append(quote(name)).append("\n\n")
        .append("source:\n")
        .append("  path: ").append(quote(sourcePath)).append("   # relative paths mean this file's directory\n")
        .append("  format: ").append(source.format().name().toLowerCase(Locale.ROOT)).append('\n');
    if (!source.charset().equals(SourceSpec.DEFAULT_CHARSET)) {
      b.append("  charset: ").append(quote(source.charset())).append('\n'); // the job reads it as profile did
    }
    if (source.format() == SourceSpec.Format.CSV) {
      b.append("  csv:\n    header: ").append(source.header()).append('\n');
      if (source.delimiter() != ',') {
        b.append("    delimiter: ").append(source.delimiter() == '\t' ? "tab" : quote(String.valueOf(source.delimiter())))
            .append('\n');
      }
      if (source.multiline()) {
        b.append("    multiline: true   # quoted values hold line breaks\n");
      }
    }
    b.append("\nschema:\n");
    // Names unique ignoring case, as a spec's must be: a file with columns "id" and "ID" gets the
    // fields id and id_2 (column: "ID").
    Set<String> names = new HashSet<>();
    for (ColumnProfile.Suggestion f : fields) {
      if (FieldSpec.isValidName(f.name)) {
        names.add(f.name.toLowerCase(Locale.ROOT));
      }
    }
    Set<String> kept = new HashSet<>();
    for (ColumnProfile.Suggestion f : fields) {
      b.append("  - {name: ");
      if (f.name.isBlank() || FieldSpec.isValidName(f.name) && kept.add(f.name.toLowerCase(Locale.ROOT))) {
        b.append(plainOrQuoted(f.name));
      } else { // a column named "unit price": a valid name, unique in the spec, and the column's own
        String valid = FieldSpec.nameFor(f.name);
        for (int k = 2; names.contains(valid.toLowerCase(Locale.ROOT)); k++) {
          valid = FieldSpec.nameFor(f.name) + "_" + k;
        }
        names.add(valid.toLowerCase(Locale.ROOT));
        b.append(plainOrQuoted(valid)).append(", column: ").append(quote(f.name));
      }
      b.append(", type: ").append(quote(f.type));
      if (f.nullable) {
        b.append(", nullable: true");
      }
      if (f.nonNegative) {
        b.append(", min: 0");
      }
      if (f.categoryValues != null) {
        b.append(", values: [").append(f.categoryValues.stream().map(StarterSpec::quote)
            .collect(Collectors.joining(", "))).append(']');
      }
      if (f.pattern != null) {
        b.append(", pattern: ").append(quote(f.pattern));
      }
      b.append("}");
      String seen = String.format(Locale.ROOT, "  # %,d values, %,d nulls", f.values, f.nulls)
          + (f.range != null ? ", seen " + f.range : "")
          + (f.maxLength != null ? ", longest " + f.maxLength : "")
          + (f.rejected > 0 ? String.format(Locale.ROOT, ", %,d would be rejected", f.rejected) : "");
      b.append(seen).append('\n');
    }
    b.append("\nsink:\n")
        .append("  format: parquet\n")
        .append("  path: ").append(quote("out/" + name)).append('\n')
        .append("  ifExists: overwrite\n")
        .append("\ndeadLetter:\n")
        .append("  maxBadRatio: 0.05\n");
    return b.toString();
  }

  /**
   * A name as it reads best: bare, unless a YAML parser would take the bare word for something other
   * than text - {@code null}, {@code true}, {@code on}, {@code no}, a number - as every YAML tool
   * but the job's own reader of names does (a trial's header {@code null,true,on,no}).
   */
  static String plainOrQuoted(String name) {
    return org.yaml.snakeyaml.nodes.Tag.STR.equals(new org.yaml.snakeyaml.resolver.Resolver()
        .resolve(org.yaml.snakeyaml.nodes.NodeId.scalar, name, true)) ? name : quote(name);
  }

  /** A YAML double-quoted scalar (the JSON string syntax is valid YAML). */
  static String quote(String s) {
    return dev.beametl.record.JsonSyntax.quoted(s);
  }
}
