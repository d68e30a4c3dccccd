package org.apache.beam.runners.core.construction;

import java.beans.Introspector;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import com.fasterxml.jackson.annotation.JsonIgnore;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.common.ReflectHelpers;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * beam-etl's own class (not a copy of Beam's), used by its patched {@link SerializablePipelineOptions}:
 * the JSON of a {@link PipelineOptions} last serialized, reused while the options' state is the
 * same. Beam's JSON is a function of the options' invocation handler: its bound values (explicit
 * or default), the values read from JSON, the interfaces it knows, and its revision. A snapshot of
 * these - the values copied deep - is kept beside the JSON and compared on the next call; a value
 * changed in place (Beam's {@code addExperiment} adds to the list it holds without a new revision)
 * differs from its copy. A serialized value the snapshot cannot copy exactly (anything but strings,
 * numbers, booleans, enums, classes and collections of them) makes the options uncacheable: they
 * are serialized anew every time, as by Beam. So is everything when Beam's internals are not as
 * expected (another Beam version).
 */
final class SerializedOptionsCache {
  private static final Map<Object, Entry> LAST = new WeakHashMap<>(); // keyed by invocation handler
  private static final Map<Set<?>, Set<String>> IGNORED = new ConcurrentHashMap<>();
  private static final @Nullable Internals INTERNALS = Internals.find();

  private SerializedOptionsCache() {}

  private static final class Entry {
    final Object state;
    final String json;

    Entry(Object state, String json) {
      this.state = state;
      this.json = json;
    }
  }

  static String json(PipelineOptions options, Function<PipelineOptions, String> serialize) {
    Object handler = Proxy.isProxyClass(options.getClass()) ? Proxy.getInvocationHandler(options) : null;
    if (INTERNALS == null || handler == null || !INTERNALS.handlerClass.isInstance(handler)) {
      return serialize.apply(options);
    }
    // One caller at a time per options. Setters take no lock, but a handler's state only moves
    // forward (a new revision, more bound defaults, more interfaces): a race costs one more
    // serialization, never an older JSON for a newer state than the snapshot says.
    synchronized (handler) {
      Object state = INTERNALS.state(handler);
      if (state == null) {
        return serialize.apply(options);
      }
      synchronized (LAST) {
        Entry last = LAST.get(handler);
        if (last != null && last.state.equals(state)) {
          return last.json;
        }
      }
      String json = serialize.apply(options);
      synchronized (LAST) {
        LAST.put(handler, new Entry(state, json));
      }
      return json;
    }
  }

  /** Reflective access to Beam 2.62's ProxyInvocationHandler. */
  private static final class Internals {
    final Class<?> handlerClass;
    final Field options;
    final Field jsonOptions;
    final Field computedProperties;
    final Field knownInterfaces;
    final Field revision;
    final Method value;
    final Method isDefault;

    private Internals(Class<?> handlerClass, Field options, Field jsonOptions, Field computedProperties,
        Field knownInterfaces, Field revision, Method value, Method isDefault) {
      this.handlerClass = handlerClass;
      this.options = options;
      this.jsonOptions = jsonOptions;
      this.computedProperties = computedProperties;
      this.knownInterfaces = knownInterfaces;
      this.revision = revision;
      this.value = value;
      this.isDefault = isDefault;
    }

    static @Nullable Internals find() {
      try {
        Class<?> handler = Class.forName("org.apache.beam.sdk.options.ProxyInvocationHandler");
        Class<?> bound = Class.forName("org.apache.beam.sdk.options.ProxyInvocationHandler$BoundValue");
        Field computed = accessible(handler.getDeclaredField("computedProperties"));
        Method value = bound.getDeclaredMethod("getValue");
        Method isDefault = bound.getDeclaredMethod("isDefault");
        value.setAccessible(true);
        isDefault.setAccessible(true);
        return new Internals(handler, accessible(handler.getDeclaredField("options")),
            accessible(handler.getDeclaredField("jsonOptions")), computed,
            accessible(computed.getType().getDeclaredField("knownInterfaces")),
            accessible(handler.getDeclaredField("revision")), value, isDefault);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null; // not the Beam this was made for: no cache
      }
    }

    private static Field accessible(Field field) {
      field.setAccessible(true);
      return field;
    }

    /** What the handler's JSON is made from, copied; null if it holds a value that cannot be copied. */
    @Nullable Object state(Object handler) {
      try {
        Set<?> interfaces = (Set<?>) knownInterfaces.get(computedProperties.get(handler));
        Set<String> ignored = IGNORED.computeIfAbsent(interfaces, Internals::jsonIgnored);
        Map<?, ?> bound = (Map<?, ?>) options.get(handler);
        Map<Object, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> option : new LinkedHashMap<>(bound).entrySet()) {
          Object v = value.invoke(option.getValue());
          boolean ignoredOption = ignored.contains(option.getKey());
          values.put(option.getKey(), Arrays.asList(isDefault.invoke(option.getValue()),
              ignoredOption ? Identity.of(v) : copy(v)));
        }
        // jsonOptions is an immutable map of immutable-by-contract JsonNodes, held by identity.
        return Arrays.asList(values, Identity.of(jsonOptions.get(handler)), interfaces,
            ((java.util.concurrent.atomic.AtomicInteger) revision.get(handler)).get());
      } catch (NotCopyable | ReflectiveOperationException | RuntimeException e) {
        return null; // serialized anew, as by Beam
      }
    }

    /** The properties Beam leaves out of the JSON (and the display data): getters marked @JsonIgnore. */
    private static Set<String> jsonIgnored(Set<?> interfaces) {
      Set<String> names = new HashSet<>();
      @SuppressWarnings("unchecked")
      Iterable<Class<?>> classes = (Iterable<Class<?>>) (Iterable<?>) interfaces;
      for (Method m : ReflectHelpers.getClosureOfMethodsOnInterfaces(classes)) {
        String name = m.getName();
        if (m.isAnnotationPresent(JsonIgnore.class) && m.getParameterCount() == 0) {
          String property = name.startsWith("get") ? name.substring(3) : name.startsWith("is") ? name.substring(2) : null;
          if (property != null && !property.isEmpty()) {
            names.add(Introspector.decapitalize(property));
          }
        }
      }
      return names;
    }
  }

  private static final class NotCopyable extends Exception {
    NotCopyable() {
      super(null, null, false, false);
    }
  }

  /**
   * A reference compared by identity: for what is not serialized, or immutable by contract. Weak,
   * so a cached snapshot never keeps its options alive (the warm runner runs many jobs in one JVM).
   */
  private static final class Identity {
    final java.lang.ref.WeakReference<Object> ref;
    final int hash;

    private Identity(@Nullable Object ref) {
      this.ref = new java.lang.ref.WeakReference<>(ref);
      this.hash = System.identityHashCode(ref);
    }

    static Identity of(@Nullable Object ref) {
      return new Identity(ref);
    }

    @Override
    public boolean equals(@Nullable Object o) {
      if (!(o instanceof Identity)) {
        return false;
      }
      Object mine = ref.get();
      Object theirs = ((Identity) o).ref.get();
      return mine == theirs && hash == ((Identity) o).hash; // a collected referent equals nothing live
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** A deep copy of a value that compares equal to the value's next copy only if it did not change. */
  static @Nullable Object copy(@Nullable Object v) throws NotCopyable {
    if (v == null || v instanceof String || v instanceof Boolean || v instanceof Character
        || v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof Double || v instanceof Float || v instanceof BigInteger || v instanceof BigDecimal
        || v instanceof Enum || v instanceof Class) {
      return v;
    }
    Iterable<?> elements;
    if (v instanceof Collection) { // a set's order is its class's: compared as what it holds, in it
      elements = (Collection<?>) v;
    } else if (v instanceof Map) {
      elements = ((Map<?, ?>) v).entrySet();
    } else if (v instanceof Map.Entry) {
      elements = Arrays.asList(((Map.Entry<?, ?>) v).getKey(), ((Map.Entry<?, ?>) v).getValue());
    } else if (v.getClass().isArray()) {
      List<Object> array = new ArrayList<>();
      for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
        array.add(java.lang.reflect.Array.get(v, i));
      }
      elements = array;
    } else {
      throw new NotCopyable();
    }
    List<Object> copy = new ArrayList<>();
    for (Object e : elements) {
      copy.add(copy(e));
    }
    return Arrays.asList(v instanceof Map.Entry ? Map.Entry.class : v.getClass(), copy);
  }
}
