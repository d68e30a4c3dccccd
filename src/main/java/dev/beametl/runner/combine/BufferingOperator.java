package dev.beametl.runner.combine;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * An operator that holds elements back and sends them on in {@link #flush}: at the end of its
 * input, and before the final watermark, since anything sent after it is late and a GroupByKey
 * downstream (file sinks have one) drops it.
 */
public abstract class BufferingOperator<InT, OutT> extends AbstractStreamOperator<OutT>
    implements OneInputStreamOperator<InT, OutT>, BoundedOneInput {
  abstract void flush();

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (mark.getTimestamp() == Long.MAX_VALUE) {
      flush();
    }
    super.processWatermark(mark);
  }

  @Override
  public void endInput() {
    flush();
  }
}
