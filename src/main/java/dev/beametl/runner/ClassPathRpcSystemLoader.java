package dev.beametl.runner;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.apache.flink.runtime.rpc.RpcSystemLoader;
import org.apache.flink.runtime.rpc.pekko.PekkoRpcSystem;

/**
 * Flink's RPC system (Pekko), loaded from the job's own class path. Flink's own loader
 * (flink-rpc-akka-loader, kept as the fallback) unpacks the RPC jar to a temporary file on every
 * start and loads its ~10,000 Pekko and Scala classes through a class loader of its own, which no
 * class-data archive covers: each start of the embedded runner parsed and verified them again. From
 * the class path they are in bin/beam-etl's archive. Flink isolates them to keep its Scala away from
 * a job's; this job's class path has none (the pom pins flink-rpc-akka beside Flink's version).
 */
public final class ClassPathRpcSystemLoader implements RpcSystemLoader {
  @Override
  public int getLoadPriority() {
    return -1; // before Flink's loader (0)
  }

  @Override
  public RpcSystem loadRpcSystem(Configuration config) {
    return new PekkoRpcSystem();
  }
}
