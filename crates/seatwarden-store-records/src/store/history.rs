//! Licence history over the `licence_history` table: key `day:application`,
//! time = midnight UTC of the day, body = the [`LicenceDay`].
//!
//! A write is an upsert per row (insert; on a duplicate key, compare-and-set
//! the existing row), then a delete of the rows older than the retention: each
//! step is idempotent, so repeating a write after a crash finishes it, and the
//! last write of a day wins.

use seatwarden_core::Millis;
use seatwarden_core::forecast::LicenceDay;
use seatwarden_core::time::DAY_MS;
use seatwarden_service::store::StoreResult;

use super::{CAS_ATTEMPTS, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{BackendError, NewRecord, RecordBackend, Scan, Table};

const TABLE: Table = Table::LicenceHistory;

fn day_start(day: i64) -> Millis {
    Millis(day.saturating_mul(DAY_MS))
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    pub(super) fn put_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()> {
        for d in days {
            self.upsert_day(d)?;
        }
        let old = Scan {
            time_to: Some(day_start(keep_from_day)),
            ..Scan::default()
        };
        self.backend.delete(TABLE, &old).map_err(backend_err)?;
        Ok(())
    }

    fn upsert_day(&self, d: &LicenceDay) -> StoreResult<()> {
        let key = format!("{}:{}", d.day, d.application);
        let body = encode(d)?;
        let time = day_start(d.day);
        for _ in 0..CAS_ATTEMPTS {
            if let Some(row) = self.backend.get(TABLE, &key).map_err(backend_err)? {
                let updated = self
                    .backend
                    .update(TABLE, row.id, row.revision, time, None, &body)
                    .map_err(backend_err)?;
                if updated.is_some() {
                    return Ok(());
                }
                continue;
            }
            let row = NewRecord {
                key: Some(key.clone()),
                group: None,
                time,
                kind: None,
                body: body.clone(),
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
        let scan = Scan {
            time_from: Some(day_start(from_day)),
            time_to: Some(day_start(to_day.saturating_add(1))),
            ..Scan::default()
        };
        let mut out: Vec<LicenceDay> = self
            .scan_all(TABLE, &scan)?
            .iter()
            .map(|r| decode(TABLE, r))
            .collect::<StoreResult<_>>()?;
        out.sort_by(|a, b| (a.day, &a.application).cmp(&(b.day, &b.application)));
        Ok(out)
    }
}
