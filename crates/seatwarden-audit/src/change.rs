//! "Old → new" per changed field, for configuration changes.
//!
//! A reviewer asking "who set inactivity to 30 days?" needs the values, not
//! only the field's name; so a configuration change is described field by
//! field with what it was and what it became. Secrets are the exception by
//! construction: a leaf whose name says it holds a secret (`password`,
//! `secret`, `token`, `apiKey`, …) is written as "`mail.password` changed"
//! and its values never reach the description. Long values (a template's
//! body) are cut, so one entry stays readable; the configuration document
//! itself is the full record.

use serde_json::Value;

use crate::secret::changed_paths;

/// Longest rendering of one value before it is cut (in characters).
const VALUE_LIMIT: usize = 80;

/// Leaf names that hold secrets (compared case-insensitively, ignoring
/// `_` and `-`): their values are never described.
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwordset",
    "secret",
    "token",
    "apikey",
    "apitoken",
    "credentials",
];

/// Whether the dotted path's last field names a secret.
pub fn is_secret_path(path: &str) -> bool {
    let leaf = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .split('[')
        .next()
        .unwrap_or("");
    let norm: String = leaf
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_NAMES.iter().any(|s| norm == *s)
}

/// One changed field, as the audit log describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    /// The dotted path (`settings.inactiveDays`, `policies[2].enabled`).
    pub path: String,
    /// `old → new`, or `None` for a secret (only "changed" is said).
    pub values: Option<(String, String)>,
}

impl std::fmt::Display for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.values {
            Some((old, new)) => write!(f, "{}: {old} → {new}", self.path),
            None => write!(f, "{} changed", self.path),
        }
    }
}

/// Every changed leaf between two documents, in path order, with its old and
/// new value (secrets: none).
pub fn changed_fields(before: &Value, after: &Value) -> Vec<FieldChange> {
    changed_paths(before, after)
        .into_iter()
        .map(|path| {
            let values = if is_secret_path(&path) {
                None
            } else {
                Some((render(lookup(before, &path)), render(lookup(after, &path))))
            };
            FieldChange { path, values }
        })
        .collect()
}

/// The changes as one description: `prefix: a: 1 → 2; b changed`, or
/// `prefix: nothing changed`.
pub fn describe_changes(prefix: &str, before: &Value, after: &Value) -> String {
    let fields = changed_fields(before, after);
    if fields.is_empty() {
        return format!("{prefix}: nothing changed");
    }
    let parts: Vec<String> = fields.iter().map(ToString::to_string).collect();
    format!("{prefix}: {}", parts.join("; "))
}

/// The value at a dotted path with `[i]` indexes (`$` is the root).
fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    if path == "$" {
        return Some(doc);
    }
    let mut cur = doc;
    for part in path.split('.') {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            cur = cur.get(index.trim_end_matches(']').parse::<usize>().ok()?)?;
        }
    }
    Some(cur)
}

/// A value as the log shows it: strings quoted, absent as "(none)",
/// anything longer than [`VALUE_LIMIT`] cut with an ellipsis.
fn render(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => return "(none)".to_owned(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() <= VALUE_LIMIT {
        text
    } else {
        let cut: String = text.chars().take(VALUE_LIMIT).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_field_shows_old_and_new() {
        let a = json!({"inactiveDays": 90, "protected": ["admins"], "name": "x"});
        let b = json!({"inactiveDays": 30, "protected": ["admins", "bots"], "name": "x"});
        assert_eq!(
            describe_changes("settings changed", &a, &b),
            "settings changed: inactiveDays: 90 → 30; protected[1]: (none) → \"bots\""
        );
    }

    #[test]
    fn secrets_say_changed_and_never_their_values() {
        let a = json!({"smtp": {"password": "old-secret-1", "host": "a"}, "api_token": "t1"});
        let b = json!({"smtp": {"password": "new-secret-2", "host": "b"}, "api_token": "t2"});
        let text = describe_changes("mail settings changed", &a, &b);
        assert_eq!(
            text,
            "mail settings changed: api_token changed; smtp.host: \"a\" → \"b\"; smtp.password changed"
        );
        for secret in ["old-secret-1", "new-secret-2", "t1", "t2"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn long_values_are_cut_and_nothing_changed_is_said() {
        let a = json!({"body": "a".repeat(500)});
        let b = json!({"body": "b".repeat(500)});
        let text = describe_changes("t", &a, &b);
        assert!(text.chars().count() < 200, "{text}");
        assert!(text.contains('…'));
        assert_eq!(describe_changes("t", &a, &a), "t: nothing changed");
    }

    #[test]
    fn secret_names_are_matched_on_the_leaf_only() {
        assert!(is_secret_path("mail.own.password"));
        assert!(is_secret_path("x.apiKey"));
        assert!(is_secret_path("passwordSet"));
        assert!(!is_secret_path("password.length"));
        assert!(!is_secret_path("passwordless"));
    }
}
