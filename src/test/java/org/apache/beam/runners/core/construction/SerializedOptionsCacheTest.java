package org.apache.beam.runners.core.construction;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.ExperimentalOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The patched {@link SerializablePipelineOptions} gives exactly Beam's JSON for the options' state
 * at the time, reusing it only while that state is unchanged - whatever changed it.
 */
@RunWith(JUnit4.class)
public class SerializedOptionsCacheTest {
  private static final ObjectMapper BEAM = new ObjectMapper()
      .registerModules(ObjectMapper.findModules(ReflectHelpers.findClassLoader()));

  /** An options interface with a serialized value the cache cannot copy (a mutable bean). */
  public interface BeanOptions extends PipelineOptions {
    Holder getHolder();

    void setHolder(Holder value);
  }

  /** A mutable bean, serialized by Jackson as {"name": ...}. */
  public static class Holder {
    public String name;
  }

  /** The patched class's JSON, checked against Beam's serializer on the same state. */
  private static String json(PipelineOptions options) throws Exception {
    String beams = beams(options); // before: the constructor binds more defaults once it has serialized
    String json = new SerializablePipelineOptions(options).toString();
    assertThat(json, equalTo(beams));
    return json;
  }

  private static String beams(PipelineOptions options) throws Exception {
    return BEAM.writeValueAsString(options);
  }

  @Test
  public void unchangedOptionsReuseTheirJson() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs("--parallelism=3", "--jobName=a")
        .as(FlinkPipelineOptions.class);
    json(options); // FileSystems reads options with defaults of their own: the state changes once
    String first = json(options);
    assertThat(json(options), sameInstance(first));
    assertThat(json(options.as(PipelineOptions.class)), sameInstance(first)); // another view, one handler
  }

  @Test
  public void aSetterChangesTheJson() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    String before = json(options);
    options.setParallelism(7);
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }

  @Test
  public void aListChangedInPlaceChangesTheJson() throws Exception {
    ExperimentalOptions options = PipelineOptionsFactory.as(ExperimentalOptions.class);
    List<String> experiments = new ArrayList<>(List.of("a"));
    options.setExperiments(experiments);
    String before = json(options);
    experiments.add("b"); // as Beam's ExperimentalOptions.addExperiment does: no new revision
    options.setExperiments(experiments);
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }

  @Test
  public void aDefaultBoundByAGetterOrANewInterfaceChangesTheJson() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    String before = json(options);
    options.getJobName(); // binds its default (a generated name)
    options.as(StreamingOptions.class).isStreaming();
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }

  /** Not registered: known to the options only once they are viewed through it. */
  public interface LateOptions extends PipelineOptions {
    @org.apache.beam.sdk.options.Default.Integer(-1)
    Integer getParallelism();

    void setParallelism(Integer value);
  }

  @Test
  public void settingTheValueADefaultAlreadyGaveChangesTheJson() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    int parallelism = options.getParallelism(); // bound as a default: not in the display data
    String before = json(options);
    json(options);
    options.setParallelism(parallelism); // the same value, now explicit: no new revision
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }

  @Test
  public void anInterfaceTheOptionsLearnLateChangesTheJson() throws Exception {
    FlinkPipelineOptions options = PipelineOptionsFactory.fromArgs("--parallelism=3").as(FlinkPipelineOptions.class);
    json(options);
    String before = json(options);
    options.as(LateOptions.class); // declares parallelism too: a second namespace for its display data
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }

  @Test
  public void aValueItCannotCopyIsSerializedAnewEveryTime() throws Exception {
    PipelineOptionsFactory.register(BeanOptions.class);
    BeanOptions options = PipelineOptionsFactory.as(BeanOptions.class);
    Holder holder = new Holder();
    holder.name = "x";
    options.setHolder(holder);
    String before = json(options);
    holder.name = "y"; // changed in place, invisibly to a snapshot
    String after = json(options);
    assertThat(after, not(equalTo(before)));
  }
}
