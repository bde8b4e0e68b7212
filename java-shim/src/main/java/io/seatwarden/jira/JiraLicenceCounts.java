package io.seatwarden.jira;

import com.atlassian.jira.license.LicenseCountService;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Jira's cached licence figures honest after Seatwarden changes who holds a licence.
 *
 * <p>Jira counts the users of each application (and the billable total) once and caches the
 * result: counting walks every active member of every licence group, which takes seconds on large
 * instances. Jira's javadoc lists {@code LicenseCountService.flush()} as clearing that
 * billable-users cache, on the same component that answers {@code
 * ApplicationRoleManager.getUserCount} and {@code hasSeatsAvailable}. After a deactivation, a
 * reactivation, a deleted account or a changed licence-group membership those figures can
 * therefore stay stale: Jira's own application-access page and banner, the header Seatwarden
 * reads, and the seat check before the next reactivation.
 *
 * <p>Flushing after every single write would make a run of 500 deactivations recount 500 times,
 * so a write only {@linkplain #changed marks} the figures stale and {@link #settle} flushes once:
 * before the host reads licence figures again (the header, a seat check) and when the batch of
 * work ends (the outermost {@link JiraActingUser} block: one tick, one background slice, one
 * login, one admin operation). A flush that fails leaves the mark in place, so the next settle
 * tries again; it never fails the write that caused it.
 */
public final class JiraLicenceCounts {
  private static final Logger LOG = LoggerFactory.getLogger(JiraLicenceCounts.class);

  private final LicenseCountService service;
  private final AtomicBoolean stale = new AtomicBoolean();

  /**
   * Activations minus deactivations per user key since the last flush. A pair that cancels out
   * (the login filter's opt-in probe: activate for one password check, deactivate again) leaves
   * zero, changes no seat, and costs no flush (each flush is a full recount on a large Jira:
   * Atlassian KB "slow population of ActiveUsersCountForLicenseCache", JRASERVER-64384).
   */
  private final Map<String, Integer> toggles = new ConcurrentHashMap<>();

  /**
   * @param service Jira's billable-user count (its cache is what gets flushed)
   */
  public JiraLicenceCounts(LicenseCountService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /** Records that a write landed that changes who holds a licence seat. */
  public void changed() {
    stale.set(true);
  }

  /** Records that a licence holder's account was activated or deactivated. */
  public void activeChanged(String userKey, boolean active) {
    toggles.merge(userKey, active ? 1 : -1, Integer::sum);
    toggles.remove(userKey, 0);
  }

  /** Whether a write since the last successful flush may have left Jira's counts stale. */
  public boolean stale() {
    return stale.get() || !toggles.isEmpty();
  }

  /**
   * Flushes Jira's licence-count cache if a licence-changing write landed since the last flush.
   *
   * @return whether a flush was made and succeeded
   */
  public boolean settle() {
    boolean pending = stale.getAndSet(false);
    if (!toggles.isEmpty()) {
      toggles.clear();
      pending = true;
    }
    if (!pending) {
      return false;
    }
    try {
      service.flush();
      return true;
    } catch (RuntimeException e) {
      stale.set(true);
      LOG.warn("Jira's licence counts could not be refreshed: {}", e.getClass().getSimpleName());
      return false;
    }
  }
}
