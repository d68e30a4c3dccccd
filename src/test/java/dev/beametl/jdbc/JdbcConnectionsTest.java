package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertThrows;

import dev.beametl.cli.WarmRunnerMain;
import dev.beametl.spec.JdbcSpec;
import org.junit.Test;

public class JdbcConnectionsTest {
  private static final JdbcSpec UNSET = JdbcSpec.builder("jdbc:h2:mem:x").setUser("sa")
      .setPasswordEnv("BEAM_ETL_TEST_NEVER_SET_" + System.nanoTime()).setTable("t").build();

  /**
   * In the warm runner the environment is the runner's, not the caller's: "is not set" while the
   * caller had set it (a hostile trial). The message says so there, and only there.
   */
  @Test
  public void anUnsetPasswordVariableSaysWhoseEnvironmentWasRead() {
    String own = assertThrows(IllegalStateException.class, () -> JdbcConnections.password(UNSET)).getMessage();
    assertThat(own, containsString("(jdbc.passwordEnv) is not set"));
    assertThat(own, not(containsString("warm runner")));
    System.setProperty(WarmRunnerMain.WARM_RUNNER, "true");
    try {
      String warm = assertThrows(IllegalStateException.class, () -> JdbcConnections.password(UNSET)).getMessage();
      assertThat(warm, containsString("is not set in the warm runner, which has the environment it was started with"));
    } finally {
      System.clearProperty(WarmRunnerMain.WARM_RUNNER);
    }
  }
}
