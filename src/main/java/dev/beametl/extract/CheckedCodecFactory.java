package dev.beametl.extract;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet's codecs, with Snappy pages decompressed whole and checked against the size their header
 * gives. Through Hadoop's decompressor stream a page header whose uncompressed size a flipped bit had
 * raised made the read wait forever for bytes the stream would never give (0 bytes a call, never the
 * end), at 100% CPU; DuckDB says "Snappy decompression failure: Uncompressed data size mismatch".
 * Now such a page fails the read, and with it the run, naming the file. Other codecs are Parquet's own.
 */
final class CheckedCodecFactory extends CodecFactory {
  CheckedCodecFactory() {
    super(new Configuration(false), 0); // no Hadoop defaults: reading their XML per reader cost a third of a run
  }

  @Override
  protected BytesDecompressor createDecompressor(CompressionCodecName codec) {
    if (codec == CompressionCodecName.SNAPPY) {
      return new CheckedSnappy();
    }
    try {
      return super.createDecompressor(codec);
    } catch (RuntimeException e) { // the codec's class is not here (BROTLI, LZO): was reported as corrupt data
      throw new UnsupportedCodec(codec, e);
    }
  }

  /** A Parquet file's codec this job has no decoder for: the same on every retry. */
  static final class UnsupportedCodec extends dev.beametl.record.DataError {
    UnsupportedCodec(CompressionCodecName codec, RuntimeException cause) {
      super("its pages are compressed with " + codec + ", which this job cannot decompress (it reads "
          + "UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW); write it again with one of those, e.g. "
          + "DuckDB's COPY ... (FORMAT parquet, COMPRESSION zstd)", cause);
    }

    private UnsupportedCodec(String message, Throwable cause) {
      super(message, cause);
    }

    /** The failure, naming {@code file}, when {@code e} or one of its causes is one; else null. */
    static @javax.annotation.Nullable UnsupportedCodec in(Throwable e, String file) {
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof UnsupportedCodec) {
          return new UnsupportedCodec(file + ": " + t.getMessage(), t); // the codec's failure, and its stack, as cause
        }
      }
      return null;
    }
  }

  private static final class CheckedSnappy extends BytesDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
      byte[] compressed = bytes.toByteArray();
      check(Snappy.isValidCompressedBuffer(compressed) ? Snappy.uncompressedLength(compressed) : -1, uncompressedSize);
      byte[] out = new byte[uncompressedSize];
      check(Snappy.uncompress(compressed, 0, compressed.length, out, 0), uncompressedSize);
      return BytesInput.from(out);
    }

    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
        throws IOException {
      byte[] compressed = new byte[compressedSize];
      input.duplicate().get(compressed);
      output.put(decompress(BytesInput.from(compressed), uncompressedSize).toByteBuffer());
    }

    @Override
    public void release() {}

    private static void check(int actual, int declared) throws IOException {
      if (actual != declared) {
        throw new IOException("a Snappy page whose header says " + declared + " bytes uncompressed holds "
            + (actual < 0 ? "no valid Snappy data" : actual + " bytes"));
      }
    }
  }
}
