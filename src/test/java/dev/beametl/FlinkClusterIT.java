package dev.beametl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The README's cluster path: start a local Flink session cluster with the script, submit the
 * sample to it, see the job FINISHED in Flink's REST API with the same result as the embedded run,
 * and stop the cluster.
 */
public class FlinkClusterIT {
  @ClassRule public static final TemporaryFolder TMP = new TemporaryFolder();

  @BeforeClass
  public static void startCluster() throws Exception {
    script("start-cluster.sh");
  }

  @AfterClass
  public static void stopCluster() throws Exception {
    script("stop-cluster.sh");
  }

  private static void script(String name) throws Exception {
    Process p = new ProcessBuilder("bash", "runners/flink/" + name).inheritIO().start();
    assertThat(name + " finished in time", p.waitFor(180, TimeUnit.SECONDS), is(true));
    assertThat(name + " succeeded", p.exitValue(), is(0));
  }

  private static String rest(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(URI.create("http://localhost:8081" + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  public void theSampleRunsOnTheClusterWithTheEmbeddedResult() throws Exception {
    String cluster = TMP.getRoot() + "/cluster";
    String embedded = TMP.getRoot() + "/embedded";
    EtlJobTest.Run onCluster = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml",
        "--output=" + cluster, "--flinkMaster=localhost:8081", "--parallelism=2");
    assertThat(onCluster.err, onCluster.code, is(EtlJob.OK));
    assertThat(rest("/jobs/overview"), containsString("\"state\":\"FINISHED\""));

    EtlJobTest.Run inProcess = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + embedded);
    assertThat(inProcess.err, inProcess.code, is(EtlJob.OK));
    List<String> fromCluster = SampleJobIT.query("SELECT * FROM read_parquet('" + cluster + "/*.parquet')");
    assertThat(fromCluster, hasSize(160));
    assertThat(fromCluster, containsInAnyOrder(
        SampleJobIT.query("SELECT * FROM read_parquet('" + embedded + "/*.parquet')").toArray()));
  }
}
