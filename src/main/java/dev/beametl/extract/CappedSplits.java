package dev.beametl.extract;

import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * A bounded source whose splits hold at most a given number of bytes, however large the runner
 * asks them to be. A checkpointing runner restores a bounded source split by split - an unfinished
 * split is read again whole - so small splits bound what a resumed run reads twice.
 */
final class CappedSplits<T> extends BoundedSource<T> {
  private final BoundedSource<T> source;
  private final long maxSplitBytes;

  CappedSplits(BoundedSource<T> source, long maxSplitBytes) {
    this.source = source;
    this.maxSplitBytes = maxSplitBytes;
  }

  @Override
  public List<? extends BoundedSource<T>> split(long desiredBundleSizeBytes, PipelineOptions options)
      throws Exception {
    return source.split(Math.min(desiredBundleSizeBytes, maxSplitBytes), options);
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) throws Exception {
    return source.getEstimatedSizeBytes(options);
  }

  @Override
  public BoundedReader<T> createReader(PipelineOptions options) throws IOException {
    return source.createReader(options);
  }

  @Override
  public Coder<T> getOutputCoder() {
    return source.getOutputCoder();
  }

  @Override
  public void validate() {
    source.validate();
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    source.populateDisplayData(builder);
    builder.add(DisplayData.item("maxSplitBytes", maxSplitBytes));
  }
}
