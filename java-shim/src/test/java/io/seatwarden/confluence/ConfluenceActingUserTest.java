package io.seatwarden.confluence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.atlassian.confluence.user.AuthenticatedUserThreadLocal;
import com.atlassian.confluence.user.ConfluenceUser;
import io.seatwarden.product.NoActingUserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConfluenceActingUserTest {
  private final FakeConfluence confluence = new FakeConfluence();
  private final String admin =
      confluence.user("automation", FakeConfluence.INTERNAL, true, "confluence-administrators");
  private final String person = confluence.user("visitor", FakeConfluence.INTERNAL, true);

  @AfterEach
  void clear() {
    AuthenticatedUserThreadLocal.reset();
  }

  @Test
  void restoresThePreviousUserAfterAnException() {
    ConfluenceUser visitor = confluence.byKey(person);
    AuthenticatedUserThreadLocal.set(visitor);
    assertThrows(
        IllegalStateException.class,
        () ->
            confluence
                .acting(admin)
                .run(
                    () -> {
                      assertEquals("automation", AuthenticatedUserThreadLocal.get().getName());
                      throw new IllegalStateException("boom");
                    }));
    assertSame(visitor, AuthenticatedUserThreadLocal.get());
  }

  @Test
  void resetsTheThreadLocalWhenNobodyWasThere() {
    String name =
        confluence
            .acting(admin)
            .callAs(u -> u.getName() + "/" + AuthenticatedUserThreadLocal.get().getName());
    assertEquals("automation/automation", name);
    assertNull(AuthenticatedUserThreadLocal.get());
  }

  @Test
  void refusesADeactivatedOrMissingAccount() {
    String retired =
        confluence.user("retired", FakeConfluence.INTERNAL, false, "confluence-administrators");
    assertThrows(NoActingUserException.class, () -> confluence.acting(retired).call(() -> 1));
    assertThrows(NoActingUserException.class, () -> confluence.acting("nobody").call(() -> 1));
    assertThrows(NoActingUserException.class, () -> confluence.acting("").call(() -> 1));
    assertNull(AuthenticatedUserThreadLocal.get());
  }
}
