package io.seatwarden.bridge;

/**
 * The Seatwarden application as the plugin sees it: the admin API, the scheduler tick, the login
 * hook and the background-work pump, over one {@link Host} and one {@link RecordStore}.
 *
 * <p>The native implementation holds no thread of its own: every call runs on the caller's thread
 * and calls the host and store back on it. Background work (a "run now", a bulk action, an import)
 * is queued by {@link #handle} and done by whoever calls {@link #drive} (the plugin's executor).
 * The shim's servlet, job and listeners depend on this interface only, so they are tested against
 * a fake of it. Implementations are safe to call from many threads at once, and {@link #close}
 * may race any call: calls after it throw {@link EngineClosedException}.
 */
public interface Seatwarden extends AutoCloseable {

  /** Answers one admin API request; never throws for a bad request (that is a 4xx response). */
  ApiResponse handle(ApiRequest request);

  /**
   * Answers one admin API request as {@link #handle} does, except that an export's body (users,
   * groups, audit) goes to {@code sink} in chunks as it is written, so the whole file is never
   * held in memory.
   *
   * @return the whole answer when nothing went to the sink (every other route, every refusal, an
   *     export shorter than one chunk): write it as usual; empty when the head and the whole body
   *     went to the sink
   * @throws java.io.IOException what the sink threw, or {@link StreamBrokenException} when the
   *     export failed after part of the body went out: abort the response
   */
  default java.util.Optional<ApiResponse> handleStreamed(ApiRequest request, ResponseSink sink)
      throws java.io.IOException {
    return java.util.Optional.of(handle(request));
  }

  /**
   * Answers one anonymous request (the "I still need access" page, a service-desk webhook call);
   * never throws for a bad or forged request (that is a response too).
   */
  ApiResponse handlePublic(PublicRequest request);

  /** Runs what is due at {@code now} (UTC ms): scheduled policies, resumes, retention, mail. */
  TickReport tick(long now);

  /**
   * A user just logged in (or, from the reactivation filter, presented valid credentials while
   * deactivated). Applies the login policies and answers what they did. Never blocks on mail or a
   * running job.
   */
  LoginOutcome onLogin(String username, long now);

  /**
   * The product completed the login of the request whose credentials the reactivation filter
   * verified: access given back provisionally for it stands. Then the login policies act as for
   * {@link #onLogin}. Only for that request: any other login of the user proves nothing about the
   * verified credentials.
   */
  LoginOutcome loginCompleted(String username, long now);

  /**
   * Before the reactivation filter checks the password of a deactivated or unlicensed user: would
   * a verified login give this user anything (the login policies, exactly as {@link #onLogin}
   * would apply them), how the credential can be verified given what the filter saw of the
   * account, and may it be checked now (no recent wrong password on any node)? Writes nothing.
   */
  LoginCheck loginCheck(
      String username,
      LoginCheck.AccountState state,
      LoginCheck.InactiveRefusal refusal,
      long now);

  /**
   * Journals the start of a password check made the way the engine chose, before anything about
   * the account changes; the answer names the check. A probe that never ends (the node stopped) is
   * put right by a later {@link #tick} on any node: the account is deactivated again.
   *
   * @throws NotFoundException when the product has no such user
   */
  long loginCheckBegan(String username, LoginCheck.Verification verification, long now);

  /**
   * Journals the end of a check, once the account is back as it was. Not called when putting it
   * back failed: the tick's repair then does it.
   *
   * @throws NotFoundException when no such check began
   */
  void loginCheckEnded(long check, LoginCheckOutcome outcome, long now);

  /**
   * A check ended verified: the login policies give access back, provisionally until {@link
   * #loginCompleted} for that user arrives within the confirm window (else the engine takes it
   * back).
   *
   * @throws ConflictException when the engine's journal does not hold the check as verified, or it
   *     already gave access back
   */
  LoginOutcome loginVerified(long check, long now);

  /** Does one slice of queued background work; true while more is queued. */
  boolean drive(long now);

  /** Releases the native engine; idempotent. */
  @Override
  void close();
}
