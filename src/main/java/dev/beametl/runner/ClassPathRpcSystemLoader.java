package dev.beametl.runner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.exceptions.RpcLoaderException;
import org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem;
import org.apache.flink.runtime.util.EnvironmentInformation;

/**
 * Flink's RPC system (Pekko), loaded from the job's own class path. Flink's own loader
 * (flink-rpc-akka-loader) unpacks the RPC jar to a temporary file on every start and loads its
 * ~10,000 Pekko and Scala classes through a class loader of its own, which no class-data archive
 * covers: each start of the embedded runner parsed and verified them again. From the class path
 * they are in bin/beam-etl's archive. Flink isolates them to keep its Scala away from a job's; this
 * job's class path has no other (ClassPathRpcSystemLoaderTest checks it). Where the RPC jar is
 * missing or of another Flink version than the runtime's, this loader steps aside (Flink goes on to
 * its own loader, which is on the class path of bin/beam-etl's runs and the session cluster's).
 */
public final class ClassPathRpcSystemLoader implements RpcSystemLoader {
  @Override
  public int getLoadPriority() {
    return -1; // before Flink's loader (0)
  }

  @Override
  public RpcSystem loadRpcSystem(Configuration config) {
    try {
      // The jar's manifest names its version; a bundled (shaded) jar has ours, without one
      String rpc = PekkoRpcSystem.class.getPackage().getImplementationVersion();
      String flink = EnvironmentInformation.getVersion();
      if (rpc != null && !rpc.equals(flink)) {
        throw new RpcLoaderException("flink-rpc-akka " + rpc + " on the class path, Flink " + flink + " beside it");
      }
      return new PekkoRpcSystem();
    } catch (LinkageError e) { // an Error would pass Flink's loop over its loaders by
      throw new RpcLoaderException("Flink's RPC system is not on the class path", e);
    }
  }
}
