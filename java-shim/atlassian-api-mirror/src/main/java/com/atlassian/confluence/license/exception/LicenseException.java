/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.license.exception.LicenseException as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/license/exception/LicenseException.html
 * Evidence read: Confluence sources (caught around licenseService.retrieve())
 * Status: type confirmed; unchecked-ness INFERRED (catch it anyway). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.license.exception;

/** No valid licence could be read. */
public class LicenseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LicenseException(String message) {
        super(message);
    }
}
