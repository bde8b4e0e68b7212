package io.seatwarden.web;

import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code /plugins/servlet/seatwarden-public/*}: the plugin's only anonymous paths (the "I still
 * need access" page and the service-desk webhooks), handed to {@link PublicPages}. No SAL call is
 * made: nothing here reads a session.
 *
 * <p>Written against {@code javax.servlet} (the Platform 7 jar); the Platform 8 jar compiles a copy
 * with {@code jakarta.servlet} instead, made by the build (docs/plugin.md, "Two jars").
 */
public final class PublicServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient PublicPages pages;

  /** The servlet as the plugin framework builds it (constructor injection). */
  public PublicServlet(AdminBackend backend) {
    this.pages = new PublicPages(backend);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    pages.serve(new ServletExchange(request, response, null));
  }
}
