package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class AutomationAccountTest {

  @Test
  void readsTheFieldFromAPlainDocument() {
    assertEquals(
        "JIRAUSER10100",
        AutomationAccount.parse("{\"automation\":{},\"automationAccount\":\"JIRAUSER10100\"}"));
    assertNull(AutomationAccount.parse("{\"automationAccount\":null}"));
    assertNull(AutomationAccount.parse("{\"automation\":{}}"));
    assertNull(AutomationAccount.parse(null));
  }

  @Test
  void readsTheFieldFromADocumentStoredAsAJsonString() {
    assertEquals(
        "admin\"1",
        AutomationAccount.parse(
            "{\"version\":3,\"document\":\"{\\\"automationAccount\\\":\\\"admin\\\\\\\"1\\\"}\"}"));
  }

  @Test
  void unescapesKeys() {
    assertEquals("a\u00e9b", AutomationAccount.parse("{\"automationAccount\":\"a\\u00e9b\"}"));
  }
}
