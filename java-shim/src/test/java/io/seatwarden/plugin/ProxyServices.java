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
  private final BiFunction<Class<?>, String, Object> answer;

  public ProxyServices(BiFunction<Class<?>, String, Object> answer) {
    this.answer = answer;
  }

  @Override
  public <T> T get(Class<T> type) {
    asked.add(type);
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              Object value = answer.apply(type, method.getName());
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
