/*
 * Compile-only mirror for Seatwarden: NOT the real class, never packaged in the plugin.
 * Mirrors org.apache.log4j.Logger, the Log4j 1.x API Jira exports (through log4j-1.2-api since Jira 9.5: Atlassian,
 * "Log4j upgrade details for third-party app vendors"), only because JiraThreadLocalUtil.postCall takes one.
 * Status: getLogger(Class) is the Log4j 1.x API. Jira only (imported optionally); see docs/atlassian-api.md.
 */
package org.apache.log4j;

/** A Log4j 1.x logger. */
public class Logger {
    protected Logger() {}

    public static Logger getLogger(Class<?> clazz) {
        return new Logger();
    }
}
