package io.seatwarden.plugin;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * {@link Services} whose every component is a proxy: calls go to {@code answer(type, method
 * name)}, which may return null to mean "unsupported in this test". Records what was asked for.
 */
public final class ProxyServices implements Services {

  public final List<Class<?>> asked = new ArrayList<>();
  private final Answer answer;

  /** Answers a call from its component type, method name and arguments (null: unsupported). */
  @FunctionalInterface
  public interface Answer {
    Object apply(Class<?> type, String method, Object[] args);
  }

  public ProxyServices(BiFunction<Class<?>, String, Object> answer) {
    this((type, method, args) -> answer.apply(type, method));
  }

  public ProxyServices(Answer answer) {
    this.answer = answer;
  }

  /** An answer meaning "returns null" (a plain null means "unsupported"). */
  public static final Object NULL = new Object();

  /** Makes the proxied call throw {@code cause} (checked exceptions included). */
  public static RuntimeException raise(Throwable cause) {
    return new Thrown(cause);
  }

  private static final class Thrown extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Thrown(Throwable cause) {
      super(cause);
    }
  }

  @Override
  public <T> T get(Class<T> type) {
    asked.add(type);
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              Object value;
              try {
                value = answer.apply(type, method.getName(), args);
              } catch (Thrown thrown) {
                throw thrown.getCause();
              }
              if (value == NULL) {
                return null;
              }
              if (value == null) {
                throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName());
              }
              return value;
            }));
  }

  /** A proxy of {@code type} answering {@code method} with {@code value}. */
  public static <T> T answering(Class<T> type, String method, Object value) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, m, args) -> {
              if (m.getName().equals(method)) {
                return value;
              }
              throw new UnsupportedOperationException(m.getName());
            }));
  }
}
