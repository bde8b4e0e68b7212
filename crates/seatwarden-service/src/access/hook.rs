//! Service-desk webhooks: the hook's settings, the event they accept, the
//! signature check and the rules. Pure: no store, no host (the call itself
//! is `hook_call`).
//!
//! A call is authenticated by the hook's secret in one of two ways:
//!
//! - **Signature** (preferred): `X-Seatwarden-Timestamp: <unix seconds>`
//!   and `X-Seatwarden-Signature: sha256=<hex>`, the HMAC-SHA256 of
//!   `"<timestamp>.<raw body>"`. The timestamp is inside the signed
//!   material and must be within [`WINDOW_SECS`] of now, so a captured call
//!   cannot be replayed later; within the window the event id makes a
//!   replay a duplicate (answered with the first result, changing nothing).
//! - **Token** (only when the hook allows it): `X-Seatwarden-Token: <secret>`.
//!   Jira's "Send web request" automation action sends fixed headers and a
//!   templated body but cannot compute an HMAC, so a hook called from Jira
//!   automation must allow this; the event id (the issue key) still makes
//!   retries idempotent. It is off by default and the settings screen says
//!   what it gives up.
//!
//! Every refusal (unknown hook, disabled hook, wrong or missing signature,
//! stale timestamp) answers the same 401, so a caller cannot tell an
//! unknown hook id from a wrong secret.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use seatwarden_core::GroupName;

/// How far a signed call's timestamp may be from now.
pub const WINDOW_SECS: i64 = 300;

/// The longest event id kept.
pub const MAX_EVENT_ID: usize = 200;

/// A hook as the admin configures it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookSettings {
    /// Shown in the list and the audit log.
    pub name: String,
    /// A disabled hook refuses every call (as if unknown).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// At most this many calls a day (UTC) may change an account.
    #[serde(default = "default_cap")]
    pub cap_per_day: u32,
    /// Accept the secret itself in `X-Seatwarden-Token` (for Jira automation).
    #[serde(default)]
    pub allow_token: bool,
    /// The rules, first match wins.
    #[serde(default)]
    pub rules: Vec<HookRule>,
}

fn yes() -> bool {
    true
}

fn default_cap() -> u32 {
    50
}

/// One rule: when every non-empty condition holds, do its actions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HookRule {
    /// Shown in the audit log.
    pub name: String,
    /// The requester's email domain is one of these (case-insensitive).
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// The service-desk project key is one of these (case-insensitive).
    #[serde(default)]
    pub projects: Vec<String>,
    /// The request type is one of these (case-insensitive).
    #[serde(default)]
    pub request_types: Vec<String>,
    /// The requester is already in one of these groups.
    #[serde(default)]
    pub groups: Vec<GroupName>,
    /// Activate (restore) the account when it is inactive.
    #[serde(default)]
    pub activate: bool,
    /// Add the requester to these groups (licence groups included; the
    /// product's seat check applies).
    #[serde(default)]
    pub add_to_groups: Vec<GroupName>,
}

/// Why hook settings were refused: the first problem's words.
pub fn validate(s: &HookSettings) -> Result<(), String> {
    match problems(s).into_iter().next() {
        Some(p) => Err(p.message),
        None => Ok(()),
    }
}

/// One reason hook settings cannot be saved: where (a JSON path such as
/// `rules[1].name`, what the editor places the message beside) and why,
/// in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field.
    pub path: String,
    /// Why.
    pub message: String,
}

/// Every reason `s` cannot be saved, in field order (none: it can).
pub fn problems(s: &HookSettings) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut say = |path: String, message: String| out.push(Problem { path, message });
    if s.name.trim().is_empty() || s.name.chars().count() > 100 {
        say("name".into(), "the name must be 1 to 100 characters".into());
    }
    if s.cap_per_day == 0 || s.cap_per_day > 10_000 {
        say(
            "capPerDay".into(),
            "the account changes a day must be 1 to 10000".into(),
        );
    }
    if s.rules.len() > 100 {
        say("rules".into(), "a webhook holds at most 100 rules".into());
    }
    for (i, r) in s.rules.iter().enumerate() {
        let n = i + 1;
        if r.name.trim().is_empty() || r.name.chars().count() > 100 {
            say(
                format!("rules[{i}].name"),
                format!("rule {n} needs a name of 1 to 100 characters"),
            );
        }
        for (field, values) in [
            ("emailDomains", &r.email_domains),
            ("projects", &r.projects),
            ("requestTypes", &r.request_types),
        ] {
            if values.iter().any(|v| v.trim().is_empty()) {
                say(
                    format!("rules[{i}].{field}"),
                    format!("rule {n} lists an empty value"),
                );
            }
        }
        if r.email_domains
            .iter()
            .any(|d| d.contains('@') || d.contains(char::is_whitespace))
        {
            say(
                format!("rules[{i}].emailDomains"),
                format!("rule {n}: write domains without `@` or spaces (example.com)"),
            );
        }
        // Group names: refused as the directory's own naming rules refuse
        // them (blank, control or bidi-override characters), so a hook can
        // never name a group nobody could create or read.
        for (field, values) in [("groups", &r.groups), ("addToGroups", &r.add_to_groups)] {
            let bad = values.iter().find_map(|g| {
                if g.as_str().trim().is_empty() {
                    Some("an empty group name")
                } else {
                    seatwarden_core::text::name_problem(g.as_str())
                        .map(|_| "a group name with control or direction-changing characters")
                }
            });
            if let Some(why) = bad {
                say(
                    format!("rules[{i}].{field}"),
                    format!("rule {n} lists {why}"),
                );
            }
        }
        if !r.activate && r.add_to_groups.is_empty() {
            say(
                format!("rules[{i}].activate"),
                format!("rule {n} does nothing: activate the account or name groups to add"),
            );
        }
        if r.email_domains.is_empty()
            && r.projects.is_empty()
            && r.request_types.is_empty()
            && r.groups.is_empty()
        {
            say(
                format!("rules[{i}].emailDomains"),
                format!(
                    "rule {n} has no condition: it would give a seat to anyone the caller names \
                     (set a domain, project, request type or group)"
                ),
            );
        }
    }
    out
}

/// Who raised the ticket.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requester {
    /// The username (Data Center) or account name.
    #[serde(default)]
    pub username: Option<String>,
    /// The email address.
    #[serde(default)]
    pub email: Option<String>,
}

/// The event a hook accepts (Jira automation, a script, a chat workflow).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookEvent {
    /// Unique per event (the issue key works): duplicates answer the first result.
    pub event_id: String,
    /// Who asked.
    pub requester: Requester,
    /// The service-desk project key.
    #[serde(default)]
    pub project: Option<String>,
    /// The request type's name.
    #[serde(default)]
    pub request_type: Option<String>,
}

/// The requester as the directory knows them, for matching.
#[derive(Clone, Debug, Default)]
pub struct Found {
    /// Their email.
    pub email: String,
    /// Their groups.
    pub groups: Vec<GroupName>,
}

/// The first rule that matches, or why none did.
pub fn matching<'a>(
    rules: &'a [HookRule],
    event: &HookEvent,
    user: &Found,
) -> Result<&'a HookRule, String> {
    let domain = user
        .email
        .rsplit_once('@')
        .map(|(_, d)| d.to_ascii_lowercase())
        .unwrap_or_default();
    let eq = |list: &[String], v: Option<&str>| {
        list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
    };
    let mut why = Vec::new();
    for r in rules {
        let domain_ok = r.email_domains.is_empty()
            || r.email_domains
                .iter()
                .any(|d| d.trim_start_matches('@').eq_ignore_ascii_case(&domain));
        let project_ok = eq(&r.projects, event.project.as_deref());
        let type_ok = eq(&r.request_types, event.request_type.as_deref());
        let groups_ok = r.groups.is_empty() || r.groups.iter().any(|g| user.groups.contains(g));
        if domain_ok && project_ok && type_ok && groups_ok {
            return Ok(r);
        }
        let missed: Vec<&str> = [
            (!domain_ok).then_some("email domain"),
            (!project_ok).then_some("project"),
            (!type_ok).then_some("request type"),
            (!groups_ok).then_some("groups"),
        ]
        .into_iter()
        .flatten()
        .collect();
        why.push(format!("`{}`: {}", r.name, missed.join(", ")));
    }
    Err(if why.is_empty() {
        "the hook has no rules".to_owned()
    } else {
        format!("no rule matched ({})", why.join("; "))
    })
}

/// The signature a caller sends for `body` at `timestamp`.
pub fn signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    format!("sha256={}", hex::encode(m.finalize().into_bytes()))
}

fn mac(secret: &[u8]) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| std::process::abort())
}

/// Whether a signed call is authentic and fresh at `now_secs`.
pub fn verify_signature(
    secret: &[u8],
    timestamp: Option<&str>,
    sig: Option<&str>,
    body: &[u8],
    now_secs: i64,
) -> Result<(), &'static str> {
    let (Some(ts), Some(sig)) = (timestamp, sig) else {
        return Err("the signature or timestamp header is missing");
    };
    let Ok(at) = ts.trim().parse::<i64>() else {
        return Err("the timestamp is not a number of seconds");
    };
    let Some(hex_sig) = sig.trim().strip_prefix("sha256=") else {
        return Err("the signature is not `sha256=<hex>`");
    };
    let Ok(tag) = hex::decode(hex_sig) else {
        return Err("the signature is not hex");
    };
    let mut m = mac(secret);
    m.update(ts.trim().as_bytes());
    m.update(b".");
    m.update(body);
    m.verify_slice(&tag)
        .map_err(|_| "the signature does not match")?;
    if (now_secs - at).abs() > WINDOW_SECS {
        return Err("the timestamp is outside the 5-minute window (replayed or clock skew)");
    }
    Ok(())
}

/// Compares a presented token with the secret in constant time.
pub fn token_matches(secret: &str, presented: &str) -> bool {
    super::form::constant_time_eq(secret.as_bytes(), presented.trim().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_call_verifies_only_within_the_window_and_unaltered() {
        let body = br#"{"eventId":"IT-1"}"#;
        let sig = signature(b"k", "1000", body);
        assert_eq!(
            verify_signature(b"k", Some("1000"), Some(&sig), body, 1_000 + WINDOW_SECS),
            Ok(())
        );
        assert!(
            verify_signature(b"k", Some("1000"), Some(&sig), body, 1_001 + WINDOW_SECS).is_err()
        );
        assert!(verify_signature(b"other", Some("1000"), Some(&sig), body, 1_000).is_err());
        assert!(
            verify_signature(b"k", Some("1001"), Some(&sig), body, 1_000).is_err(),
            "timestamp is signed"
        );
        assert!(
            verify_signature(
                b"k",
                Some("1000"),
                Some(&sig),
                br#"{"eventId":"IT-2"}"#,
                1_000
            )
            .is_err()
        );
        assert!(verify_signature(b"k", None, Some(&sig), body, 1_000).is_err());
        assert!(verify_signature(b"k", Some("1000"), Some("md5=00"), body, 1_000).is_err());
    }

    #[test]
    fn the_first_matching_rule_wins_and_misses_are_explained() {
        let rules = vec![
            HookRule {
                name: "contractors".into(),
                email_domains: vec!["partner.test".into()],
                projects: vec!["IT".into()],
                add_to_groups: vec![GroupName::from("contractors")],
                ..HookRule::default()
            },
            HookRule {
                name: "staff".into(),
                email_domains: vec!["@example.test".into()],
                activate: true,
                ..HookRule::default()
            },
        ];
        let event = HookEvent {
            event_id: "IT-7".into(),
            project: Some("it".into()),
            ..HookEvent::default()
        };
        let staff = Found {
            email: "Ann@Example.test".into(),
            groups: vec![],
        };
        assert_eq!(
            matching(&rules, &event, &staff).map(|r| r.name.as_str()),
            Ok("staff")
        );
        let stranger = Found {
            email: "x@else.test".into(),
            groups: vec![],
        };
        let why = matching(&rules, &event, &stranger).unwrap_err();
        assert!(
            why.contains("`contractors`: email domain") && why.contains("`staff`: email domain"),
            "{why}"
        );
    }

    #[test]
    fn a_rule_without_condition_or_action_is_refused() {
        let mut s = HookSettings {
            name: "desk".into(),
            enabled: true,
            cap_per_day: 5,
            allow_token: false,
            rules: vec![HookRule {
                name: "r".into(),
                activate: true,
                ..HookRule::default()
            }],
        };
        assert!(validate(&s).unwrap_err().contains("no condition"));
        s.rules[0].projects = vec!["IT".into()];
        assert_eq!(validate(&s), Ok(()));
        s.rules[0].activate = false;
        assert!(validate(&s).unwrap_err().contains("does nothing"));
    }

    #[test]
    fn group_names_a_directory_would_refuse_are_refused_by_field() {
        let rule = HookRule {
            name: "r".into(),
            projects: vec!["IT".into()],
            activate: true,
            ..HookRule::default()
        };
        let settings = |rule: HookRule| HookSettings {
            name: "desk".into(),
            enabled: true,
            cap_per_day: 5,
            allow_token: false,
            rules: vec![rule],
        };
        for bad in ["\u{c}", " ", "staff\u{202e}", "a\u{7}b"] {
            let add = settings(HookRule {
                add_to_groups: vec![GroupName::from(bad)],
                ..rule.clone()
            });
            let found = problems(&add);
            assert_eq!(found.len(), 1, "{bad:?}: {found:?}");
            assert_eq!(found[0].path, "rules[0].addToGroups");
            let member = settings(HookRule {
                groups: vec![GroupName::from(bad)],
                ..rule.clone()
            });
            assert_eq!(problems(&member)[0].path, "rules[0].groups");
        }
        let fine = settings(HookRule {
            add_to_groups: vec![GroupName::from("jira-software-users")],
            ..rule
        });
        assert_eq!(validate(&fine), Ok(()));
    }
}
