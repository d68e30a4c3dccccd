package dev.beametl.lookup;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.Origins;
import dev.beametl.record.RowJson;
import dev.beametl.spec.LookupSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;

/** Adds the looked-up fields to each row, or sends the row to the dead letters when its key has no match. */
final class JoinFn extends DoFn<Row, Row> {
  private final LookupSpec spec;
  private final int[] onPositions;
  private final int dataFields;
  private final boolean withOrigin;
  private final int added;
  private final Schema joinedSchema;
  private final PCollectionView<Iterable<LookupTable>> table;
  private final String field;
  private transient BundleCounts counts;
  private transient long[] matched;
  private transient long[] missed;
  /** The side input last seen, and its one table (null when the reference had no rows). */
  private transient Iterable<LookupTable> tableOf;
  private transient LookupTable lookupTable;
  /**
   * That table's values looked up lately, by entry number modulo its size (entry + 1, 0 for none):
   * the table keeps them encoded, and a key that comes again (a popular product) is not decoded again.
   */
  private transient Row[] recent;
  private transient int[] recentEntries;
  private static final int RECENT = 1 << 12;

  JoinFn(LookupSpec spec, Schema in, Schema joinedSchema, PCollectionView<Iterable<LookupTable>> table) {
    this.spec = spec;
    this.onPositions = spec.on().stream().mapToInt(in::indexOf).toArray();
    this.dataFields = Origins.dataFields(in);
    this.withOrigin = Origins.carried(in);
    this.added = spec.fields().size();
    this.joinedSchema = joinedSchema;
    this.table = table;
    this.field = String.join(",", spec.on());
  }

  @StartBundle
  public void startBundle() {
    counts = new BundleCounts();
    matched = counts.cell("lookup." + spec.name() + ".matched");
    missed = counts.cell("lookup." + spec.name() + ".missed");
  }

  @ProcessElement
  public void process(@Element Row row, ProcessContext context, MultiOutputReceiver out) {
    List<String> key = LookupKeys.of(row, onPositions);
    LookupTable lookup = table(context.sideInput(table));
    Row values = key == null || lookup == null ? null : values(lookup, key);
    if (values == null) {
      missed[0]++;
      if (spec.onMissing() == LookupSpec.OnMissing.DEAD_LETTER) {
        counts.increment("failed");
        counts.increment("failed.lookup_miss:" + field);
        out.get(Lookup.BAD).output(BadRecord.of(Origins.of(row), Lookup.STAGE, field, BadRecord.Kind.LOOKUP_MISS,
            key == null ? LookupKeys.describe(spec.on(), null) + ", so no " + spec.name() + " row can match"
                : "no " + spec.name() + " row with " + LookupKeys.describe(spec.key(), key),
            RowJson.values(row)).replayableAs(BadRecord.PayloadFormat.VALUES, null));
        return;
      }
    } else {
      matched[0]++;
    }
    List<Object> joined = new ArrayList<>(joinedSchema.getFieldCount());
    for (int i = 0; i < dataFields; i++) {
      joined.add(row.getValue(i));
    }
    for (int i = 0; i < added; i++) {
      joined.add(values == null ? null : values.getValue(i));
    }
    if (withOrigin) {
      joined.add(row.getValue(dataFields));
    }
    out.get(Lookup.JOINED).output(Row.withSchema(joinedSchema).attachValues(joined));
  }

  /** The one table of the side input, or null when the reference had no rows. */
  private LookupTable table(Iterable<LookupTable> side) {
    if (side != tableOf) {
      java.util.Iterator<LookupTable> tables = side.iterator();
      lookupTable = tables.hasNext() ? tables.next() : null;
      tableOf = side;
      recent = new Row[RECENT];
      recentEntries = new int[RECENT];
    }
    return lookupTable;
  }

  private Row values(LookupTable lookup, List<String> key) {
    int entry = lookup.find(key);
    if (entry < 0) {
      return null;
    }
    int slot = entry & (RECENT - 1);
    if (recentEntries[slot] != entry + 1) {
      recent[slot] = lookup.values(entry);
      recentEntries[slot] = entry + 1;
    }
    return recent[slot];
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) {
    counts.flush(context);
  }
}
