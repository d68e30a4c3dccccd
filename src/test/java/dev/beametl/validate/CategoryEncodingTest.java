package dev.beametl.validate;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import dev.beametl.pipeline.Specs;
import dev.beametl.record.SourceRecord;
import dev.beametl.spec.PipelineSpec;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.Test;

/**
 * Categories travel as integer codes: the bytes a validated sales row and its shuffle key take with
 * and without the encoding (the benchmark's no-dictionary variant), for the README's figures.
 */
public class CategoryEncodingTest {
  private static final String LINE = "355652,2024-01-08T05:48:00Z,P-1039,electronics,S016,LATAM,12,14.94,0.050";

  private static Row validate(boolean encode) {
    PipelineSpec spec = Specs.read(Path.of("pipelines/sales-by-product.yaml"), List.of());
    RecordValidator v = new RecordValidator(spec.source(), spec.schema(), encode);
    return v.validate(SourceRecord.of("f.csv", 0, 0, LINE, null, false)).row;
  }

  private static int bytes(Row row) throws Exception {
    return CoderUtils.encodeToByteArray(RowCoder.of(row.getSchema()), row).length;
  }

  private static Row key(Row row) {
    Schema s = Schema.builder().addField(row.getSchema().getField("product"))
        .addField(row.getSchema().getField("region")).build();
    return Row.withSchema(s).addValues(row.getValue("product"), (Object) row.getValue("region")).build();
  }

  @Test
  public void encodedCategoriesMakeRowsAndShuffleKeysSmaller() throws Exception {
    Row encoded = validate(true);
    Row plain = validate(false);
    assertThat(plain.getString("region"), is("LATAM"));
    int rowEncoded = bytes(encoded);
    int rowPlain = bytes(plain);
    int keyEncoded = bytes(key(encoded));
    int keyPlain = bytes(key(plain));
    System.out.printf("validated row: %d bytes encoded, %d plain; (product, region) key: %d encoded, %d plain%n",
        rowEncoded, rowPlain, keyEncoded, keyPlain);
    assertThat(rowEncoded, lessThan(rowPlain));
    assertThat(keyEncoded, lessThan(keyPlain));
  }
}
