package dev.beametl.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * The parallelism of a job sent to a session cluster without {@code --parallelism}: the cluster's
 * {@code parallelism.default}, as {@code flink run} on the cluster's machine would take it. Beam's
 * runner takes it from the client's own Flink config and, without one (submit.sh names only the
 * cluster), runs the job at parallelism 1: on the 2-slot cluster of {@code runners/flink/conf} half
 * of it stayed idle (a trial). A cluster that sets none runs jobs at Flink's default, 1, too.
 */
public final class ClusterParallelism {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterParallelism() {}

  /**
   * Sets the job's parallelism from the cluster {@code --flinkMaster} names when neither the flag
   * nor a client Flink config ({@code --flinkConfDir}, {@code FLINK_CONF_DIR}) gives one; returns
   * it, 0 when the job runs in this process or the parallelism is given, or -1 when the cluster did
   * not say (Beam's 1 then).
   */
  public static int apply(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String master = FlinkSettings.isFlink(options) ? FlinkSettings.clusterAddress(options) : null;
    if (master == null || flink.getParallelism() > 0 || clientConfigGivesIt(flink)) {
      return 0;
    }
    String rest = master.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") ? master : "http://" + master;
    if (!rest.matches("^[A-Za-z][A-Za-z0-9+.-]*://(\\[[^]]*\\]|[^/:\\[]*):\\d+(/.*)?$")) {
      rest = rest.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://[^/]*)", "$1:8081"); // Flink's rest.port, as its client takes it
    }
    int parallelism = ask(rest);
    if (parallelism > 0) {
      flink.setParallelism(parallelism);
      return parallelism;
    }
    return -1;
  }

  private static boolean clientConfigGivesIt(FlinkPipelineOptions flink) {
    String dir = flink.getFlinkConfDir() != null ? flink.getFlinkConfDir() : System.getenv("FLINK_CONF_DIR");
    if (dir == null || dir.isBlank()) {
      return false;
    }
    try {
      Configuration conf = GlobalConfiguration.loadConfiguration(dir);
      return conf.getOptional(CoreOptions.DEFAULT_PARALLELISM).isPresent();
    } catch (RuntimeException e) {
      return false; // the runner reads it again and says what is wrong with it
    }
  }

  /** The cluster's parallelism.default; 0 when its REST API does not tell. */
  static int ask(String rest) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      for (JsonNode entry : get(http, rest + "/jobmanager/config")) {
        if (entry.path("key").asText().equals(CoreOptions.DEFAULT_PARALLELISM.key())) {
          return Math.max(0, entry.path("value").asInt(0));
        }
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (Exception e) {
      return 0; // left to the runner: parallelism 1, with its warning
    }
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new java.io.IOException("HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body());
  }
}
