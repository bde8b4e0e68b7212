package io.seatwarden.bridge;

import java.util.List;

/**
 * One anonymous request: the "I still need access" page or a service-desk webhook call
 * (docs/access-requests.md). Nobody is signed in; the engine authenticates the request itself (a
 * signed link, or the HMAC of the body), so no caller context is passed.
 *
 * @param method the HTTP method
 * @param path {@code /access/request} or {@code /hooks/access/{id}}
 * @param query the query parameters in order
 * @param headers the headers the routes read (names in lower case): the webhook's signature,
 *     timestamp and token, the form's content type
 * @param body the raw body (at most 64 KiB; the servlet refuses larger ones)
 * @param clientIp the client's address, for the rate limit and the audit log, or null
 */
public record PublicRequest(
    String method,
    String path,
    List<ApiRequest.Param> query,
    List<ApiResponse.Header> headers,
    byte[] body,
    String clientIp) {}
