package dev.beametl.pipeline;

import dev.beametl.extract.DeadLetterRecords;
import dev.beametl.record.BadRecord;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.Keys;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Writes to the run folder the identities ({@link DeadLetterRecords#identity}) of the records a
 * replay took that did not become bad records again: the records it wrote to the output, or that its
 * filter dropped. Those that failed again are in the replay's own dead letters with their origin and
 * stay replayable. The job adds the identities to the replay state when the replay succeeds.
 */
final class ReplayedRecords extends PTransform<PCollectionTuple, PDone> {
  /** The identities of the records the replay took ({@link DeadLetterRecords#REPLAYED}). */
  static final TupleTag<String> TAKEN = new TupleTag<>("taken") {};
  /** The replay's bad records, of every stage. */
  static final TupleTag<BadRecord> BAD = new TupleTag<>("bad") {};
  private final String runDir;

  ReplayedRecords(String runDir) {
    this.runDir = runDir;
  }

  @Override
  public PDone expand(PCollectionTuple in) {
    KvCoder<String, Boolean> coder = KvCoder.of(StringUtf8Coder.of(), BooleanCoder.of());
    PCollection<KV<String, Boolean>> taken = in.get(TAKEN).apply("Taken", MapElements.via(new Taken()))
        .setCoder(coder);
    PCollection<KV<String, Boolean>> badAgain = in.get(BAD).apply("Bad again", MapElements.via(new BadAgain()))
        .setCoder(coder);
    return PCollectionList.of(taken).and(badAgain).apply("Taken or bad again", Flatten.pCollections())
        .apply("Taken and never bad", Combine.perKey(new Both()))
        .apply("Those replayed", Filter.by(new IsTrue()))
        .apply("Their identities", Keys.create())
        .apply("Write replayed records", TextIO.write().to(runDir + "/" + EtlPipeline.REPLAYED_PREFIX)
            .withSuffix(".txt").withNoSpilling());
  }

  static final class Taken extends SimpleFunction<String, KV<String, Boolean>> {
    @Override
    public KV<String, Boolean> apply(String identity) {
      return KV.of(identity, true);
    }
  }

  static final class BadAgain extends SimpleFunction<BadRecord, KV<String, Boolean>> {
    @Override
    public KV<String, Boolean> apply(BadRecord r) {
      return KV.of(DeadLetterRecords.identity(r.origin()), false);
    }
  }

  /** True when every input is: taken, and not one bad record of the same origin. */
  static final class Both extends Combine.BinaryCombineFn<Boolean> {
    @Override
    public Boolean apply(Boolean left, Boolean right) {
      return left && right;
    }
  }

  static final class IsTrue implements SerializableFunction<KV<String, Boolean>, Boolean> {
    @Override
    public Boolean apply(KV<String, Boolean> kv) {
      return kv.getValue();
    }
  }
}
