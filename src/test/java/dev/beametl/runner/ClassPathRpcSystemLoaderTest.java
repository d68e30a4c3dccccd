package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.junit.Test;

/**
 * Flink's RPC system comes from the class path (no jar unpacked per start, its classes in the
 * class-data archive), of the runtime's own Flink version, and alone with its Scala and Pekko
 * configuration: Flink keeps them in a class loader of their own because another copy on the class
 * path would win or lose by order.
 */
public class ClassPathRpcSystemLoaderTest {
  @Test
  public void flinkLoadsItsRpcSystemFromTheClassPath() throws Exception {
    try (RpcSystem rpc = RpcSystem.load(new Configuration())) {
      assertThat(rpc, instanceOf(PekkoRpcSystem.class)); // Flink's own loader gives a wrapper of its class loader
    }
  }

  @Test
  public void theRpcJarIsOfTheRuntimesFlinkVersion() {
    String jar = PekkoRpcSystem.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertThat(jar, endsWith("/flink-rpc-akka-" + EnvironmentInformation.getVersion() + ".jar"));
  }

  @Test
  public void scalaAndPekkosConfigurationAreOnTheClassPathOnce() throws Exception {
    ClassLoader loader = getClass().getClassLoader();
    for (String resource : List.of("scala/Predef.class", "reference.conf", "version.conf",
        "org/apache/pekko/actor/ActorSystem.class", "com/typesafe/config/Config.class")) {
      List<URL> copies = Collections.list(loader.getResources(resource));
      assertThat(resource + ": " + copies, copies, hasSize(1));
    }
  }
}
