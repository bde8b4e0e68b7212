//! The Host port over a Java object: the product's user directory inside
//! Jira or Confluence, reached by upcalls.
//!
//! Java hands in a `HostBridge` (an adapter around the plugin's
//! `io.seatwarden.bridge.Host`) when it opens a service; every Host method
//! here is one `byte[] call(byte[])` on it, on the calling thread, with a
//! small JSON request (`{"method":"users","cursor":…,"limit":…}`) and a reply
//! in our envelope's shape. The shapes are the snapshot format's, so a users
//! page goes straight into the index builder: `usersJson` answers the reply
//! envelope (`{"ok":true,"result":{"next":…,"length":…}}`) followed by the
//! page's own `{"users":[…]}`, and those bytes are handed to the builder as
//! they came ([`Host::users_page_json`]), never decoded into users first.
//! The answer is the bridge's own page buffer, lent to us until we hand it
//! back ([`Port::call_lent`]): read in place, only its first `length` bytes
//! count, and the page is copied exactly once, into the builder's `Vec`.
//!
//! A Java exception never stays pending: the adapter answers the declared
//! `HostUnavailableException` as `unavailable`, anything else as `internal`,
//! and what still escapes is cleared by [`Port::call`].

use jni::JNIEnv;
use jni::objects::JObject;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{
    NO_DELETION_GRACE_IN_DATA_CENTER, NO_SUSPENSION_IN_DATA_CENTER, Operation, OperationFailure,
};
use seatwarden_core::snapshot::{SnapshotHeader, SnapshotUser};
use seatwarden_service::host::{Applied, Host, HostError, RawUsersPage, UsersPage};

use crate::upcall::{Port, PortFailure, Reply, decode_error};

/// One call to the Java host, as the adapter reads it.
#[derive(Debug, Serialize)]
#[serde(tag = "method", rename_all = "camelCase")]
enum HostCall<'a> {
    Header,
    Users {
        cursor: Option<&'a str>,
        limit: usize,
    },
    User {
        key: &'a str,
    },
    UsersJson {
        cursor: Option<&'a str>,
        limit: usize,
    },
    UserByUsername {
        username: &'a str,
    },
    Apply {
        operation: &'a Operation,
    },
}

impl HostCall<'_> {
    fn name(&self) -> &'static str {
        match self {
            HostCall::Header => "header",
            HostCall::Users { .. } => "users",
            HostCall::UsersJson { .. } => "usersJson",
            HostCall::User { .. } => "user",
            HostCall::UserByUsername { .. } => "userByUsername",
            HostCall::Apply { .. } => "apply",
        }
    }
}

/// A users page as the adapter writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PageWire {
    users: Vec<SnapshotUser>,
    #[serde(default)]
    next: Option<String>,
}

/// The envelope's result before a raw page: the next cursor, and how many
/// bytes of the array are the answer (`HostBridge` lends its page buffer,
/// whose tail is left over from earlier pages; absent = all of them).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NextWire {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    length: Option<usize>,
}

/// What `apply` answers: `{"createdUser":…}` or `{"failure":{"kind","detail"}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplyWire {
    #[serde(default)]
    created_user: Option<String>,
    #[serde(default)]
    failure: Option<FailureWire>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FailureWire {
    kind: String,
    #[serde(default)]
    detail: Option<String>,
}

impl FailureWire {
    fn into_failure(self) -> OperationFailure {
        let detail = self.detail.unwrap_or_default();
        match self.kind.as_str() {
            "read_only_directory" => OperationFailure::ReadOnlyDirectory,
            "vetoed" => OperationFailure::Vetoed(detail),
            "not_found" => OperationFailure::NotFound,
            "permission_denied" => OperationFailure::PermissionDenied,
            "no_seat" => OperationFailure::NoSeat,
            "already_exists" => OperationFailure::AlreadyExists,
            "host" => OperationFailure::Host(detail),
            other => OperationFailure::Host(format!("unknown failure kind `{other}`")),
        }
    }
}

/// The product's directory, by upcalls into a Java `HostBridge`.
pub(crate) struct JavaHost {
    port: Port,
}

impl JavaHost {
    /// Holds `bridge` (a `HostBridge`) for the service's lifetime.
    pub(crate) fn new(env: &mut JNIEnv<'_>, bridge: &JObject<'_>) -> jni::errors::Result<Self> {
        Ok(JavaHost {
            port: Port::new(env, bridge)?,
        })
    }

    /// Sends `call`; `Ok(None)` when the answer is `null`.
    fn ask<T: DeserializeOwned>(&self, call: &HostCall<'_>) -> Result<Option<T>, HostError> {
        let answer = self.send(call)?;
        let reply: Reply<T> = serde_json::from_slice(&answer)
            .map_err(|e| HostError::Invalid(decode_error(call.name(), &e)))?;
        unwrap_reply(call, reply)
    }

    fn send(&self, call: &HostCall<'_>) -> Result<Vec<u8>, HostError> {
        let request = serde_json::to_vec(call)
            .map_err(|_| HostError::Invalid("the host request could not be written".to_owned()))?;
        self.port.call(&request).map_err(port_error)
    }

    /// A users page as the Java bytes it arrived in (see the module docs).
    ///
    /// The answer is `HostBridge`'s own page buffer, read in place: only the
    /// envelope is parsed, and the page's bytes are copied once, straight
    /// into the `Vec` the index builder reads.
    fn users_raw(&self, cursor: Option<&str>, limit: usize) -> Result<RawUsersPage, HostError> {
        let call = HostCall::UsersJson { cursor, limit };
        let request = serde_json::to_vec(&call)
            .map_err(|_| HostError::Invalid("the host request could not be written".to_owned()))?;
        self.port
            .call_lent(&request, |answer| {
                let (next, page) = split_raw_page(&call, answer)?;
                Ok(RawUsersPage::new(page.to_vec(), next))
            })
            .map_err(port_error)?
    }

    fn ask_some<T: DeserializeOwned>(&self, call: &HostCall<'_>) -> Result<T, HostError> {
        self.ask(call)?.ok_or_else(|| {
            HostError::Invalid(format!("the answer to `{}` has no result", call.name()))
        })
    }
}

/// Reads the envelope at the start of a `usersJson` answer: the next cursor
/// and the page's JSON (after the envelope, up to the answer's `length`).
/// Only the envelope is parsed here; the page is the index builder's to parse
/// (and to reject precisely).
fn split_raw_page<'a>(
    call: &HostCall<'_>,
    answer: &'a [u8],
) -> Result<(Option<String>, &'a [u8]), HostError> {
    let mut envelope = serde_json::Deserializer::from_slice(answer).into_iter::<Reply<NextWire>>();
    let reply = match envelope.next() {
        Some(Ok(reply)) => reply,
        Some(Err(e)) => return Err(HostError::Invalid(decode_error(call.name(), &e))),
        None => {
            return Err(HostError::Invalid(format!(
                "the answer to `{}` is empty",
                call.name()
            )));
        }
    };
    let start = envelope.byte_offset();
    let result = unwrap_reply(call, reply)?.ok_or_else(|| {
        HostError::Invalid(format!("the answer to `{}` has no result", call.name()))
    })?;
    let end = result.length.unwrap_or(answer.len());
    let page = answer.get(start..end).ok_or_else(|| {
        HostError::Invalid(format!(
            "the answer to `{}` says it is {end} bytes long, but its envelope ends at byte {start} \
             of {}",
            call.name(),
            answer.len()
        ))
    })?;
    if page.iter().all(u8::is_ascii_whitespace) {
        return Err(HostError::Invalid(format!(
            "the answer to `{}` has no page after its envelope",
            call.name()
        )));
    }
    Ok((result.next, page))
}

/// The result of a reply, or its error as a [`HostError`].
fn unwrap_reply<T>(call: &HostCall<'_>, reply: Reply<T>) -> Result<Option<T>, HostError> {
    if reply.ok {
        return Ok(reply.result);
    }
    match reply.error {
        Some(err) if err.kind == "unavailable" => Err(HostError::Unavailable(
            err.message.unwrap_or_else(|| "no reason given".to_owned()),
        )),
        Some(err) => Err(HostError::Invalid(err.describe())),
        None => Err(HostError::Invalid(format!(
            "the answer to `{}` is a failure without an error",
            call.name()
        ))),
    }
}

fn port_error(failure: PortFailure) -> HostError {
    match failure {
        PortFailure::Threw => HostError::Invalid(failure.to_string()),
        PortFailure::NotAttached | PortFailure::Jni(_) => {
            HostError::Unavailable(failure.to_string())
        }
    }
}

/// What the Data Center products cannot do at all, refused here with the
/// reason instead of crossing into Java (whose codec does not know these
/// operations and would answer with a malformed-input error).
fn refused_before_java(operation: &Operation) -> Option<OperationFailure> {
    match operation {
        Operation::Suspend { .. } | Operation::Restore { .. } => Some(
            OperationFailure::Unsupported(NO_SUSPENSION_IN_DATA_CENTER.to_owned()),
        ),
        Operation::CancelDeletion { .. } => Some(OperationFailure::Unsupported(
            NO_DELETION_GRACE_IN_DATA_CENTER.to_owned(),
        )),
        _ => None,
    }
}

impl Host for JavaHost {
    fn header(&self) -> Result<SnapshotHeader, HostError> {
        self.ask_some(&HostCall::Header)
    }

    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        let page: PageWire = self.ask_some(&HostCall::Users { cursor, limit })?;
        Ok(UsersPage {
            users: page.users,
            next: page.next,
        })
    }

    fn users_page_json(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Option<Result<RawUsersPage, HostError>> {
        Some(self.users_raw(cursor, limit))
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        self.ask(&HostCall::User { key: key.as_str() })
    }

    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        self.ask(&HostCall::UserByUsername { username })
    }

    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        if let Some(failure) = refused_before_java(operation) {
            return Err(failure);
        }
        let answer: ApplyWire = self
            .ask_some(&HostCall::Apply { operation })
            .map_err(|e| OperationFailure::Host(e.to_string()))?;
        match answer.failure {
            Some(failure) => Err(failure.into_failure()),
            None => Ok(Applied {
                created_user: answer.created_user.map(UserKey::from),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suspension_is_refused_with_its_reason_before_reaching_java() {
        for op in [
            Operation::Suspend { user: "K1".into() },
            Operation::Restore { user: "K1".into() },
        ] {
            assert_eq!(
                refused_before_java(&op),
                Some(OperationFailure::Unsupported(
                    NO_SUSPENSION_IN_DATA_CENTER.to_owned()
                ))
            );
        }
        assert!(matches!(
            refused_before_java(&Operation::CancelDeletion { user: "K1".into() }),
            Some(OperationFailure::Unsupported(_))
        ));
        assert_eq!(
            refused_before_java(&Operation::Deactivate { user: "K1".into() }),
            None
        );
    }

    #[test]
    fn calls_are_tagged_by_method() {
        let op = Operation::AddToGroup {
            user: UserKey::from("K1"),
            group: "staff".into(),
        };
        let cases = [
            (HostCall::Header, r#"{"method":"header"}"#),
            (
                HostCall::Users {
                    cursor: None,
                    limit: 5,
                },
                r#"{"method":"users","cursor":null,"limit":5}"#,
            ),
            (
                HostCall::UsersJson {
                    cursor: Some("K9"),
                    limit: 10000,
                },
                r#"{"method":"usersJson","cursor":"K9","limit":10000}"#,
            ),
            (
                HostCall::User { key: "K1" },
                r#"{"method":"user","key":"K1"}"#,
            ),
            (
                HostCall::UserByUsername { username: "ann" },
                r#"{"method":"userByUsername","username":"ann"}"#,
            ),
            (
                HostCall::Apply { operation: &op },
                r#"{"method":"apply","operation":{"op":"add_to_group","user":"K1","group":"staff"}}"#,
            ),
        ];
        for (call, json) in cases {
            assert_eq!(serde_json::to_string(&call).unwrap(), json);
        }
    }

    #[test]
    fn failures_map_to_their_operation_failure() {
        let f = |kind: &str, detail: Option<&str>| {
            FailureWire {
                kind: kind.to_owned(),
                detail: detail.map(str::to_owned),
            }
            .into_failure()
        };
        assert_eq!(
            f("read_only_directory", None),
            OperationFailure::ReadOnlyDirectory
        );
        assert_eq!(
            f("vetoed", Some("leads a project")),
            OperationFailure::Vetoed("leads a project".into())
        );
        assert_eq!(f("not_found", None), OperationFailure::NotFound);
        assert_eq!(
            f("permission_denied", None),
            OperationFailure::PermissionDenied
        );
        assert_eq!(f("no_seat", None), OperationFailure::NoSeat);
        assert_eq!(f("already_exists", None), OperationFailure::AlreadyExists);
        assert_eq!(f("host", Some("x")), OperationFailure::Host("x".into()));
        assert!(matches!(f("weird", None), OperationFailure::Host(_)));
    }

    #[test]
    fn replies_decode_results_nulls_and_errors() {
        let page: Reply<PageWire> = serde_json::from_str(
            r#"{"ok":true,"result":{"users":[{"key":"K","username":"u","directoryId":1,"active":true,"created":1700000000000}],"next":"K"}}"#,
        )
        .unwrap();
        let page = page.result.unwrap();
        assert_eq!(page.users.len(), 1);
        assert_eq!(page.next.as_deref(), Some("K"));
        let none: Reply<SnapshotUser> =
            serde_json::from_str(r#"{"ok":true,"result":null}"#).unwrap();
        assert!(none.ok && none.result.is_none());
        let err: Reply<SnapshotUser> = serde_json::from_str(
            r#"{"ok":false,"error":{"kind":"unavailable","message":"database down"}}"#,
        )
        .unwrap();
        assert_eq!(err.error.unwrap().message.as_deref(), Some("database down"));
    }

    #[test]
    fn raw_pages_split_after_their_envelope() {
        let call = HostCall::UsersJson {
            cursor: None,
            limit: 2,
        };
        let page = br#"{"users":[{"key":"K","username":"u","directoryId":1,"active":true,"created":1700000000000}]}"#;
        let mut answer = br#"{"ok":true,"result":{"next":"K"}}"#.to_vec();
        answer.push(b'\n');
        answer.extend_from_slice(page);
        let (next, json) = split_raw_page(&call, &answer).unwrap();
        assert_eq!(next.as_deref(), Some("K"));
        assert_eq!(json.trim_ascii_start(), page.as_slice());

        // The last page: no cursor.
        let last = [br#"{"ok":true,"result":{"next":null}}"#.as_slice(), page].concat();
        assert_eq!(split_raw_page(&call, &last).unwrap().0, None);

        // A lent buffer: the answer is its first `length` bytes (the number
        // padded with the spaces left for it), the rest is an older page.
        let envelope = br#"{"ok":true,"result":{"next":"K","length":"#;
        let padded = |n: usize| format!("{n:>10}}}}}\n");
        let used = envelope.len() + padded(0).len() + page.len();
        let mut lent = [envelope.as_slice(), padded(used).as_bytes(), page].concat();
        lent.extend_from_slice(br#",{"key":"stale"}]}garbage"#);
        let (next, json) = split_raw_page(&call, &lent).unwrap();
        assert_eq!(next.as_deref(), Some("K"));
        assert_eq!(json.trim_ascii_start(), page.as_slice());

        // A length past the array, or inside the envelope: refused, not read.
        for wrong in [lent.len() + 1, envelope.len()] {
            let bad = [envelope.as_slice(), padded(wrong).as_bytes(), page].concat();
            match split_raw_page(&call, &bad) {
                Err(HostError::Invalid(m)) => assert!(m.contains("bytes long"), "{m}"),
                other => panic!("{other:?}"),
            }
        }

        // Errors are the envelope alone, and keep their kinds.
        let down = br#"{"ok":false,"error":{"kind":"unavailable","message":"database down"}}"#;
        assert_eq!(
            split_raw_page(&call, down).unwrap_err(),
            HostError::Unavailable("database down".into())
        );
        let threw =
            br#"{"ok":false,"error":{"kind":"internal","type":"java.lang.IllegalStateException"}}"#;
        assert!(matches!(
            split_raw_page(&call, threw).unwrap_err(),
            HostError::Invalid(m) if m.contains("IllegalStateException")
        ));

        // A page missing, a result missing, a broken envelope: precise refusals.
        for (bad, says) in [
            (&br#"{"ok":true,"result":{"next":"K"}}  "#[..], "no page"),
            (
                &br#"{"ok":true,"result":null}{"users":[]}"#[..],
                "no result",
            ),
            (
                &br#"{"ok":true,"result":{"next":"K","more":1}}{"users":[]}"#[..],
                "usersJson",
            ),
            (&br#"{"ok":tru"#[..], "usersJson"),
            (&b""[..], "usersJson"),
        ] {
            match split_raw_page(&call, bad) {
                Err(HostError::Invalid(m)) => assert!(m.contains(says), "{m}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
