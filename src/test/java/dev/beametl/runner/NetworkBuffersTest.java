package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.io.network.partition.ResultPartitionType;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.junit.Test;

/** The network memory the embedded runner needs, from the job graph, as Flink's tasks reserve it. */
public class NetworkBuffersTest {
  /** The embedded config's: 32 MB, and 64 buffers a sort-merge shuffle partition. */
  private static Configuration embedded() {
    Configuration conf = new Configuration();
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("32m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("32m"));
    conf.set(NettyShuffleEnvironmentOptions.NETWORK_SORT_SHUFFLE_MIN_BUFFERS, 64);
    conf.setBoolean(EmbeddedFlink.SIZED_TO_JOB, true);
    return conf;
  }

  /** A step reading one shuffle and writing to {@code outputs} others, each read by a step of its own. */
  private static JobGraph stepWithOutputs(int outputs) {
    JobVertex source = new JobVertex("source");
    JobVertex step = new JobVertex("step");
    step.connectNewDataSetAsInput(source, DistributionPattern.ALL_TO_ALL, ResultPartitionType.BLOCKING);
    JobGraph job = new JobGraph("job");
    job.addVertex(source);
    job.addVertex(step);
    for (int i = 0; i < outputs; i++) {
      JobVertex next = new JobVertex("next " + i);
      next.connectNewDataSetAsInput(step, DistributionPattern.ALL_TO_ALL, ResultPartitionType.BLOCKING);
      job.addVertex(next);
    }
    return job;
  }

  @Test
  public void aTaskReservesSixtyFourBuffersAnOutputAndItsInputGates() {
    // 8 outputs of 64, one input gate of 2 channels: 2 exclusive buffers each and 8 floating.
    assertThat(NetworkBuffers.largestTask(stepWithOutputs(8), embedded(), 2), is(8 * 64 + 2 * 2 + 8));
  }

  /**
   * Two subtasks of a step with eight outputs (a replay into Parquet) and the tasks beside them need
   * more than 32 MB: the runner restarts with enough, in steps of 8 MB. Five outputs fit, as before.
   */
  @Test
  public void onlyAJobThatWouldNotStartResizesTheRunner() {
    assertThat(EmbeddedFlink.networkBytesNeeded(stepWithOutputs(5), embedded(), 2), is(0L));
    assertThat(EmbeddedFlink.networkBytesNeeded(stepWithOutputs(8), embedded(), 2), is(48L << 20));
    assertThat(EmbeddedFlink.networkBytesNeeded(stepWithOutputs(8), embedded(), 4), is(80L << 20));
    Configuration own = embedded(); // a config of the user's, even with a fixed size: theirs
    own.removeConfig(org.apache.flink.configuration.ConfigOptions.key(EmbeddedFlink.SIZED_TO_JOB).booleanType()
        .noDefaultValue());
    assertThat(EmbeddedFlink.networkBytesNeeded(stepWithOutputs(20), own, 2), is(0L));
  }
}
