//! Signed "I still need access" links.
//!
//! A link carries its claims in the clear (user key, policy, idle cycle,
//! purpose, expiry and a random nonce) and an HMAC-SHA256 over them with
//! the per-installation secret. Why HMAC and not a random token kept in
//! the store: a warning is composed once per user and cycle, possibly for
//! tens of thousands of users, and the link must work on any node without
//! a row per mail; only links actually *used* are stored (single use, see
//! [`crate::access::request`]). Binding user, policy, cycle and purpose
//! means a link cannot be turned into a request for someone else, for
//! another policy, or replayed for the next idle period.
//!
//! The token is `<hex payload>.<hex mac>`: hex is URL-safe without
//! escaping and survives mail clients that re-wrap long lines at odd
//! characters. Verification checks the length first (a bounded amount of
//! work for any input), then the MAC in constant time (`Mac::verify_slice`),
//! and only then parses the payload, so a forged token never reaches the
//! JSON parser.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use seatwarden_audit::PolicyId;
use seatwarden_core::{Millis, UserKey};

type HmacSha256 = Hmac<Sha256>;

/// The longest token accepted; anything longer is refused unread.
pub const MAX_TOKEN_LEN: usize = 2_048;

/// What a link asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Purpose {
    /// From a warning: "do not act on me, I still need access".
    KeepAccess,
    /// From the notice sent after removal: "give my access back".
    Restore,
}

/// The signed claims of a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkClaims {
    /// The user the link was sent to.
    #[serde(rename = "u")]
    pub user: UserKey,
    /// The policy that warned (or acted).
    #[serde(rename = "p")]
    pub policy: PolicyId,
    /// The idle cycle the warning belongs to (its start, UTC ms).
    #[serde(rename = "c")]
    pub cycle: Millis,
    /// What the link asks for.
    #[serde(rename = "x")]
    pub purpose: Purpose,
    /// When the link stops working (UTC ms).
    #[serde(rename = "e")]
    pub expires_at: Millis,
    /// Random, so two links for the same claims differ and each is used once.
    #[serde(rename = "n")]
    pub nonce: String,
}

/// Why a token was refused. Internal only: the page answers every refusal
/// with the same neutral text; the audit log records which it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not of the token's shape (or too long).
    Malformed,
    /// The MAC does not match: forged, altered, or signed with a rotated secret.
    Forged,
    /// Past its expiry.
    Expired,
}

impl Refusal {
    /// The words the audit log uses.
    pub fn words(self) -> &'static str {
        match self {
            Refusal::Malformed => "the link is malformed",
            Refusal::Forged => {
                "the link's signature does not match (forged, altered or from before a secret rotation)"
            }
            Refusal::Expired => "the link has expired",
        }
    }
}

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    match HmacSha256::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => unreachable_key(),
    }
}

#[cold]
fn unreachable_key() -> HmacSha256 {
    // Only reachable if the hmac crate changed its contract; a fixed key
    // keeps the program sound (verification then fails closed).
    HmacSha256::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| std::process::abort())
}

/// The token for `claims`, signed with `secret`.
pub fn sign(secret: &[u8], claims: &LinkClaims) -> String {
    let payload = serde_json::to_vec(claims).unwrap_or_default();
    let mut m = mac(secret);
    m.update(&payload);
    let tag = m.finalize().into_bytes();
    format!("{}.{}", hex::encode(&payload), hex::encode(tag))
}

/// The claims of `token` if `secret` signed it and it has not expired at `now`.
pub fn verify(secret: &[u8], token: &str, now: Millis) -> Result<LinkClaims, Refusal> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(Refusal::Malformed);
    }
    let (payload, tag) = token.split_once('.').ok_or(Refusal::Malformed)?;
    let payload = hex::decode(payload).map_err(|_| Refusal::Malformed)?;
    let tag = hex::decode(tag).map_err(|_| Refusal::Malformed)?;
    // A MAC of the wrong length, or nothing signed, is not a token at all.
    if payload.is_empty() || tag.len() != 32 {
        return Err(Refusal::Malformed);
    }
    let mut m = mac(secret);
    m.update(&payload);
    m.verify_slice(&tag).map_err(|_| Refusal::Forged)?;
    let claims: LinkClaims = serde_json::from_slice(&payload).map_err(|_| Refusal::Malformed)?;
    if claims.expires_at <= now {
        return Err(Refusal::Expired);
    }
    Ok(claims)
}

/// The key a used link is remembered under: a hash of the whole token, so
/// the store never holds a usable link.
pub fn used_key(token: &str) -> String {
    use sha2::Digest;
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> LinkClaims {
        LinkClaims {
            user: UserKey::from("JIRAUSER10100"),
            policy: PolicyId::from("idle-90"),
            cycle: Millis(1_700_000_000_000),
            purpose: Purpose::KeepAccess,
            expires_at: Millis(1_800_000_000_000),
            nonce: "00ff".into(),
        }
    }

    #[test]
    fn a_signed_link_verifies_until_it_expires() {
        let t = sign(b"secret", &claims());
        assert_eq!(
            verify(b"secret", &t, Millis(1_799_999_999_999)),
            Ok(claims())
        );
        assert_eq!(
            verify(b"secret", &t, Millis(1_800_000_000_000)),
            Err(Refusal::Expired)
        );
    }

    #[test]
    fn another_secret_or_an_altered_payload_is_forged() {
        let t = sign(b"secret", &claims());
        assert_eq!(verify(b"rotated", &t, Millis(0)), Err(Refusal::Forged));
        // Another user's key, re-encoded with the original MAC.
        let mut other = claims();
        other.user = UserKey::from("JIRAUSER10101");
        let forged_payload = sign(b"secret", &other);
        let (payload, _) = forged_payload.split_once('.').unwrap();
        let (_, tag) = t.split_once('.').unwrap();
        assert_eq!(
            verify(b"secret", &format!("{payload}.{tag}"), Millis(0)),
            Err(Refusal::Forged)
        );
        // A flipped hex digit in the MAC.
        let mut bad = t.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert_eq!(verify(b"secret", &bad, Millis(0)), Err(Refusal::Forged));
    }

    #[test]
    fn junk_is_malformed_and_long_input_is_not_read() {
        for t in [
            "",
            ".",
            "zz.zz",
            "abc",
            "00.",
            &"a".repeat(MAX_TOKEN_LEN + 1),
        ] {
            assert_eq!(
                verify(b"secret", t, Millis(0)),
                Err(Refusal::Malformed),
                "{t}"
            );
        }
        // A valid MAC over bytes that are not claims.
        let mut m = mac(b"secret");
        m.update(b"[]");
        let t = format!(
            "{}.{}",
            hex::encode(b"[]"),
            hex::encode(m.finalize().into_bytes())
        );
        assert_eq!(verify(b"secret", &t, Millis(0)), Err(Refusal::Malformed));
    }

    #[test]
    fn used_keys_differ_per_token_and_hide_it() {
        let a = sign(b"s", &claims());
        let mut c = claims();
        c.nonce = "01".into();
        let b = sign(b"s", &c);
        assert_ne!(used_key(&a), used_key(&b));
        assert!(!used_key(&a).contains(a.split('.').next().unwrap()));
    }
}
