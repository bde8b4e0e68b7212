//! The reading side of the parser: a walk that collects issues, and a JSON
//! object reader that knows each field's path and reports what it did not
//! read. Kept apart from the readers of the document's sections so each half
//! fits in one's head.

use serde_json::{Map, Value};

use super::super::ConfigIssue;
use crate::model::GroupName;

/// The largest day threshold accepted (100 years).
pub(super) const MAX_DAYS: u32 = 36_500;

/// Collected issues.
#[derive(Default)]
pub(super) struct Walk {
    pub(super) issues: Vec<ConfigIssue>,
}

impl Walk {
    pub(super) fn err(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(ConfigIssue {
            path: path.to_owned(),
            message: message.into(),
        });
    }
}

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON object being read; remembers which keys were read so the rest can
/// be reported as unknown.
pub(super) struct Obj<'a> {
    pub(super) map: &'a Map<String, Value>,
    path: String,
    known: Vec<&'static str>,
}

impl<'a> Obj<'a> {
    pub(super) fn new(w: &mut Walk, value: &'a Value, path: String) -> Option<Obj<'a>> {
        match value.as_object() {
            Some(map) => Some(Obj {
                map,
                path,
                known: Vec::new(),
            }),
            None => {
                w.err(&path, "must be an object");
                None
            }
        }
    }

    pub(super) fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of `key`; `null` counts as absent.
    pub(super) fn get(&mut self, key: &'static str) -> Option<&'a Value> {
        self.known.push(key);
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Like [`Obj::get`] for numbers and booleans that always have a value
    /// (required, or defaulted when left out), where an explicit `null` is
    /// refused rather than read as absent: `"days": null` used to mean the
    /// default (30), a value the sender never wrote. `Err`: the issue is
    /// already reported. (An optional number whose absence means "off",
    /// such as `neverLoggedInDays`, keeps `null` = not set; see `uint`.)
    fn scalar(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        what: &str,
    ) -> Result<Option<&'a Value>, ()> {
        self.known.push(key);
        match self.map.get(key) {
            Some(Value::Null) => {
                w.err(
                    &self.at(key),
                    format!("must be {what}, not null (leave the field out for the default)"),
                );
                Err(())
            }
            other => Ok(other),
        }
    }

    pub(super) fn finish(self, w: &mut Walk) {
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                w.err(&join(&self.path, key), "unknown field");
            }
        }
    }

    /// A whole number in `min..=max`; `default` when absent (required when
    /// `None`). `Some(0)` with `min ≥ 1` is the "optional, off when absent"
    /// marker: only then does `null` mean absent; for every other number
    /// `null` is an error (see [`Obj::scalar`]).
    pub(super) fn uint(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        default: Option<u32>,
        min: u32,
        max: u32,
    ) -> Option<u32> {
        let path = self.at(key);
        let value = if default == Some(0) && min >= 1 {
            self.get(key)
        } else {
            let Ok(value) = self.scalar(w, key, "a whole number") else {
                return None;
            };
            value
        };
        match value {
            None => {
                if default.is_none() {
                    w.err(&path, "is required");
                }
                default
            }
            Some(v) => match v.as_u64() {
                Some(n) if n < u64::from(min) => {
                    w.err(&path, format!("must be ≥ {min}"));
                    None
                }
                Some(n) if n > u64::from(max) => {
                    w.err(&path, format!("must be ≤ {max}"));
                    None
                }
                Some(n) => u32::try_from(n).ok(),
                None => {
                    if v.as_i64().is_some() {
                        w.err(&path, format!("must be ≥ {min}"));
                    } else {
                        w.err(&path, "must be a whole number");
                    }
                    None
                }
            },
        }
    }

    pub(super) fn int(&mut self, w: &mut Walk, key: &'static str, default: i32) -> i32 {
        let path = self.at(key);
        let Ok(value) = self.scalar(w, key, "a whole number") else {
            return default;
        };
        match value {
            None => default,
            Some(v) => match v.as_i64().and_then(|n| i32::try_from(n).ok()) {
                Some(n) => n,
                None => {
                    w.err(&path, "must be a whole number");
                    default
                }
            },
        }
    }

    pub(super) fn boolean(&mut self, w: &mut Walk, key: &'static str, default: bool) -> bool {
        let path = self.at(key);
        let Ok(value) = self.scalar(w, key, "true or false") else {
            return default;
        };
        match value {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                w.err(&path, "must be true or false");
                default
            }
        }
    }

    /// A string; required when `required`, `None` when absent and optional.
    pub(super) fn string(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        required: bool,
    ) -> Option<String> {
        let path = self.at(key);
        match self.get(key) {
            None => {
                if required {
                    w.err(&path, "is required");
                }
                None
            }
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                w.err(&path, "must be a string");
                None
            }
        }
    }

    /// A list of strings, each non-blank; empty when absent.
    pub(super) fn strings(&mut self, w: &mut Walk, key: &'static str) -> Vec<String> {
        let path = self.at(key);
        match self.get(key) {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match item.as_str() {
                    Some(s) if !s.trim().is_empty() => Some(s.to_owned()),
                    Some(_) => {
                        w.err(&format!("{path}[{i}]"), "must not be blank");
                        None
                    }
                    None => {
                        w.err(&format!("{path}[{i}]"), "must be a string");
                        None
                    }
                })
                .collect(),
            Some(_) => {
                w.err(&path, "must be a list of strings");
                Vec::new()
            }
        }
    }

    pub(super) fn groups(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        required: bool,
    ) -> Vec<GroupName> {
        let path = self.at(key);
        let present = self.map.get(key).is_some_and(|v| !v.is_null());
        let groups: Vec<GroupName> = self
            .strings(w, key)
            .into_iter()
            .map(GroupName::from)
            .collect();
        if required && groups.is_empty() {
            if present {
                w.err(&path, "must name at least one group");
            } else {
                w.err(&path, "is required");
            }
        }
        groups
    }

    /// One of `choices`; `default` when absent (required when `None`).
    pub(super) fn choice(
        &mut self,
        w: &mut Walk,
        key: &'static str,
        choices: &[&'static str],
        default: Option<&'static str>,
    ) -> Option<&'static str> {
        let path = self.at(key);
        match self.get(key) {
            None => {
                if default.is_none() {
                    w.err(&path, "is required");
                }
                default
            }
            Some(Value::String(s)) => match choices.iter().find(|c| **c == s.as_str()) {
                Some(c) => Some(*c),
                None => {
                    w.err(
                        &path,
                        format!("`{s}` is not one of {}", backticked(choices)),
                    );
                    None
                }
            },
            Some(_) => {
                w.err(&path, format!("must be one of {}", backticked(choices)));
                None
            }
        }
    }

    pub(super) fn object(&mut self, w: &mut Walk, key: &'static str) -> Option<Obj<'a>> {
        let path = self.at(key);
        self.get(key).and_then(|v| Obj::new(w, v, path))
    }
}

pub(super) fn backticked(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
