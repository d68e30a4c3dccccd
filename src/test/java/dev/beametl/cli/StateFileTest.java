package dev.beametl.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.Assert.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.beametl.load.JdbcTable;
import dev.beametl.pipeline.Specs;
import dev.beametl.record.OutputColumns;
import dev.beametl.spec.PipelineSpec;
import dev.beametl.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * An unconfirmed state against the table that tells: the run's rows there or not, the table asked
 * again after the locks, the evidence gone, an entry this job did not write, a run that starts over.
 */
public class StateFileTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String URL = "jdbc:h2:mem:state_file_test;DB_CLOSE_DELAY=-1";
  private static final String RUN = "0a1b2c3d";

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  private PipelineSpec spec;
  private Path file;

  @Before
  public void setUp() throws Exception {
    spec = Specs.parse(String.join("\n",
        "version: 1",
        "source: {path: '" + tmp.getRoot() + "/in/*.csv', format: csv, incremental: files}",
        "schema: [{name: id, type: long}]",
        "sink: {format: jdbc, path: '" + tmp.getRoot() + "/out', jdbc: {url: '" + URL + "', user: sa, table: "
            + "lines_" + System.nanoTime() + ", mode: append, createTable: true}}", ""), "t", List.of());
    file = tmp.getRoot().toPath().resolve("out/state.json");
    Files.createDirectories(file.getParent());
    new RunManifest("ffffffff", true, List.of()).writeTo(file.getParent()); // as a run writes it before its state
    JdbcTable.prepare(spec.sink().jdbc(), OutputColumns.of(spec), RUN); // the run's staging tables
    StateFile.write(file, state("before"), "ffffffff", false);
    StateFile.write(file, state("after"), RUN, true);
  }

  private static ObjectNode state(String name) {
    return JSON.createObjectNode().put("name", name);
  }

  private void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(URL, "sa", ""); Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private String okTable() {
    return spec.sink().jdbc().connection().table() + "_beametl_" + RUN + "_ok";
  }

  /** How many of the run's two staging tables (its rows, its bundles) are still there. */
  private int stagingTablesLeft() throws Exception {
    int left = 0;
    try (Connection c = DriverManager.getConnection(URL, "sa", "")) {
      for (String t : JdbcTable.stagingTables(spec.sink().jdbc(), RUN)) {
        try (ResultSet r = c.getMetaData().getTables(null, null, t.toUpperCase(), null)) {
          left += r.next() ? 1 : 0;
        }
      }
    }
    return left;
  }

  @Test
  public void theTableTellsWhichStateHolds() throws Exception {
    assertThat("not committed: the state before", StateFile.read(file, spec).get("name").asText(), is("before"));
    String planned = StateFile.fingerprint(file, spec, true);
    sql("INSERT INTO " + okTable() + " VALUES ('beam-etl: rows committed')"); // what the commit adds
    assertThat("committed: the new state", StateFile.read(file, spec).get("name").asText(), is("after"));
    assertThat("a plan made before the commit no longer holds", StateFile.fingerprint(file, spec, true),
        not(planned));

    StateFile.settle(file, spec);
    assertThat(JSON.readTree(file.toFile()).has("unconfirmed"), is(false));
    assertThat(JSON.readTree(file.toFile()).get("name").asText(), is("after"));
    assertThat("the run's staging tables went with the settling", stagingTablesLeft(), is(0));
  }

  @Test
  public void aRunThatStoppedBeforeItsCommitLeavesTheStateBefore() throws Exception {
    StateFile.settle(file, spec);
    assertThat(JSON.readTree(file.toFile()).toString(), is("{\"name\":\"before\"}"));
    Files.delete(file);
    StateFile.write(file, state("first"), RUN, true); // a first run: no state before it
    JdbcTable.prepare(spec.sink().jdbc(), OutputColumns.of(spec), RUN);
    assertThat(StateFile.read(file, spec), is(nullValue()));
    StateFile.settle(file, spec);
    assertThat("no state, as before that run", Files.exists(file), is(false));
  }

  @Test
  public void withoutTheRunsStagingTablesNothingIsGuessed() throws Exception {
    sql("DROP TABLE " + okTable());
    SpecException e = assertThrows(SpecException.class, () -> StateFile.read(file, spec));
    assertThat(e.getMessage(), containsString("the run's staging tables, which tell whether it committed, are gone"));
    assertThat(e.getMessage(), containsString("delete the \"unconfirmed\" entry"));
  }

  @Test
  public void anEntryThisJobDidNotWriteIsRefused() throws Exception {
    ObjectNode edited = (ObjectNode) JSON.readTree(file.toFile());
    edited.putObject("unconfirmed").put("run", "x' OR '1'='1");
    Files.writeString(file, edited.toString());
    SpecException e = assertThrows(SpecException.class, () -> StateFile.read(file, spec));
    assertThat(e.getMessage(), containsString("is not one this job wrote"));
  }

  @Test
  public void aRunThatStartsOverDropsTheStateAndTheLeftovers() throws Exception {
    assertThat(stagingTablesLeft(), is(2));
    StateFile.discard(file, spec);
    assertThat(StateFile.read(file, spec), is(nullValue()));
    assertThat("both staging tables went", stagingTablesLeft(), is(0));
  }
}
