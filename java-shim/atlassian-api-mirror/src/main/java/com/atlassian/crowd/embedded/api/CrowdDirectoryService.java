/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.CrowdDirectoryService as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/CrowdDirectoryService.html
 * Evidence read: imported by Confluence SSO authenticators (find_string); docs.atlassian.com/atlassian-crowd/5.0.9/com/atlassian/crowd/embedded/api/CrowdDirectoryService.html (List<Directory> findAllDirectories() in the application's order, Directory findDirectoryById(long))
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

import java.util.List;

/** Read access to the configured user directories, in priority order. */
public interface CrowdDirectoryService {
    List<Directory> findAllDirectories();

    Directory findDirectoryById(long directoryId);
}
