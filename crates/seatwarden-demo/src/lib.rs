//! A deterministic, realistic demo organisation.
//!
//! `seatwarden demo-data`, `seatwarden serve --demo`, the benchmarks and many
//! tests need a directory that looks like a real 20,000-user instance: people
//! in departments, licence groups for several applications, a handful of
//! administrators, contractors and interns, service accounts, an internal
//! directory beside a read-only LDAP one, a long tail of login recency, a few
//! percent who never logged in, and some already deactivated.
//!
//! Why a crate of its own: the generator is pure (a seed and an instant in, a
//! snapshot out) but needs a random number generator, which the engine does
//! not. The same seed gives the same organisation on every machine, because
//! ChaCha's output is specified, unlike `StdRng`'s.
//!
//! All names are synthetic combinations of common given names and surnames;
//! addresses use the reserved `example.com` domain.
#![deny(missing_docs)]

pub mod trend;

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use seatwarden_core::activity::{SignalDecl, SignalKind};
use seatwarden_core::model::{
    ApplicationKey, Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName,
    Licence, SeatLimit, UserKey,
};
use seatwarden_core::snapshot::{
    FORMAT, SnapshotFile, SnapshotHeader, SnapshotPage, SnapshotUser, VERSION,
};
use seatwarden_core::time::{DAY_MS, Millis};

/// The internal directory's id in the demo organisation.
pub const INTERNAL_DIRECTORY: DirectoryId = DirectoryId(1);
/// The read-only LDAP directory's id in the demo organisation.
pub const LDAP_DIRECTORY: DirectoryId = DirectoryId(10_000);

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// How many user accounts.
    pub users: usize,
    /// The seed; the same seed and options give the same organisation.
    pub seed: u64,
    /// The instant the snapshot is "taken": logins and creations lie before it.
    pub taken_at: Millis,
    /// Users per snapshot page.
    pub page_size: usize,
    /// Declare a `seen` signal that started recording this many days before
    /// `taken_at` (a plugin installed then), so the dashboard and the warm-up
    /// rule have a signal with a `since` to show. `None` (the default): the
    /// snapshot knows logins only, as before.
    pub seen_since_days: Option<u32>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            users: 5_000,
            seed: 42,
            // 2026-11-21T02:00:00Z
            taken_at: Millis(1_795_226_400_000),
            page_size: 10_000,
            seen_since_days: None,
        }
    }
}

const DEPARTMENTS: &[&str] = &[
    "engineering",
    "product",
    "design",
    "marketing",
    "sales",
    "support",
    "finance",
    "people-ops",
    "legal",
    "operations",
];

/// Relative department sizes (same order as [`DEPARTMENTS`]).
const DEPARTMENT_WEIGHTS: &[u32] = &[30, 8, 4, 9, 12, 15, 5, 4, 3, 10];

const GIVEN: &[&str] = &[
    "Ada",
    "Alan",
    "Amara",
    "Anders",
    "Aiko",
    "Beatriz",
    "Bilal",
    "Bruno",
    "Camille",
    "Chen",
    "Chidi",
    "Clara",
    "Dario",
    "Devi",
    "Dmitri",
    "Elena",
    "Emeka",
    "Erik",
    "Farah",
    "Felix",
    "Freya",
    "Gabriel",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Ivan",
    "Jamal",
    "Jana",
    "Javier",
    "Jin",
    "Jonas",
    "Kai",
    "Kamala",
    "Kofi",
    "Lars",
    "Layla",
    "Leon",
    "Lucia",
    "Malik",
    "Maria",
    "Mateo",
    "Mei",
    "Mila",
    "Nadia",
    "Nikhil",
    "Nora",
    "Olga",
    "Omar",
    "Pablo",
    "Priya",
    "Quinn",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Sami",
    "Sara",
    "Sipho",
    "Sofia",
    "Tariq",
    "Tessa",
    "Theo",
    "Uma",
    "Valentina",
    "Victor",
    "Wen",
    "Yara",
    "Yusuf",
    "Zara",
];

const FAMILY: &[&str] = &[
    "Abara",
    "Andersen",
    "Baptiste",
    "Bauer",
    "Castillo",
    "Chowdhury",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gupta",
    "Haddad",
    "Hansen",
    "Ito",
    "Jansen",
    "Kaur",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lopez",
    "Mahlangu",
    "Martin",
    "Meyer",
    "Moreau",
    "Mwangi",
    "Nakamura",
    "Novak",
    "Okafor",
    "Oliveira",
    "Park",
    "Petrov",
    "Quispe",
    "Rahman",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Sokolov",
    "Tanaka",
    "Torres",
    "Ueda",
    "Varga",
    "Wagner",
    "Wang",
    "Weber",
    "Yilmaz",
    "Zhang",
];

/// The groups of the demo organisation, in header order.
fn groups() -> Vec<Group> {
    let mut groups = vec![
        group("jira-administrators", true, false),
        group("jira-system-administrators", true, false),
        group("jira-software-users", false, true),
        group("jira-servicedesk-users", false, true),
        group("confluence-users", false, true),
        group("jira-developers", false, false),
        group("support-staff", false, false),
        group("contractors", false, false),
        group("interns", false, false),
        group("service-accounts", false, false),
        group("temp-access", false, false),
        group("review-required", false, false),
    ];
    groups.extend(DEPARTMENTS.iter().map(|d| group(d, false, false)));
    groups
}

fn group(name: &str, admin: bool, licence: bool) -> Group {
    Group {
        name: GroupName::from(name),
        admin,
        licence,
    }
}

fn directories() -> Vec<Directory> {
    vec![
        Directory {
            id: INTERNAL_DIRECTORY,
            name: "Internal directory".to_owned(),
            kind: DirectoryKind::Internal,
            capabilities: DirectoryCapabilities::ALL,
            local_groups: Vec::new(),
        },
        Directory {
            id: LDAP_DIRECTORY,
            name: "Corporate LDAP (read-only, local groups)".to_owned(),
            kind: DirectoryKind::Ldap,
            capabilities: DirectoryCapabilities::NONE,
            // Licence and tagging groups live in the product, so their
            // memberships can change even for LDAP users.
            local_groups: [
                "jira-software-users",
                "jira-servicedesk-users",
                "confluence-users",
                "review-required",
                "temp-access",
            ]
            .iter()
            .map(|g| GroupName::from(*g))
            .collect(),
        },
    ]
}

/// What kind of account a generated user is; drives groups and habits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Persona {
    Employee,
    Contractor,
    Intern,
    Service,
    Admin,
    Sysadmin,
}

/// Generates the demo organisation as a snapshot.
pub fn generate(options: &DemoOptions) -> SnapshotFile {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let now = options.taken_at.0;
    let mut taken_names: HashMap<String, u32> = HashMap::new();
    let mut users = Vec::with_capacity(options.users);
    let mut sysadmins = Vec::new();
    let weight_total: u32 = DEPARTMENT_WEIGHTS.iter().sum();

    for i in 0..options.users {
        let persona = persona_for(i, &mut rng);
        let key = format!("JIRAUSER{}", 10_000 + i);
        let (username, display_name) = name_for(persona, i, &mut rng, &mut taken_names);
        let email = match persona {
            Persona::Service => format!("{username}@robots.example.com"),
            Persona::Contractor => format!("{username}@partner.example.com"),
            _ => format!("{username}@example.com"),
        };

        // Employees mostly come from LDAP; contractors, interns, service
        // accounts and admins are kept in the internal directory.
        let directory = match persona {
            Persona::Employee if rng.gen_bool(0.8) => LDAP_DIRECTORY,
            _ => INTERNAL_DIRECTORY,
        };

        // Account age: up to six years, interns recent.
        let max_age_days = match persona {
            Persona::Intern => 240,
            _ => 6 * 365,
        };
        let age_days = rng.gen_range(1..=max_age_days);
        let created = now - age_days * DAY_MS - rng.gen_range(0..DAY_MS);

        let mut groups: Vec<&str> = Vec::new();
        let dept = pick_department(&mut rng, weight_total);
        match persona {
            Persona::Employee => {
                groups.push(dept);
                groups.push("jira-software-users");
                groups.push("confluence-users");
                if dept == "support" {
                    groups.push("support-staff");
                    groups.push("jira-servicedesk-users");
                }
                if dept == "engineering" && rng.gen_bool(0.5) {
                    groups.push("jira-developers");
                }
            }
            Persona::Contractor => {
                groups.push("contractors");
                groups.push(dept);
                groups.push("jira-software-users");
                if rng.gen_bool(0.3) {
                    groups.push("temp-access");
                }
            }
            Persona::Intern => {
                groups.push("interns");
                groups.push(dept);
                groups.push("jira-software-users");
                groups.push("confluence-users");
            }
            Persona::Service => {
                groups.push("service-accounts");
                groups.push("jira-software-users");
            }
            Persona::Admin => {
                groups.push("jira-administrators");
                groups.push("operations");
                groups.push("jira-software-users");
                groups.push("confluence-users");
            }
            Persona::Sysadmin => {
                groups.push("jira-system-administrators");
                groups.push("jira-administrators");
                groups.push("jira-software-users");
                groups.push("confluence-users");
            }
        }

        let (last_login, login_count) = logins_for(persona, created, now, &mut rng);

        // Some accounts are already deactivated: mostly long-idle ones.
        let idle_days = last_login.map_or(age_days, |t| (now - t) / DAY_MS);
        let deactivate_chance = match persona {
            Persona::Sysadmin | Persona::Admin | Persona::Service => 0.0,
            _ if idle_days > 365 => 0.45,
            _ if idle_days > 180 => 0.15,
            _ => 0.01,
        };
        let active = !rng.gen_bool(deactivate_chance);
        let deactivated_at = if active {
            None
        } else {
            let from = last_login.unwrap_or(created).max(created);
            Some(rng.gen_range(from..=now))
        };

        if persona == Persona::Sysadmin {
            sysadmins.push(UserKey::from(key.clone()));
        }
        groups.sort_unstable();
        groups.dedup();
        users.push(SnapshotUser {
            key,
            username,
            display_name,
            email,
            directory_id: directory.0,
            active,
            created,
            last_login,
            login_count: Some(login_count),
            deactivated_at,
            suspended: false,
            groups: groups.into_iter().map(str::to_owned).collect(),
            activity: Default::default(),
        });
    }

    let signals = match options.seen_since_days {
        Some(days) => declare_seen(&mut users, now, days),
        None => Vec::new(),
    };
    let licences = licences_for(&users);
    let page_size = options.page_size.max(1);
    let mut pages = Vec::with_capacity(users.len() / page_size + 1);
    let mut rest = users.into_iter().peekable();
    while rest.peek().is_some() {
        pages.push(SnapshotPage {
            users: rest.by_ref().take(page_size).collect(),
        });
    }

    SnapshotFile {
        format: FORMAT.to_owned(),
        version: VERSION,
        header: SnapshotHeader {
            taken_at: options.taken_at,
            directories: directories(),
            groups: groups(),
            licences,
            sysadmins,
            signals,
        },
        pages,
    }
}

/// Declares a `seen` signal recording since `days` before `now` and gives each
/// user the value the plugin would hold: their last login when it lies inside
/// the recorded window (the plugin saw that request), none otherwise. No random
/// draw, so the rest of the organisation is the one the same seed gives without it.
fn declare_seen(users: &mut [SnapshotUser], now: i64, days: u32) -> Vec<SignalDecl> {
    let since = now.saturating_sub(i64::from(days).saturating_mul(DAY_MS));
    for user in users.iter_mut() {
        let seen = user.last_login.filter(|&at| at >= since);
        user.activity.push(seen);
    }
    vec![SignalDecl::whole_product(
        SignalKind::Seen,
        Some(Millis(since)),
    )]
}

fn persona_for(i: usize, rng: &mut ChaCha8Rng) -> Persona {
    match i {
        0..=2 => Persona::Sysadmin,
        _ => {
            let roll: f64 = rng.r#gen();
            if roll < 0.002 {
                Persona::Admin
            } else if roll < 0.006 {
                Persona::Service
            } else if roll < 0.10 {
                Persona::Contractor
            } else if roll < 0.13 {
                Persona::Intern
            } else {
                Persona::Employee
            }
        }
    }
}

fn pick_department(rng: &mut ChaCha8Rng, weight_total: u32) -> &'static str {
    let mut roll = rng.gen_range(0..weight_total);
    for (dept, weight) in DEPARTMENTS.iter().zip(DEPARTMENT_WEIGHTS) {
        if roll < *weight {
            return dept;
        }
        roll -= weight;
    }
    "engineering"
}

fn name_for(
    persona: Persona,
    i: usize,
    rng: &mut ChaCha8Rng,
    taken: &mut HashMap<String, u32>,
) -> (String, String) {
    if persona == Persona::Service {
        let purpose = [
            "ci",
            "backup",
            "sync",
            "reporting",
            "integration",
            "monitor",
        ];
        let p = purpose.get(i % purpose.len()).copied().unwrap_or("bot");
        let name = format!("svc-{p}-{i}");
        let display = format!("Service account ({p})");
        return (name, display);
    }
    let given = GIVEN
        .get(rng.gen_range(0..GIVEN.len()))
        .copied()
        .unwrap_or("Alex");
    let family = FAMILY
        .get(rng.gen_range(0..FAMILY.len()))
        .copied()
        .unwrap_or("Doe");
    let base = format!("{}.{}", given.to_lowercase(), family.to_lowercase());
    let seen = taken.entry(base.clone()).or_insert(0);
    *seen += 1;
    let username = if *seen == 1 {
        base
    } else {
        format!("{base}{}", *seen)
    };
    let display = match persona {
        Persona::Contractor => format!("{given} {family} (contractor)"),
        _ => format!("{given} {family}"),
    };
    (username, display)
}

/// Last login and login count: a long tail of recency.
fn logins_for(
    persona: Persona,
    created: i64,
    now: i64,
    rng: &mut ChaCha8Rng,
) -> (Option<i64>, u32) {
    let never_chance = match persona {
        Persona::Sysadmin | Persona::Admin | Persona::Service => 0.0,
        Persona::Contractor => 0.08,
        Persona::Intern => 0.06,
        Persona::Employee => 0.03,
    };
    if rng.gen_bool(never_chance) {
        return (None, 0);
    }
    let age = now - created;
    // Most people logged in recently; an exponential tail reaches back years.
    let idle = match persona {
        Persona::Service | Persona::Sysadmin | Persona::Admin => rng.gen_range(0..3 * DAY_MS),
        _ => {
            let roll: f64 = rng.r#gen();
            if roll < 0.55 {
                rng.gen_range(0..7 * DAY_MS)
            } else if roll < 0.75 {
                rng.gen_range(7 * DAY_MS..30 * DAY_MS)
            } else {
                // Exponential with a mean of 200 days beyond the first month.
                let u: f64 = rng.gen_range(f64::EPSILON..1.0);
                let extra_days = (-u.ln() * 200.0) as i64;
                30 * DAY_MS + extra_days * DAY_MS + rng.gen_range(0..DAY_MS)
            }
        }
    };
    let idle = idle.min(age.max(0));
    let last = now - idle;
    let active_days = ((last - created) / DAY_MS).max(1);
    let per_day: f64 = match persona {
        Persona::Service => 20.0,
        Persona::Contractor | Persona::Intern => 0.3,
        _ => 0.6,
    };
    let count = ((active_days as f64) * per_day * rng.gen_range(0.3..1.2)).max(1.0);
    (Some(last), count.min(f64::from(u32::MAX)) as u32)
}

/// Licences sized like a real instance: Software nearly full, Service
/// Management tight, Confluence unlimited.
fn licences_for(users: &[SnapshotUser]) -> Vec<Licence> {
    let count = |group: &str| {
        users
            .iter()
            .filter(|u| u.active && u.groups.iter().any(|g| g == group))
            .count() as u32
    };
    let software = count("jira-software-users");
    let servicedesk = count("jira-servicedesk-users");
    let confluence = count("confluence-users");
    vec![
        Licence {
            application: ApplicationKey::from("jira-software"),
            name: "Jira Software".to_owned(),
            limit: SeatLimit::Limited(round_up(software + software / 20, 50)),
            seats_used: software,
            groups: vec![GroupName::from("jira-software-users")],
        },
        Licence {
            application: ApplicationKey::from("jira-servicedesk"),
            name: "Jira Service Management".to_owned(),
            limit: SeatLimit::Limited(round_up(servicedesk, 10)),
            seats_used: servicedesk,
            groups: vec![GroupName::from("jira-servicedesk-users")],
        },
        Licence {
            application: ApplicationKey::from("confluence"),
            name: "Confluence".to_owned(),
            limit: SeatLimit::Unlimited,
            seats_used: confluence,
            groups: vec![GroupName::from("confluence-users")],
        },
    ]
}

fn round_up(n: u32, step: u32) -> u32 {
    n.div_ceil(step).saturating_mul(step).max(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_options() -> DemoOptions {
        DemoOptions {
            users: 3_000,
            seed: 7,
            page_size: 1_000,
            ..DemoOptions::default()
        }
    }

    fn small() -> SnapshotFile {
        generate(&small_options())
    }

    #[test]
    fn same_seed_same_organisation() {
        assert_eq!(small(), small());
        let other = generate(&DemoOptions {
            users: 3_000,
            seed: 8,
            page_size: 1_000,
            ..DemoOptions::default()
        });
        assert_ne!(small(), other);
    }

    #[test]
    fn a_seen_signal_covers_the_logins_inside_its_window_and_changes_nothing_else() {
        let days = 45;
        let with = generate(&DemoOptions {
            seen_since_days: Some(days),
            ..small_options()
        });
        let since = DemoOptions::default().taken_at.0 - i64::from(days) * DAY_MS;
        assert_eq!(
            with.header.signals,
            vec![SignalDecl::whole_product(
                SignalKind::Seen,
                Some(Millis(since))
            )]
        );
        let without = small();
        let (mut inside, mut outside) = (0, 0);
        for (a, b) in with
            .pages
            .iter()
            .flat_map(|p| &p.users)
            .zip(without.pages.iter().flat_map(|p| &p.users))
        {
            assert_eq!(a.key, b.key);
            assert_eq!(a.last_login, b.last_login);
            assert!(b.activity.is_empty());
            let seen = match a.activity.as_slice() {
                [one] => *one,
                other => panic!("one value per declared signal, found {other:?}"),
            };
            match a.last_login {
                Some(at) if at >= since => {
                    assert_eq!(seen, Some(at));
                    inside += 1;
                }
                _ => {
                    assert_eq!(seen, None);
                    outside += 1;
                }
            }
        }
        assert!(
            inside > 0 && outside > 0,
            "{inside} inside, {outside} outside"
        );
    }

    #[test]
    fn pages_keys_and_usernames_are_consistent() {
        let snap = small();
        assert_eq!(snap.pages.len(), 3);
        let users: Vec<_> = snap.pages.iter().flat_map(|p| &p.users).collect();
        assert_eq!(users.len(), 3_000);
        let mut keys: Vec<_> = users.iter().map(|u| u.key.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 3_000, "keys are unique");
        let mut names: Vec<_> = users.iter().map(|u| u.username.to_lowercase()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(
            names.len(),
            3_000,
            "usernames are unique case-insensitively"
        );
        let known: Vec<_> = snap
            .header
            .groups
            .iter()
            .map(|g| g.name.as_str().to_owned())
            .collect();
        for u in &users {
            assert!(u.groups.iter().all(|g| known.contains(g)), "{}", u.key);
            assert!(u.created <= snap.header.taken_at.0);
            if let Some(t) = u.last_login {
                assert!(t >= u.created && t <= snap.header.taken_at.0, "{}", u.key);
            }
        }
    }

    #[test]
    fn looks_like_a_real_instance() {
        let snap = small();
        let users: Vec<_> = snap.pages.iter().flat_map(|p| &p.users).collect();
        let n = users.len() as f64;
        let never = users.iter().filter(|u| u.last_login.is_none()).count() as f64;
        let inactive = users.iter().filter(|u| !u.active).count() as f64;
        let ldap = users
            .iter()
            .filter(|u| u.directory_id == LDAP_DIRECTORY.0)
            .count() as f64;
        let service = users
            .iter()
            .filter(|u| u.username.starts_with("svc-"))
            .count();
        assert!(
            (0.01..0.10).contains(&(never / n)),
            "never-logged-in share {}",
            never / n
        );
        assert!(
            (0.03..0.30).contains(&(inactive / n)),
            "deactivated share {}",
            inactive / n
        );
        assert!((0.4..0.9).contains(&(ldap / n)), "ldap share {}", ldap / n);
        assert!(service > 0);
        assert_eq!(snap.header.sysadmins.len(), 3);
        let stale = users
            .iter()
            .filter(|u| {
                u.last_login
                    .is_some_and(|t| snap.header.taken_at.0 - t > 90 * DAY_MS)
            })
            .count();
        assert!(stale > 0, "a long tail of idle users exists");
    }

    #[test]
    fn serialises_to_the_snapshot_schema() {
        let snap = small();
        let json = serde_json::to_vec(&snap).unwrap();
        let back: SnapshotFile = serde_json::from_slice(&json).unwrap();
        assert_eq!(back, snap);
    }
}
