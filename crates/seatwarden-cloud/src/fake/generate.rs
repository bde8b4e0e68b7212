//! A generated organization for the fake: realistic proportions, the same
//! organization for the same seed.
//!
//! About 85% managed accounts (the organization's verified domain) and 15%
//! external ones (partners, contractors); a few deactivated managed
//! accounts and suspended users; Jira used by most, Confluence by many, Jira
//! Service Management and Bitbucket by few, each with its own last-active
//! date between today and 400 days ago (some never); three organization
//! admins; product access groups plus one team group each; Jira Software
//! and Jira Service Management licences.

use chrono::{DateTime, SecondsFormat};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::FakeOrg;
use crate::wire::{
    AccountStatus, ApplicationRole, ClaimStatus, CloudGroup, CloudUser, MembershipStatus,
    ProductAccess, UserGroup,
};

const DAY: i64 = 86_400_000;

const FIRST: &[&str] = &[
    "ada", "ben", "cleo", "dev", "eli", "fay", "gus", "hana", "ivo", "jin", "kai", "lea", "milo",
    "nia", "omar", "pia", "quinn", "rosa", "sam", "tara", "uma", "vik", "wes", "yara", "zoe",
];
const LAST: &[&str] = &[
    "abe", "brandt", "chen", "diaz", "ek", "fox", "gray", "holm", "ito", "jones", "kim", "lind",
    "moss", "ng", "ortiz", "park", "reyes", "shah", "tan", "vos", "wu", "young",
];

/// `(product key, access group, share of users)`.
const PRODUCTS: &[(&str, &str, f64)] = &[
    ("jira-software", "jira-software-users", 0.8),
    ("confluence", "confluence-users", 0.6),
    ("jira-servicedesk", "jira-servicemanagement-users", 0.15),
    ("bitbucket", "bitbucket-users", 0.1),
];

const TEAMS: usize = 20;

fn iso(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn group_id(i: usize) -> String {
    format!("9e2b{i:04x}-6f1c-4c3a-9d3e-00000000{i:04x}")
}

/// An organization of `users` users as of `now` (UTC ms), from `seed`.
pub fn generate(users: usize, seed: u64, now: i64) -> FakeOrg {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut groups: Vec<CloudGroup> = PRODUCTS
        .iter()
        .map(|(_, g, _)| (*g).to_owned())
        .chain(["site-admins".to_owned(), "org-admins".to_owned()])
        .chain((1..=TEAMS).map(|t| format!("team-{t:02}")))
        .enumerate()
        .map(|(i, name)| CloudGroup {
            id: group_id(i),
            name,
            description: None,
        })
        .collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    let group = |name: &str| -> UserGroup {
        let g = groups.iter().find(|g| g.name == name);
        UserGroup {
            id: g.map(|g| g.id.clone()).unwrap_or_default(),
            name: Some(name.to_owned()),
        }
    };
    let mut list = Vec::with_capacity(users);
    for i in 0..users {
        let first = FIRST
            .get(rng.gen_range(0..FIRST.len()))
            .copied()
            .unwrap_or("ada");
        let last = LAST
            .get(rng.gen_range(0..LAST.len()))
            .copied()
            .unwrap_or("abe");
        let admin = i < 3;
        let managed = admin || rng.gen_bool(0.85);
        let domain = if managed {
            "acme.example"
        } else {
            "partner.example"
        };
        let deactivated = managed && !admin && rng.gen_bool(0.03);
        let suspended = !admin && rng.gen_bool(0.04);
        let added = now - rng.gen_range(30..1500) * DAY;
        let mut product_access = Vec::new();
        let mut user_groups = Vec::new();
        for (key, access_group, share) in PRODUCTS {
            if admin || rng.gen_bool(*share) {
                user_groups.push(group(access_group));
                // One in ten with access never used the product.
                if rng.gen_bool(0.9) {
                    let last_active =
                        (now - rng.gen_range(0..400) * DAY - rng.gen_range(0..DAY)).max(added);
                    product_access.push(ProductAccess {
                        key: Some((*key).to_owned()),
                        id: Some(format!("{key}-site")),
                        last_active_timestamp: Some(iso(last_active)),
                    });
                }
            }
        }
        if admin {
            user_groups.push(group("org-admins"));
            user_groups.push(group("site-admins"));
        }
        user_groups.push(group(&format!("team-{:02}", rng.gen_range(1..=TEAMS))));
        list.push(CloudUser {
            account_id: format!("5b10a2844c20165700ede{i:06x}"),
            account_type: Some("atlassian".to_owned()),
            account_status: if deactivated {
                AccountStatus::Inactive
            } else {
                AccountStatus::Active
            },
            membership_status: if suspended {
                MembershipStatus::Suspended
            } else {
                MembershipStatus::Active
            },
            added_to_org: Some(iso(added)),
            name: Some(format!("{} {}", capital(first), capital(last))),
            email: Some(format!("{first}.{last}.{i}@{domain}")),
            claim_status: if managed {
                ClaimStatus::Managed
            } else {
                ClaimStatus::Unmanaged
            },
            platform_roles: if admin {
                vec!["atlassian/org-admin".to_owned()]
            } else {
                vec![]
            },
            product_access,
            groups: user_groups,
            deactivated_on: deactivated.then(|| iso(now - rng.gen_range(1..200) * DAY)),
            for_deletion: false,
        });
    }
    let seats = |share: f64| -> i64 { ((users as f64) * share * 1.1).ceil() as i64 + 10 };
    FakeOrg {
        org_id: "4a1b7c2d-0e3f-4a5b-8c6d-7e8f9a0b1c2d".to_owned(),
        name: "Acme (fake Atlassian Cloud)".to_owned(),
        users: list,
        groups,
        roles: vec![
            role(
                "jira-software",
                "Jira Software",
                "jira-software-users",
                seats(0.8),
            ),
            role(
                "jira-servicedesk",
                "Jira Service Management",
                "jira-servicemanagement-users",
                seats(0.15),
            ),
        ],
        now: iso(now),
    }
}

/// A Jira licence of `seats` seats granted by `group`.
fn role(key: &str, name: &str, group: &str, seats: i64) -> ApplicationRole {
    ApplicationRole {
        key: key.to_owned(),
        name: name.to_owned(),
        groups: vec![group.to_owned()],
        number_of_seats: Some(seats),
        remaining_seats: None,
        user_count: None,
        has_unlimited_seats: false,
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
