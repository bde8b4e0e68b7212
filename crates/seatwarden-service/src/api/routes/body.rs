//! Typed request bodies: each handler declares its body as a
//! `#[derive(Deserialize)]` struct and reads it with [`typed`].
//!
//! Why not plain `req.json::<T>()`: serde's own messages name the wrong
//! shape but not *where* (`invalid type: integer `7`, expected a string`),
//! and they quote the input, which may be a username. The admin API has
//! always answered `field `names[1]` must be a string`, and the UI shows
//! that text beside the field. So the body goes through
//! [`serde_path_to_error`], which tracks the path of the value that
//! failed, and [`field_error`] turns serde's `…, expected X` into
//! `field `path` must be X`. The "X" is ours: fields whose default
//! expectation reads badly (`u64`, `a sequence`) name it with the
//! `deserialize_with` helpers below ([`seq_of`], [`expecting`],
//! [`version`]).
//!
//! The strict-JSON rules stay where they were: the body is first read by
//! [`ApiRequest::json`] (a repeated key anywhere is refused with its path,
//! a syntax error names line and column), then must be an object, then is
//! typed. Unknown fields are ignored unless a struct says
//! `deny_unknown_fields`, as before the bodies were typed.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, SeqAccess, Unexpected, Visitor};
use serde_json::Value;

use crate::api::{ApiError, ApiRequest};
use crate::store::ConfigVersion;

/// The body as `T`, or a precise bad-request error naming the field.
pub(crate) fn typed<T: DeserializeOwned>(req: &ApiRequest) -> Result<T, ApiError> {
    let value = req.json::<Value>()?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    from_value(value)
}

/// [`typed`] over an already parsed JSON object (a body that is also kept
/// as a document, e.g. a policy).
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| field_error(&e))
}

/// One message per mistake, never quoting the input.
fn field_error(e: &serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let message = e.inner().to_string();
    let path = e.path().to_string();
    // `missing field `x`` and `unknown field `x`, expected one of …` name
    // the field themselves.
    if message.starts_with("missing field") || message.starts_with("unknown field") {
        return ApiError::bad_request(seatwarden_core::json_error::redact(&message));
    }
    // A Rust type ("u32") is a developer's word: say what the field takes.
    let words = seatwarden_core::json_error::in_words(e.inner());
    if words.starts_with("must be a whole number") || words == "must be a number" {
        return ApiError::bad_request(format!("field `{path}` {words}"))
            .with_details(serde_json::json!({"problems": [{"path": path, "message": words}]}));
    }
    match message.rsplit_once(", expected ") {
        Some((_, expected)) => ApiError::bad_request(format!("field `{path}` must be {expected}")),
        None => ApiError::bad_request(format!(
            "field `{path}`: {}",
            seatwarden_core::json_error::redact(&message)
        )),
    }
}

/// A JSON array of `T` whose wrong shape is described as `what` (e.g. "an
/// array of group names"); a wrong element is named by its index.
pub(crate) fn seq_of<'de, D, T>(d: D, what: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct SeqOf<T>(&'static str, PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for SeqOf<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element()? {
                out.push(item);
            }
            Ok(out)
        }
    }
    d.deserialize_seq(SeqOf(what, PhantomData))
}

/// [`seq_of`] where `null` (or, with `#[serde(default)]`, an absent
/// field) means "not given".
pub(crate) fn opt_seq_of<'de, D, T>(d: D, what: &'static str) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct OptSeqOf<T>(&'static str, PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for OptSeqOf<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            seq_of(d, self.0).map(Some)
        }
    }
    d.deserialize_option(OptSeqOf(what, PhantomData))
}

/// A scalar `T` whose wrong shape is described as `what` (e.g. "UTC
/// milliseconds" rather than `i64`). Only for values without inner fields:
/// the inner path and message are replaced.
pub(crate) fn expecting<'de, D, T>(d: D, what: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    T::deserialize(value).map_err(|_| de::Error::invalid_type(Unexpected::Other("value"), &what))
}

/// The `configVersion` a change is based on: absent or `null` is `None`
/// (the caller decides whether it is required), a number must be whole.
pub(crate) fn version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ConfigVersion>, D::Error> {
    struct Version;
    impl<'de> Visitor<'de> for Version {
        type Value = Option<ConfigVersion>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a number")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(ConfigVersion(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            u64::try_from(v)
                .map(|v| Some(ConfigVersion(v)))
                .map_err(|_| E::invalid_value(Unexpected::Signed(v), &"a whole number"))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(E::invalid_value(Unexpected::Float(v), &"a whole number"))
        }
    }
    d.deserialize_any(Version)
}

/// A body that carries only the `configVersion` it was based on (the rest
/// of the body is read as a document by the caller).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Versioned {
    #[serde(rename = "configVersion", default, deserialize_with = "version")]
    pub config_version: Option<ConfigVersion>,
}

impl Versioned {
    /// The version, or the error a change without one gets.
    pub(crate) fn required(&self) -> Result<ConfigVersion, ApiError> {
        required(self.config_version)
    }
}

/// A `configVersion` a change must name: without it a stale edit would
/// silently overwrite another admin's.
pub(crate) fn required(version: Option<ConfigVersion>) -> Result<ConfigVersion, ApiError> {
    version.ok_or_else(|| ApiError::bad_request("missing field `configVersion`"))
}

/// A body naming the plan it runs by its hash (bulk, import).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PlanHash {
    pub plan_hash: String,
}
