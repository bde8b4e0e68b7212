//! Secrets sealed at rest in the configuration document (issue 18).
//!
//! Why: the standalone server's configuration document lives in `store.db`,
//! and the SMTP password in it was protected by file permissions alone. A
//! copied database file, a backup left on a share, or a support bundle gave
//! the password away. With a [`SecretKey`] the password is stored sealed with
//! ChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`, an AEAD: a wrong key
//! or an altered value fails to open instead of giving garbage), and the key
//! lives apart from the database: in `SEATWARDEN_SECRET_KEY` or a `0600` key
//! file the server creates beside it (see `seatwarden serve`). Whoever holds
//! both the key and the database still reads the password; the key keeps
//! the database alone (and its backups) from being enough.
//!
//! The stored form is `sw1:` followed by hex of a random 12-byte nonce and the
//! ciphertext with its tag. The associated data names the field, so a sealed
//! value moved to another field does not open there.
//!
//! This module is pure (no I/O, no clock): the host reads or creates the key
//! and hands it over in [`crate::ServiceOptions::secret_key`]. Jira and
//! Confluence give no key: Atlassian's Plugin Secrets Service exists only
//! from Jira DC 12 / Confluence DC 11, later than the platforms this plugin
//! is built for, so there the password stays in the product's database as
//! before (`docs/security.md` says so).

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;

/// The prefix of a sealed value (the format's version).
const PREFIX: &str = "sw1:";
/// Nonce length of ChaCha20-Poly1305.
const NONCE_LEN: usize = 12;

/// A 256-bit key that seals secrets in the configuration document.
///
/// Prints as `SecretKey(***)`; never serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

/// Why a key's text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "a secret key is 64 hexadecimal characters (32 bytes); this one has {0} characters or is not hexadecimal"
)]
pub struct SecretKeyError(pub usize);

impl SecretKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Parses 64 hex characters (surrounding white space ignored, so a key
    /// file may end with a newline).
    pub fn parse(text: &str) -> Result<SecretKey, SecretKeyError> {
        let text = text.trim();
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).map_err(|_| SecretKeyError(text.chars().count()))?;
        Ok(SecretKey(bytes))
    }

    /// The key as 64 hex characters (for writing the key file).
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.0))
    }
}

/// Why a sealed value could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    /// The value is not in the sealed format.
    #[error("the stored value is not a sealed secret (expected `sw1:` and hex)")]
    Format,
    /// The key is not the one the value was sealed with, or the value was altered.
    #[error(
        "it does not open with this secret key: the key is not the one it was sealed with, or the stored value was altered"
    )]
    WrongKey,
}

/// Seals `plain` for the field named `field`.
pub(crate) fn seal(key: &SecretKey, field: &str, plain: &str) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = key
        .cipher()
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain.as_bytes(),
                aad: field.as_bytes(),
            },
        )
        // Encrypting fails only past ChaCha20's 256 GiB message limit.
        .unwrap_or_default();
    let mut out = String::with_capacity(PREFIX.len() + 2 * (NONCE_LEN + sealed.len()));
    out.push_str(PREFIX);
    out.push_str(&hex::encode(nonce));
    out.push_str(&hex::encode(sealed));
    out
}

/// Opens a value [`seal`]ed for `field`.
pub(crate) fn open(key: &SecretKey, field: &str, sealed: &str) -> Result<String, OpenError> {
    let body = sealed.strip_prefix(PREFIX).ok_or(OpenError::Format)?;
    let bytes = hex::decode(body).map_err(|_| OpenError::Format)?;
    if bytes.len() < NONCE_LEN + 16 {
        return Err(OpenError::Format);
    }
    let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
    let plain = key
        .cipher()
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: field.as_bytes(),
            },
        )
        .map_err(|_| OpenError::WrongKey)?;
    String::from_utf8(plain).map_err(|_| OpenError::Format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_field_only() {
        let key = SecretKey::generate();
        let sealed = seal(&key, "mail.password", "hunter2");
        assert!(sealed.starts_with("sw1:"), "{sealed}");
        assert!(!sealed.contains("hunter2"));
        assert_eq!(open(&key, "mail.password", &sealed).unwrap(), "hunter2");
        // A fresh nonce each time: the same password never looks the same.
        assert_ne!(seal(&key, "mail.password", "hunter2"), sealed);

        let other = SecretKey::generate();
        assert_eq!(
            open(&other, "mail.password", &sealed),
            Err(OpenError::WrongKey)
        );
        assert_eq!(open(&key, "other", &sealed), Err(OpenError::WrongKey));
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            open(&key, "mail.password", &String::from_utf8(altered).unwrap()),
            Err(OpenError::WrongKey)
        );
        assert_eq!(
            open(&key, "mail.password", "hunter2"),
            Err(OpenError::Format)
        );
        assert_eq!(
            open(&key, "mail.password", "sw1:zz"),
            Err(OpenError::Format)
        );
        assert_eq!(
            open(&key, "mail.password", "sw1:00"),
            Err(OpenError::Format)
        );
    }

    #[test]
    fn keys_parse_from_hex_and_never_print() {
        let key = SecretKey::generate();
        let text = format!("{}\n", key.to_hex());
        assert_eq!(SecretKey::parse(&text).unwrap(), key);
        assert_eq!(format!("{key:?}"), "SecretKey(***)");
        assert_eq!(SecretKey::parse("abc"), Err(SecretKeyError(3)));
        assert_eq!(SecretKey::parse(&"g".repeat(64)), Err(SecretKeyError(64)));
    }
}
