package dev.beametl.runner.combine;

import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.WindowedValue;
import org.apache.beam.sdk.values.KV;
import org.apache.flink.api.common.functions.MapFunction;

/** The combine's output, timestamped at the end of the global window as Beam's combine is. */
public final class ExtractOutput<K, AccumT, OutputT>
    implements MapFunction<WindowedValue<KV<K, AccumT>>, WindowedValue<KV<K, OutputT>>> {
  private final CombineFn<?, AccumT, OutputT> fn;

  public ExtractOutput(CombineFn<?, AccumT, OutputT> fn) {
    this.fn = fn;
  }

  @Override
  public WindowedValue<KV<K, OutputT>> map(WindowedValue<KV<K, AccumT>> kv) {
    OutputT output;
    try {
      output = fn.extractOutput(kv.getValue().getValue());
    } catch (ArithmeticException e) { // a total beyond its type's range: the same on every retry
      throw DataErrors.inGroup(e, kv.getValue().getKey());
    }
    return WindowedValue.of(KV.of(kv.getValue().getKey(), output),
        GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE, PaneInfo.ON_TIME_AND_ONLY_FIRING);
  }
}
