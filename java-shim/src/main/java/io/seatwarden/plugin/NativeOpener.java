package io.seatwarden.plugin;

import com.atlassian.sal.api.ApplicationProperties;
import com.atlassian.sal.api.UrlMode;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.NativeLoader;
import io.seatwarden.bridge.NativeSeatwarden;
import io.seatwarden.bridge.RecordStore;
import io.seatwarden.bridge.Seatwarden;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Opens the native engine in the product: the instance's name and base URL from SAL, and a node
 * id unique to this start of the plugin on this node (host name plus a random suffix), so policy
 * leases never mistake two nodes, or a restarted node, for one.
 *
 * <p>Before the first open the native library is pointed at {@code <local home>/seatwarden/native}
 * (SAL {@link ApplicationProperties#getLocalHomeDirectory}): the product runs from its local home,
 * so that directory allows executables where a hardened {@code /tmp} is mounted {@code noexec},
 * and it is private to the node.
 */
public final class NativeOpener implements SeatwardenOpener {

  private final ApplicationProperties application;

  /** An opener reading the instance's name and URL from SAL. */
  public NativeOpener(ApplicationProperties application) {
    this.application = Objects.requireNonNull(application, "application");
  }

  /** The folder of the local home the native library is copied to. */
  static final String NATIVE_DIR = "seatwarden/native";

  @Override
  public Seatwarden open(String product, Host host, RecordStore store) {
    return open(product, host, store, System::currentTimeMillis);
  }

  @Override
  public Seatwarden open(String product, Host host, RecordStore store, LongSupplier clock) {
    nativeDirectory().ifPresent(NativeLoader::preferDirectory);
    String name = application.getDisplayName();
    String baseUrl = application.getBaseUrl(UrlMode.CANONICAL);
    return NativeSeatwarden.builder()
        .product(product)
        .host(host)
        .store(store)
        .instanceName(name == null || name.isBlank() ? product : name)
        .baseUrl(baseUrl == null ? "" : baseUrl)
        .nodeId(nodeId())
        .clock(clock)
        .open();
  }

  /** {@code <local home>/seatwarden/native}, when SAL names a local home. */
  Optional<Path> nativeDirectory() {
    Optional<Path> home = application.getLocalHomeDirectory();
    return home == null ? Optional.empty() : home.map(h -> h.resolve(NATIVE_DIR));
  }

  /** {@code host/random}: unique per node and per plugin start. */
  static String nodeId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "node";
    }
    return host + "/" + UUID.randomUUID();
  }
}
