//! Licence history and the activity trend over the `licence_history` table,
//! time = midnight UTC of the day:
//! - a licence record: key `day:application`, no kind, body = [`LicenceDay`];
//! - an activity record: key `activity:day`, kind `activity`, body =
//!   [`ActivityDay`].
//!
//! Why one table: the activity trend is written in the same daily step as the
//! licence history and kept as long, and a new table would need a new entity
//! in every host's schema (the Java shim's Active Objects tables). The keys
//! cannot clash (a licence key starts with the day's digits or its sign), the
//! kind tells the rows apart on reads, and a table written before the trend
//! simply has no activity rows: its days read as not recorded. Both writes
//! prune with the service's one retention, so the licence write pruning
//! older activity rows too (its delete cannot name "no kind") removes nothing
//! the activity write would keep.
//!
//! A write is an upsert per row (insert; on a duplicate key, compare-and-set
//! the existing row), then a delete of the rows older than the retention: each
//! step is idempotent, so repeating a write after a crash finishes it, and the
//! last write of a day wins.

use seatwarden_core::Millis;
use seatwarden_core::activity_trend::ActivityDay;
use seatwarden_core::forecast::LicenceDay;
use seatwarden_core::time::DAY_MS;
use seatwarden_service::store::StoreResult;

use super::{CAS_ATTEMPTS, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{BackendError, NewRecord, RecordBackend, Scan, Table};

const TABLE: Table = Table::LicenceHistory;

/// The kind of an activity row (licence rows have none).
const ACTIVITY: &str = "activity";

fn day_start(day: i64) -> Millis {
    Millis(day.saturating_mul(DAY_MS))
}

fn between(from_day: i64, to_day: i64) -> Scan {
    Scan {
        time_from: Some(day_start(from_day)),
        time_to: Some(day_start(to_day.saturating_add(1))),
        ..Scan::default()
    }
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    pub(super) fn put_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()> {
        for d in days {
            let key = format!("{}:{}", d.day, d.application);
            self.upsert_day(&key, None, d.day, &encode(d)?)?;
        }
        self.prune(Vec::new(), keep_from_day)
    }

    pub(super) fn put_activity(&self, days: &[ActivityDay], keep_from_day: i64) -> StoreResult<()> {
        for d in days {
            let key = format!("{ACTIVITY}:{}", d.day);
            self.upsert_day(&key, Some(ACTIVITY), d.day, &encode(d)?)?;
        }
        self.prune(vec![ACTIVITY.to_owned()], keep_from_day)
    }

    fn prune(&self, kinds: Vec<String>, keep_from_day: i64) -> StoreResult<()> {
        let old = Scan {
            kinds,
            time_to: Some(day_start(keep_from_day)),
            ..Scan::default()
        };
        self.backend.delete(TABLE, &old).map_err(backend_err)?;
        Ok(())
    }

    fn upsert_day(&self, key: &str, kind: Option<&str>, day: i64, body: &str) -> StoreResult<()> {
        let time = day_start(day);
        for _ in 0..CAS_ATTEMPTS {
            if let Some(row) = self.backend.get(TABLE, key).map_err(backend_err)? {
                let updated = self
                    .backend
                    .update(TABLE, row.id, row.revision, time, kind, body)
                    .map_err(backend_err)?;
                if updated.is_some() {
                    return Ok(());
                }
                continue;
            }
            let row = NewRecord {
                key: Some(key.to_owned()),
                group: None,
                time,
                kind: kind.map(str::to_owned),
                body: body.to_owned(),
            };
            match self.backend.insert(TABLE, &[row]) {
                Ok(_) => return Ok(()),
                // Another writer inserted it meanwhile: update theirs.
                Err(BackendError::DuplicateKey { .. }) => continue,
                Err(e) => return Err(backend_err(e)),
            }
        }
        Err(contention(TABLE))
    }

    pub(super) fn days_between(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>> {
        if from_day > to_day {
            return Ok(Vec::new());
        }
        let mut out: Vec<LicenceDay> = self
            .scan_all(TABLE, &between(from_day, to_day))?
            .iter()
            .filter(|r| r.kind.as_deref() != Some(ACTIVITY))
            .map(|r| decode(TABLE, r))
            .collect::<StoreResult<_>>()?;
        out.sort_by(|a, b| (a.day, &a.application).cmp(&(b.day, &b.application)));
        Ok(out)
    }

    pub(super) fn activity_between(
        &self,
        from_day: i64,
        to_day: i64,
    ) -> StoreResult<Vec<ActivityDay>> {
        if from_day > to_day {
            return Ok(Vec::new());
        }
        let scan = Scan {
            kinds: vec![ACTIVITY.to_owned()],
            ..between(from_day, to_day)
        };
        let mut out: Vec<ActivityDay> = self
            .scan_all(TABLE, &scan)?
            .iter()
            .map(|r| decode(TABLE, r))
            .collect::<StoreResult<_>>()?;
        out.sort_by_key(|d| d.day);
        Ok(out)
    }
}
