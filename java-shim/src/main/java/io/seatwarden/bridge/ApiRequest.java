package io.seatwarden.bridge;

import java.util.List;

/**
 * One admin API request, after the host checked who is asking.
 *
 * @param method the HTTP method ({@code GET}, {@code POST}, {@code PUT}, {@code PATCH}, {@code
 *     DELETE})
 * @param path the path below the servlet, starting with {@code /api/}
 * @param query the query parameters in order (a name may repeat)
 * @param body the raw body (JSON, or CSV for uploads); empty when none
 * @param context what the host verified about the caller
 */
public record ApiRequest(
    String method, String path, List<Param> query, byte[] body, Context context) {

  /** One query parameter. */
  public record Param(String name, String value) {}

  /**
   * What the host verified before passing the request on. The engine refuses state-changing
   * requests unless {@code sysadmin} and {@code xsrfVerified} (and {@code websudoVerified} in the
   * products) hold.
   *
   * @param actor the signed-in user's key, or null
   * @param sysadmin whether that user is a system administrator
   * @param clientIp the client's address for the audit log, or null
   * @param xsrfVerified the request's XSRF token was checked and valid
   * @param websudoVerified the secure administrator session was checked and valid
   */
  public record Context(
      String actor,
      boolean sysadmin,
      String clientIp,
      boolean xsrfVerified,
      boolean websudoVerified) {}
}
