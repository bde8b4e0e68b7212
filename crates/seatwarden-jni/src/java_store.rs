//! The record backend over a Java object: rows in the product's database
//! (Active Objects inside Jira and Confluence), reached by upcalls.
//!
//! Java hands in a `StoreBridge` (an adapter around the plugin's
//! `io.seatwarden.bridge.RecordStore`); each [`RecordBackend`] method is one
//! `byte[] call(byte[])` with a JSON request and a reply in our envelope's
//! shape. `seatwarden-store-records` builds the whole Store on these rows,
//! so the Java side holds no rule about configuration, audit, runs or leases.
//!
//! Exceptions: the adapter answers `DuplicateKeyException` as
//! `duplicate_key`, `HostUnavailableException` as `unavailable`, anything
//! else as `internal`; an exception escaping the adapter is cleared by
//! [`Port::call`]. None is ever left pending.

use jni::JNIEnv;
use jni::objects::JObject;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use seatwarden_core::Millis;
use seatwarden_store_records::{
    BackendError, NewRecord, Record, RecordBackend, RecordStore, Scan, Table,
};

use crate::upcall::{Port, PortFailure, Reply, decode_error};

/// One call to the Java store, as the adapter reads it.
#[derive(Debug, Serialize)]
#[serde(tag = "method", rename_all = "camelCase")]
enum StoreCall<'a> {
    Insert {
        table: &'a str,
        records: &'a [NewRecord],
    },
    Get {
        table: &'a str,
        key: &'a str,
    },
    GetById {
        table: &'a str,
        id: i64,
    },
    Update {
        table: &'a str,
        id: i64,
        expected_revision: i64,
        time: Millis,
        kind: Option<&'a str>,
        body: &'a str,
    },
    Scan {
        table: &'a str,
        scan: &'a Scan,
    },
    Count {
        table: &'a str,
        scan: &'a Scan,
    },
    Delete {
        table: &'a str,
        scan: &'a Scan,
    },
}

impl StoreCall<'_> {
    fn name(&self) -> &'static str {
        match self {
            StoreCall::Insert { .. } => "insert",
            StoreCall::Get { .. } => "get",
            StoreCall::GetById { .. } => "getById",
            StoreCall::Update { .. } => "update",
            StoreCall::Scan { .. } => "scan",
            StoreCall::Count { .. } => "count",
            StoreCall::Delete { .. } => "delete",
        }
    }
}

/// Rows in the product's database, by upcalls into a Java `StoreBridge`.
pub(crate) struct JavaRecordBackend {
    port: Port,
}

impl JavaRecordBackend {
    /// Holds `bridge` (a `StoreBridge`) for the service's lifetime.
    pub(crate) fn new(env: &mut JNIEnv<'_>, bridge: &JObject<'_>) -> jni::errors::Result<Self> {
        Ok(JavaRecordBackend {
            port: Port::new(env, bridge)?,
        })
    }

    /// Sends `call`; `Ok(None)` when the answer is `null`.
    fn ask<T: DeserializeOwned>(
        &self,
        table: Table,
        call: &StoreCall<'_>,
    ) -> Result<Option<T>, BackendError> {
        let request = serde_json::to_vec(call).map_err(|_| {
            BackendError::Invalid("the store request could not be written".to_owned())
        })?;
        let answer = self.port.call(&request).map_err(port_error)?;
        let reply: Reply<T> = serde_json::from_slice(&answer)
            .map_err(|e| BackendError::Invalid(decode_error(call.name(), &e)))?;
        if reply.ok {
            return Ok(reply.result);
        }
        match reply.error {
            Some(err) if err.kind == "duplicate_key" => Err(BackendError::DuplicateKey {
                table: table.as_str(),
                key: err.key.unwrap_or_default(),
            }),
            Some(err) if err.kind == "unavailable" => Err(BackendError::Unavailable(
                err.message.unwrap_or_else(|| "no reason given".to_owned()),
            )),
            Some(err) => Err(BackendError::Invalid(err.describe())),
            None => Err(BackendError::Invalid(format!(
                "the answer to `{}` is a failure without an error",
                call.name()
            ))),
        }
    }

    fn ask_some<T: DeserializeOwned>(
        &self,
        table: Table,
        call: &StoreCall<'_>,
    ) -> Result<T, BackendError> {
        self.ask(table, call)?.ok_or_else(|| {
            BackendError::Invalid(format!("the answer to `{}` has no result", call.name()))
        })
    }
}

/// The Store the service uses inside a product: the record store over the Java rows.
pub(crate) fn record_store(backend: JavaRecordBackend) -> RecordStore<JavaRecordBackend> {
    RecordStore::new(backend)
}

/// Runs the record-backend conformance suite (the checks that run on the
/// calling thread) on the first backend of `fresh`.
#[cfg(feature = "testing")]
pub(crate) fn backend_conformance(
    fresh: &std::cell::RefCell<std::collections::VecDeque<JavaRecordBackend>>,
) -> Result<(), String> {
    let backend = fresh
        .borrow_mut()
        .pop_front()
        .ok_or_else(|| "the test handed in no empty store".to_owned())?;
    seatwarden_store_records::backend_conformance::check_all(&backend)
}

fn port_error(failure: PortFailure) -> BackendError {
    match failure {
        PortFailure::Threw => BackendError::Invalid(failure.to_string()),
        PortFailure::NotAttached | PortFailure::Jni(_) => {
            BackendError::Unavailable(failure.to_string())
        }
    }
}

/// What `update` answers when it changed the row.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Revision {
    revision: i64,
}

impl RecordBackend for JavaRecordBackend {
    fn insert(&self, table: Table, records: &[NewRecord]) -> Result<Vec<i64>, BackendError> {
        let ids: Vec<i64> = self.ask_some(
            table,
            &StoreCall::Insert {
                table: table.as_str(),
                records,
            },
        )?;
        if ids.len() != records.len() {
            return Err(BackendError::Invalid(format!(
                "insert into `{}` answered {} ids for {} records",
                table.as_str(),
                ids.len(),
                records.len()
            )));
        }
        Ok(ids)
    }

    fn get(&self, table: Table, key: &str) -> Result<Option<Record>, BackendError> {
        self.ask(
            table,
            &StoreCall::Get {
                table: table.as_str(),
                key,
            },
        )
    }

    fn get_by_id(&self, table: Table, id: i64) -> Result<Option<Record>, BackendError> {
        self.ask(
            table,
            &StoreCall::GetById {
                table: table.as_str(),
                id,
            },
        )
    }

    fn update(
        &self,
        table: Table,
        id: i64,
        expected_revision: i64,
        time: Millis,
        kind: Option<&str>,
        body: &str,
    ) -> Result<Option<i64>, BackendError> {
        let revision: Option<Revision> = self.ask(
            table,
            &StoreCall::Update {
                table: table.as_str(),
                id,
                expected_revision,
                time,
                kind,
                body,
            },
        )?;
        Ok(revision.map(|r| r.revision))
    }

    fn scan(&self, table: Table, scan: &Scan) -> Result<Vec<Record>, BackendError> {
        self.ask_some(
            table,
            &StoreCall::Scan {
                table: table.as_str(),
                scan,
            },
        )
    }

    fn count(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.ask_some(
            table,
            &StoreCall::Count {
                table: table.as_str(),
                scan,
            },
        )
    }

    fn delete(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.ask_some(
            table,
            &StoreCall::Delete {
                table: table.as_str(),
                scan,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwarden_store_records::Order;

    #[test]
    fn calls_carry_the_table_and_the_record_shapes() {
        let records = [NewRecord {
            key: Some("k".into()),
            group: None,
            time: Millis(5),
            kind: Some("x".into()),
            body: "{}".into(),
        }];
        assert_eq!(
            serde_json::to_string(&StoreCall::Insert {
                table: Table::Audit.as_str(),
                records: &records
            })
            .unwrap(),
            r#"{"method":"insert","table":"audit","records":[{"key":"k","group":null,"time":5,"kind":"x","body":"{}"}]}"#
        );
        let scan = Scan {
            group: Some(3),
            kinds: vec!["a".into()],
            order: Order::Descending,
            limit: Some(2),
            ..Scan::default()
        };
        assert_eq!(
            serde_json::to_string(&StoreCall::Count {
                table: "runs",
                scan: &scan
            })
            .unwrap(),
            r#"{"method":"count","table":"runs","scan":{"group":3,"kinds":["a"],"time_from":null,"time_to":null,"after_id":null,"before_id":null,"order":"descending","limit":2}}"#
        );
        assert_eq!(
            serde_json::to_string(&StoreCall::Update {
                table: "leases",
                id: 4,
                expected_revision: 2,
                time: Millis(9),
                kind: None,
                body: "b"
            })
            .unwrap(),
            r#"{"method":"update","table":"leases","id":4,"expected_revision":2,"time":9,"kind":null,"body":"b"}"#
        );
    }
}
