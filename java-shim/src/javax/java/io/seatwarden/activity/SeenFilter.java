package io.seatwarden.activity;

import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.user.UserManager;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;

/**
 * The "seen" signal's servlet filter ({@code before-dispatch}): marks the request's authenticated
 * user as seen today, whatever route authenticated them: session, remember-me cookie, Basic auth,
 * personal access token, OAuth, the mobile app (docs/activity.md §2: those routes move no product
 * date, or only one per session, and no event tells a plugin about them).
 *
 * <p>At {@code before-dispatch} Seraph and the token and OAuth filters have run, so SAL's {@code
 * getRemoteUserKey(request)} names the user. Anonymous requests cost one call that answers {@code
 * null}. The filter never answers, never fails the request (a failure to mark is swallowed: the
 * person's work matters more than our mark), and passes the request on exactly once.
 */
public final class SeenFilter implements Filter {
  private static final long DAY_MS = 86_400_000L;

  private final UserManager users;
  private final SeenRecorder recorder;
  private final Clock clock;

  /** A filter over the plugin's recorder (constructor autowiring). */
  public SeenFilter(UserManager users, SeenRecorder recorder) {
    this(users, recorder, Clock.systemUTC());
  }

  /**
   * A filter with an explicit clock (tests). A factory, not a constructor, so the plugin system's
   * constructor autowiring has exactly one constructor to choose.
   */
  public static SeenFilter withClock(UserManager users, SeenRecorder recorder, Clock clock) {
    return new SeenFilter(users, recorder, clock);
  }

  private SeenFilter(UserManager users, SeenRecorder recorder, Clock clock) {
    this.users = Objects.requireNonNull(users, "users");
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void init(FilterConfig config) {}

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http) {
      mark(http);
    }
    chain.doFilter(request, response);
  }

  private void mark(HttpServletRequest request) {
    try {
      UserKey key = users.getRemoteUserKey(request);
      if (key != null) {
        recorder.seen(key.getStringValue(), Math.floorDiv(clock.millis(), DAY_MS));
      }
    } catch (RuntimeException e) {
      // Never let the mark break the person's request.
    }
  }

  @Override
  public void destroy() {}
}
