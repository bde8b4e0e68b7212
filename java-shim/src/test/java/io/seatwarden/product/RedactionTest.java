package io.seatwarden.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void replacesTheIdentifiersOfThePeopleInvolvedAndAnyEmail() {
    String out =
        Redaction.scrub(
            "Cannot delete user 'JDoe' (Jane Doe, jane@corp.example): ask other@corp.example",
            Arrays.asList("jdoe", "Jane Doe", null, "x"));
    assertEquals("Cannot delete user '<user>' (<user>, <email>): ask <email>", out);
  }

  @Test
  void leavesWordsThatOnlyContainAnIdentifier() {
    assertEquals(
        "<user> is the lead of project alpha",
        Redaction.scrub("al is the lead of project alpha", List.of("al")));
  }

  @Test
  void boundsTheLengthAndDropsEmptyText() {
    String out = Redaction.scrub("x".repeat(1000), List.of());
    assertEquals(Redaction.MAX_LENGTH, out.length());
    assertTrue(out.endsWith("\u2026"));
    assertNull(Redaction.scrub("   ", List.of()));
    assertNull(Redaction.scrub(null, List.of()));
  }

  @Test
  void joinsSeveralMessages() {
    String out =
        Redaction.scrubAll(List.of("first bob", " ", "active: bob leads P"), List.of("bob"));
    assertEquals("first <user>; active: <user> leads P", out);
    assertFalse(out.contains("bob"));
  }
}
