//! Audit entries and operation runs over the `audit` and `runs` tables.
//!
//! The audit log is read newest first by (time, id), but a backend walks
//! ids, and ids follow time only when entries are appended in time order
//! (usual, not promised: an import back-fills, clocks differ between
//! nodes). So [`RecordStore::walk_audit`] reads *time windows*, newest
//! first: each window `[lo, hi)` is read completely (in chunks, with the
//! action types, run and date range pushed down), filtered in Rust, sorted,
//! and visited; then the next window ends where this one began. Everything
//! older than a window is older than everything in it, so the order is
//! exact whatever the ids. A window starts at the newest row the backend
//! has below `hi` (found with a one-row probe), so gaps cost nothing, and
//! its width adapts to hold about [`WINDOW_ROWS`] rows. A first page reads
//! a window or two; a full scan reads every row once (plus one probe per
//! window).

use std::collections::{HashMap, HashSet};

use seatwarden_audit::query::SUMMARY_WINDOW_MS;
use seatwarden_audit::retention::PurgeScope;
use seatwarden_audit::{
    Actor, AuditEntry, AuditFilter, AuditId, AuditQuery, Cursor, NewRun, OperationRun, Page,
    PurgeReport, Retention, RunId, RunKind, RunQuery, RunStatus, Status, StoredEntry, SummaryCards,
};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::store::{StoreError, StoreResult};

use super::{CAS_ATTEMPTS, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{NewRecord, Order, Record, RecordBackend, Scan, Table};

/// Rows a time window aims to hold.
const WINDOW_ROWS: u64 = 2_000;
/// The first window's width: one hour.
const FIRST_WINDOW_MS: i64 = 3_600_000;
/// Bounds of the adaptive width: one second to about 30 years.
const MIN_WINDOW_MS: i64 = 1_000;
const MAX_WINDOW_MS: i64 = 1_000_000_000_000;

/// What the backend can select for an audit filter: the action types (the
/// rows' kind), the run (their group) and the date range.
fn pushdown(filter: &AuditFilter) -> Scan {
    Scan {
        group: filter.run.map(|r| r.0),
        kinds: filter
            .actions
            .iter()
            .map(|a| a.as_str().to_owned())
            .collect(),
        time_from: filter.from,
        time_to: filter.until,
        ..Scan::default()
    }
}

/// Whether the backend's selection is the whole filter.
fn fully_pushed_down(filter: &AuditFilter) -> bool {
    let blank = |t: &Option<String>| t.as_deref().is_none_or(str::is_empty);
    filter.statuses.is_empty()
        && filter.run_kinds.is_empty()
        && blank(&filter.actor)
        && blank(&filter.target)
        && blank(&filter.text)
        && filter.policy.is_none()
}

fn entry_of(r: &Record) -> StoreResult<StoredEntry> {
    Ok(StoredEntry {
        id: AuditId(r.id),
        entry: decode(Table::Audit, r)?,
    })
}

fn run_of(r: &Record) -> StoreResult<OperationRun> {
    let mut run: OperationRun = decode(Table::Runs, r)?;
    run.id = RunId(r.id);
    Ok(run)
}

fn run_row(run: &OperationRun) -> StoreResult<(Millis, String, String)> {
    Ok((run.started_at, run.status.as_str().to_owned(), encode(run)?))
}

fn min_time(a: Option<Millis>, b: Option<Millis>) -> Option<Millis> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    pub(super) fn append(&self, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let rows = entries
            .iter()
            .map(|e| {
                Ok(NewRecord {
                    key: None,
                    group: e.run.map(|r| r.0),
                    time: e.at,
                    kind: Some(e.action.as_str().to_owned()),
                    body: encode(e)?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let ids = self
            .backend
            .insert(Table::Audit, &rows)
            .map_err(backend_err)?;
        if ids.len() != entries.len() {
            return Err(StoreError::Corrupt(format!(
                "table `audit` answered {} ids for {} rows",
                ids.len(),
                entries.len()
            )));
        }
        Ok(ids.into_iter().map(AuditId).collect())
    }

    /// Every run's kind, for filters naming run kinds.
    fn run_kinds(&self) -> StoreResult<HashMap<RunId, RunKind>> {
        let mut kinds = HashMap::new();
        self.scan_chunks(Table::Runs, &Scan::default(), &mut |chunk| {
            for r in &chunk {
                let run = run_of(r)?;
                kinds.insert(run.id, run.kind);
            }
            Ok(())
        })?;
        Ok(kinds)
    }

    /// Visits the entries passing `filter` (and below `after`), newest
    /// first by (time, id), until `visit` answers `false`.
    pub(super) fn walk_audit(
        &self,
        filter: &AuditFilter,
        after: Option<Cursor>,
        visit: &mut dyn FnMut(StoredEntry) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let base = pushdown(filter);
        let kinds = if filter.run_kinds.is_empty() {
            HashMap::new()
        } else {
            self.run_kinds()?
        };
        let kind_of = |r: RunId| kinds.get(&r).copied();
        let floor = base.time_from;
        let mut hi = min_time(
            base.time_to,
            after.map(|c| Millis(c.at.0.saturating_add(1))),
        );
        let mut width = FIRST_WINDOW_MS;
        loop {
            let probe = self
                .backend
                .scan(
                    Table::Audit,
                    &Scan {
                        time_to: hi,
                        order: Order::Descending,
                        limit: Some(1),
                        ..base.clone()
                    },
                )
                .map_err(backend_err)?;
            let Some(newest) = probe.first() else {
                return Ok(());
            };
            if hi.is_some_and(|h| newest.time >= h) || floor.is_some_and(|f| newest.time < f) {
                return Err(StoreError::Corrupt(
                    "table `audit` answered a row outside the scan's time bounds".to_owned(),
                ));
            }
            let mut lo = match hi {
                Some(h) => newest.time.min(Millis(h.0.saturating_sub(width))),
                None => Millis(newest.time.0.saturating_sub(width)),
            };
            if let Some(f) = floor {
                lo = lo.max(f);
            }
            let window = Scan {
                time_from: Some(lo),
                time_to: hi,
                order: Order::Descending,
                ..base.clone()
            };
            let mut rows = Vec::new();
            let mut read = 0_u64;
            self.scan_chunks(Table::Audit, &window, &mut |chunk| {
                read += chunk.len() as u64;
                for r in &chunk {
                    let e = entry_of(r)?;
                    if after.is_none_or(|c| c.admits(e.entry.at, e.id.0))
                        && filter.matches(&e, &kind_of)
                    {
                        rows.push(e);
                    }
                }
                Ok(())
            })?;
            rows.sort_by_key(|e| std::cmp::Reverse((e.entry.at, e.id)));
            for e in rows {
                if !visit(e)? {
                    return Ok(());
                }
            }
            if floor.is_some_and(|f| lo <= f) {
                return Ok(());
            }
            hi = Some(lo);
            if read > 2 * WINDOW_ROWS {
                width = (width / 2).max(MIN_WINDOW_MS);
            } else if read < WINDOW_ROWS / 2 {
                width = width.saturating_mul(2).min(MAX_WINDOW_MS);
            }
        }
    }

    pub(super) fn audit_page(&self, query: &AuditQuery) -> StoreResult<Page<StoredEntry>> {
        let size = query.page_size();
        let mut items = Vec::with_capacity(size + 1);
        self.walk_audit(&query.filter, query.after, &mut |e| {
            items.push(e);
            Ok(items.len() <= size)
        })?;
        Ok(paged(items, size, |e| Cursor {
            at: e.entry.at,
            id: e.id.0,
        }))
    }

    pub(super) fn audit_count(&self, filter: &AuditFilter) -> StoreResult<u64> {
        let base = pushdown(filter);
        if fully_pushed_down(filter) {
            return self.backend.count(Table::Audit, &base).map_err(backend_err);
        }
        let kinds = if filter.run_kinds.is_empty() {
            HashMap::new()
        } else {
            self.run_kinds()?
        };
        let kind_of = |r: RunId| kinds.get(&r).copied();
        let mut n = 0;
        self.scan_chunks(Table::Audit, &base, &mut |chunk| {
            for r in &chunk {
                if filter.matches(&entry_of(r)?, &kind_of) {
                    n += 1;
                }
            }
            Ok(())
        })?;
        Ok(n)
    }

    /// Retention (`Some`) or clear-all (`None`): entries, then runs that
    /// finished before the cutoff with their journals, outcomes and
    /// before-states, then the entry that records the purge. Each step is
    /// idempotent, so a purge cut short is finished by the next.
    pub(super) fn purge(
        &self,
        retention: Option<Retention>,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        let cutoff = retention.map(|r| r.cutoff(now));
        let entries = self
            .backend
            .delete(
                Table::Audit,
                &Scan {
                    time_to: cutoff,
                    ..Scan::default()
                },
            )
            .map_err(backend_err)?;
        let finished = Scan {
            kinds: RunStatus::ALL
                .iter()
                .filter(|s| s.is_terminal())
                .map(|s| s.as_str().to_owned())
                .collect(),
            time_to: cutoff,
            ..Scan::default()
        };
        let mut doomed = Vec::new();
        self.scan_chunks(Table::Runs, &finished, &mut |chunk| {
            for r in &chunk {
                // The kind says terminal; the body is what counts. A run
                // ages from its finish (the row's time is its start, which
                // is no later, so the scan above only narrows): one held
                // for approval, or a long one, stays revertible.
                let run = run_of(r)?;
                let finished = run.finished_at.unwrap_or(run.started_at);
                if run.status.is_terminal() && cutoff.is_none_or(|c| finished < c) {
                    doomed.push(RunId(r.id));
                }
            }
            Ok(())
        })?;
        let mut runs = 0;
        for run in doomed {
            runs += self.delete_run(run)?;
        }
        self.sweep_orphans(cutoff)?;
        let report = PurgeReport { entries, runs };
        let scope = match retention {
            Some(r) => PurgeScope::OlderThan { days: r.days },
            None => PurgeScope::All,
        };
        self.append(&[report.audit_entry(scope, actor, now)])?;
        Ok(report)
    }

    /// Deletes a run, then its journal, outcomes and before-states; answers
    /// how many runs went (0 when it was already gone). The run goes first:
    /// a purge cut short between the two steps leaves rows nobody lists
    /// (swept by [`Self::sweep_orphans`]), never a listed run whose undo
    /// records are gone, which would revert to nothing.
    fn delete_run(&self, run: RunId) -> StoreResult<u64> {
        let gone = self.delete_id(Table::Runs, run.0)?;
        self.delete_run_rows(run)?;
        Ok(gone)
    }

    fn delete_run_rows(&self, run: RunId) -> StoreResult<()> {
        let of_run = Scan {
            group: Some(run.0),
            ..Scan::default()
        };
        for table in [Table::Outcomes, Table::BeforeStates, Table::Journal] {
            self.backend.delete(table, &of_run).map_err(backend_err)?;
        }
        self.plans.lock().remove(&run);
        Ok(())
    }

    /// Removes the journal rows (and outcomes, before-states) of runs that
    /// no longer exist and were started before `cutoff`: what an earlier
    /// purge cut short left behind.
    fn sweep_orphans(&self, cutoff: Option<Millis>) -> StoreResult<()> {
        let old = Scan {
            time_to: cutoff,
            ..Scan::default()
        };
        let mut orphans = Vec::new();
        self.scan_chunks(Table::Journal, &old, &mut |chunk| {
            for r in &chunk {
                if let Some(run) = r.group.map(RunId) {
                    if self.run_record(run)?.is_none() {
                        orphans.push(run);
                    }
                }
            }
            Ok(())
        })?;
        for run in orphans {
            self.delete_run_rows(run)?;
        }
        Ok(())
    }

    pub(super) fn new_run(&self, run: &NewRun) -> StoreResult<RunId> {
        let stored = OperationRun::from_new(RunId(0), run);
        let (time, kind, body) = run_row(&stored)?;
        let ids = self
            .backend
            .insert(
                Table::Runs,
                &[NewRecord {
                    key: None,
                    group: None,
                    time,
                    kind: Some(kind),
                    body,
                }],
            )
            .map_err(backend_err)?;
        ids.first()
            .copied()
            .map(RunId)
            .ok_or_else(|| StoreError::Corrupt("table `runs` answered no id".to_owned()))
    }

    /// The run's row and the run.
    pub(super) fn run_record(&self, id: RunId) -> StoreResult<Option<(Record, OperationRun)>> {
        match self
            .backend
            .get_by_id(Table::Runs, id.0)
            .map_err(backend_err)?
        {
            Some(r) => {
                let run = run_of(&r)?;
                Ok(Some((r, run)))
            }
            None => Ok(None),
        }
    }

    /// Applies `change` to a run by compare-and-set (re-reading and
    /// re-applying after a lost race); `change` answers whether to write.
    /// Answers the run as stored afterwards, `None` if there is no such run.
    pub(super) fn change_run(
        &self,
        id: RunId,
        change: &mut dyn FnMut(&mut OperationRun) -> bool,
    ) -> StoreResult<Option<OperationRun>> {
        for _ in 0..CAS_ATTEMPTS {
            let Some((row, mut run)) = self.run_record(id)? else {
                return Ok(None);
            };
            if !change(&mut run) {
                return Ok(Some(run));
            }
            let (time, kind, body) = run_row(&run)?;
            if self
                .backend
                .update(Table::Runs, row.id, row.revision, time, Some(&kind), &body)
                .map_err(backend_err)?
                .is_some()
            {
                return Ok(Some(run));
            }
        }
        Err(contention(Table::Runs))
    }

    pub(super) fn runs_page(&self, query: &RunQuery) -> StoreResult<Page<OperationRun>> {
        let size = query.page_size();
        let f = &query.filter;
        let scan = Scan {
            kinds: f.statuses.iter().map(|s| s.as_str().to_owned()).collect(),
            time_from: f.from,
            time_to: min_time(
                f.until,
                query.after.map(|c| Millis(c.at.0.saturating_add(1))),
            ),
            ..Scan::default()
        };
        let mut items = Vec::new();
        self.scan_chunks(Table::Runs, &scan, &mut |chunk| {
            for r in &chunk {
                let run = run_of(r)?;
                if f.matches(&run)
                    && query
                        .after
                        .is_none_or(|c| c.admits(run.started_at, run.id.0))
                {
                    items.push(run);
                }
            }
            Ok(())
        })?;
        items.sort_by_key(|r| std::cmp::Reverse((r.started_at, r.id)));
        items.truncate(size + 1);
        Ok(paged(items, size, |r| Cursor {
            at: r.started_at,
            id: r.id.0,
        }))
    }

    pub(super) fn cards(&self, now: Millis) -> StoreResult<SummaryCards> {
        let start = Millis(now.0.saturating_sub(SUMMARY_WINDOW_MS));
        let mut runs = Vec::new();
        let recent = Scan {
            time_from: Some(start),
            ..Scan::default()
        };
        let current = Scan {
            kinds: vec![
                RunStatus::InProgress.as_str().to_owned(),
                RunStatus::AwaitingApproval.as_str().to_owned(),
            ],
            ..Scan::default()
        };
        for scan in [recent, current] {
            for r in self.scan_all(Table::Runs, &scan)? {
                runs.push(run_of(&r)?);
            }
        }
        let mut users: HashSet<UserKey> = HashSet::new();
        let window = Scan {
            time_from: Some(start),
            time_to: Some(Millis(now.0.saturating_add(1))),
            ..Scan::default()
        };
        self.scan_chunks(Table::Audit, &window, &mut |chunk| {
            for r in &chunk {
                let e: AuditEntry = decode(Table::Audit, r)?;
                if e.status == Status::Success {
                    if let Some(u) = e.target.user {
                        users.insert(u);
                    }
                }
            }
            Ok(())
        })?;
        Ok(SummaryCards::tally(now, &runs, users.len() as u64))
    }
}

/// Cuts a page of `size` from up to `size + 1` items, with the cursor of
/// its last row when more follow.
pub(super) fn paged<T>(mut items: Vec<T>, size: usize, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let next = if items.len() > size {
        items.truncate(size);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}
