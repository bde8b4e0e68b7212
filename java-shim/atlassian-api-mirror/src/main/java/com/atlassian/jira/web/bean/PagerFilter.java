/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.web.bean.PagerFilter as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/web/bean/PagerFilter.html
 * Evidence read: plugins: PagerFilter.getUnlimitedFilter(), new PagerFilter<>(max), pager.setStart(0) (find_string)
 * Status: confirmed; getters INFERRED; minimal working body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.web.bean;

/** Paging window of a search. */
public class PagerFilter<T> {
    private int start;
    private int max;

    public PagerFilter(int max) {
        this.max = max;
    }

    public static <T> PagerFilter<T> getUnlimitedFilter() {
        return new PagerFilter<>(-1);
    }

    public void setStart(int start) {
        this.start = start;
    }

    public int getStart() {
        return start;
    }

    public int getMax() {
        return max;
    }
}
