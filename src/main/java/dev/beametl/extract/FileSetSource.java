package dev.beametl.extract;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.BoundedSource;
import org.apache.beam.sdk.io.FileBasedSource;
import org.apache.beam.sdk.io.fs.MatchResult.Metadata;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.display.DisplayData;

/**
 * A bounded source over an explicit list of files ({@link InputFiles}), each read by a single-file
 * source that splits it further where it can (byte ranges, Parquet row groups). The list is fixed
 * when the pipeline is built, so the plan can say how many files a run reads.
 */
final class FileSetSource<T> extends BoundedSource<T> {
  private final List<Metadata> files;
  private final SerializableFunction<Metadata, FileBasedSource<T>> fileSource;
  private final Coder<T> coder;

  FileSetSource(List<Metadata> files, SerializableFunction<Metadata, FileBasedSource<T>> fileSource, Coder<T> coder) {
    this.files = List.copyOf(files);
    this.fileSource = fileSource;
    this.coder = coder;
  }

  @Override
  public List<? extends BoundedSource<T>> split(long desiredBundleSizeBytes, PipelineOptions options)
      throws Exception {
    List<BoundedSource<T>> splits = new ArrayList<>();
    for (Metadata file : files) {
      BoundedSource<T> whole = fileSource.apply(file);
      // An empty file stays whole: splitting leaves it no range, so a format with something to say
      // of it could not (a Parquet file of 0 bytes is no Parquet file).
      splits.addAll(file.sizeBytes() == 0 ? List.of(whole) : whole.split(desiredBundleSizeBytes, options));
    }
    return splits;
  }

  @Override
  public long getEstimatedSizeBytes(PipelineOptions options) {
    return files.stream().mapToLong(Metadata::sizeBytes).sum();
  }

  @Override
  public BoundedReader<T> createReader(PipelineOptions options) {
    return new Sequential(this, options);
  }

  @Override
  public Coder<T> getOutputCoder() {
    return coder;
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    builder.add(DisplayData.item("files", files.size()));
  }

  /** Reads the files one after another, for a runner that reads a source without splitting it. */
  private static final class Sequential<T> extends BoundedReader<T> {
    private final FileSetSource<T> source;
    private final PipelineOptions options;
    private int next;
    private BoundedReader<T> current;

    Sequential(FileSetSource<T> source, PipelineOptions options) {
      this.source = source;
      this.options = options;
    }

    @Override
    public boolean start() throws IOException {
      return advanceToNextFile();
    }

    @Override
    public boolean advance() throws IOException {
      return current != null && (current.advance() || advanceToNextFile());
    }

    private boolean advanceToNextFile() throws IOException {
      while (next < source.files.size()) {
        if (current != null) {
          current.close();
        }
        current = source.fileSource.apply(source.files.get(next++)).createReader(options);
        if (current.start()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public T getCurrent() {
      if (current == null) {
        throw new NoSuchElementException();
      }
      return current.getCurrent();
    }

    @Override
    public void close() throws IOException {
      if (current != null) {
        current.close();
      }
    }

    @Override
    public BoundedSource<T> getCurrentSource() {
      return source;
    }
  }
}
