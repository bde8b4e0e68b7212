package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec's reading of operations and reports as the Rust side writes them. */
class CodecTest {
  private static Operation op(String json) {
    return Codec.operation(Json.parse(json));
  }

  @Test
  void everyOperationKindDecodes() {
    assertEquals(new Operation.Activate("K"), op("{\"op\":\"activate\",\"user\":\"K\"}"));
    assertEquals(new Operation.Deactivate("K"), op("{\"op\":\"deactivate\",\"user\":\"K\"}"));
    assertEquals(new Operation.Rename("K", "k_old"), op("{\"op\":\"rename\",\"user\":\"K\",\"to\":\"k_old\"}"));
    assertEquals(new Operation.Delete("K"), op("{\"op\":\"delete\",\"user\":\"K\"}"));
    assertEquals(
        new Operation.AddToGroup("K", "g"), op("{\"op\":\"add_to_group\",\"user\":\"K\",\"group\":\"g\"}"));
    assertEquals(
        new Operation.RemoveFromGroup("K", "g"),
        op("{\"op\":\"remove_from_group\",\"user\":\"K\",\"group\":\"g\"}"));
    assertEquals(
        new Operation.ReassignIssues("K", new Operation.Handover.Unassigned()),
        op("{\"op\":\"reassign_issues\",\"user\":\"K\",\"to\":{\"to\":\"unassigned\"}}"));
    assertEquals(
        new Operation.ReassignIssues("K", new Operation.Handover.ProjectLead()),
        op("{\"op\":\"reassign_issues\",\"user\":\"K\",\"to\":{\"to\":\"project_lead\"}}"));
    assertEquals(
        new Operation.ReassignIssues("K", new Operation.Handover.ToUser("L")),
        op("{\"op\":\"reassign_issues\",\"user\":\"K\",\"to\":{\"to\":\"user\",\"user\":\"L\"}}"));
    assertEquals(new Operation.CreateGroup("g"), op("{\"op\":\"create_group\",\"group\":\"g\"}"));
    assertEquals(new Operation.DeleteGroup("g"), op("{\"op\":\"delete_group\",\"group\":\"g\"}"));
    assertEquals(
        new Operation.CreateUser("u", "U", "u@example.invalid", 2L, true),
        op("{\"op\":\"create_user\",\"username\":\"u\",\"display_name\":\"U\","
            + "\"email\":\"u@example.invalid\",\"directory\":2,\"active\":true}"));
    assertEquals(
        new Operation.UpdateUser("K", null, "e@example.invalid"),
        op("{\"op\":\"update_user\",\"user\":\"K\",\"display_name\":null,\"email\":\"e@example.invalid\"}"));
    assertThrows(BridgeException.class, () -> op("{\"op\":\"explode\",\"user\":\"K\"}"));
    assertThrows(BridgeException.class, () -> op("{\"op\":\"activate\"}"));
  }

  @Test
  void loginOutcomesKeepEveryList() {
    LoginOutcome outcome =
        Codec.loginOutcome(
            ("{\"user\":\"K\",\"applied\":[{\"op\":\"activate\",\"user\":\"K\"}],"
                    + "\"failed\":[[{\"op\":\"add_to_group\",\"user\":\"K\",\"group\":\"g\"},\"no licence seat available\"]],"
                    + "\"previewed\":[]}")
                .getBytes(StandardCharsets.UTF_8));
    assertEquals("K", outcome.user());
    assertEquals(List.of(new Operation.Activate("K")), outcome.applied());
    assertEquals(List.of(new Operation.AddToGroup("K", "g")), outcome.failed());
    assertEquals(List.of(), outcome.previewed());
    assertEquals(true, outcome.reactivated());
  }

  @Test
  void tickReportsAndResponsesDecode() {
    TickReport report =
        Codec.tickReport(
            ("{\"runs\":[3,4],\"resumed\":[],\"skippedLeased\":1,\"purgedEntries\":2,"
                    + "\"mailsQueued\":5,\"loginChecksRepaired\":6}")
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(new TickReport(List.of(3L, 4L), List.of(), 1, 2, 5, 6), report);
    ApiResponse hex =
        Codec.apiResponse(
            "{\"status\":200,\"contentType\":\"x\",\"headers\":[[\"A\",\"b\"]],\"bodyHex\":\"ff00\"}"
                .getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of(new ApiResponse.Header("A", "b")), hex.headers());
    assertEquals(2, hex.body().length);
    assertEquals((byte) 0xff, hex.body()[0]);
  }
}
