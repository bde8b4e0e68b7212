package io.seatwarden.login;

import java.io.IOException;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;

/**
 * The {@code before-login} servlet filter. Its rules are {@link ReactivationGate}'s; this class
 * only adapts the servlet API, and guarantees that the request always continues down the chain
 * exactly once. Compiled as is for Platform 7 and, with {@code jakarta.servlet}, for Platform 8
 * (docs/plugin.md, "Two jars").
 */
public final class ReactivationFilter implements Filter {

  private final ReactivationGate gate;

  /** A filter over the running plugin's reactivation. */
  public ReactivationFilter(ReactivationSource source) {
    this.gate = new ReactivationGate(source);
  }

  @Override
  public void init(FilterConfig config) {
    gate.configure(config::getInitParameter);
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest http)) {
      chain.doFilter(request, response);
      return;
    }
    ServletLoginRequest login = new ServletLoginRequest(http);
    String verified = gate.verify(login);
    if (verified == null) {
      chain.doFilter(login.onward(), response);
      return;
    }
    // The product's own login runs in the chain; its login event on this thread is the one that
    // makes the access given back stand (see VerifiedLogin).
    VerifiedLogin.Scope scope = VerifiedLogin.open(verified);
    try {
      chain.doFilter(login.onward(), response);
    } finally {
      scope.close();
    }
  }

  @Override
  public void destroy() {}
}
