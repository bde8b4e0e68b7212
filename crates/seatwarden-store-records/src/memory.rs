//! [`MemoryBackend`]: the record contract in memory.
//!
//! Why it exists: it is the executable reading of the contract in
//! [`crate::backend`] (what the Java backend must do, checked by the same
//! [`crate::backend_conformance`] suite), it lets [`crate::RecordStore`] be
//! tested without a JVM, and it is what the `records` benchmark measures.
//! One mutex guards every table, so each call is atomic, which is all the
//! contract asks (an Active Objects backend gets the same from the
//! database's row locks and transactions).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;

use parking_lot::Mutex;

use seatwarden_core::Millis;

use crate::backend::{BackendError, NewRecord, Order, Record, RecordBackend, Scan, Table};

/// One table: rows by id, by time, and the unique keys.
#[derive(Default)]
struct Rows {
    by_id: BTreeMap<i64, Record>,
    /// (time, id) of every row: a scan bounded in time on both sides reads
    /// only that slice (as a database would use an index on the time).
    by_time: BTreeSet<(Millis, i64)>,
    keys: HashMap<String, i64>,
    /// The last id handed out (ids are never reused, even after a delete).
    last_id: i64,
}

impl Rows {
    /// The rows inside the scan's id bounds, in its order.
    fn walk<'a>(&'a self, scan: &'a Scan) -> Box<dyn Iterator<Item = &'a Record> + 'a> {
        let lower = scan.after_id.map_or(Bound::Unbounded, Bound::Excluded);
        let upper = scan.before_id.map_or(Bound::Unbounded, Bound::Excluded);
        if matches!((lower, upper), (Bound::Excluded(a), Bound::Excluded(b)) if a >= b) {
            return Box::new(std::iter::empty());
        }
        if let (Some(from), Some(to)) = (scan.time_from, scan.time_to) {
            if from >= to {
                return Box::new(std::iter::empty());
            }
            let mut ids: Vec<i64> = self
                .by_time
                .range((from, i64::MIN)..(to, i64::MIN))
                .map(|(_, id)| *id)
                .filter(|id| scan.after_id.is_none_or(|a| *id > a))
                .filter(|id| scan.before_id.is_none_or(|b| *id < b))
                .collect();
            ids.sort_unstable();
            if scan.order == Order::Descending {
                ids.reverse();
            }
            return Box::new(
                ids.into_iter()
                    .filter_map(|id| self.by_id.get(&id))
                    .filter(move |r| selects(scan, r)),
            );
        }
        let range = self
            .by_id
            .range((lower, upper))
            .map(|(_, r)| r)
            .filter(move |r| selects(scan, r));
        match scan.order {
            Order::Ascending => Box::new(range),
            Order::Descending => Box::new(range.rev()),
        }
    }
}

/// Whether a row passes every bound of a scan except the id bounds (the
/// walk applies those) and the limit.
fn selects(scan: &Scan, r: &Record) -> bool {
    scan.group.is_none_or(|g| r.group == Some(g))
        && (scan.kinds.is_empty()
            || r.kind
                .as_deref()
                .is_some_and(|k| scan.kinds.iter().any(|w| w == k)))
        && scan.time_from.is_none_or(|t| r.time >= t)
        && scan.time_to.is_none_or(|t| r.time < t)
}

/// The record backend in memory: every table a `BTreeMap` by id plus a key
/// index, behind one mutex. Thread-safe; nothing survives the process.
#[derive(Default)]
pub struct MemoryBackend {
    tables: Mutex<HashMap<Table, Rows>>,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> MemoryBackend {
        MemoryBackend::default()
    }
}

impl RecordBackend for MemoryBackend {
    fn insert(&self, table: Table, records: &[NewRecord]) -> Result<Vec<i64>, BackendError> {
        let mut tables = self.tables.lock();
        let rows = tables.entry(table).or_default();
        let mut batch = std::collections::HashSet::new();
        for key in records.iter().filter_map(|r| r.key.as_deref()) {
            if rows.keys.contains_key(key) || !batch.insert(key) {
                return Err(BackendError::DuplicateKey {
                    table: table.as_str(),
                    key: key.to_owned(),
                });
            }
        }
        let mut ids = Vec::with_capacity(records.len());
        for r in records {
            rows.last_id += 1;
            let id = rows.last_id;
            if let Some(key) = &r.key {
                rows.keys.insert(key.clone(), id);
            }
            rows.by_time.insert((r.time, id));
            rows.by_id.insert(
                id,
                Record {
                    id,
                    key: r.key.clone(),
                    group: r.group,
                    time: r.time,
                    kind: r.kind.clone(),
                    revision: 1,
                    body: r.body.clone(),
                },
            );
            ids.push(id);
        }
        Ok(ids)
    }

    fn get(&self, table: Table, key: &str) -> Result<Option<Record>, BackendError> {
        let tables = self.tables.lock();
        Ok(tables
            .get(&table)
            .and_then(|rows| rows.keys.get(key).and_then(|id| rows.by_id.get(id)))
            .cloned())
    }

    fn get_by_id(&self, table: Table, id: i64) -> Result<Option<Record>, BackendError> {
        let tables = self.tables.lock();
        Ok(tables
            .get(&table)
            .and_then(|rows| rows.by_id.get(&id))
            .cloned())
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
        let mut tables = self.tables.lock();
        let Some(rows) = tables.get_mut(&table) else {
            return Ok(None);
        };
        let Some(row) = rows.by_id.get_mut(&id) else {
            return Ok(None);
        };
        if row.revision != expected_revision {
            return Ok(None);
        }
        rows.by_time.remove(&(row.time, id));
        rows.by_time.insert((time, id));
        row.revision += 1;
        row.time = time;
        row.kind = kind.map(str::to_owned);
        body.clone_into(&mut row.body);
        Ok(Some(row.revision))
    }

    fn scan(&self, table: Table, scan: &Scan) -> Result<Vec<Record>, BackendError> {
        let tables = self.tables.lock();
        let Some(rows) = tables.get(&table) else {
            return Ok(Vec::new());
        };
        let limit = scan
            .limit
            .map_or(usize::MAX, |l| usize::try_from(l).unwrap_or(usize::MAX));
        Ok(rows.walk(scan).take(limit).cloned().collect())
    }

    fn count(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        let tables = self.tables.lock();
        Ok(tables
            .get(&table)
            .map_or(0, |rows| rows.walk(scan).count() as u64))
    }

    fn delete(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        let mut tables = self.tables.lock();
        let Some(rows) = tables.get_mut(&table) else {
            return Ok(0);
        };
        let doomed: Vec<(i64, Millis, Option<String>)> = rows
            .walk(scan)
            .map(|r| (r.id, r.time, r.key.clone()))
            .collect();
        for (id, time, key) in &doomed {
            rows.by_id.remove(id);
            rows.by_time.remove(&(*time, *id));
            if let Some(key) = key {
                rows.keys.remove(key);
            }
        }
        Ok(doomed.len() as u64)
    }
}
