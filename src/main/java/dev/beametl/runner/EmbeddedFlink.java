package dev.beametl.runner;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded Flink cluster, started on a thread of its own while the pipeline is built and
 * translated. Left to itself, the runner starts it (Flink's LocalExecutor) only once the job graph
 * is ready, and waits for its shutdown before returning: about 1.5 s of a small run, spent while
 * the other core idles. This class hands Flink a context environment whose executor submits the job
 * to the cluster already started, and shuts the cluster down without waiting for it.
 *
 * <p>The cluster is configured as the runner would configure it: Beam's Flink config directory,
 * one task manager with one slot per degree of parallelism. Used only for batch runs on the
 * embedded runner; resumable (streaming) runs and a remote --flinkMaster keep the runner's own path.
 */
public final class EmbeddedFlink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFlink.class);
  /** Set in the config this job writes for the embedded runner: its network memory grows to the job's needs. */
  static final String SIZED_TO_JOB = "beam-etl.network.sized-to-job";
  private final ClusterExecutor executor;

  private EmbeddedFlink(ClusterExecutor executor) {
    this.executor = executor;
  }

  /**
   * Whether a run with these options takes this path: a batch run on the embedded runner in the
   * DataStream translation (the DataSet one takes a batch environment, which this does not serve),
   * and no Flink client (`flink run`) has set a context environment of its own for "[auto]" to find.
   */
  public static boolean applies(RunnerOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String master = flink.getFlinkMaster();
    return options.getRunner() == FlinkRunner.class && !flink.isStreaming() && !options.isResumable()
        && flink.getUseDataStreamForBatch()
        && (master == null || master.equals("[auto]") || master.equals("[local]"))
        && StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment;
  }

  /** Starts the cluster in the background and makes Flink submit the next job to it. */
  public static EmbeddedFlink start(RunnerOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String confDir = flink.getFlinkConfDir();
    Configuration conf = confDir == null || confDir.isEmpty()
        ? GlobalConfiguration.loadConfiguration() : GlobalConfiguration.loadConfiguration(confDir);
    int parallelism = parallelism(flink);
    // As the runner sets them for a local environment: that parallelism, an attached client, and no
    // leaked-class-loader check (https://github.com/apache/beam/issues/20783).
    conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
    conf.set(DeploymentOptions.ATTACHED, true);
    conf.set(DeploymentOptions.TARGET, OneExecutor.NAME);
    if (!conf.containsKey(CoreOptions.CHECK_LEAKED_CLASSLOADER.key())) {
      conf.set(CoreOptions.CHECK_LEAKED_CLASSLOADER, false);
    }
    flink.setFlinkMaster("[auto]"); // "[local]" would make the runner start a cluster of its own
    CompletableFuture<MiniCluster> cluster = new CompletableFuture<>();
    Thread starter = new Thread(() -> {
      try {
        MiniCluster miniCluster = new MiniCluster(clusterConfiguration(conf, parallelism));
        miniCluster.start();
        cluster.complete(miniCluster);
      } catch (Throwable e) {
        cluster.completeExceptionally(e);
      }
    }, "beam-etl-flink-start");
    starter.setDaemon(true);
    starter.start();
    ClusterExecutor executor = new ClusterExecutor(cluster, conf, parallelism);
    StreamContextEnvironment.setAsContext(new OneExecutor(executor), conf, EmbeddedFlink.class.getClassLoader(),
        false, true);
    // The warm runner's client stopped (Ctrl-C): the run's jobs not yet finished are cancelled, and
    // no new one starts; a job already finished is not touched, so a run committing its output finishes.
    RunCancel token = RunCancel.current();
    if (token != null) {
      token.onRequest(executor::cancel);
    }
    return new EmbeddedFlink(executor);
  }

  /**
   * The network memory to restart the cluster with, in bytes, when {@code job}'s tasks would not find
   * the buffers they reserve as they start, else 0. Two subtasks of the largest task run side by side
   * (one a slot), and beside them the tasks of other steps: half a largest task more was enough in
   * every job tried. Only the config this job writes for the embedded runner is resized; a config of
   * the user's is theirs. A graph that cannot be counted (a shuffle Flink announces no bound for) is left as is.
   */
  static long networkBytesNeeded(JobGraph job, Configuration conf, int parallelism) {
    Optional<MemorySize> min = conf.getOptional(TaskManagerOptions.NETWORK_MEMORY_MIN);
    Optional<MemorySize> max = conf.getOptional(TaskManagerOptions.NETWORK_MEMORY_MAX);
    if (!conf.getBoolean(SIZED_TO_JOB, false) || min.isEmpty() || !min.equals(max)) {
      return 0;
    }
    try {
      return bytesBeyond(min.get().getBytes(), job, conf, parallelism);
    } catch (RuntimeException e) {
      LOG.warn("Could not count the network buffers the job's tasks reserve; the runner keeps {}", min.get(), e);
      return 0;
    }
  }

  private static long bytesBeyond(long configured, JobGraph job, Configuration conf, int parallelism) {
    long segment = conf.get(TaskManagerOptions.MEMORY_SEGMENT_SIZE).getBytes();
    int largest = NetworkBuffers.largestTask(job, conf, parallelism);
    long needed = (long) slots(conf, parallelism) * largest + largest / 2;
    if (needed * segment <= configured) {
      return 0;
    }
    long eightMb = 8L << 20;
    return (needed * segment + eightMb - 1) / eightMb * eightMb;
  }

  /** The runner's local environment: --parallelism, else one per core (Flink's config file does not count). */
  static int parallelism(FlinkPipelineOptions flink) {
    return flink.getParallelism() > 0 ? flink.getParallelism() : StreamExecutionEnvironment.getDefaultLocalParallelism();
  }

  /** What Flink's PerJobMiniClusterFactory builds for a job of this parallelism. */
  private static MiniClusterConfiguration clusterConfiguration(Configuration conf, int parallelism) {
    Configuration c = new Configuration(conf);
    if (!c.contains(RestOptions.BIND_PORT)) {
      c.set(RestOptions.BIND_PORT, "0");
    }
    return new MiniClusterConfiguration.Builder().setConfiguration(c)
        .setNumTaskManagers(c.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS))
        .setRpcServiceSharing(RpcServiceSharing.SHARED).setNumSlotsPerTaskManager(slots(c, parallelism)).build();
  }

  /** The slots of each task manager: as many as the job's subtasks need, spread over the task managers. */
  private static int slots(Configuration conf, int parallelism) {
    int taskManagers = conf.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS);
    return conf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS).orElse((parallelism + taskManagers - 1) / taskManagers);
  }

  /** How many jobs were submitted to this cluster. */
  public int jobsSubmitted() {
    return executor.submitted.get();
  }

  /** Stops handing jobs to this cluster and shuts it down; does not wait for the shutdown. */
  @Override
  public void close() {
    StreamContextEnvironment.unsetAsContext();
    executor.cluster.thenCompose(MiniCluster::closeAsync);
  }

  /** Submits a job graph to the started cluster; the cluster outlives the job. */
  private static final class ClusterExecutor implements PipelineExecutor {
    private volatile CompletableFuture<MiniCluster> cluster;
    private final Configuration conf;
    private final int parallelism;
    private final AtomicInteger submitted = new AtomicInteger();
    private final java.util.List<JobClient> jobs = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean cancelled;

    ClusterExecutor(CompletableFuture<MiniCluster> cluster, Configuration conf, int parallelism) {
      this.cluster = cluster;
      this.conf = conf;
      this.parallelism = parallelism;
    }

    @Override
    public CompletableFuture<JobClient> execute(Pipeline pipeline, Configuration configuration,
        ClassLoader classLoader) throws Exception {
      JobGraph jobGraph = PipelineExecutorUtils.getJobGraph(pipeline, configuration, classLoader);
      MiniCluster miniCluster = cluster.join(); // usually long started by now
      long network = networkBytesNeeded(jobGraph, conf, parallelism);
      if (network > 0) {
        // Rare (a replay's many outputs): a restart costs about a second, a run that cannot start every run.
        LOG.info("The job's tasks reserve more network buffers than {} holds: restarting the embedded runner with {}",
            conf.get(TaskManagerOptions.NETWORK_MEMORY_MAX), MemorySize.ofMebiBytes(network >> 20));
        miniCluster.close();
        Configuration larger = new Configuration(conf);
        larger.set(TaskManagerOptions.NETWORK_MEMORY_MIN, new MemorySize(network));
        larger.set(TaskManagerOptions.NETWORK_MEMORY_MAX, new MemorySize(network));
        MiniCluster restarted = new MiniCluster(clusterConfiguration(larger, parallelism));
        cluster = CompletableFuture.completedFuture(restarted); // closed by close(), started or not
        restarted.start();
        miniCluster = restarted;
      }
      MiniCluster started = miniCluster;
      if (cancelled) {
        throw new IllegalStateException("the run was cancelled: its client stopped (Ctrl-C)");
      }
      submitted.incrementAndGet();
      return started.submitJob(jobGraph).thenApply(submitted -> {
        JobClient job = new MiniClusterJobClient(
            submitted.getJobID(), started, classLoader, MiniClusterJobClient.JobFinalizationBehavior.NOTHING);
        jobs.add(job);
        if (cancelled) {
          job.cancel(); // cancelled while it was submitted
        }
        return job;
      });
    }

    /** Cancels the jobs not yet finished and refuses new ones. */
    void cancel() {
      cancelled = true;
      for (JobClient job : jobs) {
        try {
          job.cancel(); // a finished job's cancel fails, in its future, and changes nothing
        } catch (RuntimeException e) {
          // the cluster is going down: nothing left to cancel
        }
      }
    }
  }

  /** Flink looks executors up by the configured target; this loader has one, whatever the target. */
  private static final class OneExecutor implements PipelineExecutorServiceLoader, PipelineExecutorFactory {
    static final String NAME = "beam-etl-embedded";
    private final PipelineExecutor executor;

    OneExecutor(PipelineExecutor executor) {
      this.executor = executor;
    }

    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
      return this;
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of(getName());
    }

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public boolean isCompatibleWith(Configuration configuration) {
      return true;
    }

    @Override
    public PipelineExecutor getExecutor(Configuration configuration) {
      return executor;
    }
  }
}
