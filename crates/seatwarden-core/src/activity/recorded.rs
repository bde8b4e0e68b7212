//! Which signals a directory can record, checked when a save changes what
//! counts (issue 23: Atlassian Cloud refuses settings-wide `seen` off).
//!
//! Why: in Atlassian Cloud the per-product last-active dates *are* the
//! `seen` signals, and Cloud has no login and no Crowd `lastAuthenticated`.
//! A settings document that turns `seen` off there leaves the engine
//! counting only the login column, empty for every user: everyone looks
//! never active, and a policy with `neverLoggedInDays` would act on the whole
//! organisation (only the health check would stop a live run). A policy
//! whose `signals` name only kinds Cloud never records matches nobody, which
//! the plan reports, but the admin meant something else: both are refused at
//! save, with the field at fault, rather than discovered in a plan.
//!
//! A Data Center directory always records the login, so nothing is refused
//! there: a counted kind it does not declare simply contributes nothing (and
//! with none, the login alone counts, `DirectoryIndex::signal_mask`).
//!
//! Like `crate::names`, only what a save changes is checked: a document
//! stored before this rule still loads and runs (its live runs are paused by
//! the health check, "no activity recorded at all"), and saving an unrelated
//! policy is never blocked by it.

use crate::config::{Config, ConfigIssue};
use crate::index::DirectoryIndex;
use crate::model::DirectoryKind;

use super::{SignalKind, SignalRef};

/// What a directory can record, as far as the choice of signals goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recordable {
    /// Whether the login date exists here.
    pub login: bool,
    /// Whether the directory is Atlassian Cloud (its words in refusals).
    pub cloud: bool,
    /// The declared kinds (and, in Cloud, `seen` even before any user has a
    /// last-active date: the kind is Cloud's only one).
    pub kinds: Vec<SignalKind>,
}

impl Recordable {
    /// What `index` records. The login is unrecorded in Atlassian Cloud
    /// (any directory of a Cloud kind), and where the host declares other
    /// signals but no user has a login date (a snapshot of such a host),
    /// the definition `DirectoryIndex::mask_of` uses.
    pub fn of(index: &DirectoryIndex) -> Recordable {
        let cloud = index.directories().iter().any(|d| {
            matches!(
                d.kind,
                DirectoryKind::CloudManaged | DirectoryKind::CloudExternal
            )
        });
        let mut kinds: Vec<SignalKind> = Vec::new();
        for d in index.signals() {
            if !kinds.contains(&d.kind) {
                kinds.push(d.kind);
            }
        }
        if cloud && !kinds.contains(&SignalKind::Seen) {
            kinds.push(SignalKind::Seen);
        }
        let no_logins = !index.signals().is_empty()
            && index.last_login.iter().all(|&v| v == crate::index::NEVER);
        Recordable {
            login: !cloud && !no_logins,
            cloud,
            kinds,
        }
    }

    fn records(&self, r: &SignalRef) -> bool {
        match r {
            SignalRef::Login => self.login,
            SignalRef::Declared { kind, .. } => self.kinds.contains(kind),
        }
    }

    /// The names this directory records, for messages: `` `seen` `` or
    /// `` `seen` and `lastAuthenticated` ``.
    fn names(&self) -> String {
        let names: Vec<String> = self
            .kinds
            .iter()
            .map(|k| format!("`{}`", k.as_str()))
            .collect();
        names.join(" and ")
    }

    fn why_no_login(&self) -> &'static str {
        if self.cloud {
            "Atlassian Cloud has no login date: its per-product last-active dates are the `seen` signals"
        } else {
            "no user of this directory has a login date"
        }
    }
}

/// The problems of a save whose changed choice of signals counts nothing
/// `index` records: the settings' `activity` (path
/// `settings.activity.<kind>`) and each added or changed policy `signals`
/// (path `policies[i].signals`).
pub fn unrecorded_choice(
    before: &Config,
    after: &Config,
    index: &DirectoryIndex,
) -> Vec<ConfigIssue> {
    let can = Recordable::of(index);
    if can.login {
        return Vec::new();
    }
    let mut issues = Vec::new();
    let activity = after.settings.activity;
    if activity != before.settings.activity {
        let counts_recorded = can.kinds.iter().any(|k| activity.counts(*k));
        if !counts_recorded && let Some(off) = can.kinds.first() {
            issues.push(ConfigIssue {
                path: format!("settings.activity.{}", off.as_str()),
                message: format!(
                    "must stay on: {}; with {} off no counted signal has a date here, and every user would look never active",
                    can.why_no_login(),
                    can.names()
                ),
            });
        }
    }
    for (i, p) in after.policies.iter().enumerate() {
        let Some(signals) = &p.signals else { continue };
        let unchanged = before
            .policies
            .iter()
            .any(|b| b.id == p.id && b.signals.as_ref() == Some(signals));
        if unchanged || signals.iter().any(|r| can.records(r)) {
            continue;
        }
        let hint = if can.kinds.is_empty() {
            String::new()
        } else {
            format!(" (it records {})", can.names())
        };
        issues.push(ConfigIssue {
            path: format!("policies[{i}].signals"),
            message: format!(
                "names no signal this directory records{hint}: {}, so the policy would match nobody",
                can.why_no_login()
            ),
        });
    }
    issues
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use serde_json::{Value, json};

    use super::*;

    fn index(kind: &str, signals: Value, last_login: Value) -> DirectoryIndex {
        let snapshot = json!({"format": "seatwarden-snapshot", "version": 1,
            "header": {"takenAt": 1_795_226_400_000_i64,
                "directories": [{"id": 1, "name": "D", "kind": kind, "capabilities": {}}],
                "groups": [{"name": "staff"}], "signals": signals},
            "pages": [{"users": [{"key": "u1", "username": "u1", "directoryId": 1,
                "active": true, "created": 1_700_000_000_000_i64, "lastLogin": last_login, "groups": ["staff"],
                "activity": signals.as_array().unwrap().iter().map(|_| Value::Null).collect::<Vec<_>>()}]}]});
        DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot).unwrap()).unwrap()
    }

    fn config(activity: Value, signals: Option<Value>) -> Config {
        let mut policy = json!({"id": "p", "condition": {"kind": "inactive", "days": 90},
            "action": {"kind": "deactivate"}});
        if let Some(s) = signals {
            policy["signals"] = s;
        }
        Config::from_value(json!({"version": 1, "settings": {"activity": activity},
            "policies": [policy]}))
        .unwrap()
    }

    fn paths(issues: &[ConfigIssue]) -> Vec<&str> {
        issues.iter().map(|i| i.path.as_str()).collect()
    }

    #[test]
    fn data_center_records_the_login_so_nothing_is_refused() {
        let ix = index(
            "internal",
            json!([{"kind": "seen", "since": 1_700_000_000_000_i64}]),
            json!(1_700_000_000_000_i64),
        );
        let before = config(json!({}), None);
        let after = config(
            json!({"seen": false, "lastAuthenticated": false}),
            Some(json!(["login"])),
        );
        assert!(unrecorded_choice(&before, &after, &ix).is_empty());
    }

    #[test]
    fn a_directory_whose_users_have_no_login_refuses_its_only_kinds_off() {
        // Not Cloud, but a snapshot of such a host: declared signals, no login.
        let ix = index(
            "other",
            json!([{"kind": "lastAuthenticated"}, {"kind": "seen", "since": 1_700_000_000_000_i64}]),
            Value::Null,
        );
        let before = config(json!({}), None);
        let after = config(json!({"seen": false, "lastAuthenticated": false}), None);
        let issues = unrecorded_choice(&before, &after, &ix);
        assert_eq!(paths(&issues), ["settings.activity.lastAuthenticated"]);
        assert!(
            issues[0]
                .message
                .contains("no user of this directory has a login date")
                && issues[0].message.contains("`lastAuthenticated` and `seen`"),
            "{}",
            issues[0].message
        );
        // One of them on is enough.
        let after = config(json!({"seen": false}), None);
        assert!(unrecorded_choice(&before, &after, &ix).is_empty());
    }

    #[test]
    fn only_a_changed_choice_is_checked() {
        let ix = index(
            "cloud_managed",
            json!([{"kind": "seen", "product": "confluence"}]),
            Value::Null,
        );
        // Stored before the rule: saving it again unchanged is not refused.
        let stored = config(json!({"seen": false}), Some(json!(["login"])));
        assert!(unrecorded_choice(&stored, &stored, &ix).is_empty());
        let fresh = config(json!({}), None);
        assert_eq!(
            paths(&unrecorded_choice(&fresh, &stored, &ix)),
            ["settings.activity.seen", "policies[0].signals"]
        );
    }
}
