package dev.beametl.load;

import dev.beametl.record.OutputColumns;
import dev.beametl.spec.FieldType;
import dev.beametl.spec.InstantMicros;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.values.Row;

/**
 * The Avro schema Parquet is written with, and rows converted to it. Types are exact: decimals carry
 * their precision and scale (Parquet DECIMAL), dates are DATE, timestamps TIMESTAMP(MICROS, UTC),
 * categories plain strings (Parquet dictionary-encodes them on disk).
 */
final class AvroRecords {
  private static final InstantMicros MICROS = new InstantMicros();
  private AvroRecords() {}

  static Schema schema(String name, OutputColumns columns) {
    SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).namespace("dev.beametl").fields();
    for (OutputColumns.Column c : columns.columns()) {
      Schema type = type(c);
      if (c.nullable()) {
        fields = fields.name(c.name()).type(Schema.createUnion(Schema.create(Schema.Type.NULL), type)).withDefault(null);
      } else {
        fields = fields.name(c.name()).type(type).noDefault();
      }
    }
    return fields.endRecord();
  }

  private static Schema type(OutputColumns.Column c) {
    switch (c.type().kind()) {
      case INT:
        return Schema.create(Schema.Type.INT);
      case LONG:
        return Schema.create(Schema.Type.LONG);
      case DOUBLE:
        return Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN:
        return Schema.create(Schema.Type.BOOLEAN);
      case DECIMAL:
        return LogicalTypes.decimal(c.type().precision(), c.type().scale()).addToSchema(Schema.create(Schema.Type.BYTES));
      case DATE:
        return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
      case TIMESTAMP:
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
      default:
        return Schema.create(Schema.Type.STRING);
    }
  }

  static GenericRecord toRecord(Row row, Schema schema, OutputColumns columns) {
    GenericData.Record record = new GenericData.Record(schema);
    for (int i = 0; i < columns.columns().size(); i++) {
      Object v = ValueText.plain(row, i);
      if (v instanceof BigDecimal) {
        FieldType type = columns.columns().get(i).type();
        BigDecimal d = ((BigDecimal) v).setScale(type.scale(), RoundingMode.HALF_EVEN); // a mean's extra places
        if (d.precision() > type.precision()) { // Parquet readers refuse the file (a trial, through the Java API)
          throw new IllegalArgumentException("column " + columns.columns().get(i).name() + " is " + type + ": "
              + d.toPlainString() + " has " + d.precision() + " digits; a Parquet file would be unreadable");
        }
        v = ByteBuffer.wrap(d.unscaledValue().toByteArray());
      } else if (v instanceof LocalDate) {
        v = (int) ((LocalDate) v).toEpochDay();
      } else if (v instanceof Instant) {
        v = MICROS.toBaseType((Instant) v);
      }
      record.put(i, v);
    }
    return record;
  }
}
