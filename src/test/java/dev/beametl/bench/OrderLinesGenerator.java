package dev.beametl.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * Writes a wide order-lines table at any size, shaped like TPC-H's {@code lineitem}: 16 columns per
 * row (four integer keys, four {@code decimal(15,2)}, two one-letter categories, three dates, two
 * short strings and a free-text comment of 10-44 characters). Same seed, sizes and format: same
 * bytes. A share of the rows is deliberately bad, cycling through the kinds the schema gate must
 * catch. Three formats of the same rows: {@code pipe} ('|'-delimited, no header, as dbgen writes
 * it), {@code csv} (a header, text fields quoted, commas inside comments) and {@code jsonl}.
 *
 * <pre>java -cp target/test-classes dev.beametl.bench.OrderLinesGenerator --rows=18000000 --out=/tmp/lines
 *     [--files=4] [--format=pipe|csv|jsonl] [--badShare=0.001] [--seed=1]</pre>
 *
 * Lines per order are 1 to 7 (4 on average), so N rows hold about N/4 orders.
 */
public final class OrderLinesGenerator {
  public enum Format { PIPE, CSV, JSONL }

  static final String[] COLUMNS = {
    "l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity", "l_extendedprice", "l_discount",
    "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct",
    "l_shipmode", "l_comment"};
  /** Columns written as JSON strings and quoted in CSV. */
  private static final boolean[] TEXT = {
    false, false, false, false, false, false, false, false, true, true, true, true, true, true, true, true};
  private static final String[] INSTRUCTIONS = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
  private static final String[] MODES = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};
  private static final String[] WORDS = {
    "furiously", "sly", "careful", "blithely", "quickly", "fluffily", "slyly", "ironic", "final", "regular",
    "express", "pending", "deposits", "requests", "accounts", "packages", "theodolites", "pinto", "beans",
    "foxes", "ideas", "instructions", "dependencies", "excuses", "platelets", "asymptotes", "courts", "dolphins"};
  /** One per kind of bad row: a field replaced by a value the schema refuses, or the whole line cut. */
  private static final String[] BAD_KINDS = {
    "l_quantity=1x", "l_discount=0.125", "l_shipdate=1996-02-30", "l_returnflag=X", "l_orderkey=",
    "l_tax=-0.01", "l_comment=" + "x".repeat(45), "l_partkey=99999999999", "l_receiptdate=1996-13-01", "cut"};
  static final LocalDate START = LocalDate.of(1992, 1, 1);
  /** TPC-H's "current date": lines received after it are still open ('N'), shipped after it 'O'. */
  static final LocalDate CURRENT = LocalDate.of(1995, 6, 17);
  private static final int ORDER_DAYS = (int) (LocalDate.of(1998, 8, 2).toEpochDay() - START.toEpochDay());

  private final long rows;
  private final double badShare;
  private final long seed;
  private final Format format;

  public OrderLinesGenerator(long rows, double badShare, long seed, Format format) {
    this.rows = rows;
    this.badShare = badShare;
    this.seed = seed;
    this.format = format;
  }

  /** How many of the rows are bad: every {@code 1/badShare}-th row, counted from the first. */
  public long badRows() {
    return BadShare.count(rows, badShare);
  }

  /** Writes {@code files} files {@code lines-00000.<ext>...} into {@code dir}, rows spread evenly. */
  public void write(Path dir, int files) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(seed);
    long every = BadShare.every(badShare);
    String ext = format == Format.PIPE ? "tbl" : format == Format.CSV ? "csv" : "jsonl";
    String[] values = new String[COLUMNS.length];
    StringBuilder line = new StringBuilder(256);
    long row = 0;
    long order = 0;
    int linesLeft = 0;
    int lineNumber = 0;
    int orderDay = 0;
    for (int f = 0; f < files; f++) {
      long end = rows * (f + 1) / files;
      Path file = dir.resolve(String.format("lines-%05d.%s", f, ext));
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        if (format == Format.CSV) {
          out.write((String.join(",", COLUMNS) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        for (; row < end; row++) {
          if (linesLeft == 0) {
            order += 1 + rng.nextInt(4); // sparse keys, as in TPC-H
            linesLeft = 1 + rng.nextInt(7);
            lineNumber = 0;
            orderDay = rng.nextInt(ORDER_DAYS);
          }
          linesLeft--;
          goodRow(rng, order, ++lineNumber, orderDay, values);
          boolean cut = false;
          if (every > 0 && row % every == 0) {
            String bad = BAD_KINDS[(int) (row / every % BAD_KINDS.length)];
            cut = bad.equals("cut");
            if (!cut) {
              String column = bad.substring(0, bad.indexOf('='));
              values[java.util.Arrays.asList(COLUMNS).indexOf(column)] = bad.substring(column.length() + 1);
            }
          }
          line.setLength(0);
          format(values, cut ? COLUMNS.length - 3 : COLUMNS.length, line);
          out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        }
      }
    }
  }

  private static void goodRow(SplittableRandom rng, long order, int lineNumber, int orderDay, String[] v) {
    int part = 1 + rng.nextInt(200_000);
    long retailCents = 90_000 + (part / 10) % 20_001 + 100L * (part % 1_000);
    int quantity = 1 + rng.nextInt(50);
    LocalDate ordered = START.plusDays(orderDay);
    LocalDate shipped = ordered.plusDays(1 + rng.nextInt(121));
    LocalDate committed = ordered.plusDays(30 + rng.nextInt(61));
    LocalDate received = shipped.plusDays(1 + rng.nextInt(30));
    v[0] = Long.toString(order);
    v[1] = Integer.toString(part);
    v[2] = Integer.toString(1 + (part + lineNumber * 2_500) % 10_000);
    v[3] = Integer.toString(lineNumber);
    v[4] = quantity + ".00";
    v[5] = cents(quantity * retailCents);
    v[6] = cents(rng.nextInt(11));
    v[7] = cents(rng.nextInt(9));
    v[8] = received.isAfter(CURRENT) ? "N" : rng.nextBoolean() ? "R" : "A";
    v[9] = shipped.isAfter(CURRENT) ? "O" : "F";
    v[10] = shipped.toString();
    v[11] = committed.toString();
    v[12] = received.toString();
    v[13] = INSTRUCTIONS[rng.nextInt(INSTRUCTIONS.length)];
    v[14] = MODES[rng.nextInt(MODES.length)];
    v[15] = comment(rng, 10 + rng.nextInt(35));
  }

  private static String cents(long cents) {
    long units = cents / 100;
    int rest = (int) (cents % 100);
    return units + (rest < 10 ? ".0" : ".") + rest;
  }

  /** Words up to exactly {@code length} characters; now and then a comma, which CSV must quote. */
  private static String comment(SplittableRandom rng, int length) {
    StringBuilder b = new StringBuilder(length);
    while (b.length() < length) {
      if (b.length() > 0) {
        b.append(rng.nextInt(8) == 0 ? ", " : " ");
      }
      b.append(WORDS[rng.nextInt(WORDS.length)]);
    }
    b.setLength(length);
    return b.toString().strip().isEmpty() ? "x".repeat(length) : b.toString().replaceAll("[ ,]+$", "x");
  }

  private void format(String[] values, int columns, StringBuilder b) {
    switch (format) {
      case PIPE -> {
        for (int i = 0; i < columns; i++) {
          b.append(i == 0 ? "" : "|").append(values[i]);
        }
      }
      case CSV -> {
        for (int i = 0; i < columns; i++) {
          b.append(i == 0 ? "" : ",");
          if (TEXT[i]) {
            b.append('"').append(values[i].replace("\"", "\"\"")).append('"');
          } else {
            b.append(values[i]);
          }
        }
      }
      case JSONL -> {
        b.append('{');
        for (int i = 0; i < columns; i++) {
          b.append(i == 0 ? "\"" : ",\"").append(COLUMNS[i]).append("\":");
          String value = values[i];
          if (value.isEmpty()) {
            b.append("null");
          } else if (TEXT[i] || !value.matches("-?[0-9.]+")) {
            b.append('"').append(value).append('"');
          } else {
            b.append(value);
          }
        }
        b.append('}');
      }
    }
    b.append('\n');
  }

  public static void main(String[] args) throws IOException {
    long rows = 1_000_000;
    double badShare = 0.001;
    long seed = 1;
    int files = 1;
    Format format = Format.PIPE;
    Path out = null;
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      if (kv.length != 2) {
        throw usage("expected --name=value, got " + arg);
      }
      switch (kv[0]) {
        case "rows" -> rows = Long.parseLong(kv[1].replace("_", ""));
        case "badShare" -> badShare = Double.parseDouble(kv[1]);
        case "seed" -> seed = Long.parseLong(kv[1]);
        case "files" -> files = Integer.parseInt(kv[1]);
        case "format" -> format = Format.valueOf(kv[1].toUpperCase(java.util.Locale.ROOT));
        case "out" -> out = Path.of(kv[1]);
        default -> throw usage("unknown flag --" + kv[0]);
      }
    }
    if (out == null || rows < 0 || files < 1) {
      throw usage("--out is required; rows >= 0, files >= 1");
    }
    OrderLinesGenerator generator = new OrderLinesGenerator(rows, badShare, seed, format);
    generator.write(out, files);
    System.out.printf("wrote %,d rows (%,d bad) in %d file(s) to %s%n", rows, generator.badRows(), files, out);
  }

  private static IllegalArgumentException usage(String message) {
    return new IllegalArgumentException(message + "\nusage: OrderLinesGenerator --rows=N --out=DIR [--files=K] "
        + "[--format=pipe|csv|jsonl] [--badShare=0.001] [--seed=1]");
  }
}
