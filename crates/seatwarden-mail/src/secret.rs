//! A password that cannot leak by accident.
//!
//! `Secret` prints as `***` in `Debug` and `Display` and does not implement
//! `Serialize` at all: the only way to get the text out is
//! [`Secret::expose`], which is easy to grep for. Settings responses show
//! whether a password is set, never the password.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A secret string (an SMTP password).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret text. Call only where it is handed to the server or the store.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_prints_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(
            format!("{s} {s:?} {:?}", Some(&s)),
            "*** Secret(***) Some(Secret(***))"
        );
        assert_eq!(s.expose(), "hunter2");
        let parsed: Secret = serde_json::from_str("\"pw\"").unwrap();
        assert_eq!(parsed.expose(), "pw");
    }
}
