package io.seatwarden.bridge;

import java.util.List;

/**
 * The engine's answer to an {@link ApiRequest}, for the servlet to write out as is.
 *
 * @param status the HTTP status
 * @param contentType the body's media type
 * @param headers extra headers (e.g. {@code Content-Disposition} for downloads)
 * @param body the body
 */
public record ApiResponse(int status, String contentType, List<Header> headers, byte[] body) {

  /** One response header. */
  public record Header(String name, String value) {}
}
