//! One test per Users-tab filter, sort and error, on the hand-made fixture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{DAY, T, index};
use seatwarden_core::query::{
    Activity, GroupField, LicenceFilter, Query, QueryError, QueryErrorKind, RangeField, Search,
    SearchMode, SortField, SortOrder, StatusFilter, TimeRange,
};
use seatwarden_core::{DirectoryId, GroupName, Millis};

fn names(q: &Query) -> Vec<String> {
    let page = index().query(q, Millis(T)).unwrap();
    assert_eq!(
        page.total as usize,
        page.rows.len().max(page.total as usize)
    );
    page.rows
        .into_iter()
        .map(|r| r.username.0.to_string())
        .collect()
}

fn q() -> Query {
    Query::default()
}

fn groups(gs: &[&str]) -> Vec<GroupName> {
    gs.iter().map(|g| GroupName::from(*g)).collect()
}

fn search(text: &str, mode: SearchMode) -> Option<Search> {
    Some(Search {
        text: text.into(),
        mode,
    })
}

#[test]
fn default_query_lists_everyone_by_username_case_insensitively() {
    assert_eq!(
        names(&q()),
        ["admin", "alice", "Bob", "carol", "dave", "erin", "frank"]
    );
}

#[test]
fn include_groups_means_member_of_any() {
    let query = Query {
        include_groups: groups(&["DEVELOPERS", "contractors"]),
        ..q()
    };
    assert_eq!(names(&query), ["alice", "Bob", "dave", "frank"]);
}

#[test]
fn exclude_groups_means_member_of_none() {
    let query = Query {
        exclude_groups: groups(&["contractors", "jira-administrators"]),
        ..q()
    };
    assert_eq!(names(&query), ["alice", "Bob", "carol", "erin"]);
}

#[test]
fn directories() {
    let query = Query {
        directories: vec![DirectoryId(2)],
        ..q()
    };
    assert_eq!(names(&query), ["Bob", "dave"]);
}

#[test]
fn licence_filter() {
    assert_eq!(
        names(&Query {
            licence: LicenceFilter::Licensed,
            ..q()
        }),
        ["admin", "alice", "dave"]
    );
    assert_eq!(
        names(&Query {
            licence: LicenceFilter::Unlicensed,
            ..q()
        }),
        ["Bob", "carol", "erin", "frank"]
    );
}

#[test]
fn status_filter() {
    assert_eq!(
        names(&Query {
            status: StatusFilter::Deactivated,
            ..q()
        }),
        ["carol"]
    );
    assert_eq!(
        names(&Query {
            status: StatusFilter::Active,
            ..q()
        }),
        ["admin", "alice", "Bob", "dave", "erin", "frank"]
    );
}

#[test]
fn activity_filter() {
    assert_eq!(
        names(&Query {
            activity: Activity::Within { days: 30 },
            ..q()
        }),
        ["admin", "alice"]
    );
    assert_eq!(
        names(&Query {
            activity: Activity::NotWithin { days: 30 },
            ..q()
        }),
        ["Bob", "carol", "dave", "erin", "frank"]
    );
    assert_eq!(
        names(&Query {
            activity: Activity::Never,
            ..q()
        }),
        ["dave", "erin"]
    );
    // The boundary: a login exactly N days ago is "inactive for N days",
    // as the engine's "10 days ≥ 10" says, so no longer "within N days".
    assert_eq!(
        names(&Query {
            activity: Activity::Within { days: 11 },
            ..q()
        }),
        ["admin", "alice"]
    );
    assert_eq!(
        names(&Query {
            activity: Activity::Within { days: 10 },
            ..q()
        }),
        ["admin"]
    );
    assert!(
        names(&Query {
            activity: Activity::NotWithin { days: 10 },
            ..q()
        })
        .contains(&"alice".to_owned())
    );
}

#[test]
fn activity_is_relative_to_now() {
    let query = Query {
        activity: Activity::Within { days: 30 },
        ..q()
    };
    let later = index().query(&query, Millis(T + 25 * DAY)).unwrap();
    assert_eq!(
        later.total, 1,
        "only admin's login is within 30 days of T+25d"
    );
}

#[test]
fn last_login_range_is_inclusive_and_excludes_never() {
    let query = Query {
        last_login: Some(TimeRange {
            from: Some(Millis(T - 100 * DAY)),
            to: Some(Millis(T - 10 * DAY)),
        }),
        ..q()
    };
    assert_eq!(names(&query), ["alice", "Bob", "frank"]);
    let open = Query {
        last_login: Some(TimeRange::default()),
        ..q()
    };
    assert_eq!(names(&open), ["admin", "alice", "Bob", "carol", "frank"]);
}

#[test]
fn created_range() {
    let query = Query {
        created: Some(TimeRange {
            from: Some(Millis(T - 60 * DAY)),
            to: None,
        }),
        ..q()
    };
    assert_eq!(names(&query), ["dave", "erin", "frank"]);
}

#[test]
fn exact_search_matches_username_or_email_case_insensitively() {
    assert_eq!(
        names(&Query {
            search: search("ALICE", SearchMode::Exact),
            ..q()
        }),
        ["alice"]
    );
    assert_eq!(
        names(&Query {
            search: search("shared@EXAMPLE.test", SearchMode::Exact),
            ..q()
        }),
        ["erin", "frank"]
    );
    assert!(
        names(&Query {
            search: search("alic", SearchMode::Exact),
            ..q()
        })
        .is_empty()
    );
}

#[test]
fn substring_search_covers_username_display_name_and_email() {
    assert_eq!(
        names(&Query {
            search: search("BAK", SearchMode::Contains),
            ..q()
        }),
        ["Bob"]
    );
    assert_eq!(
        names(&Query {
            search: search("Shared", SearchMode::Contains),
            ..q()
        }),
        ["erin", "frank"]
    );
    assert_eq!(
        names(&Query {
            search: search("", SearchMode::Contains),
            ..q()
        })
        .len(),
        7
    );
}

#[test]
fn sort_by_last_login_puts_never_first_and_desc_reverses() {
    let asc = Query {
        sort: SortField::LastLogin,
        ..q()
    };
    assert_eq!(
        names(&asc),
        ["dave", "erin", "carol", "Bob", "frank", "alice", "admin"]
    );
    let desc = Query {
        order: SortOrder::Desc,
        ..asc
    };
    assert_eq!(
        names(&desc),
        ["admin", "alice", "frank", "Bob", "carol", "erin", "dave"]
    );
}

#[test]
fn sort_by_created() {
    let asc = Query {
        sort: SortField::Created,
        ..q()
    };
    assert_eq!(
        names(&asc),
        ["admin", "carol", "alice", "Bob", "frank", "dave", "erin"]
    );
}

#[test]
fn combined_filters_sort_and_page() {
    let query = Query {
        include_groups: groups(&["jira-software-users", "developers"]),
        exclude_groups: groups(&["jira-administrators"]),
        status: StatusFilter::Active,
        activity: Activity::NotWithin { days: 5 },
        sort: SortField::LastLogin,
        order: SortOrder::Desc,
        page_size: 10,
        ..q()
    };
    assert_eq!(names(&query), ["alice", "Bob", "dave"]);
}

#[test]
fn paging_and_totals() {
    let ix = index();
    let p1 = ix
        .query(
            &Query {
                page_size: 10,
                ..q()
            },
            Millis(T),
        )
        .unwrap();
    assert_eq!((p1.total, p1.page_count, p1.rows.len()), (7, 1, 7));
    let p2 = ix
        .query(
            &Query {
                page_size: 10,
                page: 2,
                ..q()
            },
            Millis(T),
        )
        .unwrap();
    assert_eq!((p2.total, p2.page, p2.rows.len()), (7, 2, 0));
    assert_eq!(p1.page_size, 10);
    assert_eq!(ix.query(&q(), Millis(T)).unwrap().page_size, 20);
}

#[test]
fn select_all_returns_every_match_not_just_the_page() {
    let ix = index();
    let query = Query {
        activity: Activity::NotWithin { days: 30 },
        page_size: 10,
        select_all: true,
        ..q()
    };
    let page = ix.query(&query, Millis(T)).unwrap();
    let sel = page.selection.unwrap();
    assert_eq!(sel.count, 5);
    let keys: Vec<&str> = sel.keys.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "JIRAUSER10002",
            "JIRAUSER10003",
            "JIRAUSER10004",
            "JIRAUSER10005",
            "JIRAUSER10006"
        ]
    );
    assert_eq!(sel.indices().count(), 5);
    assert!(
        ix.query(
            &Query {
                select_all: false,
                ..query
            },
            Millis(T)
        )
        .unwrap()
        .selection
        .is_none()
    );
}

#[test]
fn row_carries_every_column_and_an_explanation() {
    let ix = index();
    let page = ix
        .query(
            &Query {
                search: search("alice", SearchMode::Exact),
                ..q()
            },
            Millis(T),
        )
        .unwrap();
    let row = &page.rows[0];
    assert_eq!(row.key.as_str(), "JIRAUSER10001");
    assert_eq!(row.display_name, "Alice Archer");
    assert_eq!(row.email, "alice@example.test");
    assert_eq!(
        (row.directory, row.directory_name.as_str()),
        (DirectoryId(1), "Internal")
    );
    assert!(row.active && row.licensed);
    assert_eq!(row.created, Millis(T - 400 * DAY));
    assert_eq!(row.last_login, Some(Millis(T - 10 * DAY)));
    assert_eq!(row.login_count, Some(3));
    assert_eq!(row.groups, groups(&["jira-software-users", "developers"]));
    assert_eq!(row.licensed_applications, vec!["jira-software".into()]);
    assert_eq!(
        row.inactive_because.text,
        "last login 2025-11-11, 10 days ago"
    );
    assert_eq!(row.inactive_because.days, 10);

    let page = ix
        .query(
            &Query {
                search: search("dave", SearchMode::Exact),
                ..q()
            },
            Millis(T),
        )
        .unwrap();
    let dave = &page.rows[0].inactive_because;
    assert!(dave.never_logged_in);
    assert_eq!(
        dave.text,
        "never logged in, created 2025-11-01, 20 days ago"
    );

    // Across midnight: a login at 23:00 on the 11th, seen at 01:00 on the
    // 12th, is "1 day ago" (calendar days), never "today".
    let midnight = (T - 10 * DAY) / DAY * DAY; // 2025-11-11T00:00Z
    let yesterday = seatwarden_core::query::Idleness::text_for(
        Millis(midnight + 23 * 3_600_000),
        Millis(midnight + DAY + 3_600_000),
        false,
    );
    assert_eq!(yesterday, "last login 2025-11-11, 1 day ago");

    let json = serde_json::to_value(&page).unwrap();
    assert_eq!(json["rows"][0]["inactiveBecause"]["neverLoggedIn"], true);
    assert_eq!(json["rows"][0]["licensedApplications"][0], "jira-software");
    assert!(json.get("selection").is_none());
}

#[test]
fn query_json_is_camel_case_with_defaults() {
    let query = Query::from_json(
        br#"{"includeGroups":["developers"],"activity":{"kind":"notWithin","days":30},
            "sort":"lastLogin","order":"desc","pageSize":10,"selectAll":true,
            "search":{"text":"bo"},"lastLogin":{"from":1}}"#,
    )
    .unwrap();
    assert_eq!(query.include_groups, groups(&["developers"]));
    assert_eq!(query.activity, Activity::NotWithin { days: 30 });
    assert_eq!(
        (query.sort, query.order, query.page_size, query.page),
        (SortField::LastLogin, SortOrder::Desc, 10, 1)
    );
    assert_eq!(query.search.unwrap().mode, SearchMode::Contains);
    assert_eq!(
        query.last_login,
        Some(TimeRange {
            from: Some(Millis(1)),
            to: None
        })
    );
    assert_eq!(Query::from_json(b"{}").unwrap(), Query::default());
}

fn error(query: &Query) -> QueryError {
    index().query(query, Millis(T)).unwrap_err()
}

#[test]
fn unknown_include_group() {
    let e = error(&Query {
        include_groups: groups(&["developers", "jira-admns"]),
        ..q()
    });
    assert_eq!(
        e,
        QueryError::UnknownGroup {
            field: GroupField::IncludeGroups,
            group: "jira-admns".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "field `includeGroups`: unknown group `jira-admns`"
    );
}

#[test]
fn unknown_exclude_group() {
    let e = error(&Query {
        exclude_groups: groups(&["nobody"]),
        ..q()
    });
    assert_eq!(
        e,
        QueryError::UnknownGroup {
            field: GroupField::ExcludeGroups,
            group: "nobody".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "field `excludeGroups`: unknown group `nobody`"
    );
}

#[test]
fn unknown_directory() {
    let e = error(&Query {
        directories: vec![DirectoryId(1), DirectoryId(99)],
        ..q()
    });
    assert_eq!(
        e,
        QueryError::UnknownDirectory {
            directory: DirectoryId(99)
        }
    );
    assert_eq!(e.to_string(), "field `directories`: unknown directory 99");
}

#[test]
fn page_size_must_be_offered() {
    let e = error(&Query {
        page_size: 30,
        ..q()
    });
    assert_eq!(e, QueryError::PageSize { size: 30 });
    assert_eq!(
        e.to_string(),
        "field `pageSize`: 30 is not one of 10, 20, 50, 100"
    );
    for size in [10, 20, 50, 100] {
        index()
            .query(
                &Query {
                    page_size: size,
                    ..q()
                },
                Millis(T),
            )
            .unwrap();
    }
}

#[test]
fn page_zero() {
    let e = error(&Query { page: 0, ..q() });
    assert_eq!(e, QueryError::PageZero);
    assert_eq!(e.to_string(), "field `page`: pages are numbered from 1");
}

#[test]
fn empty_range() {
    let e = error(&Query {
        created: Some(TimeRange {
            from: Some(Millis(T)),
            to: Some(Millis(T - 1)),
        }),
        ..q()
    });
    assert_eq!(
        e,
        QueryError::EmptyRange {
            field: RangeField::Created,
            from: Millis(T),
            to: Millis(T - 1)
        }
    );
    assert_eq!(
        e.to_string(),
        "field `created`: `from` (2025-11-21T02:00:00.000Z) is after `to` (2025-11-21T01:59:59.999Z)"
    );
    let e = error(&Query {
        last_login: Some(TimeRange {
            from: Some(Millis(2)),
            to: Some(Millis(1)),
        }),
        ..q()
    });
    assert_eq!(e.kind(), QueryErrorKind::EmptyRange);
}

#[test]
fn malformed_query_json_names_the_field_not_the_value() {
    let e = Query::from_json(br#"{"includeGroup":["x"]}"#).unwrap_err();
    assert_eq!(e.kind(), QueryErrorKind::Json);
    assert!(
        e.to_string().contains("unknown field `includeGroup`"),
        "{e}"
    );
    let e = Query::from_json(br#"{"pageSize":"alice@example.test"}"#).unwrap_err();
    assert!(!e.to_string().contains("alice"), "{e}");
}
