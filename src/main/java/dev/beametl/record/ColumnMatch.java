package dev.beametl.record;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a field finds its column among a source's names - a CSV header, a JSON object's keys, a Parquet
 * file's or a database row's columns - one rule for all of them: the name exactly, else the one name
 * that equals it ignoring case. A name that is exactly another field's is that field's; one that two
 * fields' names match only ignoring case (fields {@code id} and {@code ID}, a column {@code Id}) is
 * neither's, since which one it is cannot be told.
 */
public final class ColumnMatch {
  /** No name matches the field. */
  public static final int MISSING = -1;
  /** Two names match the field equally well (both exactly, or both only ignoring case). */
  public static final int AMBIGUOUS = -2;
  /** The only name matching the field ignoring case matches another field's name as well. */
  public static final int CASE_AMBIGUOUS = -3;

  private ColumnMatch() {}

  /**
   * Per field name, the other field names that equal it ignoring case but not exactly (usually
   * none). Names are compared trimmed.
   */
  public static List<Set<String>> caseVariants(List<String> fieldNames) {
    List<Set<String>> out = new ArrayList<>();
    for (String name : fieldNames) {
      Set<String> variants = new TreeSet<>();
      for (String other : fieldNames) {
        String a = WhiteSpace.strip(other);
        String b = WhiteSpace.strip(name);
        if (!a.equals(b) && a.equalsIgnoreCase(b)) {
          variants.add(a);
        }
      }
      out.add(variants);
    }
    return out;
  }

  /**
   * The index in {@code names} of the field's column, or {@link #MISSING}, {@link #AMBIGUOUS} or
   * {@link #CASE_AMBIGUOUS}. {@code variants} is the field's entry of {@link #caseVariants}; names
   * are compared as given (a caller trims a CSV header's, whose spaces are the file's layout).
   */
  public static int find(List<String> names, String field, Set<String> variants) {
    int exact = exactly(names, field);
    return exact != MISSING ? exact : ignoringCase(names, field, variants);
  }

  /** The names that match {@code field} only ignoring case and are no other field's own: for messages. */
  public static List<String> caseMatches(List<String> names, String field, Set<String> variants) {
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (!name.equals(field) && name.equalsIgnoreCase(field) && !variants.contains(name)) {
        out.add(name);
      }
    }
    return out;
  }

  private static int exactly(List<String> names, String field) {
    int column = MISSING;
    for (int c = 0; c < names.size(); c++) {
      if (names.get(c).equals(field)) {
        column = column == MISSING ? c : AMBIGUOUS;
      }
    }
    return column;
  }

  private static int ignoringCase(List<String> names, String field, Set<String> variants) {
    int column = MISSING;
    for (int c = 0; c < names.size(); c++) {
      String name = names.get(c);
      if (name.equalsIgnoreCase(field) && !variants.contains(name)) {
        column = column == MISSING ? c : AMBIGUOUS;
      }
    }
    return column >= 0 && !variants.isEmpty() ? CASE_AMBIGUOUS : column;
  }
}
