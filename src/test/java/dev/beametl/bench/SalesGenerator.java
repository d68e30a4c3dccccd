package dev.beametl.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Writes the sales data set of {@code pipelines/sales-by-product.yaml} at any size: same seed and
 * sizes, same bytes. A share of the rows is deliberately bad, cycling through the kinds the schema
 * gate must catch, so a run's bad-record count is known in advance ({@link #badRows}).
 *
 * <pre>java -cp ... dev.beametl.bench.SalesGenerator --rows=1000000 --out=/tmp/sales [--files=4]
 *     [--badShare=0.001] [--products=40] [--stores=24] [--orders=rows/3] [--seed=1]</pre>
 */
public final class SalesGenerator {
  static final String HEADER = "order_id,ts,product,category,store,region,quantity,unit_price,discount";
  private static final String[] CATEGORIES = {"books", "electronics", "garden", "toys", "grocery"};
  private static final String[] REGIONS = {"EU", "NA", "APAC", "LATAM"};
  private static final String[] DISCOUNTS = {"", "0.050", "0.100", "0.250"};
  /** One per kind of bad row; each replaces one field of a good row (or the whole line). */
  private static final String[] BAD_KINDS = {
    "quantity=12x", "region=Mars", "unit_price=19.999", "ts=2024-02-30T10:00:00Z", "quantity=0",
    "product=", "product=X-12", "discount=0.900", "order_id=99999999999999999999", "category=weapons",
    "line:1000001,2024-01-05T10:00:00Z,P-1001,books,S001,EU,3", "line:1000002,2024-01-05T10:00:00Z,\"P-1001,books"};
  private static final long START = Instant.parse("2023-12-01T00:00:00Z").getEpochSecond();
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private final long rows;
  private final double badShare;
  private final int products;
  private final int stores;
  private final long orders;
  private final long seed;

  public SalesGenerator(long rows, double badShare, int products, int stores, long orders, long seed) {
    this.rows = rows;
    this.badShare = badShare;
    this.products = products;
    this.stores = stores;
    this.orders = orders;
    this.seed = seed;
  }

  /** How many of the rows are bad: every {@code 1/badShare}-th row, counted from the first. */
  public long badRows() {
    return BadShare.count(rows, badShare);
  }

  /** Writes {@code files} CSV files {@code sales-00000.csv...} into {@code dir}, rows spread evenly. */
  public void write(Path dir, int files) throws IOException {
    Files.createDirectories(dir);
    SplittableRandom rng = new SplittableRandom(seed);
    long every = BadShare.every(badShare);
    long row = 0;
    StringBuilder line = new StringBuilder(128);
    for (int f = 0; f < files; f++) {
      long end = rows * (f + 1) / files;
      Path file = dir.resolve(String.format("sales-%05d.csv", f));
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
        out.write((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
        for (; row < end; row++) {
          line.setLength(0);
          goodRow(rng, line);
          String text = every > 0 && row % every == 0 ? spoil(line.toString(), (int) (row / every % BAD_KINDS.length)) : line.toString();
          out.write(text.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        }
      }
    }
  }

  private void goodRow(SplittableRandom rng, StringBuilder b) {
    b.append(1 + rng.nextLong(orders)).append(',');
    TS.formatTo(Instant.ofEpochSecond(START + 60 * rng.nextLong(60L * 24 * 90)), b);
    b.append(",P-").append(1001 + rng.nextInt(products)).append(',');
    b.append(CATEGORIES[rng.nextInt(CATEGORIES.length)]).append(",S");
    int store = 1 + rng.nextInt(stores);
    b.append(store < 10 ? "00" : store < 100 ? "0" : "").append(store).append(',');
    b.append(REGIONS[rng.nextInt(REGIONS.length)]).append(',');
    b.append(1 + rng.nextInt(19)).append(',');
    int cents = rng.nextInt(100);
    b.append(1 + rng.nextInt(299)).append('.').append(cents < 10 ? "0" : "").append(cents).append(',');
    b.append(DISCOUNTS[rng.nextInt(DISCOUNTS.length)]);
  }

  private static String spoil(String good, int kind) {
    String bad = BAD_KINDS[kind];
    if (bad.startsWith("line:")) {
      return bad.substring("line:".length());
    }
    String field = bad.substring(0, bad.indexOf('='));
    String[] names = HEADER.split(",");
    String[] values = good.split(",", -1);
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(field)) {
        values[i] = bad.substring(field.length() + 1);
      }
    }
    return String.join(",", values);
  }

  public static void main(String[] args) throws IOException {
    long rows = 1_000_000;
    double badShare = 0.001;
    int products = 40;
    int stores = 24;
    long orders = -1;
    long seed = 1;
    int files = 1;
    Path out = null;
    for (String arg : args) {
      String[] kv = arg.replaceFirst("^--", "").split("=", 2);
      if (kv.length != 2) {
        throw usage("expected --name=value, got " + arg);
      }
      switch (kv[0]) {
        case "rows" -> rows = Long.parseLong(kv[1].replace("_", ""));
        case "badShare" -> badShare = Double.parseDouble(kv[1]);
        case "products" -> products = Integer.parseInt(kv[1]);
        case "stores" -> stores = Integer.parseInt(kv[1]);
        case "orders" -> orders = Long.parseLong(kv[1]);
        case "seed" -> seed = Long.parseLong(kv[1]);
        case "files" -> files = Integer.parseInt(kv[1]);
        case "out" -> out = Path.of(kv[1]);
        default -> throw usage("unknown flag --" + kv[0]);
      }
    }
    if (out == null || rows < 0 || files < 1 || products < 1 || products > 8999 || stores < 1 || stores > 999) {
      throw usage("--out is required; rows >= 0, files >= 1, 1 <= products <= 8999, 1 <= stores <= 999");
    }
    SalesGenerator generator = new SalesGenerator(rows, badShare, products, stores, orders > 0 ? orders : Math.max(1, rows / 3), seed);
    generator.write(out, files);
    System.out.printf("wrote %,d rows (%,d bad) in %d file(s) to %s%n", rows, generator.badRows(), files, out);
  }

  private static IllegalArgumentException usage(String message) {
    return new IllegalArgumentException(message + "\nusage: SalesGenerator --rows=N --out=DIR [--files=K] "
        + "[--badShare=0.001] [--products=40] [--stores=24] [--orders=N] [--seed=1]");
  }
}
