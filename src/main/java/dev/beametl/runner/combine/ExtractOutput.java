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
    return WindowedValue.of(KV.of(kv.getValue().getKey(), fn.extractOutput(kv.getValue().getValue())),
        GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE, PaneInfo.ON_TIME_AND_ONLY_FIRING);
  }
}
