package dev.beametl.lookup;

import dev.beametl.record.BadRecord;
import dev.beametl.record.BundleCounts;
import dev.beametl.record.Origins;
import dev.beametl.spec.BeamTypes;
import dev.beametl.spec.FieldSpec;
import dev.beametl.spec.LookupSpec;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Lookup stage: joins each valid row with a reference table by key and adds the table's named
 * fields. The table (validated rows of the reference source, each ending with its origin) is built
 * with a combine ({@link ReferenceTable}, limited in rows and bytes) into a {@link LookupTable},
 * held encoded, and goes to every worker as a side input. A row whose key has no match gets nulls
 * or becomes a dead letter ({@code lookup_miss}), as the spec says. Gives {@link #JOINED} rows, {@link #BAD} records and the
 * counts {@code lookup.<name>.matched}, {@code .missed}, {@code .rows}, {@code failed} and
 * {@code failed.lookup_miss:<field>} on {@link BundleCounts#TAG}.
 *
 * <pre>{@code
 * PCollectionTuple joined = rows.apply(Lookup.of(products).withReference(validProducts));
 * }</pre>
 */
public final class Lookup extends PTransform<PCollection<Row>, PCollectionTuple> {
  public static final TupleTag<Row> JOINED = new TupleTag<>("joined") {};
  public static final TupleTag<BadRecord> BAD = new TupleTag<>("lookup-bad") {};
  static final String STAGE = "lookup";

  private final LookupSpec spec;
  private final boolean encodeCategories;
  private final transient PCollection<Row> reference;

  private Lookup(LookupSpec spec, boolean encodeCategories, PCollection<Row> reference) {
    this.spec = spec;
    this.encodeCategories = encodeCategories;
    this.reference = reference;
  }

  public static Lookup of(LookupSpec spec) {
    return new Lookup(spec, true, null);
  }

  /** The reference table's validated rows, as Validate gives them (with origins, see Validate#withOrigins). */
  public Lookup withReference(PCollection<Row> rows) {
    return new Lookup(spec, encodeCategories, rows);
  }

  /** Must match how Validate carried the categories. */
  public Lookup withCategoryEncoding(boolean encode) {
    return new Lookup(spec, encode, reference);
  }

  /** The fields a lookup adds, as rows carry them. */
  Schema addedSchema() {
    Schema.Builder b = Schema.builder();
    for (FieldSpec f : spec.addedFieldSpecs()) {
      b.addField(Schema.Field.of(f.name(), BeamTypes.of(f.type(), f.values() == null ? List.of() : f.values(),
          encodeCategories)).withNullable(true));
    }
    return b.build();
  }

  @Override
  public PCollectionTuple expand(PCollection<Row> rows) {
    if (reference == null) {
      throw new IllegalArgumentException("lookup " + spec.name() + ": give the reference rows, withReference(rows)");
    }
    if (!(reference.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
      // Its parts are sent on in the global window (ReferenceTable.PartTables), and one table serves every row.
      throw new IllegalArgumentException("lookup " + spec.name() + ": the reference rows must be in the global window");
    }
    Schema added = addedSchema();
    ReferenceTable build = new ReferenceTable(spec, reference.getSchema(), added);
    PCollection<LookupTable> table = reference
        .apply("Parts of the " + spec.name() + " table", ParDo.of(new ReferenceTable.PartTables(build)))
        .setCoder(build.partialCoder())
        .apply("Build the " + spec.name() + " table", Combine.globally(build.ofParts()).withoutDefaults())
        .setCoder(ReferenceTable.tableCoder(added));
    // The table crosses from task to task whole, and each crossing costs its size several times in
    // the sender's buffers: without Combine.globally's defaults (its check of an empty input reads
    // the output as a side input) and as an iterable (a singleton view is one more global combine),
    // it crosses once, to the workers. No reference rows: an empty iterable, every row a miss.
    PCollectionView<Iterable<LookupTable>> view = table.apply("As a side input", View.asIterable());

    Schema in = rows.getSchema();
    Schema.Builder out = Schema.builder();
    for (int i = 0; i < Origins.dataFields(in); i++) {
      out.addField(in.getField(i));
    }
    out.addFields(added.getFields());
    Schema joinedSchema = Origins.carried(in) ? Origins.withOrigin(out.build()) : out.build();

    PCollectionTuple joined = rows.apply("Join " + spec.name(),
        ParDo.of(new JoinFn(spec, in, joinedSchema, view)).withSideInputs(view)
            .withOutputTags(JOINED, TupleTagList.of(BAD).and(BundleCounts.TAG)));
    joined.get(JOINED).setRowSchema(joinedSchema);
    joined.get(BAD).setCoder(BadRecord.BadRecordCoder.of());
    KvCoder<String, Long> countCoder = KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    String name = spec.name();
    PCollection<KV<String, Long>> tableRows = table.apply("Count " + name + " rows",
        MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
            .via(t -> KV.of("lookup." + name + ".rows", (long) t.size())))
        .setCoder(countCoder);
    PCollection<KV<String, Long>> counts = PCollectionList.of(joined.get(BundleCounts.TAG).setCoder(countCoder))
        .and(tableRows)
        .apply("Lookup counts", Flatten.pCollections());
    return PCollectionTuple.of(JOINED, joined.get(JOINED))
        .and(BAD, joined.get(BAD))
        .and(BundleCounts.TAG, counts);
  }
}
