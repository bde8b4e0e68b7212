//! Keeping secrets out of the audit log by construction.
//!
//! The log has no field for a setting's value. A settings change is
//! described by [`changed_paths`], which names the fields that changed and
//! never what they changed to; and a configured secret (an SMTP password, an
//! API token) lives in a [`Secret`], whose `Display` and `Debug` print a
//! placeholder, so `format!("{…}")` into a description cannot leak it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A secret value from the configuration.
///
/// It serialises transparently (the configuration must store it), but it
/// prints as `[redacted]`, has no `Deref`/`AsRef<str>`, and the plain text is
/// reached only through [`Secret::expose`], whose callers are easy to review.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The plain text, for the one place that needs it (the SMTP login).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether a value is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The dotted paths of the leaves that differ between two JSON documents
/// (`mail.smtp.password`, `policies[2].enabled`), sorted. Values are never
/// included, so the result is safe to put in a "settings changed" entry.
pub fn changed_paths(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(before, after, String::new(), &mut out);
    out.sort();
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn diff(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => diff(va, vb, join(&path, k), out),
                    None => out.push(join(&path, k)),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(join(&path, k));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            let longest = x.len().max(y.len());
            for i in 0..longest {
                let p = format!("{path}[{i}]");
                match (x.get(i), y.get(i)) {
                    (Some(va), Some(vb)) => diff(va, vb, p, out),
                    _ => out.push(p),
                }
            }
        }
        _ if a == b => {}
        _ => out.push(if path.is_empty() {
            "$".to_owned()
        } else {
            path
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn changed_paths_name_fields_not_values() {
        let a = serde_json::json!({"mail": {"password": "old-secret", "host": "h"}, "p": [1, 2]});
        let b = serde_json::json!({"mail": {"password": "new-secret", "host": "h"}, "p": [1], "x": true});
        let paths = changed_paths(&a, &b);
        assert_eq!(paths, vec!["mail.password", "p[1]", "x"]);
        assert!(!paths.join(",").contains("secret"));
    }
}
