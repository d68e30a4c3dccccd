package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.After;
import org.junit.Test;

/** A job for a session cluster takes the cluster's parallelism when the user gives none. */
public class ClusterParallelismTest {
  private HttpServer server;

  @After
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  public void theClustersDefaultParallelism() throws Exception {
    String master = cluster(Map.of("/jobmanager/config",
        "[{\"key\":\"rest.port\",\"value\":\"8081\"},{\"key\":\"parallelism.default\",\"value\":\"3\"}]",
        "/overview", "{\"slots-total\":8}"));
    FlinkPipelineOptions options = options("--flinkMaster=" + master);
    assertThat(ClusterParallelism.apply(options), is(3));
    assertThat(options.getParallelism(), is(3));
  }

  /** A cluster that sets none runs a job at Flink's default, 1, as Beam's runner does: not all its slots. */
  @Test
  public void noDefaultOnTheClusterLeavesBeamsOne() throws Exception {
    String master = cluster(Map.of("/jobmanager/config", "[{\"key\":\"rest.port\",\"value\":\"8081\"}]",
        "/overview", "{\"slots-total\":4}"));
    FlinkPipelineOptions options = options("--flinkMaster=http://" + master);
    assertThat(ClusterParallelism.apply(options), is(-1));
    assertThat(options.getParallelism(), is(-1));
  }

  @Test
  public void aGivenParallelismOrAnUnansweringClusterIsLeftAlone() throws Exception {
    String master = cluster(Map.of("/overview", "{\"slots-total\":4}"));
    FlinkPipelineOptions given = options("--flinkMaster=" + master, "--parallelism=1");
    assertThat(ClusterParallelism.apply(given), is(0));
    assertThat(given.getParallelism(), is(1));
    FlinkPipelineOptions embedded = options();
    assertThat(ClusterParallelism.apply(embedded), is(0));
    assertThat(embedded.getParallelism(), is(-1));
    server.stop(0);
    server = null;
    FlinkPipelineOptions gone = options("--flinkMaster=" + master);
    assertThat("no answer: Beam's default stays", ClusterParallelism.apply(gone), is(-1));
    assertThat(gone.getParallelism(), is(-1));
  }

  private String cluster(Map<String, String> answers) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String body = answers.get(exchange.getRequestURI().getPath());
      byte[] bytes = (body == null ? "{\"errors\":[\"Not found\"]}" : body).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private static FlinkPipelineOptions options(String... args) {
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs(args).as(FlinkPipelineOptions.class);
    options.setRunner(FlinkRunner.class);
    return options;
  }
}
