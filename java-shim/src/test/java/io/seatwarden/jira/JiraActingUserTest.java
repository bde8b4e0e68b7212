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
}
