package io.seatwarden.plugin;

import com.atlassian.sal.api.ApplicationProperties;
import com.atlassian.sal.api.UrlMode;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.NativeSeatwarden;
import io.seatwarden.bridge.RecordStore;
import io.seatwarden.bridge.Seatwarden;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.UUID;

/**
 * Opens the native engine in the product: the instance's name and base URL from SAL, and a node
 * id unique to this start of the plugin on this node (host name plus a random suffix), so policy
 * leases never mistake two nodes, or a restarted node, for one.
 */
public final class NativeOpener implements SeatwardenOpener {

  private final ApplicationProperties application;

  /** An opener reading the instance's name and URL from SAL. */
  public NativeOpener(ApplicationProperties application) {
    this.application = Objects.requireNonNull(application, "application");
  }

  @Override
  public Seatwarden open(String product, Host host, RecordStore store) {
    String name = application.getDisplayName();
    String baseUrl = application.getBaseUrl(UrlMode.CANONICAL);
    return NativeSeatwarden.builder()
        .product(product)
        .host(host)
        .store(store)
        .instanceName(name == null || name.isBlank() ? product : name)
        .baseUrl(baseUrl == null ? "" : baseUrl)
        .nodeId(nodeId())
        .open();
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
