package io.seatwarden.login;

import java.io.IOException;

/**
 * A request on its way to the product's login, as {@link ReactivationGate} sees it. {@code
 * ServletLoginRequest} implements it over the servlet API ({@code javax} on Platform 7, {@code
 * jakarta} on Platform 8), so the gate's rules are written once.
 */
public interface LoginRequest {

  String method();

  String contentType();

  /** The servlet path as the container resolved it (decoded, no context path), or null. */
  String servletPath();

  String pathInfo();

  /** A form parameter (reading it may consume a form body, as the product would). */
  String parameter(String name);

  String header(String name);

  String remoteAddr();

  /**
   * Reads at most {@code limit} bytes of the body now, as text in the request's charset (null
   * when the body is longer), and makes the request that goes on down the chain replay exactly
   * the bytes the client sent: the part read here followed by the rest.
   */
  String replayBody(int limit) throws IOException;
}
