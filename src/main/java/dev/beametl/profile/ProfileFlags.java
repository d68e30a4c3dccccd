package dev.beametl.profile;

import dev.beametl.spec.SourceSpec;
import dev.beametl.spec.SpecException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * profile's flags, each value checked as it is read: a bad one is a one-line usage error naming the
 * flag and what it takes. A hostile trial found --header=yes read as false (the header became a data
 * row), --delimiter=semicolon read as "s", --tolerance=1 and --delimiter= stack traces, and
 * --sampleRows=abc or --format=xml errors that named neither the flag nor a fix.
 */
final class ProfileFlags {
  static final List<String> NAMES = List.of("input", "out", "format", "delimiter", "header", "charset",
      "sampleRows", "tolerance", "maxCategories", "name");
  /** Words a delimiter is called by, and the character meant (the fix an error names). */
  private static final Map<String, String> DELIMITER_WORDS = Map.of("comma", ",", "semicolon", ";", "pipe", "|",
      "space", " ", "colon", ":");

  private final Map<String, String> values = new LinkedHashMap<>();

  /** {@code args} as {@code --flag=value}; {@code --input} and {@code --out} relative to {@code callerDir}. */
  ProfileFlags(Path callerDir, String[] args) {
    for (String a : args) {
      if (!a.startsWith("--") || !a.contains("=")) {
        throw new SpecException("expected --name=value, got \"" + a + "\"; " + Profile.USAGE);
      }
      String key = a.substring(2, a.indexOf('='));
      if (!NAMES.contains(key)) {
        throw new SpecException("unknown flag --" + key + "; " + Profile.USAGE);
      }
      String value = a.substring(a.indexOf('=') + 1);
      boolean path = key.equals("input") || key.equals("out");
      if (key.equals("out") && (value.endsWith("/") || value.endsWith(java.io.File.separator))) {
        throw outIsADirectory(value.replaceFirst("[/\\\\]+$", ""));
      }
      // A blank path would resolve to the caller's directory: left blank, required() names it.
      if (values.put(key, path && !value.isBlank() ? callerDir.resolve(value).normalize().toString() : value) != null) {
        throw new SpecException("--" + key + " is given twice; give it once");
      }
    }
  }

  String get(String flag) {
    return values.get(flag);
  }

  boolean has(String flag) {
    return values.containsKey(flag);
  }

  String required(String flag) {
    String v = values.get(flag);
    if (v == null || v.isBlank()) {
      throw new SpecException("--" + flag + " is required; " + Profile.USAGE);
    }
    return v;
  }

  /** csv or jsonl; without --format, jsonl for a .jsonl or .json input. */
  SourceSpec.Format format(String input) {
    String f = values.getOrDefault("format", input.endsWith(".jsonl") || input.endsWith(".json") ? "jsonl" : "csv");
    switch (f.toLowerCase(Locale.ROOT)) {
      case "csv":
        return SourceSpec.Format.CSV;
      case "jsonl":
        return SourceSpec.Format.JSONL;
      default:
        throw bad("format", "profile reads csv or jsonl files");
    }
  }

  boolean header() {
    String h = values.getOrDefault("header", "true");
    if (!h.equalsIgnoreCase("true") && !h.equalsIgnoreCase("false")) {
      throw bad("header", "give true (the first line names the columns) or false");
    }
    return Boolean.parseBoolean(h);
  }

  /** The one delimiter character, as the spec's csv.delimiter reads it; null when not given. */
  Character delimiter() {
    if (!values.containsKey("delimiter")) {
      return null;
    }
    String d = values.get("delimiter");
    if (d.equals("\\t") || d.equals("tab")) {
      return '\t';
    }
    String meant = DELIMITER_WORDS.get(d.toLowerCase(Locale.ROOT));
    if (d.length() != 1 || d.charAt(0) == '\n' || d.charAt(0) == '\r' || d.charAt(0) == '"') {
      throw bad("delimiter", (meant != null ? "give the character itself (--delimiter='" + meant + "')"
          : "give one character (not a line break or the quote \")") + ", or tab or \\t for a tab");
    }
    return d.charAt(0);
  }

  /**
   * The charset's canonical name, as the spec's source.charset reads it; null when not given. A
   * Latin-1 file profiled as UTF-8 skipped every record with an accented letter as undecodable.
   */
  String charset() {
    if (!values.containsKey("charset")) {
      return null;
    }
    try {
      return java.nio.charset.Charset.forName(values.get("charset").trim()).name();
    } catch (IllegalArgumentException e) { // unknown, unsupported or an illegal name
      throw bad("charset", "give a charset Java knows, e.g. UTF-8, ISO-8859-1, windows-1252, UTF-16");
    }
  }

  long sampleRows() {
    return atLeastOne("sampleRows", "100000", Long.MAX_VALUE, "give the number of records to read, at least 1");
  }

  double tolerance() {
    try {
      double t = Double.parseDouble(values.getOrDefault("tolerance", "0.01"));
      if (t >= 0 && t < 1) { // NaN fails too; 1 would leave no value a type must cover
        return t;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw bad("tolerance", "give the share of a column's values that may be bad, from 0 up to (not including) 1; "
        + "0.01 is 1%");
  }

  int maxCategories() {
    return (int) atLeastOne("maxCategories", "20", Integer.MAX_VALUE,
        "give the most values a category lists, a whole number of at least 1");
  }

  /** The whole number {@code flag} gives (else {@code byDefault}), from 1 to {@code max}; else what {@code fix} says. */
  private long atLeastOne(String flag, String byDefault, long max, String fix) {
    try {
      long n = Long.parseLong(values.getOrDefault(flag, byDefault));
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw bad(flag, fix);
  }

  /** --out names a folder (a trial's --out=newspecs/ wrote a spec file named newspecs). */
  static SpecException outIsADirectory(String dir) {
    return new SpecException("--out=" + dir + " is a directory; give the spec file to write, e.g. --out=" + dir
        + "/NAME.yaml");
  }

  private SpecException bad(String flag, String fix) {
    return new SpecException("--" + flag + "=" + values.get(flag) + ": " + fix);
  }
}
