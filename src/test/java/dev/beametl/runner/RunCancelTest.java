package dev.beametl.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import dev.beametl.cli.EtlJob;
import dev.beametl.cli.EtlJobTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * A warm runner's client that stops while its run sets up (the usual Ctrl-C: wrong flags, seen at
 * once) stops the run before it touches an output; the request reaches only its own run.
 */
public class RunCancelTest {
  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void aRunAskedToStopWhileSettingUpWritesAndDeletesNothing() throws Exception {
    String out = tmp.getRoot() + "/out";
    EtlJobTest.Run first = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out);
    assertThat(first.err, first.code, is(EtlJob.OK));
    byte[] before = Files.readAllBytes(Path.of(out, "part-00000-of-00001.parquet"));
    RunCancel token = RunCancel.begin();
    try {
      token.request();
      EtlJobTest.Run stopped = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out,
          "--ifExists=overwrite");
      assertThat(stopped.err, stopped.code, is(EtlJob.JOB_FAILED));
      assertThat(stopped.err, containsString("cancelled: its client stopped (Ctrl-C) before the run began"));
    } finally {
      token.end();
    }
    assertThat("the overwrite deleted nothing", Files.exists(Path.of(out, "_SUCCESS")), is(true));
    assertThat(Files.readAllBytes(Path.of(out, "part-00000-of-00001.parquet")), is(before));
    EtlJobTest.Run next = new EtlJobTest.Run("--pipeline=pipelines/sales-by-product.yaml", "--output=" + out,
        "--ifExists=overwrite");
    assertThat("the next run is not cancelled: " + next.err, next.code, is(EtlJob.OK));
  }

  @Test
  public void aRequestReachesItsOwnRunOnly() {
    RunCancel first = RunCancel.begin();
    AtomicInteger told = new AtomicInteger();
    first.end();
    RunCancel second = RunCancel.begin();
    try {
      second.onRequest(told::incrementAndGet);
      first.request(); // the first run's client went away late: the second run goes on
      assertThat(RunCancel.requested(), is(false));
      assertThat(told.get(), is(0));
      second.request();
      assertThat(RunCancel.requested(), is(true));
      assertThat(told.get(), is(1));
      AtomicInteger late = new AtomicInteger();
      second.onRequest(late::incrementAndGet); // attached after the request: told at once
      assertThat(late.get(), is(1));
    } finally {
      second.end();
    }
    assertThat(RunCancel.requested(), is(false));
  }
}
