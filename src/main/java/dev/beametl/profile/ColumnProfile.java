package dev.beametl.profile;

import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.FieldType;
import dev.beametl.validate.ValueParser;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What one column's sampled values look like, and the field declaration they suggest. A type,
 * category list or pattern is chosen when it covers all but {@code tolerance} of the non-null
 * values: the rest are the sample's bad values, which the starter spec will then reject instead of
 * widening every field to a string.
 */
final class ColumnProfile {
  /** More distinct values than this are never counted one by one. */
  private static final int TRACKED_VALUES = 1000;
  /**
   * A number as the job's decimal and double types read text (validate.NumberText): ASCII digits,
   * {@code 1.}, {@code .5} and exponents ({@code 1e3}, {@code 1.5E-7}).
   */
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  /** A zero before another digit ({@code 007}, {@code -01}, {@code 00.5}): a code, which a number would change. */
  private static final Pattern LEADING_ZERO = Pattern.compile("[+-]?0\\d.*", Pattern.DOTALL);

  private final String name;
  private long values;
  private long nulls;
  private long longs;
  private long decimals;
  private long doubles;
  private long booleans;
  private long dates;
  private long timestamps;
  /** Values with a leading zero: one makes the column text, as a number type would drop its zeros. */
  private long zeroPadded;
  /**
   * Numbers no decimal(38,s) holds (more than 38 digits, {@code 1e-400}) that a double would change:
   * one makes the column text, as the job would not reject it in a double field but round it.
   */
  private long tooManyDigits;
  /** Values a double field accepts but changes ({@code 9007199254740993}, {@code 1e-400} as 0): never a double. */
  private long inexactDoubles;
  /** Objects and arrays (JSON): no field type reads one, so the column is left out of the spec. */
  private long nested;
  /** Quoted null markers by text: see {@link #addQuotedMarker}. */
  private final Map<String, Long> quotedMarkers = new LinkedHashMap<>();
  private final long[] decimalsByScale = new long[39];
  /** Longs and decimals by [integer digits][places]: how many values a decimal(p,s) holds. */
  private final long[][] byDigitsAndScale = new long[39][39];
  private int maxLength;
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private boolean tooManyValues;
  private final Map<String, Long> shapes = new LinkedHashMap<>();
  private BigDecimal min;
  private BigDecimal max;
  /** The range of the values within a long: what a long field is declared with, without the bad ones beyond it. */
  private BigDecimal longMin;
  private BigDecimal longMax;

  private static final ValueParser LONG = parser(FieldType.Kind.LONG);
  private static final ValueParser DOUBLE = parser(FieldType.Kind.DOUBLE);
  private static final ValueParser BOOLEAN = parser(FieldType.Kind.BOOLEAN);
  private static final ValueParser DATE = parser(FieldType.Kind.DATE);
  private static final ValueParser TIMESTAMP = parser(FieldType.Kind.TIMESTAMP);

  private static ValueParser parser(FieldType.Kind kind) {
    return ValueParser.forField(FieldSpec.builder("x", FieldType.of(kind)).build());
  }

  ColumnProfile(String name) {
    this.name = name;
  }

  String name() {
    return name;
  }

  void addNull() {
    nulls++;
  }

  void addNulls(long n) {
    nulls += n;
  }

  /**
   * A quoted null marker ({@code ""}, or {@code "NA"} where NA is one): the job reads it as null in a
   * number, date or boolean field, but as its text in a string or category field, where quotes mean
   * "exactly this text" - so a category must list it, or the starter spec rejects its rows.
   */
  void addQuotedMarker(String v) {
    nulls++;
    quotedMarkers.merge(v, 1L, Long::sum);
  }

  /** The quoted markers as the text values they are to a string or category field. */
  private void quotedMarkersAsText() {
    quotedMarkers.forEach((v, n) -> {
      nulls -= n;
      countText(v, n);
    });
    quotedMarkers.clear();
  }

  /** {@code n} values {@code v}, as a text column counts them: its length, distinct values and shapes. */
  private void countText(String v, long n) {
    values += n;
    maxLength = Math.max(maxLength, v.codePointCount(0, v.length())); // as the validator counts
    if (!tooManyValues) {
      counts.merge(v, n, Long::sum);
      tooManyValues = counts.size() > TRACKED_VALUES;
      if (tooManyValues) {
        counts.clear();
      }
    }
    if (shapes.size() <= TRACKED_VALUES) {
      shapes.merge(shape(v), n, Long::sum);
    }
  }

  void addNested() {
    nested++;
  }

  /** Whether some value was an object or array, which the job rejects in any field. */
  boolean hasNested() {
    return nested > 0;
  }

  void add(String v) {
    countText(v, 1);
    if (LEADING_ZERO.matcher(v).matches()) {
      zeroPadded++;
    } else if (LONG.tryParse(v) != null) { // digits only, within a long
      longs++;
      BigDecimal d = new BigDecimal(v);
      byDigitsAndScale[d.precision()][0]++;
      range(d);
      longMin = longMin == null || d.compareTo(longMin) < 0 ? d : longMin;
      longMax = longMax == null || d.compareTo(longMax) > 0 ? d : longMax;
    } else if (NUMBER.matcher(v).matches()) { // 1.5, 1e3, an integer beyond a long
      addDecimal(new BigDecimal(v), v);
    }
    if (DOUBLE.tryParse(v) != null) {
      doubles++;
      inexactDoubles += exactAsDouble(v) ? 0 : 1;
    }
    // 0 and 1 read as booleans too, but a column of them is numbers (DuckDB: BIGINT): typed boolean,
    // the starter spec wrote 1 as true, and a later 2 was a bad record (a hostile trial).
    if (BOOLEAN.tryParse(v) != null && !INTEGER.matcher(v).matches()) {
      booleans++;
    }
    if (DATE.tryParse(v) != null) {
      dates++;
    }
    if (TIMESTAMP.tryParse(v) != null) {
      timestamps++;
    }
  }

  /**
   * A number the decimal type reads: counted by the places a decimal needs for it (1e3 none, 1.5e-3
   * four), unless no decimal(38,s) holds it. Its integer digits plus places are checked, never its
   * value rescaled: 1e-999999999 would take a billion digits.
   */
  private void addDecimal(BigDecimal d, String text) {
    int scale = Math.max(0, d.scale());
    long integerDigits = Math.max(0L, (long) d.precision() - d.scale());
    if (integerDigits + scale > FieldType.MAX_PRECISION) {
      tooManyDigits += exactAsDouble(text) ? 0 : 1; // 1e50 a double holds; 41 digits it rounds
      return;
    }
    decimals++;
    decimalsByScale[scale]++;
    byDigitsAndScale[(int) integerDigits][scale]++;
    range(d);
  }

  /**
   * Whether a double keeps {@code text}'s value: its shortest text (what the job writes and reads
   * back, 0.1 for 0.1) is the same number. 9007199254740993 becomes ...992, 0.12345678901234567
   * ...566, 1e-400 zero - changes a hostile trial found written without a dead letter.
   */
  private static boolean exactAsDouble(String text) {
    double x = Double.parseDouble(text);
    return Double.isFinite(x) && new BigDecimal(Double.toString(x)).compareTo(new BigDecimal(text)) == 0;
  }

  private void range(BigDecimal d) {
    min = min == null || d.compareTo(min) < 0 ? d : min;
    max = max == null || d.compareTo(max) > 0 ? d : max;
  }

  /**
   * Digits become a counted class, everything else stays literal: "P-1001" -> "P-[0-9]{4}". By code
   * point: a character beyond the BMP (an emoji) quoted as two halves was a lone surrogate each, which
   * no spec file can hold (a hostile trial: profile failed with "cannot read the input").
   */
  static String shape(String v) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < v.length()) {
      int c = v.codePointAt(i);
      if (c >= '0' && c <= '9') {
        int j = i;
        while (j < v.length() && v.charAt(j) >= '0' && v.charAt(j) <= '9') {
          j++;
        }
        b.append("[0-9]").append(j - i == 1 ? "" : "{" + (j - i) + "}");
        i = j;
      } else {
        String text = new String(Character.toChars(c));
        b.append(Character.isLetterOrDigit(c) || c == ' ' || c == '-' || c == '_' ? text : Pattern.quote(text));
        i += text.length();
      }
    }
    return b.toString();
  }

  /** The declaration this column suggests. */
  Suggestion suggest(double tolerance, int maxCategories) {
    long need = values - (long) Math.floor(values * tolerance);
    Suggestion s = new Suggestion(name);
    s.nullable = nulls > Math.floor((values + nulls) * tolerance);
    s.nulls = nulls;
    s.values = values;
    if (values == 0) {
      s.type = "string";
      s.nullable = true;
      return s;
    }
    // No tolerance for zero-padded or too long numbers: the job would not reject 007 in a number
    // field but change it to 7, nor 41 digits in a double but round them.
    boolean numeric = zeroPadded == 0 && tooManyDigits == 0;
    if (booleans >= need && distinct() <= 2) {
      s.type = "boolean";
    } else if (numeric && longs >= need) {
      s.type = "long";
      s.range = rangeText(longMin, longMax);
      s.nonNegative = longMin.signum() >= 0;
    } else if (numeric && longs + decimals >= need && decimalType(need) != null) {
      s.type = decimalType(need);
      s.range = rangeText(min, max);
      s.nonNegative = min.signum() >= 0;
    } else if (numeric && doubles >= need && inexactDoubles == 0) { // only values a double keeps as they are
      s.type = "double";
    } else if (dates >= need) {
      s.type = "date";
    } else if (timestamps >= need) {
      s.type = "timestamp";
    } else {
      quotedMarkersAsText();
      need = values - (long) Math.floor(values * tolerance);
      s.nullable = nulls > Math.floor((values + nulls) * tolerance);
      s.nulls = nulls;
      s.values = values;
      suggestText(s, need, maxCategories);
    }
    s.rejected = values - covered(s);
    return s;
  }

  /**
   * The decimal(p,s) holding the longs and all but the tolerated decimals, or null when none does.
   * When the largest value's integer digits and the scale need more than 38, p is 38 and the values
   * with more integer digits than 38 - s are counted as rejected: capping p kept the scale, and the
   * job rejected the large values profile had counted as fine (a hostile trial).
   */
  private String decimalType(long need) {
    int scale = scaleCovering(need - longs);
    int integerDigits = 0;
    for (int d = 0; d <= FieldType.MAX_PRECISION; d++) {
      integerDigits = decimalsWithin(d, scale) > decimalsWithin(d - 1, scale) ? d : integerDigits;
    }
    if (integerDigits + scale <= FieldType.MAX_PRECISION) {
      // Two digits of headroom above the sample's largest value (a sample is rarely the maximum), as many as fit.
      return "decimal(" + Math.min(FieldType.MAX_PRECISION, Math.max(1, integerDigits) + 2 + scale) + "," + scale + ")";
    }
    return decimalsWithin(FieldType.MAX_PRECISION - scale, scale) >= need
        ? "decimal(" + FieldType.MAX_PRECISION + "," + scale + ")" : null;
  }

  /** How many longs and decimals have at most {@code integerDigits} integer digits and {@code scale} places. */
  private long decimalsWithin(int integerDigits, int scale) {
    long n = 0;
    for (int d = 0; d <= integerDigits; d++) {
      for (int k = 0; k <= scale; k++) {
        n += byDigitsAndScale[d][k];
      }
    }
    return n;
  }

  /** A category when few values repeat, else a string with the digit pattern most values share. */
  private void suggestText(Suggestion s, long need, int maxCategories) {
    s.type = "string";
    List<String> category = category(need, maxCategories);
    if (category != null) {
      s.type = "category";
      s.categoryValues = category;
    } else {
      s.pattern = pattern(need);
      s.maxLength = maxLength;
    }
  }

  private long covered(Suggestion s) {
    switch (s.type.replaceAll("\\(.*", "")) {
      case "boolean":
        return booleans;
      case "long":
        return longs;
      case "decimal":
        String[] ps = s.type.replaceAll("[^0-9,]", "").split(",");
        int scale = Integer.parseInt(ps[1]);
        return decimalsWithin(Integer.parseInt(ps[0]) - scale, scale);
      case "double":
        return doubles;
      case "date":
        return dates;
      case "timestamp":
        return timestamps;
      case "category":
        return s.categoryValues.stream().mapToLong(counts::get).sum();
      default:
        return s.pattern == null ? values : shapes.get(s.pattern);
    }
  }

  private int distinct() {
    return tooManyValues ? Integer.MAX_VALUE : counts.size();
  }

  /** The smallest scale that all but the tolerated share of decimal values fit. */
  private int scaleCovering(long needDecimals) {
    for (int scale = 0; scale < decimalsByScale.length; scale++) {
      if (decimalsAtMostScale(scale) >= needDecimals) {
        return scale;
      }
    }
    return 38;
  }

  private long decimalsAtMostScale(int scale) {
    long n = 0;
    for (int i = 0; i <= scale; i++) {
      n += decimalsByScale[i];
    }
    return n;
  }

  /** The frequent values, when few enough of them cover the column; rare values are left out as bad. */
  private List<String> category(long need, int maxCategories) {
    if (tooManyValues) {
      return null;
    }
    long rare = Math.max(1, (long) Math.floor(values * 0.001)); // a value this rare is a typo, not a category
    List<String> frequent = new ArrayList<>();
    long covered = 0;
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      if (e.getValue() > rare) {
        frequent.add(e.getKey());
        covered += e.getValue();
      }
    }
    // A category repeats: on average each value stands for many records.
    boolean repeats = frequent.size() * 10L <= values;
    if (frequent.isEmpty() || frequent.size() > maxCategories || covered < need || !repeats) {
      return null;
    }
    frequent.sort(null);
    return frequent;
  }

  private String pattern(long need) {
    if (shapes.size() > TRACKED_VALUES) {
      return null;
    }
    return shapes.entrySet().stream().filter(e -> e.getValue() >= need && e.getKey().contains("[0-9]"))
        .map(Map.Entry::getKey).findFirst().orElse(null);
  }

  private static String rangeText(BigDecimal min, BigDecimal max) {
    return String.format(Locale.ROOT, "%s .. %s", min.toPlainString(), max.toPlainString());
  }

  /** A suggested field declaration with what was seen. */
  static final class Suggestion {
    final String name;
    String type;
    boolean nullable;
    boolean nonNegative;
    String range;
    String pattern;
    Integer maxLength;
    List<String> categoryValues;
    long values;
    long nulls;
    long rejected;

    Suggestion(String name) {
      this.name = name;
    }
  }
}
