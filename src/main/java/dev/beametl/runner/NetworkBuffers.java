package dev.beametl.runner;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.runtime.io.network.partition.ResultPartitionType;
import org.apache.flink.runtime.jobgraph.DistributionPattern;
import org.apache.flink.runtime.jobgraph.IntermediateDataSet;
import org.apache.flink.runtime.jobgraph.IntermediateDataSetID;
import org.apache.flink.runtime.jobgraph.JobEdge;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.shuffle.NettyShuffleUtils;

/**
 * The network buffers a job's tasks reserve when they start, as Flink counts them: each input gate
 * its channels' exclusive buffers and floating ones, each result partition of a sort-merge shuffle
 * {@code taskmanager.network.sort-shuffle.min-buffers}. A task that finds fewer free fails to
 * start, and again on every restart ("Insufficient number of network buffers"). What a task needs
 * grows with its step's outputs - a replay's chain of Validate, Transform, Load and its bookkeeping
 * wrote to ten shuffles - so the embedded runner's network memory is sized from the job itself.
 */
final class NetworkBuffers {
  private NetworkBuffers() {}

  /**
   * The most buffers one subtask of {@code job} reserves as it starts (the task of most inputs and
   * outputs); {@code parallelism}: the job's, for the vertices that leave it to the default.
   */
  static int largestTask(JobGraph job, Configuration conf, int parallelism) {
    int largest = 0;
    for (JobVertex vertex : job.getVertices()) {
      largest = Math.max(largest, ofTask(vertex, conf, parallelism));
    }
    return largest;
  }

  /** What one subtask of {@code vertex} reserves, computed as Flink's shuffle master announces it. */
  static int ofTask(JobVertex vertex, Configuration conf, int parallelism) {
    Map<IntermediateDataSetID, Integer> inputChannels = new HashMap<>();
    Map<IntermediateDataSetID, Integer> reuse = new HashMap<>();
    Map<IntermediateDataSetID, ResultPartitionType> inputTypes = new HashMap<>();
    for (JobEdge edge : vertex.getInputs()) {
      IntermediateDataSetID id = edge.getSourceId();
      int producers = parallelism(edge.getSource().getProducer(), parallelism);
      inputChannels.merge(id, channels(edge.getDistributionPattern(), producers, parallelism(vertex, parallelism)),
          Math::max);
      reuse.merge(id, 1, Integer::sum);
      inputTypes.put(id, edge.getSource().getResultType());
    }
    Map<IntermediateDataSetID, Integer> subpartitions = new HashMap<>();
    Map<IntermediateDataSetID, ResultPartitionType> outputTypes = new HashMap<>();
    for (IntermediateDataSet data : vertex.getProducedDataSets()) {
      int n = 1;
      for (JobEdge consumer : data.getConsumers()) {
        n = Math.max(n, channels(consumer.getDistributionPattern(), parallelism(consumer.getTarget(), parallelism),
            parallelism(vertex, parallelism)));
      }
      subpartitions.put(data.getId(), n);
      outputTypes.put(data.getId(), data.getResultType());
    }
    return NettyShuffleUtils.computeNetworkBuffersForAnnouncing(
        conf.get(NettyShuffleEnvironmentOptions.NETWORK_BUFFERS_PER_CHANNEL),
        conf.get(NettyShuffleEnvironmentOptions.NETWORK_EXTRA_BUFFERS_PER_GATE),
        conf.getOptional(NettyShuffleEnvironmentOptions.NETWORK_READ_MAX_REQUIRED_BUFFERS_PER_GATE),
        conf.get(NettyShuffleEnvironmentOptions.NETWORK_SORT_SHUFFLE_MIN_PARALLELISM),
        conf.get(NettyShuffleEnvironmentOptions.NETWORK_SORT_SHUFFLE_MIN_BUFFERS),
        inputChannels, reuse, subpartitions, inputTypes, outputTypes);
  }

  private static int parallelism(JobVertex vertex, int byDefault) {
    return vertex.getParallelism() > 0 ? vertex.getParallelism() : byDefault;
  }

  /** Channels of an edge between {@code other} subtasks and {@code own}: all of them, or a pointwise share. */
  private static int channels(DistributionPattern pattern, int other, int own) {
    return pattern == DistributionPattern.ALL_TO_ALL ? other : (other + own - 1) / Math.max(1, own);
  }
}
