//! Configuration, run journals, undo records, the mail outbox and leases in
//! SQL. Every mutation here runs inside the caller's immediate transaction,
//! which is what makes "check, then write" steps (optimistic config saves,
//! outcome-once, claims, leases) atomic across processes.

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params_from_iter};

use seatwarden_audit::{Cursor, Page, PlanHash, PolicyId, RunId, RunStatus};
use seatwarden_core::{Millis, Operation, UserKey};
use seatwarden_service::store::config::validate_json;
use seatwarden_service::store::{
    AccountState, ActionKey, ActionOutcome, ConfigDocument, ConfigVersion, Enqueued, JournaledPlan,
    Lease, LeaseOutcome, LeaseOwner, MailId, MailStatus, NewOutboxMessage, OutboxMessage,
    OutboxQuery, OutcomeStatus, PlannedAction, RunJournal, StoreError, StoreResult, add_duration,
};

use crate::audit::{Where, get_run, page, write_run_state};
use crate::{backend, corrupt};

fn json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
}

fn unjson<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

// ---- configuration ----

pub(crate) fn load_config(conn: &Connection) -> StoreResult<Option<ConfigDocument>> {
    conn.query_row(
        "SELECT version, document FROM config WHERE id = 1",
        [],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    )
    .optional()
    .map_err(backend)?
    .map(|(v, json)| {
        Ok(ConfigDocument {
            version: ConfigVersion(u64::try_from(v).map_err(|_| corrupt("config version"))?),
            json,
        })
    })
    .transpose()
}

pub(crate) fn save_config(
    tx: &Transaction<'_>,
    expected: ConfigVersion,
    document: &str,
) -> StoreResult<ConfigVersion> {
    validate_json(document)?;
    let actual = load_config(tx)?.map_or(ConfigVersion::NONE, |c| c.version);
    if actual != expected {
        return Err(StoreError::Conflict { expected, actual });
    }
    let next = actual.next();
    tx.execute(
        "INSERT INTO config (id, version, document) VALUES (1, ?1, ?2) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, document = excluded.document",
        rusqlite::params![i64::try_from(next.0).unwrap_or(i64::MAX), document],
    )
    .map_err(backend)?;
    Ok(next)
}

// ---- journal ----

fn run_exists(conn: &Connection, run: RunId) -> StoreResult<()> {
    let found: Option<i64> = conn
        .query_row("SELECT id FROM runs WHERE id = ?1", [run.0], |r| r.get(0))
        .optional()
        .map_err(backend)?;
    found.map(|_| ()).ok_or(StoreError::RunNotFound(run))
}

fn decode_action(row: &Row<'_>) -> StoreResult<PlannedAction> {
    let op: Option<String> = row.get(2).map_err(backend)?;
    Ok(PlannedAction {
        user: UserKey::from(row.get::<_, String>(0).map_err(backend)?),
        action: ActionKey(row.get(1).map_err(backend)?),
        operation: op
            .map(|o| unjson::<Operation>(&o, "journaled operation"))
            .transpose()?,
    })
}

fn load_plan(
    conn: &Connection,
    run: RunId,
) -> StoreResult<Option<(JournaledPlan, Vec<ActionOutcome>)>> {
    let head: Option<(String, String)> = conn
        .query_row(
            "SELECT hash, plan FROM journal_plans WHERE run_id = ?1",
            [run.0],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(backend)?;
    let Some((hash, plan_json)) = head else {
        return Ok(None);
    };
    let mut stmt = conn
        .prepare_cached(
            "SELECT user_key, action_key, operation, outcome_status, outcome_detail, outcome_at \
             FROM journal_actions WHERE run_id = ?1 ORDER BY seq",
        )
        .map_err(backend)?;
    let mut rows = stmt.query([run.0]).map_err(backend)?;
    let mut actions = Vec::new();
    let mut outcomes = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        let action = decode_action(row)?;
        if let Some(code) = row.get::<_, Option<i64>>(3).map_err(backend)? {
            outcomes.push(ActionOutcome {
                user: action.user.clone(),
                action: action.action.clone(),
                status: OutcomeStatus::from_code(code).ok_or_else(|| corrupt("outcome status"))?,
                detail: row.get(4).map_err(backend)?,
                at: Millis(row.get::<_, Option<i64>>(5).map_err(backend)?.unwrap_or(0)),
            });
        }
        actions.push(action);
    }
    Ok(Some((
        JournaledPlan {
            hash: PlanHash(hash),
            json: plan_json,
            actions,
        },
        outcomes,
    )))
}

pub(crate) fn journal_plan(
    tx: &Transaction<'_>,
    run: RunId,
    plan: &JournaledPlan,
) -> StoreResult<()> {
    let mut stored = get_run(tx, run)?.ok_or(StoreError::RunNotFound(run))?;
    if let Some((existing, _)) = load_plan(tx, run)? {
        return if existing == *plan {
            Ok(())
        } else {
            Err(StoreError::PlanMismatch(run))
        };
    }
    let mut seen = HashSet::new();
    for a in &plan.actions {
        if !seen.insert((&a.user, &a.action)) {
            return Err(StoreError::DuplicateAction {
                run,
                user: a.user.to_string(),
                action: a.action.to_string(),
            });
        }
    }
    tx.execute(
        "INSERT INTO journal_plans (run_id, hash, plan) VALUES (?1, ?2, ?3)",
        rusqlite::params![run.0, plan.hash.0, plan.json],
    )
    .map_err(backend)?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO journal_actions (run_id, user_key, action_key, seq, operation) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .map_err(backend)?;
    for (seq, a) in plan.actions.iter().enumerate() {
        let op = a.operation.as_ref().map(json).transpose()?;
        stmt.execute(rusqlite::params![
            run.0,
            a.user.as_str(),
            a.action.as_str(),
            i64::try_from(seq).unwrap_or(i64::MAX),
            op
        ])
        .map_err(backend)?;
    }
    stored.plan_hash = Some(plan.hash.clone());
    write_run_state(tx, &stored)
}

pub(crate) fn record_outcome(
    tx: &Transaction<'_>,
    run: RunId,
    o: &ActionOutcome,
) -> StoreResult<bool> {
    let changed = tx
        .prepare_cached(
            "UPDATE journal_actions SET outcome_status = ?4, outcome_detail = ?5, outcome_at = ?6 \
             WHERE run_id = ?1 AND user_key = ?2 AND action_key = ?3 AND outcome_status IS NULL",
        )
        .map_err(backend)?
        .execute(rusqlite::params![
            run.0,
            o.user.as_str(),
            o.action.as_str(),
            o.status.code(),
            o.detail.as_deref(),
            o.at.0
        ])
        .map_err(backend)?;
    if changed == 1 {
        return Ok(true);
    }
    run_exists(tx, run)?;
    let planned: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM journal_actions WHERE run_id = ?1 AND user_key = ?2 AND action_key = ?3",
            rusqlite::params![run.0, o.user.as_str(), o.action.as_str()],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    if planned.is_some() {
        return Ok(false);
    }
    let has_plan: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM journal_plans WHERE run_id = ?1",
            [run.0],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    if has_plan.is_none() {
        return Err(StoreError::NoPlan(run));
    }
    Err(StoreError::UnknownAction {
        run,
        user: o.user.to_string(),
        action: o.action.to_string(),
    })
}

pub(crate) fn journal(conn: &Connection, run: RunId) -> StoreResult<Option<RunJournal>> {
    let tx = conn.unchecked_transaction().map_err(backend)?;
    let found = load_plan(&tx, run)?;
    tx.commit().map_err(backend)?;
    Ok(found.map(|(plan, outcomes)| RunJournal {
        run,
        plan,
        outcomes,
    }))
}

pub(crate) fn pending(conn: &Connection, run: RunId) -> StoreResult<Vec<PlannedAction>> {
    let tx = conn.unchecked_transaction().map_err(backend)?;
    run_exists(&tx, run)?;
    let has_plan: Option<i64> = tx
        .query_row(
            "SELECT 1 FROM journal_plans WHERE run_id = ?1",
            [run.0],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    if has_plan.is_none() {
        return Err(StoreError::NoPlan(run));
    }
    let mut out = Vec::new();
    {
        let mut stmt = tx
            .prepare_cached(
                "SELECT user_key, action_key, operation FROM journal_actions \
                 WHERE run_id = ?1 AND outcome_status IS NULL ORDER BY seq",
            )
            .map_err(backend)?;
        let mut rows = stmt.query([run.0]).map_err(backend)?;
        while let Some(row) = rows.next().map_err(backend)? {
            out.push(decode_action(row)?);
        }
    }
    tx.commit().map_err(backend)?;
    Ok(out)
}

pub(crate) fn mark_interrupted(tx: &Transaction<'_>, run: RunId, at: Millis) -> StoreResult<bool> {
    let mut stored = get_run(tx, run)?.ok_or(StoreError::RunNotFound(run))?;
    if stored.status != RunStatus::InProgress {
        return Ok(false);
    }
    stored.status = RunStatus::Interrupted;
    stored.finished_at = Some(at);
    write_run_state(tx, &stored)?;
    Ok(true)
}

// ---- undo ----

pub(crate) fn record_before(
    tx: &Transaction<'_>,
    run: RunId,
    states: &[AccountState],
) -> StoreResult<()> {
    run_exists(tx, run)?;
    let mut stmt = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO undo_states (run_id, user_key, state) VALUES (?1, ?2, ?3)",
        )
        .map_err(backend)?;
    for s in states {
        stmt.execute(rusqlite::params![run.0, s.user.as_str(), json(s)?])
            .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn before_states(conn: &Connection, run: RunId) -> StoreResult<Vec<AccountState>> {
    let mut stmt = conn
        .prepare_cached("SELECT state FROM undo_states WHERE run_id = ?1 ORDER BY user_key")
        .map_err(backend)?;
    let mut rows = stmt.query([run.0]).map_err(backend)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        let text: String = row.get(0).map_err(backend)?;
        out.push(unjson(&text, "undo state")?);
    }
    Ok(out)
}

// ---- outbox ----

const MAIL_COLUMNS: &str = "id, dedup_key, template_id, recipient_user, to_addrs, bcc_addrs, subject, \
     html_body, text_body, created_at, status, attempts, next_attempt_at, last_error";

fn decode_mail(row: &Row<'_>) -> StoreResult<OutboxMessage> {
    let g = backend;
    let to: String = row.get(4).map_err(g)?;
    let bcc: String = row.get(5).map_err(g)?;
    Ok(OutboxMessage {
        id: MailId(row.get(0).map_err(g)?),
        dedup_key: row.get(1).map_err(g)?,
        template_id: row.get(2).map_err(g)?,
        recipient_user: row
            .get::<_, Option<String>>(3)
            .map_err(g)?
            .map(UserKey::from),
        to: unjson(&to, "outbox recipients")?,
        bcc: unjson(&bcc, "outbox recipients")?,
        subject: row.get(6).map_err(g)?,
        html_body: row.get(7).map_err(g)?,
        text_body: row.get(8).map_err(g)?,
        created_at: Millis(row.get(9).map_err(g)?),
        status: MailStatus::from_code(row.get(10).map_err(g)?)
            .ok_or_else(|| corrupt("outbox status"))?,
        attempts: u32::try_from(row.get::<_, i64>(11).map_err(g)?).unwrap_or(u32::MAX),
        next_attempt_at: Millis(row.get(12).map_err(g)?),
        last_error: row.get(13).map_err(g)?,
    })
}

pub(crate) fn enqueue(tx: &Transaction<'_>, m: &NewOutboxMessage) -> StoreResult<Enqueued> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM outbox WHERE dedup_key = ?1",
            [&m.dedup_key],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    if let Some(id) = existing {
        return Ok(Enqueued {
            id: MailId(id),
            new: false,
        });
    }
    tx.execute(
        "INSERT INTO outbox (dedup_key, template_id, recipient_user, to_addrs, bcc_addrs, subject, \
         html_body, text_body, created_at, status, attempts, next_attempt_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, ?9)",
        rusqlite::params![
            m.dedup_key,
            m.template_id,
            m.recipient_user.as_ref().map(UserKey::as_str),
            json(&m.to)?,
            json(&m.bcc)?,
            m.subject,
            m.html_body,
            m.text_body,
            m.created_at.0,
            MailStatus::Queued.code(),
        ],
    )
    .map_err(backend)?;
    Ok(Enqueued {
        id: MailId(tx.last_insert_rowid()),
        new: true,
    })
}

fn get_mail(conn: &Connection, id: i64) -> StoreResult<Option<OutboxMessage>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {MAIL_COLUMNS} FROM outbox WHERE id = ?1"))
        .map_err(backend)?;
    let mut rows = stmt.query([id]).map_err(backend)?;
    match rows.next().map_err(backend)? {
        Some(row) => Ok(Some(decode_mail(row)?)),
        None => Ok(None),
    }
}

pub(crate) fn claim_due(
    tx: &Transaction<'_>,
    now: Millis,
    limit: u32,
    claim: Duration,
) -> StoreResult<Vec<OutboxMessage>> {
    let ids: Vec<i64> = {
        let mut stmt = tx
            .prepare_cached(
                "SELECT id FROM outbox WHERE status IN (?1, ?2) AND next_attempt_at <= ?3 \
                 ORDER BY next_attempt_at, id LIMIT ?4",
            )
            .map_err(backend)?;
        let rows = stmt
            .query_map(
                rusqlite::params![
                    MailStatus::Queued.code(),
                    MailStatus::Sending.code(),
                    now.0,
                    i64::from(limit)
                ],
                |r| r.get(0),
            )
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)?
    };
    let until = add_duration(now, claim);
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        tx.execute(
            "UPDATE outbox SET status = ?2, attempts = attempts + 1, next_attempt_at = ?3 WHERE id = ?1",
            rusqlite::params![id, MailStatus::Sending.code(), until.0],
        )
        .map_err(backend)?;
        if let Some(m) = get_mail(tx, id)? {
            out.push(m);
        }
    }
    Ok(out)
}

pub(crate) fn mark_mail(
    tx: &Transaction<'_>,
    id: MailId,
    status: MailStatus,
    next: Millis,
    error: Option<&str>,
) -> StoreResult<()> {
    let n = tx
        .execute(
            "UPDATE outbox SET status = ?2, next_attempt_at = ?3, last_error = ?4 WHERE id = ?1",
            rusqlite::params![id.0, status.code(), next.0, error],
        )
        .map_err(backend)?;
    if n == 0 {
        return Err(StoreError::MailNotFound(id));
    }
    Ok(())
}

/// An administrator's retry (`to` queued) or discard: only a queued or
/// failed message changes, in one conditional UPDATE so a worker's claim in
/// between wins.
pub(crate) fn act_on_mail(
    tx: &Transaction<'_>,
    id: MailId,
    to: MailStatus,
    now: Millis,
) -> StoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE outbox SET status = ?2, next_attempt_at = ?3 \
             WHERE id = ?1 AND status IN (?4, ?5)",
            rusqlite::params![
                id.0,
                to.code(),
                now.0,
                MailStatus::Queued.code(),
                MailStatus::Failed.code()
            ],
        )
        .map_err(backend)?;
    if n > 0 {
        return Ok(true);
    }
    let exists: bool = tx
        .query_row("SELECT 1 FROM outbox WHERE id = ?1", [id.0], |_| Ok(()))
        .optional()
        .map_err(backend)?
        .is_some();
    if exists {
        Ok(false)
    } else {
        Err(StoreError::MailNotFound(id))
    }
}

pub(crate) fn list_mail(conn: &Connection, q: &OutboxQuery) -> StoreResult<Page<OutboxMessage>> {
    let size = q.page_size();
    let mut w = Where::default();
    let mut clauses = Vec::new();
    if !q.statuses.is_empty() {
        let marks: Vec<&str> = q.statuses.iter().map(|_| "?").collect();
        w.params
            .extend(q.statuses.iter().map(|s| Value::from(s.code())));
        clauses.push(format!("status IN ({})", marks.join(",")));
    }
    if let Some(user) = &q.recipient_user {
        w.params.push(Value::from(user.0.to_string()));
        clauses.push("recipient_user = ?".to_owned());
    }
    if let Some(c) = q.after {
        w.params
            .extend([Value::from(c.at.0), Value::from(c.at.0), Value::from(c.id)]);
        clauses.push("(created_at < ? OR (created_at = ? AND id < ?))".to_owned());
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {MAIL_COLUMNS} FROM outbox{filter} ORDER BY created_at DESC, id DESC LIMIT {}",
        size + 1
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    let mut rows = stmt
        .query(params_from_iter(w.params.iter()))
        .map_err(backend)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(backend)? {
        items.push(decode_mail(row)?);
    }
    Ok(page(items, size, |m| Cursor {
        at: m.created_at,
        id: m.id.0,
    }))
}

// ---- leases ----

fn current_lease(conn: &Connection, policy: &PolicyId) -> StoreResult<Option<Lease>> {
    conn.query_row(
        "SELECT owner, expires_at FROM leases WHERE policy_id = ?1",
        [policy.as_str()],
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
    )
    .optional()
    .map_err(backend)
    .map(|found| {
        found.map(|(owner, expires)| Lease {
            policy: policy.clone(),
            owner: LeaseOwner(owner),
            expires_at: Millis(expires),
        })
    })
}

fn put_lease(tx: &Transaction<'_>, lease: &Lease) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO leases (policy_id, owner, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (policy_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at",
        rusqlite::params![lease.policy.as_str(), lease.owner.0, lease.expires_at.0],
    )
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn acquire(
    tx: &Transaction<'_>,
    policy: &PolicyId,
    owner: &LeaseOwner,
    now: Millis,
    ttl: Duration,
) -> StoreResult<LeaseOutcome> {
    if let Some(held) = current_lease(tx, policy)? {
        if held.owner != *owner && held.expires_at > now {
            return Ok(LeaseOutcome::Held(held));
        }
    }
    let lease = Lease {
        policy: policy.clone(),
        owner: owner.clone(),
        expires_at: add_duration(now, ttl),
    };
    put_lease(tx, &lease)?;
    Ok(LeaseOutcome::Acquired(lease))
}

pub(crate) fn renew(
    tx: &Transaction<'_>,
    policy: &PolicyId,
    owner: &LeaseOwner,
    now: Millis,
    ttl: Duration,
) -> StoreResult<Option<Lease>> {
    match current_lease(tx, policy)? {
        Some(held) if held.owner == *owner => {
            let lease = Lease {
                expires_at: add_duration(now, ttl),
                ..held
            };
            put_lease(tx, &lease)?;
            Ok(Some(lease))
        }
        _ => Ok(None),
    }
}

pub(crate) fn release(
    tx: &Transaction<'_>,
    policy: &PolicyId,
    owner: &LeaseOwner,
) -> StoreResult<bool> {
    let n = tx
        .execute(
            "DELETE FROM leases WHERE policy_id = ?1 AND owner = ?2",
            rusqlite::params![policy.as_str(), owner.0],
        )
        .map_err(backend)?;
    Ok(n == 1)
}
