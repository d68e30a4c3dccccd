package dev.beametl.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Records read by a job on a Flink cluster, as the cluster's REST API reports them: the records that
 * entered the Validate step, summed over its subtasks. The job runs elsewhere, so the counters of
 * this JVM see nothing; the cluster's own metrics are at most a second or so old. -1 when the job is
 * not found or the API does not answer.
 */
public final class FlinkRestCounts {
  /** Flink's operator metric for Validate's records in (the step name, spaces as underscores). */
  static final String VALIDATE_RECORDS_IN = "Validate/Check_records_against_the_schema.numRecordsIn";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String rest;
  private final String jobName;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private String job;
  private String vertex;

  private FlinkRestCounts(String rest, String jobName) {
    this.rest = rest;
    this.jobName = jobName;
  }

  /** The counts of this run's job when it goes to a remote Flink cluster, else null. */
  public static @Nullable FlinkRestCounts forRemoteJob(PipelineOptions options) {
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    String master = flink.getFlinkMaster();
    if (!FlinkSettings.isFlink(options) || FlinkSettings.isLocal(flink)) {
      return null;
    }
    return new FlinkRestCounts(master.startsWith("http") ? master : "http://" + master, flink.getJobName());
  }

  /** Records read so far, or -1 when not known (yet). */
  public long recordsRead() {
    try {
      if (job == null && !findJob()) {
        return -1;
      }
      JsonNode metric = get("/jobs/" + job + "/vertices/" + vertex + "/subtasks/metrics?get=" + VALIDATE_RECORDS_IN
          + "&agg=sum");
      return metric.size() == 0 ? -1 : (long) metric.get(0).path("sum").asDouble();
    } catch (Exception e) {
      return -1;
    }
  }

  /** The one running job of this name, and its vertex that holds Validate. */
  private boolean findJob() throws Exception {
    String found = null;
    for (JsonNode j : get("/jobs/overview").path("jobs")) {
      if (j.path("name").asText().equals(jobName) && j.path("state").asText().equals("RUNNING")) {
        if (found != null) {
          return false; // two running jobs of one name: not ours to tell apart
        }
        found = j.path("jid").asText();
      }
    }
    if (found == null) {
      return false;
    }
    for (JsonNode v : get("/jobs/" + found).path("vertices")) {
      if (v.path("name").asText().contains("Validate")) {
        job = found;
        vertex = v.path("id").asText();
        return true;
      }
    }
    return false;
  }

  private JsonNode get(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(rest + path)).timeout(Duration.ofSeconds(2)).build();
    return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
  }
}
