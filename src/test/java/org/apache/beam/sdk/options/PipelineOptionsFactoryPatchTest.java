package org.apache.beam.sdk.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.beans.PropertyDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The patched registry (see the class's header) registers what Beam's registers, the fast way for
 * the classpath's registrars, gives each interface the properties Beam's validation gives it for the
 * interface's own methods, and decides every ill-formed or unusual interface among the registrars'
 * as Beam does, with Beam's own error: a setter without a getter, contradictory defaults, a method
 * that is no property, a covariant override, a non-public interface, and a property split over two
 * interfaces (refused or accepted by Beam depending on their order).
 */
@RunWith(JUnit4.class)
public class PipelineOptionsFactoryPatchTest {
  /** Only the classpath's registrars: other tests in this JVM register interfaces of their own. */
  @Before
  @After
  public void backToTheClasspathsRegistrars() {
    PipelineOptionsFactory.resetCache();
  }

  @Test
  public void eachRegisteredInterfaceHasBeamsPropertiesForItsOwnMethods() throws Exception {
    Set<Class<? extends PipelineOptions>> registered = PipelineOptionsFactory.getRegisteredOptions();
    assertThat(registered, hasItem(FlinkPipelineOptions.class));
    assertThat(registered.size(), greaterThan(10));
    Method validateClass = PipelineOptionsFactory.class.getDeclaredMethod(
        "validateClass", Class.class, Set.class, Class.class);
    validateClass.setAccessible(true);
    for (Class<? extends PipelineOptions> iface : registered) {
      Class<?> proxy = Proxy.getProxyClass(ReflectHelpers.findClassLoader(iface), iface);
      Set<Class<? extends PipelineOptions>> others = new HashSet<>(registered);
      others.remove(iface);
      // What Beam computes when it registers the interface after all the others (and so the
      // validation that cannot fail once the union has passed: it would throw here).
      @SuppressWarnings("unchecked")
      List<PropertyDescriptor> beams = (List<PropertyDescriptor>) validateClass.invoke(null, iface, others, proxy);
      List<PropertyDescriptor> ours =
          PipelineOptionsFactory.CACHE.get().validateWellFormed(iface, registered).getPropertyDescriptors();
      Set<String> own = new HashSet<>();
      for (Method m : ReflectHelpers.getClosureOfMethodsOnInterface(iface)) {
        own.add(m.getName());
      }
      assertThat(iface.getName(), accessors(ours, own), equalTo(accessors(beams, own)));
      assertThat(iface.getName() + " has properties", accessors(ours, own).isEmpty(), is(false));
    }
  }

  @Test
  public void optionsOfEveryRegisteredInterfaceReadTheirFlags() {
    FlinkPipelineOptions flink = PipelineOptionsFactory.fromArgs("--parallelism=3", "--jobName=patched", "--runner=FlinkRunner")
        .withValidation().as(FlinkPipelineOptions.class);
    assertThat(flink.getParallelism(), equalTo(3));
    assertThat(flink.as(ApplicationNameOptions.class).getJobName(), equalTo("patched"));
    assertThat(flink.as(StreamingOptions.class).isStreaming(), is(false));
    for (Class<? extends PipelineOptions> iface : PipelineOptionsFactory.getRegisteredOptions()) {
      assertThat(iface.getName(), flink.as(iface).getJobName(), equalTo("patched"));
    }
  }

  @Test
  public void aSetterOfNoGetterAmongTheRegistrarsFailsAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(SetterOnly.class));
    assertThat(e.getMessage(), equalTo("Expected getter for property [orphan] of type [java.lang.String] on ["
        + SetterOnly.class.getName() + "]."));
  }

  @Test
  public void conflictingDefaultsAcrossRegisteredInterfacesFailAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(ConflictingDefault.class));
    assertThat(e.getMessage(), containsString("Property [runner] is marked with contradictory annotations"));
  }

  @Test
  public void aWellFormedExtraInterfaceIsRegisteredTheFastWay() {
    withRegistered(WellFormed.class);
    assertThat(PipelineOptionsFactory.getRegisteredOptions(), hasItem(WellFormed.class));
    WellFormed options = PipelineOptionsFactory.fromArgs("--extra=7").as(WellFormed.class);
    assertThat(options.getExtra(), equalTo(7));
    assertThat(PipelineOptionsFactory.CACHE.get().registeredTogether(WellFormed.class), is(true));
  }

  @Test
  public void theClasspathsRegistrarsAreRegisteredTheFastWay() {
    for (Class<? extends PipelineOptions> iface : PipelineOptionsFactory.getRegisteredOptions()) {
      assertThat(iface.getName(), PipelineOptionsFactory.CACHE.get().registeredTogether(iface), is(true));
    }
  }

  @Test
  public void aMethodThatIsNoPropertyFailsAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(NonBean.class));
    assertThat(e.getMessage(), equalTo("Methods [describeMe()] on [" + NonBean.class.getName()
        + "] do not conform to being bean properties."));
  }

  @Test
  public void aCovariantOverrideFailsAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(Covariant.class));
    assertThat(e.getMessage(), containsString("Method [getThing] has multiple definitions"));
  }

  @Test
  public void aNonPublicInterfaceFailsAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(Hidden.class));
    assertThat(e.getMessage(), containsString("Please mark non-public interface " + Hidden.class.getName()));
  }

  @Test
  public void aSetterWhoseGetterIsRegisteredLaterFailsAsInBeam() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> withRegistered(SetterHalf.class, BothHalves.class));
    assertThat(e.getMessage(), equalTo("Expected getter for property [split] of type [java.lang.String] on ["
        + SetterHalf.class.getName() + "]."));
  }

  @Test
  public void aSetterWhoseGetterIsRegisteredEarlierPassesAsInBeam() {
    withRegistered(BothHalves.class, SetterHalf.class);
    assertThat(PipelineOptionsFactory.getRegisteredOptions(), hasItem(SetterHalf.class));
    assertThat("registered Beam's way", PipelineOptionsFactory.CACHE.get().registeredTogether(SetterHalf.class),
        is(false));
    assertThat(PipelineOptionsFactory.fromArgs("--split=s").as(BothHalves.class).getSplit(), equalTo("s"));
  }

  /** The registry rebuilt with one more registrar naming these interfaces, in this order. */
  private static void withRegistered(Class<? extends PipelineOptions> first, Class<?>... more) {
    List<Class<? extends PipelineOptions>> named = new java.util.ArrayList<>(List.of(first));
    for (Class<?> iface : more) {
      named.add(iface.asSubclass(PipelineOptions.class));
    }
    TestRegistrar.named = named;
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(new OneMoreService(before, TestRegistrar.class.getName()));
    try {
      PipelineOptionsFactory.resetCache();
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  private static Map<String, String> accessors(List<PropertyDescriptor> descriptors, Set<String> methodNames) {
    Map<String, String> byMethod = new TreeMap<>();
    for (PropertyDescriptor d : descriptors) {
      for (Method m : new Method[] {d.getReadMethod(), d.getWriteMethod()}) {
        if (m != null && methodNames.contains(m.getName())) {
          byMethod.put(m.getName(), d.getName() + ": " + d.getPropertyType());
        }
      }
    }
    return byMethod;
  }

  /** A loader that adds one PipelineOptionsRegistrar service entry to its parent's. */
  private static final class OneMoreService extends ClassLoader {
    private static final String SERVICES = "META-INF/services/" + PipelineOptionsRegistrar.class.getName();
    private final String registrar;

    OneMoreService(ClassLoader parent, String registrar) {
      super(parent);
      this.registrar = registrar;
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      List<URL> urls = Collections.list(super.getResources(name));
      if (name.equals(SERVICES)) {
        byte[] line = (registrar + "\n").getBytes(StandardCharsets.UTF_8);
        urls.add(new URL("beam-etl-test", "", -1, "/" + SERVICES, new URLStreamHandler() {
          @Override
          protected URLConnection openConnection(URL u) {
            return new URLConnection(u) {
              @Override
              public void connect() {}

              @Override
              public InputStream getInputStream() {
                return new ByteArrayInputStream(line);
              }
            };
          }
        }));
      }
      return Collections.enumeration(urls);
    }
  }

  /** A setter without a getter: Beam refuses it. */
  public interface SetterOnly extends PipelineOptions {
    void setOrphan(String value);
  }

  /** A second, different default for a property PipelineOptions declares. */
  public interface ConflictingDefault extends PipelineOptions {
    @Override
    @Default.String("other")
    @SuppressWarnings("rawtypes")
    Class getRunner();
  }

  /** A method that is no bean property. */
  public interface NonBean extends PipelineOptions {
    String describeMe();
  }

  /** A getter of Object. */
  public interface Loose extends PipelineOptions {
    Object getThing();

    void setThing(Object value);
  }

  /** The same getter narrowed: two definitions with different return types. */
  public interface Covariant extends Loose {
    @Override
    String getThing();
  }

  /** Not public. */
  interface Hidden extends PipelineOptions {
    String getHidden();

    void setHidden(String value);
  }

  /** The setter half of a property. */
  public interface SetterHalf extends PipelineOptions {
    void setSplit(String value);
  }

  /** The whole property. */
  public interface BothHalves extends PipelineOptions {
    String getSplit();

    void setSplit(String value);
  }

  /** A registrar naming what the test sets, as a jar's registrar would name its interfaces. */
  public static class TestRegistrar implements PipelineOptionsRegistrar {
    static List<Class<? extends PipelineOptions>> named = List.of();

    @Override
    public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
      return named;
    }
  }

  /** A well-formed interface of its own. */
  public interface WellFormed extends PipelineOptions {
    @Default.Integer(1)
    int getExtra();

    void setExtra(int value);
  }
}
