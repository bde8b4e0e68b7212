//! Differential property tests: the index's query engine against a
//! deliberately simple reference (a `Vec` of structs and plain loops), on
//! random directories, random in-place changes and random queries.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use seatwarden_core::index::{DirectoryIndex, IndexBuilder, UserChange, UserIdx};
use seatwarden_core::query::{
    Activity, LicenceFilter, Query, Search, SearchMode, SortField, SortOrder, StatusFilter,
    TimeRange,
};
use seatwarden_core::{GroupName, Millis};
use serde_json::{Value, json};

const T: i64 = 1_763_690_400_000;
const DAY: i64 = 86_400_000;
const GROUPS: [&str; 5] = [
    "jira-software-users",
    "Developers",
    "contractors",
    "admins",
    "confluence-users",
];
/// Groups 0 and 4 grant licences (0 flagged, 4 through a licence entry).
const DIRS: [i64; 2] = [1, 10_000];
const NAME_PARTS: [&str; 6] = ["al", "Bo", "ca", "DE", "él", "Zo"];

#[derive(Clone, Debug)]
struct RefUser {
    key: String,
    username: String,
    display: String,
    email: String,
    dir: i64,
    active: bool,
    created: i64,
    last_login: Option<i64>,
    groups: Vec<usize>,
}

impl RefUser {
    fn licensed(&self) -> bool {
        self.active && self.groups.iter().any(|&g| g == 0 || g == 4)
    }
    fn to_json(&self) -> Value {
        json!({
            "key": self.key, "username": self.username, "displayName": self.display,
            "email": self.email, "directoryId": self.dir, "active": self.active,
            "created": self.created, "lastLogin": self.last_login, "loginCount": 1,
            "groups": self.groups.iter().map(|&g| GROUPS[g]).collect::<Vec<_>>()
        })
    }
}

fn header() -> Value {
    json!({
        "takenAt": T,
        "directories": [
            {"id": DIRS[0], "name": "Internal", "kind": "internal", "capabilities": {}},
            {"id": DIRS[1], "name": "LDAP", "kind": "ldap", "capabilities": {}}
        ],
        "groups": GROUPS.iter().enumerate().map(|(i, g)| json!({"name": g, "licence": i == 0})).collect::<Vec<_>>(),
        "licences": [{"application": "confluence", "name": "Confluence",
                      "limit": {"kind": "unlimited"}, "seatsUsed": 0, "groups": ["confluence-users"]}],
        "sysadmins": []
    })
}

fn arb_user(i: usize) -> impl Strategy<Value = RefUser> {
    (
        0..NAME_PARTS.len(),
        any::<bool>(),
        0..2usize,
        any::<bool>(),
        0i64..1000,
        prop::option::weighted(0.8, -30i64..1000),
        prop::collection::vec(0..GROUPS.len(), 0..4),
        0..3usize,
    )
        .prop_map(
            move |(part, upper, dir, active, created_days, ll_days, groups, email_kind)| {
                let mut username = format!("{}{}", NAME_PARTS[part], i % 7);
                username.push_str(&format!("x{i}"));
                if upper {
                    username = username.to_uppercase();
                }
                let created = T - created_days * DAY;
                let last_login = ll_days.map(|d| (created + (1000 - d) * DAY / 3).min(T + DAY / 2));
                let email = match email_kind {
                    0 => String::new(),
                    1 => format!("{}@Example.test", username.to_lowercase()),
                    _ => "shared@example.test".to_owned(), // emails need not be unique
                };
                let mut groups = groups;
                groups.sort_unstable();
                groups.dedup();
                RefUser {
                    key: format!("JIRAUSER{}", 10_000 + (i * 7919) % 100_003),
                    display: format!("Person {} {}", NAME_PARTS[(part + 1) % NAME_PARTS.len()], i),
                    username,
                    email,
                    dir: DIRS[dir],
                    active,
                    created,
                    last_login,
                    groups,
                }
            },
        )
}

fn arb_users() -> impl Strategy<Value = Vec<RefUser>> {
    (0usize..70).prop_flat_map(|n| (0..n).map(arb_user).collect::<Vec<_>>())
}

#[derive(Clone, Debug)]
enum Change {
    Login(usize, i64),
    Activate(usize),
    Deactivate(usize),
    Add(usize, usize),
    Remove(usize, usize),
}

fn arb_changes() -> impl Strategy<Value = Vec<Change>> {
    prop::collection::vec(
        prop_oneof![
            (0usize..100, 0i64..5).prop_map(|(u, d)| Change::Login(u, d)),
            (0usize..100).prop_map(Change::Activate),
            (0usize..100).prop_map(Change::Deactivate),
            (0usize..100, 0..GROUPS.len()).prop_map(|(u, g)| Change::Add(u, g)),
            (0usize..100, 0..GROUPS.len()).prop_map(|(u, g)| Change::Remove(u, g)),
        ],
        0..8,
    )
}

fn apply(users: &mut [RefUser], index: &mut DirectoryIndex, c: &Change) {
    if users.is_empty() {
        return;
    }
    let (u, change) = match *c {
        Change::Login(u, d) => {
            let u = u % users.len();
            let at = T - d * DAY;
            let r = &mut users[u];
            if r.last_login.is_none_or(|l| at > l) {
                r.last_login = Some(at);
            }
            (u, UserChange::LoginRecorded { at: Millis(at) })
        }
        Change::Activate(u) => {
            let u = u % users.len();
            users[u].active = true;
            (u, UserChange::Activated)
        }
        Change::Deactivate(u) => {
            let u = u % users.len();
            users[u].active = false;
            (u, UserChange::Deactivated { at: Millis(T) })
        }
        Change::Add(u, g) => {
            let u = u % users.len();
            if !users[u].groups.contains(&g) {
                users[u].groups.push(g);
                users[u].groups.sort_unstable();
            }
            (
                u,
                UserChange::AddedToGroup {
                    group: GroupName::from(GROUPS[g].to_uppercase()),
                },
            )
        }
        Change::Remove(u, g) => {
            let u = u % users.len();
            users[u].groups.retain(|&x| x != g);
            (
                u,
                UserChange::RemovedFromGroup {
                    group: GroupName::from(GROUPS[g]),
                },
            )
        }
    };
    index.apply(UserIdx(u as u32), &change).unwrap();
}

fn build(users: &[RefUser], page_size: usize) -> DirectoryIndex {
    if page_size == 0 {
        let pages: Vec<Value> =
            vec![json!({"users": users.iter().map(RefUser::to_json).collect::<Vec<_>>()})];
        let file = json!({"format": "seatwarden-snapshot", "version": 1, "header": header(), "pages": pages});
        return DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&file).unwrap()).unwrap();
    }
    let mut b = IndexBuilder::from_header_json(&serde_json::to_vec(&header()).unwrap()).unwrap();
    for chunk in users.chunks(page_size) {
        let page = json!({"users": chunk.iter().map(RefUser::to_json).collect::<Vec<_>>()});
        b.add_page_json(&serde_json::to_vec(&page).unwrap())
            .unwrap();
    }
    b.finish().unwrap()
}

fn arb_range() -> impl Strategy<Value = Option<TimeRange>> {
    prop::option::weighted(
        0.3,
        (prop::option::of(0i64..1000), prop::option::of(0i64..1000)).prop_map(|(a, b)| {
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) if a < b => (Some(b), Some(a)),
                other => other,
            };
            TimeRange {
                from: a.map(|d| Millis(T - d * DAY)),
                to: b.map(|d| Millis(T - d * DAY)),
            }
        }),
    )
}

fn arb_query() -> impl Strategy<Value = Query> {
    let groups = || prop::collection::vec(0..GROUPS.len(), 0..3);
    (
        (groups(), groups(), prop::collection::vec(0..2usize, 0..2)),
        (
            prop_oneof![
                Just(LicenceFilter::All),
                Just(LicenceFilter::Licensed),
                Just(LicenceFilter::Unlicensed)
            ],
            prop_oneof![
                Just(StatusFilter::All),
                Just(StatusFilter::Active),
                Just(StatusFilter::Deactivated)
            ],
            prop_oneof![
                Just(Activity::All),
                Just(Activity::Never),
                // 0 days is refused (issue 24: it used to be read as 1).
                (1u32..400).prop_map(|days| Activity::Within { days }),
                (1u32..400).prop_map(|days| Activity::NotWithin { days }),
            ],
        ),
        (arb_range(), arb_range()),
        prop::option::weighted(
            0.3,
            (
                prop_oneof![
                    Just("".to_owned()),
                    Just("AL".to_owned()),
                    Just("x1".to_owned()),
                    Just("ÉL".to_owned()),
                    Just("shared@EXAMPLE.test".to_owned()),
                    Just("person bo".to_owned()),
                    Just("example".to_owned()),
                ],
                any::<bool>(),
            )
                .prop_map(|(text, exact)| Search {
                    text,
                    mode: if exact {
                        SearchMode::Exact
                    } else {
                        SearchMode::Contains
                    },
                }),
        ),
        (
            prop_oneof![
                Just(SortField::Username),
                Just(SortField::LastLogin),
                Just(SortField::LastActivity),
                Just(SortField::Created)
            ],
            prop_oneof![Just(SortOrder::Asc), Just(SortOrder::Desc)],
            prop_oneof![Just(10u32), Just(20), Just(50), Just(100)],
            1u32..5,
        ),
    )
        .prop_map(
            |(
                (inc, exc, dirs),
                (licence, status, activity),
                (ll, cr),
                search,
                (sort, order, page_size, page),
            )| {
                Query {
                    include_groups: inc
                        .into_iter()
                        .map(|g| GroupName::from(GROUPS[g]))
                        .collect(),
                    exclude_groups: exc
                        .into_iter()
                        .map(|g| GroupName::from(GROUPS[g].to_uppercase()))
                        .collect(),
                    directories: dirs
                        .into_iter()
                        .map(|d| seatwarden_core::DirectoryId(DIRS[d]))
                        .collect(),
                    licence,
                    status,
                    activity,
                    signals: None,
                    last_login: ll,
                    created: cr,
                    search,
                    sort,
                    order,
                    page_size,
                    page,
                    select_all: true,
                }
            },
        )
}

/// The reference: plain loops over structs, written from the documented semantics.
fn reference(users: &[RefUser], q: &Query, now: i64) -> (Vec<String>, Vec<String>) {
    let gi = |name: &GroupName| {
        GROUPS
            .iter()
            .position(|g| g.to_lowercase() == name.as_str().to_lowercase())
            .unwrap()
    };
    let include: Vec<usize> = q.include_groups.iter().map(gi).collect();
    let exclude: Vec<usize> = q.exclude_groups.iter().map(gi).collect();
    let mut matched: Vec<&RefUser> = Vec::new();
    for u in users {
        if !include.is_empty() && !u.groups.iter().any(|g| include.contains(g)) {
            continue;
        }
        if u.groups.iter().any(|g| exclude.contains(g)) {
            continue;
        }
        if !q.directories.is_empty() && !q.directories.iter().any(|d| d.0 == u.dir) {
            continue;
        }
        match q.licence {
            LicenceFilter::Licensed if !u.licensed() => continue,
            LicenceFilter::Unlicensed if u.licensed() => continue,
            _ => {}
        }
        match q.status {
            StatusFilter::Active if !u.active => continue,
            StatusFilter::Deactivated if u.active => continue,
            _ => {}
        }
        match q.activity {
            Activity::Never if u.last_login.is_some() => continue,
            // The engine's inactivity: idle N days when the last date is
            // at or before now − N days.
            Activity::Within { days } => match u.last_login {
                Some(l) if l > now - i64::from(days) * DAY => {}
                _ => continue,
            },
            Activity::NotWithin { days } => {
                if let Some(l) = u.last_login {
                    if l > now - i64::from(days) * DAY {
                        continue;
                    }
                }
            }
            _ => {}
        }
        if let Some(r) = q.last_login {
            match u.last_login {
                Some(l) if r.from.is_none_or(|f| l >= f.0) && r.to.is_none_or(|t| l <= t.0) => {}
                _ => continue,
            }
        }
        if let Some(r) = q.created {
            if !(r.from.is_none_or(|f| u.created >= f.0) && r.to.is_none_or(|t| u.created <= t.0)) {
                continue;
            }
        }
        if let Some(s) = &q.search {
            if !s.text.is_empty() {
                let t = s.text.to_lowercase();
                let hit = match s.mode {
                    SearchMode::Exact => {
                        u.username.to_lowercase() == t || u.email.to_lowercase() == t
                    }
                    SearchMode::Contains => {
                        u.username.to_lowercase().contains(&t)
                            || u.display.to_lowercase().contains(&t)
                            || u.email.to_lowercase().contains(&t)
                    }
                };
                if !hit {
                    continue;
                }
            }
        }
        matched.push(u);
    }
    let selection: Vec<String> = {
        let mut v: Vec<String> = matched.iter().map(|u| u.key.clone()).collect();
        v.sort();
        v
    };
    let by_name = |a: &&RefUser, b: &&RefUser| {
        a.username
            .to_lowercase()
            .cmp(&b.username.to_lowercase())
            .then(a.key.cmp(&b.key))
    };
    matched.sort_by(|a, b| match q.sort {
        SortField::Username => by_name(a, b),
        // Without declared signals, last activity is the last login.
        SortField::LastLogin | SortField::LastActivity => a
            .last_login
            .unwrap_or(i64::MIN)
            .cmp(&b.last_login.unwrap_or(i64::MIN))
            .then(by_name(a, b)),
        SortField::Created => a.created.cmp(&b.created).then(by_name(a, b)),
    });
    if q.order == SortOrder::Desc {
        matched.reverse();
    }
    let start = (q.page as usize - 1) * q.page_size as usize;
    let page = matched
        .iter()
        .skip(start)
        .take(q.page_size as usize)
        .map(|u| u.key.clone())
        .collect();
    (page, selection)
}

/// `q` with one more filter: a field that was unrestricted gets restricted,
/// or (when it already was) another group is excluded.
fn narrower(q: &Query, extra: usize) -> Query {
    let mut n = q.clone();
    let group = GroupName::from(GROUPS[extra % GROUPS.len()]);
    let added = match extra % 6 {
        1 if n.include_groups.is_empty() => {
            n.include_groups.push(group.clone());
            true
        }
        2 if n.status == StatusFilter::All => {
            n.status = StatusFilter::Active;
            true
        }
        3 if n.activity == Activity::All => {
            n.activity = Activity::Never;
            true
        }
        4 if n.created.is_none() => {
            n.created = Some(TimeRange {
                from: Some(Millis(T - 300 * DAY)),
                to: None,
            });
            true
        }
        5 if n.licence == LicenceFilter::All => {
            n.licence = LicenceFilter::Licensed;
            true
        }
        _ => false,
    };
    if !added {
        n.exclude_groups.push(group);
    }
    n
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn index_query_matches_reference(
        mut users in arb_users(),
        changes in arb_changes(),
        queries in prop::collection::vec(arb_query(), 1..6),
        page_size in 0usize..9,
    ) {
        let mut index = build(&users, page_size);
        for c in &changes {
            apply(&mut users, &mut index, c);
        }
        for q in &queries {
            let page = index.query(q, Millis(T)).unwrap();
            let (want_page, want_selection) = reference(&users, q, T);
            let got_page: Vec<String> = page.rows.iter().map(|r| r.key.0.to_string()).collect();
            prop_assert_eq!(&got_page, &want_page, "query {:?}", q);
            prop_assert_eq!(page.total, want_selection.len() as u64);
            let mut got_sel: Vec<String> = page.selection.unwrap().keys.into_iter().map(|k| k.0.to_string()).collect();
            got_sel.sort();
            prop_assert_eq!(got_sel, want_selection);
            for row in &page.rows {
                let u = users.iter().find(|u| u.key.as_str() == row.key.as_str()).unwrap();
                prop_assert_eq!(row.username.as_str(), u.username.as_str());
                prop_assert_eq!(row.active, u.active);
                prop_assert_eq!(row.last_login, u.last_login.map(Millis));
                prop_assert_eq!(row.licensed, u.licensed());
                let groups: Vec<String> = row.groups.iter().map(|g| g.as_str().to_owned()).collect();
                let want: Vec<String> = u.groups.iter().map(|&g| GROUPS[g].to_owned()).collect();
                prop_assert_eq!(groups, want);
            }
        }
    }

    #[test]
    fn in_place_changes_equal_a_rebuild(mut users in arb_users(), changes in arb_changes()) {
        let mut index = build(&users, 0);
        for c in &changes {
            apply(&mut users, &mut index, c);
        }
        let rebuilt = build(&users, 0);
        let keys = |ix: &DirectoryIndex, order: &[u32]| -> Vec<String> {
            order.iter().map(|&i| ix.key(UserIdx(i)).to_owned()).collect()
        };
        prop_assert_eq!(keys(&index, index.order_by_last_login()), keys(&rebuilt, rebuilt.order_by_last_login()));
        prop_assert_eq!(index.active_bitmap(), rebuilt.active_bitmap());
        prop_assert_eq!(index.licensed_bitmap(), rebuilt.licensed_bitmap());
        prop_assert_eq!(index.never_logged_in_bitmap(), rebuilt.never_logged_in_bitmap());
        for g in GROUPS {
            let g = GroupName::from(g);
            prop_assert_eq!(index.group_bitmap(&g), rebuilt.group_bitmap(&g));
        }
    }

    #[test]
    fn adding_a_filter_never_adds_users(users in arb_users(), q in arb_query(), extra in 0usize..60) {
        let index = build(&users, 0);
        let wide = index.matching(&q, Millis(T)).unwrap();
        let narrow = index.matching(&narrower(&q, extra), Millis(T)).unwrap();
        prop_assert!(narrow.is_subset(&wide));
    }
}
