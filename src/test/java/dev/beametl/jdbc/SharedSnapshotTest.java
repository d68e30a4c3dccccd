package dev.beametl.jdbc;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import dev.beametl.spec.JdbcSpec;
import org.junit.Test;

/** Which reads share one snapshot: PostgreSQL's, unless turned off or spread over several hosts. */
public class SharedSnapshotTest {
  private static boolean shares(String url, boolean snapshot) {
    return SharedSnapshot.shares(JdbcSpec.builder(url).setTable("t").setSnapshot(snapshot).build());
  }

  @Test
  public void onlyOnePostgresServerSharesASnapshot() {
    assertThat(shares("jdbc:postgresql://db:5432/shop", true), is(true));
    assertThat(shares("jdbc:postgresql://db/shop?ssl=true&options=-c%20a=b,c", true), is(true)); // a comma after the host
    assertThat(shares("jdbc:postgresql:shop", true), is(true)); // localhost
    assertThat(shares("jdbc:postgresql://db:5432/shop", false), is(false)); // snapshot: false
    // A worker's session may reach another of these servers, which cannot import the snapshot.
    assertThat(shares("jdbc:postgresql://db1:5432,db2:5432/shop?targetServerType=any", true), is(false));
    assertThat(shares("jdbc:mariadb://db:3306/shop", true), is(false));
    assertThat(shares("jdbc:h2:mem:x", true), is(false));
  }
}
