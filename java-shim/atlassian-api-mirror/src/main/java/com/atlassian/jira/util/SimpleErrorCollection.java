/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.util.SimpleErrorCollection as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/util/SimpleErrorCollection.html
 * Evidence read: Jira sources (new SimpleErrorCollection() passed to JiraServiceContextImpl)
 * Evidence (reasons): Jira ErrorCollection implementations in the code index (addReason(Reason), getReasons() returning the set)
 * Status: confirmed (constructor, addReason, getReasons); addErrorMessage/addError INFERRED; minimal working body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.util;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Plain ErrorCollection. */
public class SimpleErrorCollection implements ErrorCollection {
    private final List<String> messages = new ArrayList<>();
    private final Map<String, String> errors = new LinkedHashMap<>();
    private final Set<Reason> reasons = new LinkedHashSet<>();

    public SimpleErrorCollection() {
    }

    public void addErrorMessage(String message) {
        messages.add(message);
    }

    public void addError(String field, String message) {
        errors.put(field, message);
    }

    @Override
    public boolean hasAnyErrors() {
        return !messages.isEmpty() || !errors.isEmpty();
    }

    @Override
    public Collection<String> getErrorMessages() {
        return new ArrayList<>(messages);
    }

    @Override
    public Map<String, String> getErrors() {
        return new LinkedHashMap<>(errors);
    }

    public void addReason(Reason reason) {
        reasons.add(reason);
    }

    @Override
    public Set<Reason> getReasons() {
        return new LinkedHashSet<>(reasons);
    }
}
