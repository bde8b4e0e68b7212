package io.seatwarden.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * {@link Services} from the OSGi service registry, where Jira and Confluence publish their
 * components to plugins. Every service taken is given back by {@link #close()}, which the plugin
 * calls when it is disabled, so no reference outlives the plugin.
 */
public final class OsgiServices implements Services, AutoCloseable {

  private final BundleContext context;
  private final List<ServiceReference<?>> taken = new ArrayList<>();

  /** Services seen through the plugin bundle's context. */
  public OsgiServices(BundleContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  @Override
  public synchronized <T> T get(Class<T> type) {
    ServiceReference<T> reference = context.getServiceReference(type);
    T service = reference == null ? null : context.getService(reference);
    if (service == null) {
      throw new IllegalStateException("the product offers no `" + type.getName() + "` service");
    }
    taken.add(reference);
    return service;
  }

  /** Gives back every service taken; idempotent. */
  @Override
  public synchronized void close() {
    for (ServiceReference<?> reference : taken) {
      try {
        context.ungetService(reference);
      } catch (IllegalStateException stopping) {
        // The bundle context is already invalid: the framework released everything itself.
      }
    }
    taken.clear();
  }
}
