package dev.beametl.archfixture.load;

import org.apache.flink.runtime.throwable.ThrowableAnnotation;
import org.apache.flink.runtime.throwable.ThrowableType;

/** Fixture for ArchitectureTest: a stage's own error marked for Flink's failover, not record.DataError. */
@ThrowableAnnotation(ThrowableType.NonRecoverableError)
public final class ErrorMarkedForFlink extends RuntimeException {
}
