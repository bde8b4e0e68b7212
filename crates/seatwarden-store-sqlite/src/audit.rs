//! Audit entries and operation runs in SQL.
//!
//! Filters are translated from the reference semantics in
//! `seatwarden-audit` ([`AuditFilter::matches`]); the conformance checks
//! compare every translation with it. Paging is keyset on `(at, id)`, which
//! the `audit_at` index (`at`, plus the implicit rowid) serves newest first;
//! a single action type pages off `audit_action_at` instead.

use std::io::Write;

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, Row, Transaction, params_from_iter};

use seatwarden_audit::export::{ActorRef, ExportRow};
use seatwarden_audit::query::{SUMMARY_WINDOW_MS, fold};
use seatwarden_audit::{
    Action, Actor, AuditCsv, AuditEntry, AuditFilter, AuditId, AuditQuery, Cursor, Initiator,
    NewRun, OperationRun, Page, PlanHash, PolicyId, RunCounts, RunFilter, RunId, RunKind, RunQuery,
    RunStatus, RunUpdate, Status, StoredEntry, SummaryCards, Target,
};
use seatwarden_core::{GroupName, Millis, UserKey};
use seatwarden_service::store::{StoreError, StoreResult};

use crate::{backend, corrupt};

/// A WHERE clause under construction, with its positional parameters.
#[derive(Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    pub(crate) params: Vec<Value>,
}

impl Where {
    fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn param(&mut self, v: impl Into<Value>) -> &'static str {
        self.params.push(v.into());
        "?"
    }

    fn any_of(&mut self, column: &str, values: impl IntoIterator<Item = Value>) {
        let marks: Vec<&str> = values.into_iter().map(|v| self.param(v)).collect();
        self.and(format!("{column} IN ({})", marks.join(",")));
    }

    /// Case-insensitive substring over any of `columns`.
    fn text(&mut self, needle: Option<&str>, columns: &[&str], extra: Option<&str>) {
        let Some(needle) = needle.filter(|n| !n.is_empty()) else {
            return;
        };
        let needle = fold(needle);
        let mut ors: Vec<String> = columns
            .iter()
            .map(|c| format!("instr(lower({c}), {}) > 0", self.param(needle.clone())))
            .collect();
        if let Some(extra) = extra {
            ors.push(extra.replace('?', self.param(needle.clone())));
        }
        self.and(format!("({})", ors.join(" OR ")));
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn cursor(&mut self, time_col: &str, after: Option<Cursor>) {
        if let Some(c) = after {
            let (a, b, i) = (self.param(c.at.0), self.param(c.at.0), self.param(c.id));
            self.and(format!(
                "({time_col} < {a} OR ({time_col} = {b} AND id < {i}))"
            ));
        }
    }
}

const ENTRY_COLUMNS: &str = "id, at, actor_kind, actor_key, actor_name, actor_policy, client_ip, \
     action, target_user, target_name, target_group, status, description, reason, run_id, policy_id";

fn audit_where(filter: &AuditFilter, after: Option<Cursor>) -> Where {
    let mut w = Where::default();
    if !filter.actions.is_empty() {
        w.any_of(
            "action",
            filter
                .actions
                .iter()
                .map(|a| Value::from(a.as_str().to_owned())),
        );
    }
    if !filter.statuses.is_empty() {
        w.any_of(
            "status",
            filter.statuses.iter().map(|s| Value::from(s.code())),
        );
    }
    if let Some(from) = filter.from {
        let p = w.param(from.0);
        w.and(format!("at >= {p}"));
    }
    if let Some(until) = filter.until {
        let p = w.param(until.0);
        w.and(format!("at < {p}"));
    }
    if let Some(run) = filter.run {
        let p = w.param(run.0);
        w.and(format!("run_id = {p}"));
    }
    if let Some(policy) = &filter.policy {
        let p = w.param(policy.0.to_string());
        w.and(format!("policy_id = {p}"));
    }
    if !filter.run_kinds.is_empty() {
        let marks: Vec<&str> = filter
            .run_kinds
            .iter()
            .map(|k| w.param(k.as_str().to_owned()))
            .collect();
        w.and(format!(
            "run_id IN (SELECT id FROM runs WHERE kind IN ({}))",
            marks.join(",")
        ));
    }
    w.text(
        filter.actor.as_deref(),
        &["actor_key", "actor_name", "actor_policy"],
        None,
    );
    w.text(
        filter.target.as_deref(),
        &["target_user", "target_name", "target_group"],
        None,
    );
    w.text(filter.text.as_deref(), &["description", "reason"], None);
    w.cursor("at", after);
    w
}

fn opt_str(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    row.get(i)
}

fn decode_entry(row: &Row<'_>) -> StoreResult<StoredEntry> {
    let get = |e: rusqlite::Error| backend(e);
    let actor = match row.get::<_, i64>(2).map_err(get)? {
        0 => Actor::User {
            key: UserKey::from(
                row.get::<_, Option<String>>(3)
                    .map_err(get)?
                    .ok_or_else(|| corrupt("audit actor without key"))?,
            ),
            name: opt_str(row, 4).map_err(get)?,
        },
        1 => Actor::Automation {
            policy: opt_str(row, 5).map_err(get)?.map(PolicyId::from),
        },
        _ => return Err(corrupt("audit actor kind")),
    };
    let client_ip = match opt_str(row, 6).map_err(get)? {
        Some(ip) => Some(ip.parse().map_err(|_| corrupt("audit client address"))?),
        None => None,
    };
    let action_name: String = row.get(7).map_err(get)?;
    let action = Action::parse(&action_name).ok_or_else(|| corrupt("audit action"))?;
    let status =
        Status::from_code(row.get(11).map_err(get)?).ok_or_else(|| corrupt("audit status"))?;
    Ok(StoredEntry {
        id: AuditId(row.get(0).map_err(get)?),
        entry: AuditEntry {
            at: Millis(row.get(1).map_err(get)?),
            actor,
            client_ip,
            action,
            target: Target {
                user: opt_str(row, 8).map_err(get)?.map(UserKey::from),
                user_name: opt_str(row, 9).map_err(get)?,
                group: opt_str(row, 10).map_err(get)?.map(GroupName::from),
            },
            status,
            description: row.get(12).map_err(get)?,
            reason: opt_str(row, 13).map_err(get)?,
            run: row.get::<_, Option<i64>>(14).map_err(get)?.map(RunId),
            policy: opt_str(row, 15).map_err(get)?.map(PolicyId::from),
        },
    })
}

pub(crate) fn append(tx: &Transaction<'_>, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO audit (at, actor_kind, actor_key, actor_name, actor_policy, client_ip, \
             action, target_user, target_name, target_group, status, description, reason, run_id, policy_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )
        .map_err(backend)?;
    // Keep the `audit_order` flag true to the rows (see schema migration 2):
    // an entry older than the newest row breaks "ids follow time".
    let (mut newest, mut out_of_order): (Option<i64>, bool) = tx
        .query_row(
            "SELECT (SELECT at FROM audit ORDER BY id DESC LIMIT 1), out_of_order \
             FROM audit_order WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(backend)?;
    let was_out_of_order = out_of_order;
    let mut ids = Vec::with_capacity(entries.len());
    for e in entries {
        out_of_order |= newest.is_some_and(|n| e.at.0 < n);
        newest = Some(e.at.0);
        let (kind, key, name, policy) = match &e.actor {
            Actor::User { key, name } => (0, Some(key.as_str()), name.as_deref(), None),
            Actor::Automation { policy } => (1, None, None, policy.as_ref().map(PolicyId::as_str)),
        };
        let ip = e.client_ip.map(|ip| ip.to_string());
        stmt.execute(rusqlite::params![
            e.at.0,
            kind,
            key,
            name,
            policy,
            ip,
            e.action.as_str(),
            e.target.user.as_ref().map(UserKey::as_str),
            e.target.user_name.as_deref(),
            e.target.group.as_ref().map(GroupName::as_str),
            e.status.code(),
            e.description,
            e.reason.as_deref(),
            e.run.map(|r| r.0),
            e.policy.as_ref().map(PolicyId::as_str),
        ])
        .map_err(backend)?;
        ids.push(AuditId(tx.last_insert_rowid()));
    }
    if out_of_order && !was_out_of_order {
        tx.execute("UPDATE audit_order SET out_of_order = 1 WHERE id = 1", [])
            .map_err(backend)?;
    }
    Ok(ids)
}

pub(crate) fn query(conn: &Connection, q: &AuditQuery) -> StoreResult<Page<StoredEntry>> {
    let size = q.page_size();
    let w = audit_where(&q.filter, q.after);
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit{} ORDER BY at DESC, id DESC LIMIT {}",
        w.sql(),
        size + 1
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = stmt
        .query(params_from_iter(w.params.iter()))
        .map_err(backend)?;
    let mut items = Vec::with_capacity(size + 1);
    while let Some(row) = rows.next().map_err(backend)? {
        items.push(decode_entry(row)?);
    }
    Ok(page(items, size, |e| Cursor {
        at: e.entry.at,
        id: e.id.0,
    }))
}

pub(crate) fn page<T>(mut items: Vec<T>, size: usize, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let next = if items.len() > size {
        items.truncate(size);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}

pub(crate) fn count(conn: &Connection, filter: &AuditFilter) -> StoreResult<u64> {
    let w = audit_where(filter, None);
    let sql = format!("SELECT count(*) FROM audit{}", w.sql());
    let n: i64 = conn
        .query_row(&sql, params_from_iter(w.params.iter()), |r| r.get(0))
        .map_err(backend)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) fn scan(
    conn: &Connection,
    filter: &AuditFilter,
    visit: &mut dyn FnMut(&StoredEntry) -> StoreResult<()>,
) -> StoreResult<u64> {
    let w = audit_where(filter, None);
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM audit{} ORDER BY at DESC, id DESC",
        w.sql()
    );
    let mut stmt = conn.prepare(&sql).map_err(backend)?;
    let mut rows = stmt
        .query(params_from_iter(w.params.iter()))
        .map_err(backend)?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(backend)? {
        visit(&decode_entry(row)?)?;
        n += 1;
    }
    Ok(n)
}

/// A nullable text column, borrowed from SQLite's row buffer as bytes
/// (SQLite hands back the UTF-8 this store wrote; the export copies it).
fn text_ref<'r>(row: &'r Row<'_>, i: usize) -> StoreResult<Option<&'r [u8]>> {
    match row.get_ref(i).map_err(backend)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(t)),
        _ => Err(corrupt("audit text column holds another type")),
    }
}

/// One row as the export needs it, borrowed from the statement: no
/// `String` per column, no [`StoredEntry`]. Validates what
/// [`decode_entry`] validates (actor kind, address, action, status).
fn export_row<'r>(row: &'r Row<'_>) -> StoreResult<ExportRow<'r>> {
    let get = |e: rusqlite::Error| backend(e);
    let actor = match row.get::<_, i64>(2).map_err(get)? {
        0 => ActorRef::User {
            key: text_ref(row, 3)?.ok_or_else(|| corrupt("audit actor without key"))?,
            name: text_ref(row, 4)?,
        },
        1 => ActorRef::Automation {
            policy: text_ref(row, 5)?,
        },
        _ => return Err(corrupt("audit actor kind")),
    };
    let client_ip = match text_ref(row, 6)? {
        Some(ip) => Some(
            std::str::from_utf8(ip)
                .ok()
                .and_then(|ip| ip.parse().ok())
                .ok_or_else(|| corrupt("audit client address"))?,
        ),
        None => None,
    };
    let action = text_ref(row, 7)?
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(Action::parse)
        .ok_or_else(|| corrupt("audit action"))?;
    let status =
        Status::from_code(row.get(11).map_err(get)?).ok_or_else(|| corrupt("audit status"))?;
    Ok(ExportRow {
        id: row.get(0).map_err(get)?,
        at: Millis(row.get(1).map_err(get)?),
        action,
        status,
        actor,
        client_ip,
        target_user: text_ref(row, 8)?,
        target_name: text_ref(row, 9)?,
        target_group: text_ref(row, 10)?,
        description: text_ref(row, 12)?.ok_or_else(|| corrupt("audit description"))?,
        reason: text_ref(row, 13)?,
        run: row.get(14).map_err(get)?,
        policy: text_ref(row, 15)?,
    })
}

/// Streams the filtered log as CSV straight from one prepared statement:
/// each row's columns are read in place ([`Row::get_ref`]) and written by
/// [`AuditCsv::write_row`], so a million-row export allocates nothing per
/// row. Same order and bytes as the trait's default (scan + decode).
pub(crate) fn export_csv(
    conn: &Connection,
    filter: &AuditFilter,
    out: &mut dyn Write,
) -> StoreResult<u64> {
    // One read transaction: the order flag and the rows from one snapshot.
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let in_order: bool = tx
        .query_row(
            "SELECT out_of_order = 0 FROM audit_order WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    // While ids follow time, (at, id) descending is id descending: walk the
    // table itself unless an index could narrow the rows (dates, actions,
    // run), which is then the cheaper way in.
    let narrowed = filter.from.is_some()
        || filter.until.is_some()
        || filter.run.is_some()
        || !filter.actions.is_empty();
    let w = audit_where(filter, None);
    let sql = if in_order && !narrowed {
        format!(
            "SELECT {ENTRY_COLUMNS} FROM audit NOT INDEXED{} ORDER BY id DESC",
            w.sql()
        )
    } else {
        format!(
            "SELECT {ENTRY_COLUMNS} FROM audit{} ORDER BY at DESC, id DESC",
            w.sql()
        )
    };
    let n = {
        let mut stmt = tx.prepare(&sql).map_err(backend)?;
        let mut rows = stmt
            .query(params_from_iter(w.params.iter()))
            .map_err(backend)?;
        let mut csv = AuditCsv::new(out)?;
        while let Some(row) = rows.next().map_err(backend)? {
            csv.write_row(&export_row(row)?)?;
        }
        let n = csv.rows();
        csv.finish()?;
        n
    };
    tx.commit().map_err(backend)?;
    Ok(n)
}

/// Deletes finished runs matching `condition` (on `runs`), with their
/// journals and undo records; returns how many runs went.
pub(crate) fn delete_finished_runs(
    tx: &Transaction<'_>,
    condition: &str,
    params: &[i64],
) -> StoreResult<u64> {
    let terminal: Vec<String> = RunStatus::ALL
        .iter()
        .filter(|s| s.is_terminal())
        .map(|s| s.code().to_string())
        .collect();
    let doomed = format!(
        "SELECT id FROM runs WHERE status IN ({}) AND {condition}",
        terminal.join(",")
    );
    for table in ["journal_actions", "journal_plans", "undo_states"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE run_id IN ({doomed})"),
            params_from_iter(params.iter()),
        )
        .map_err(backend)?;
    }
    let n = tx
        .execute(
            &format!("DELETE FROM runs WHERE id IN ({doomed})"),
            params_from_iter(params.iter()),
        )
        .map_err(backend)?;
    Ok(n as u64)
}

// ---- runs ----

const RUN_COLUMNS: &str = "id, kind, name, initiator_kind, initiator_user, initiator_name, policy_id, \
     started_at, finished_at, status, users_affected, succeeded, failed, skipped, plan_hash, reverts";

fn decode_run(row: &Row<'_>) -> StoreResult<OperationRun> {
    let get = |e: rusqlite::Error| backend(e);
    let kind: String = row.get(1).map_err(get)?;
    let initiator = match row.get::<_, i64>(3).map_err(get)? {
        0 => Initiator::Manual {
            user: UserKey::from(
                row.get::<_, Option<String>>(4)
                    .map_err(get)?
                    .ok_or_else(|| corrupt("run initiator without key"))?,
            ),
            name: opt_str(row, 5).map_err(get)?,
        },
        1 => Initiator::Automated,
        _ => return Err(corrupt("run initiator kind")),
    };
    let count = |i: usize| -> StoreResult<u64> {
        Ok(u64::try_from(row.get::<_, i64>(i).map_err(get)?).unwrap_or(0))
    };
    Ok(OperationRun {
        id: RunId(row.get(0).map_err(get)?),
        kind: RunKind::parse(&kind).ok_or_else(|| corrupt("run kind"))?,
        name: row.get(2).map_err(get)?,
        initiator,
        policy: opt_str(row, 6).map_err(get)?.map(PolicyId::from),
        started_at: Millis(row.get(7).map_err(get)?),
        finished_at: row.get::<_, Option<i64>>(8).map_err(get)?.map(Millis),
        status: RunStatus::from_code(row.get(9).map_err(get)?)
            .ok_or_else(|| corrupt("run status"))?,
        counts: RunCounts {
            users_affected: count(10)?,
            succeeded: count(11)?,
            failed: count(12)?,
            skipped: count(13)?,
        },
        plan_hash: opt_str(row, 14).map_err(get)?.map(PlanHash),
        reverts: row.get::<_, Option<i64>>(15).map_err(get)?.map(RunId),
    })
}

fn as_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn create_run(tx: &Transaction<'_>, run: &NewRun) -> StoreResult<RunId> {
    let (ikind, iuser, iname) = match &run.initiator {
        Initiator::Manual { user, name } => (0, Some(user.as_str()), name.as_deref()),
        Initiator::Automated => (1, None, None),
    };
    tx.execute(
        "INSERT INTO runs (kind, name, initiator_kind, initiator_user, initiator_name, policy_id, \
         started_at, status, plan_hash, reverts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        rusqlite::params![
            run.kind.as_str(),
            run.name,
            ikind,
            iuser,
            iname,
            run.policy.as_ref().map(PolicyId::as_str),
            run.started_at.0,
            run.status.code(),
            run.plan_hash.as_ref().map(|h| h.0.as_str()),
            run.reverts.map(|r| r.0),
        ],
    )
    .map_err(backend)?;
    Ok(RunId(tx.last_insert_rowid()))
}

pub(crate) fn get_run(conn: &Connection, id: RunId) -> StoreResult<Option<OperationRun>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"))
        .map_err(backend)?;
    let mut rows = stmt.query([id.0]).map_err(backend)?;
    match rows.next().map_err(backend)? {
        Some(row) => Ok(Some(decode_run(row)?)),
        None => Ok(None),
    }
}

pub(crate) fn update_run(
    tx: &Transaction<'_>,
    id: RunId,
    update: &RunUpdate,
) -> StoreResult<OperationRun> {
    let mut run = get_run(tx, id)?.ok_or(StoreError::RunNotFound(id))?;
    run.apply(update);
    write_run_state(tx, &run)?;
    Ok(run)
}

pub(crate) fn write_run_state(tx: &Transaction<'_>, run: &OperationRun) -> StoreResult<()> {
    tx.execute(
        "UPDATE runs SET status = ?2, finished_at = ?3, users_affected = ?4, succeeded = ?5, \
         failed = ?6, skipped = ?7, plan_hash = ?8 WHERE id = ?1",
        rusqlite::params![
            run.id.0,
            run.status.code(),
            run.finished_at.map(|m| m.0),
            as_i64(run.counts.users_affected),
            as_i64(run.counts.succeeded),
            as_i64(run.counts.failed),
            as_i64(run.counts.skipped),
            run.plan_hash.as_ref().map(|h| h.0.as_str()),
        ],
    )
    .map_err(backend)?;
    Ok(())
}

fn run_where(filter: &RunFilter, after: Option<Cursor>) -> Where {
    let mut w = Where::default();
    if !filter.kinds.is_empty() {
        w.any_of(
            "kind",
            filter
                .kinds
                .iter()
                .map(|k| Value::from(k.as_str().to_owned())),
        );
    }
    if !filter.statuses.is_empty() {
        w.any_of(
            "status",
            filter.statuses.iter().map(|s| Value::from(s.code())),
        );
    }
    if let Some(from) = filter.from {
        let p = w.param(from.0);
        w.and(format!("started_at >= {p}"));
    }
    if let Some(until) = filter.until {
        let p = w.param(until.0);
        w.and(format!("started_at < {p}"));
    }
    if let Some(policy) = &filter.policy {
        let p = w.param(policy.0.to_string());
        w.and(format!("policy_id = {p}"));
    }
    w.text(
        filter.text.as_deref(),
        &["name", "initiator_user", "initiator_name", "policy_id"],
        Some("(initiator_kind = 1 AND instr('automated', ?) > 0)"),
    );
    w.cursor("started_at", after);
    w
}

pub(crate) fn query_runs(conn: &Connection, q: &RunQuery) -> StoreResult<Page<OperationRun>> {
    let size = q.page_size();
    let w = run_where(&q.filter, q.after);
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM runs{} ORDER BY started_at DESC, id DESC LIMIT {}",
        w.sql(),
        size + 1
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = stmt
        .query(params_from_iter(w.params.iter()))
        .map_err(backend)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        items.push(decode_run(row)?);
    }
    Ok(page(items, size, |r| Cursor {
        at: r.started_at,
        id: r.id.0,
    }))
}

pub(crate) fn summary(conn: &Connection, now: Millis) -> StoreResult<SummaryCards> {
    let start = now.0.saturating_sub(SUMMARY_WINDOW_MS);
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let mut stmt = tx
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM runs WHERE started_at >= ?1 OR status IN (?2, ?3)"
        ))
        .map_err(backend)?;
    let mut rows = stmt
        .query(rusqlite::params![
            start,
            RunStatus::InProgress.code(),
            RunStatus::AwaitingApproval.code()
        ])
        .map_err(backend)?;
    let mut runs = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        runs.push(decode_run(row)?);
    }
    drop(rows);
    drop(stmt);
    let users: i64 = tx
        .query_row(
            "SELECT count(DISTINCT target_user) FROM audit WHERE at >= ?1 AND at <= ?2 \
             AND status = ?3 AND target_user IS NOT NULL",
            rusqlite::params![start, now.0, Status::Success.code()],
            |r| r.get(0),
        )
        .map_err(backend)?;
    tx.commit().map_err(backend)?;
    Ok(SummaryCards::tally(
        now,
        &runs,
        u64::try_from(users).unwrap_or(0),
    ))
}
