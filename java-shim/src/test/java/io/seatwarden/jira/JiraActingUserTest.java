package io.seatwarden.jira;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.atlassian.jira.user.ApplicationUser;
import io.seatwarden.product.NoActingUserException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class JiraActingUserTest {
  private final FakeJira jira = new FakeJira();
  private final String admin = jira.user("automation", FakeJira.INTERNAL, true);
  private final String person = jira.user("visitor", FakeJira.INTERNAL, true);

  @Test
  void runsTheBlockAsTheAutomationAccountAndRestoresThePreviousUser() {
    ApplicationUser visitor = jira.byKey(person);
    jira.context.setLoggedInUser(visitor);
    String seen =
        jira.acting(admin).callAs(u -> jira.context.getLoggedInUser().getKey() + "/" + u.getKey());
    assertEquals(admin + "/" + admin, seen);
    assertSame(visitor, jira.context.getLoggedInUser());
  }

  @Test
  void restoresThePreviousUserWhenTheBlockThrows() {
    ApplicationUser visitor = jira.byKey(person);
    jira.context.setLoggedInUser(visitor);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                jira.acting(admin)
                    .call(
                        () -> {
                          assertEquals(admin, jira.context.getLoggedInUser().getKey());
                          throw new IllegalStateException("boom");
                        }));
    assertEquals("boom", e.getMessage());
    assertSame(visitor, jira.context.getLoggedInUser());
  }

  @Test
  void leavesNobodyLoggedInOnAThreadThatHadNobody() {
    jira.acting(admin).run(() -> assertEquals(admin, jira.context.getLoggedInUser().getKey()));
    assertNull(jira.context.getLoggedInUser());
  }

  @Test
  void refusesWithoutAUsableAccountAndRunsNothing() {
    AtomicBoolean ran = new AtomicBoolean();
    jira.user("retired", FakeJira.INTERNAL, false);
    String retired = jira.byName("retired").getKey();
    for (String key : new String[] {null, " ", "JIRAUSER99999", retired}) {
      assertThrows(NoActingUserException.class, () -> jira.acting(key).run(() -> ran.set(true)));
    }
    assertEquals(false, ran.get());
    assertNull(jira.context.getLoggedInUser());
  }

  @Test
  void endOfBatchHooksRunOnceWhenTheOutermostBlockEnds() {
    JiraActingUser acting = jira.acting(admin);
    java.util.List<String> seen = new java.util.ArrayList<>();
    acting.afterBatch(() -> seen.add("end as " + jira.context.getLoggedInUser().getKey()));
    acting.run(
        () -> {
          acting.run(() -> seen.add("inner"));
          acting.run(() -> seen.add("inner"));
          seen.add("outer");
        });
    assertEquals(java.util.List.of("inner", "inner", "outer", "end as " + admin), seen);
    acting.run(() -> {});
    assertEquals(5, seen.size(), "every outermost block is a batch of its own");
    assertNull(jira.context.getLoggedInUser());
  }

  @Test
  void aFailingEndOfBatchHookNeitherHidesTheResultNorTheBlocksException() {
    JiraActingUser acting = jira.acting(admin);
    acting.afterBatch(
        () -> {
          throw new IllegalStateException("hook");
        });
    assertEquals("done", acting.call(() -> "done"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                acting.call(
                    () -> {
                      throw new IllegalArgumentException("block");
                    }));
    assertEquals("block", e.getMessage());
    assertNull(jira.context.getLoggedInUser());
  }
}
