//! Markers (see `seatwarden_service::store::marker`) over the record
//! backend.
//!
//! They live in the leases table: both are small keyed rows with an expiry
//! that are claimed by compare-and-set, and a table of their own would need
//! a new Active Objects entity in the plugin for no gain. Marker rows carry
//! the key `marker:<kind>:<key>` and the row kind `marker:<kind>` (lease
//! rows have none), so a listing is one scan by kind and lease lookups by
//! policy id never meet them.

use serde::{Deserialize, Serialize};

use seatwarden_core::Millis;
use seatwarden_service::store::marker::{RATE, RateCount};
use seatwarden_service::store::{Marker, StoreResult};

use super::{CAS_ATTEMPTS, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{BackendError, NewRecord, Record, RecordBackend, Scan, Table};

#[derive(Serialize, Deserialize)]
struct MarkerBody {
    key: String,
    value: String,
}

fn row_key(m: &Marker) -> String {
    format!("marker:{}:{}", m.kind, m.key)
}

/// A marker's row body (its key and value; the kind and expiry are columns).
fn body_of(m: &Marker) -> StoreResult<String> {
    encode(&MarkerBody {
        key: m.key.clone(),
        value: m.value.clone(),
    })
}

fn row_kind(kind: &str) -> String {
    format!("marker:{kind}")
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    pub(super) fn claim_marker_row(&self, m: &Marker, now: Millis) -> StoreResult<Option<Marker>> {
        // Lapsed markers of this kind go as claims pass (as in the other
        // stores), so used links and event ids do not pile up beyond the
        // live ones. A concurrent claimer updating one of them loses its
        // compare-and-set and looks again.
        let lapsed = Scan {
            kinds: vec![row_kind(&m.kind)],
            time_to: Some(Millis(now.0.saturating_add(1))),
            ..Scan::default()
        };
        self.backend
            .delete(Table::Leases, &lapsed)
            .map_err(backend_err)?;
        self.write_marker(m, Some(now))
    }

    pub(super) fn put_marker_row(&self, m: &Marker) -> StoreResult<()> {
        self.write_marker(m, None).map(drop)
    }

    /// Stores `m` by compare-and-set. With `claim_at`, a marker still live
    /// then is kept and answered (a claim); without, it is replaced (a put).
    fn write_marker(&self, m: &Marker, claim_at: Option<Millis>) -> StoreResult<Option<Marker>> {
        let body = body_of(m)?;
        let kind = row_kind(&m.kind);
        for _ in 0..CAS_ATTEMPTS {
            match self
                .backend
                .get(Table::Leases, &row_key(m))
                .map_err(backend_err)?
            {
                None => {
                    let row = NewRecord {
                        key: Some(row_key(m)),
                        group: None,
                        time: m.expires_at,
                        kind: Some(kind.clone()),
                        body: body.clone(),
                    };
                    match self.backend.insert(Table::Leases, &[row]) {
                        Ok(_) => return Ok(None),
                        Err(BackendError::DuplicateKey { .. }) => {}
                        Err(e) => return Err(backend_err(e)),
                    }
                }
                Some(r) if claim_at.is_some_and(|now| r.time > now) => {
                    let held: MarkerBody = decode(Table::Leases, &r)?;
                    return Ok(Some(Marker {
                        value: held.value,
                        expires_at: r.time,
                        ..m.clone()
                    }));
                }
                Some(r) => {
                    if self.overwrite(&r, m, &kind, &body)? {
                        return Ok(None);
                    }
                }
            }
        }
        Err(contention(Table::Leases))
    }

    /// Replaces the row while its value is `expected`, by the backend's
    /// compare-and-set on the row's revision (in the plugin: Active
    /// Objects under the table's cluster lock, as every version-checked
    /// write there). A writer whose revision moved reads again, and then
    /// finds the other writer's value: `false`.
    pub(super) fn replace_marker_row(
        &self,
        m: &Marker,
        expected: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let body = body_of(m)?;
        let kind = row_kind(&m.kind);
        for _ in 0..CAS_ATTEMPTS {
            let Some(r) = self
                .backend
                .get(Table::Leases, &row_key(m))
                .map_err(backend_err)?
            else {
                return Ok(false);
            };
            if r.time <= now || r.kind.as_deref() != Some(kind.as_str()) {
                return Ok(false);
            }
            let held: MarkerBody = decode(Table::Leases, &r)?;
            if held.value != expected {
                return Ok(false);
            }
            if self.overwrite(&r, m, &kind, &body)? {
                return Ok(true);
            }
        }
        Err(contention(Table::Leases))
    }

    /// Writes `m` over row `r` if its revision has not moved since it was
    /// read (the backend's compare-and-set): whether it was written.
    fn overwrite(&self, r: &Record, m: &Marker, kind: &str, body: &str) -> StoreResult<bool> {
        Ok(self
            .backend
            .update(
                Table::Leases,
                r.id,
                r.revision,
                m.expires_at,
                Some(kind),
                body,
            )
            .map_err(backend_err)?
            .is_some())
    }

    pub(super) fn prune_marker_rows(&self, kinds: &[&str], cutoff: Millis) -> StoreResult<u64> {
        if kinds.is_empty() {
            return Ok(0);
        }
        let scan = Scan {
            kinds: kinds.iter().map(|k| row_kind(k)).collect(),
            time_to: Some(Millis(cutoff.0.saturating_add(1))),
            ..Scan::default()
        };
        self.backend
            .delete(Table::Leases, &scan)
            .map_err(backend_err)
    }

    /// A shared rate counter by compare-and-set on its row: created at 1,
    /// raised while below `limit`; a row of a lapsed window is reused.
    pub(super) fn count_request_row(&self, c: &RateCount<'_>) -> StoreResult<bool> {
        let (window_end, limit, now) = (c.window_end, c.limit, c.now);
        if limit == 0 {
            return Ok(false);
        }
        let lapsed = Scan {
            kinds: vec![row_kind(RATE)],
            time_to: Some(Millis(now.0.saturating_add(1))),
            ..Scan::default()
        };
        self.backend
            .delete(Table::Leases, &lapsed)
            .map_err(backend_err)?;
        let m = Marker::new(RATE, &c.key(), "1", window_end);
        let kind = row_kind(RATE);
        let body_of = |count: u32| {
            encode(&MarkerBody {
                key: m.key.clone(),
                value: count.to_string(),
            })
        };
        for _ in 0..CAS_ATTEMPTS {
            match self
                .backend
                .get(Table::Leases, &row_key(&m))
                .map_err(backend_err)?
            {
                None => {
                    let row = NewRecord {
                        key: Some(row_key(&m)),
                        group: None,
                        time: window_end,
                        kind: Some(kind.clone()),
                        body: body_of(1)?,
                    };
                    match self.backend.insert(Table::Leases, &[row]) {
                        Ok(_) => return Ok(true),
                        Err(BackendError::DuplicateKey { .. }) => {}
                        Err(e) => return Err(backend_err(e)),
                    }
                }
                Some(r) => {
                    let count = if r.time > now {
                        let held: MarkerBody = decode(Table::Leases, &r)?;
                        held.value.parse::<u32>().unwrap_or(limit)
                    } else {
                        0
                    };
                    if count >= limit {
                        return Ok(false);
                    }
                    if self
                        .backend
                        .update(
                            Table::Leases,
                            r.id,
                            r.revision,
                            window_end,
                            Some(&kind),
                            &body_of(count + 1)?,
                        )
                        .map_err(backend_err)?
                        .is_some()
                    {
                        return Ok(true);
                    }
                }
            }
        }
        Err(contention(Table::Leases))
    }

    pub(super) fn marker_row(
        &self,
        kind: &str,
        key: &str,
        now: Millis,
    ) -> StoreResult<Option<Marker>> {
        let row = self
            .backend
            .get(Table::Leases, &format!("marker:{kind}:{key}"))
            .map_err(backend_err)?;
        match row {
            Some(r) if r.time > now && r.kind.as_deref() == Some(row_kind(kind).as_str()) => {
                let body: MarkerBody = decode(Table::Leases, &r)?;
                Ok(Some(Marker {
                    kind: kind.to_owned(),
                    key: body.key,
                    value: body.value,
                    expires_at: r.time,
                }))
            }
            _ => Ok(None),
        }
    }

    pub(super) fn list_marker_rows(&self, kind: &str, now: Millis) -> StoreResult<Vec<Marker>> {
        let scan = Scan {
            kinds: vec![row_kind(kind)],
            time_from: Some(Millis(now.0.saturating_add(1))),
            ..Scan::default()
        };
        let mut out = Vec::new();
        for r in self
            .backend
            .scan(Table::Leases, &scan)
            .map_err(backend_err)?
        {
            let body: MarkerBody = decode(Table::Leases, &r)?;
            out.push(Marker {
                kind: kind.to_owned(),
                key: body.key,
                value: body.value,
                expires_at: r.time,
            });
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}
