package dev.beametl.spec;

import com.google.auto.value.AutoValue;
import java.io.Serializable;

/** A field computed from an expression over earlier fields, with a declared result type. */
@AutoValue
public abstract class DerivedFieldSpec implements Serializable {
  public abstract String name();

  public abstract FieldType type();

  public abstract String expression();

  public static DerivedFieldSpec of(String name, FieldType type, String expression) {
    return new AutoValue_DerivedFieldSpec(name, type, expression);
  }
}
