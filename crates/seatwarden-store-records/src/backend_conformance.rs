//! The [`RecordBackend`] contract as executable checks, for every backend:
//! [`crate::MemoryBackend`] in this crate's tests, the Java backend (Active
//! Objects, or the tests' in-memory fake) through JNI.
//!
//! Why a suite of its own: the Store's guarantees ([`crate::RecordStore`])
//! rest on a few promises of the backend (an insert batch lands whole or not
//! at all, keys are unique, an update is a compare-and-set on the revision,
//! a scan selects and orders exactly as documented). A backend that breaks
//! one would break the Store in ways its own suite finds late and vaguely;
//! these checks name the broken promise.
//!
//! Every check wants an empty backend but touches only the tables it names,
//! so [`check_all`] runs the whole suite on one fresh backend. The checks
//! call the backend from the calling thread only (a JNI backend may only be
//! called from threads attached to the JVM), except
//! [`concurrent_inserts_lose_nothing`], which starts threads and is
//! therefore not part of [`check_all`].

use std::collections::HashSet;

use seatwarden_core::Millis;

use crate::backend::{BackendError, NewRecord, Order, Record, RecordBackend, Scan, Table};

/// The outcome of one check: `Err` names the broken promise.
pub type Check = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        {
            let holds: bool = $cond;
            if !holds {
                return Err(format!($($msg)+));
            }
        }
    };
}

fn e2s(e: BackendError) -> String {
    format!("unexpected backend error: {e}")
}

fn rec(
    key: Option<&str>,
    group: Option<i64>,
    time: i64,
    kind: Option<&str>,
    body: &str,
) -> NewRecord {
    NewRecord {
        key: key.map(str::to_owned),
        group,
        time: Millis(time),
        kind: kind.map(str::to_owned),
        body: body.to_owned(),
    }
}

fn everything(table: Table, b: &dyn RecordBackend) -> Result<Vec<Record>, String> {
    b.scan(table, &Scan::default()).map_err(e2s)
}

fn ensure_empty(table: Table, b: &dyn RecordBackend) -> Check {
    let n = b.count(table, &Scan::default()).map_err(e2s)?;
    ensure!(
        n == 0,
        "the check needs table `{}` empty, it holds {n} rows",
        table.as_str()
    );
    Ok(())
}

/// A named check.
type NamedCheck = (&'static str, fn(&dyn RecordBackend) -> Check);

/// Every single-threaded check, in order.
pub const CHECKS: [NamedCheck; 7] = [
    ("empty_answers", empty_answers),
    (
        "insert_is_atomic_and_keys_unique",
        insert_is_atomic_and_keys_unique,
    ),
    (
        "ids_grow_and_are_never_reused",
        ids_grow_and_are_never_reused,
    ),
    ("update_is_compare_and_set", update_is_compare_and_set),
    (
        "scan_selects_orders_and_limits",
        scan_selects_orders_and_limits,
    ),
    (
        "count_and_delete_select_like_scan",
        count_and_delete_select_like_scan,
    ),
    ("tables_are_separate", tables_are_separate),
];

/// Runs every check in [`CHECKS`] on one fresh, empty backend; `Err` says
/// which check failed and why.
pub fn check_all(backend: &dyn RecordBackend) -> Check {
    for (name, check) in CHECKS {
        check(backend).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// [`check_all`], panicking with the broken promise: for a `#[test]`.
#[expect(
    clippy::panic,
    reason = "a conformance failure in a test must fail the test with its message"
)]
pub fn run_all(backend: &dyn RecordBackend) {
    if let Err(broken) = check_all(backend) {
        panic!("record backend breaks its contract: {broken}");
    }
}

/// Missing rows are `None`, empty selections are empty (table `outbox`).
pub fn empty_answers(b: &dyn RecordBackend) -> Check {
    let t = Table::Outbox;
    ensure_empty(t, b)?;
    ensure!(
        b.get(t, "nope").map_err(e2s)?.is_none(),
        "get of a missing key answered a row"
    );
    ensure!(
        b.get_by_id(t, 1).map_err(e2s)?.is_none(),
        "get_by_id of a missing id answered a row"
    );
    ensure!(
        everything(t, b)?.is_empty(),
        "scan of an empty table answered rows"
    );
    ensure!(
        b.delete(t, &Scan::default()).map_err(e2s)? == 0,
        "delete on an empty table deleted rows"
    );
    ensure!(
        b.update(t, 1, 1, Millis(0), None, "{}")
            .map_err(e2s)?
            .is_none(),
        "update of a missing row answered a revision"
    );
    ensure!(
        b.insert(t, &[]).map_err(e2s)?.is_empty(),
        "an empty insert answered ids"
    );
    Ok(())
}

/// A batch lands whole with growing ids and every field as given, or not at
/// all when a key clashes (with the table or within the batch) (table
/// `config`).
pub fn insert_is_atomic_and_keys_unique(b: &dyn RecordBackend) -> Check {
    let t = Table::Config;
    ensure_empty(t, b)?;
    let batch = [
        rec(Some("a"), Some(7), 1_000, Some("k1"), r#"{"n":1}"#),
        rec(
            None,
            None,
            -5,
            None,
            r#"{"text":"Ünïcode \"quoted\" \n line"}"#,
        ),
        rec(Some("b"), Some(-1), i64::MAX / 2, Some("k2"), "[]"),
        rec(None, None, 0, None, "{}"),
    ];
    let ids = b.insert(t, &batch).map_err(e2s)?;
    ensure!(
        ids.len() == batch.len(),
        "insert answered {} ids for {} rows",
        ids.len(),
        batch.len()
    );
    ensure!(
        ids.windows(2).all(|w| matches!(w, [x, y] if x < y)),
        "ids not increasing in batch order: {ids:?}"
    );
    for (id, new) in ids.iter().zip(&batch) {
        let got = b
            .get_by_id(t, *id)
            .map_err(e2s)?
            .ok_or(format!("row {id} not found by id"))?;
        ensure!(
            got.id == *id
                && got.key == new.key
                && got.group == new.group
                && got.time == new.time
                && got.kind == new.kind
                && got.body == new.body
                && got.revision == 1,
            "row {id} not stored as given (revision must start at 1): {got:?} vs {new:?}"
        );
    }
    let by_key = b
        .get(t, "b")
        .map_err(e2s)?
        .ok_or("row not found by key `b`")?;
    ensure!(
        by_key.id == ids.get(2).copied().unwrap_or(0),
        "get by key answered the wrong row"
    );

    let clash = [
        rec(Some("c"), None, 1, None, "{}"),
        rec(Some("a"), None, 1, None, "{}"),
    ];
    match b.insert(t, &clash) {
        Err(BackendError::DuplicateKey { table, key }) => {
            ensure!(
                table == t.as_str() && key == "a",
                "duplicate named `{table}`/`{key}`"
            )
        }
        other => {
            return Err(format!(
                "a key already in the table was accepted: {other:?}"
            ));
        }
    }
    ensure!(
        b.get(t, "c").map_err(e2s)?.is_none(),
        "a refused batch left row `c` behind"
    );
    let twice = [
        rec(Some("d"), None, 1, None, "{}"),
        rec(Some("d"), None, 2, None, "{}"),
    ];
    ensure!(
        matches!(b.insert(t, &twice), Err(BackendError::DuplicateKey { .. })),
        "a batch holding one key twice was accepted"
    );
    ensure!(
        b.get(t, "d").map_err(e2s)?.is_none(),
        "a refused batch left row `d` behind"
    );
    ensure!(
        everything(t, b)?.len() == batch.len(),
        "refused batches changed the row count"
    );
    let keyless = [
        rec(None, None, 1, None, "{}"),
        rec(None, None, 1, None, "{}"),
    ];
    ensure!(
        b.insert(t, &keyless).map_err(e2s)?.len() == 2,
        "rows without keys were refused"
    );
    Ok(())
}

/// Ids only grow, across batches and after deletes (table `before_states`).
pub fn ids_grow_and_are_never_reused(b: &dyn RecordBackend) -> Check {
    let t = Table::BeforeStates;
    ensure_empty(t, b)?;
    let first = b
        .insert(
            t,
            &[
                rec(Some("x"), None, 1, None, "{}"),
                rec(None, None, 1, None, "{}"),
            ],
        )
        .map_err(e2s)?;
    let newest = first.iter().copied().max().ok_or("no ids")?;
    let gone = b.delete(t, &Scan::default()).map_err(e2s)?;
    ensure!(gone == 2, "delete of everything answered {gone}");
    let again = b
        .insert(t, &[rec(Some("x"), None, 1, None, "{}")])
        .map_err(e2s)?;
    let id = again.first().copied().ok_or("no id")?;
    ensure!(
        id > newest,
        "id {id} reused or smaller than {newest} after a delete"
    );
    ensure!(
        b.get(t, "x").map_err(e2s)?.map(|r| r.id) == Some(id),
        "a deleted key was not free again"
    );
    Ok(())
}

/// An update replaces time, kind and body only when the revision matches,
/// and bumps it by one; a stale or missing row changes nothing (table
/// `leases`).
pub fn update_is_compare_and_set(b: &dyn RecordBackend) -> Check {
    let t = Table::Leases;
    ensure_empty(t, b)?;
    let id = *b
        .insert(t, &[rec(Some("p"), Some(3), 10, Some("a"), r#"{"v":1}"#)])
        .map_err(e2s)?
        .first()
        .ok_or("no id")?;
    let r2 = b
        .update(t, id, 1, Millis(20), Some("b"), r#"{"v":2}"#)
        .map_err(e2s)?;
    ensure!(
        r2 == Some(2),
        "update with the current revision answered {r2:?}, not Some(2)"
    );
    let row = b.get(t, "p").map_err(e2s)?.ok_or("updated row vanished")?;
    ensure!(
        row.revision == 2
            && row.time == Millis(20)
            && row.kind.as_deref() == Some("b")
            && row.body == r#"{"v":2}"#
            && row.key.as_deref() == Some("p")
            && row.group == Some(3)
            && row.id == id,
        "update did not replace exactly time, kind and body: {row:?}"
    );
    let window = |from: i64, to: i64| -> Result<Vec<i64>, String> {
        let scan = Scan {
            time_from: Some(Millis(from)),
            time_to: Some(Millis(to)),
            ..Scan::default()
        };
        Ok(b.scan(t, &scan)
            .map_err(e2s)?
            .iter()
            .map(|r| r.id)
            .collect())
    };
    ensure!(
        window(15, 25)? == vec![id] && window(5, 15)?.is_empty(),
        "a scan by time does not see the updated time"
    );
    ensure!(
        b.update(t, id, 1, Millis(30), None, r#"{"v":3}"#)
            .map_err(e2s)?
            .is_none(),
        "an update with a stale revision was applied"
    );
    ensure!(
        b.update(t, id + 1_000, 2, Millis(30), None, "{}")
            .map_err(e2s)?
            .is_none(),
        "an update of a missing row answered a revision"
    );
    let row = b.get_by_id(t, id).map_err(e2s)?.ok_or("row vanished")?;
    ensure!(
        row.revision == 2 && row.body == r#"{"v":2}"#,
        "a refused update changed the row: {row:?}"
    );
    let r3 = b
        .update(t, id, 2, Millis(30), None, r#"{"v":3}"#)
        .map_err(e2s)?;
    ensure!(r3 == Some(3), "second update answered {r3:?}");
    let row = b.get_by_id(t, id).map_err(e2s)?.ok_or("row vanished")?;
    ensure!(
        row.kind.is_none(),
        "update to no kind kept kind {:?}",
        row.kind
    );
    Ok(())
}

/// Test rows: groups 1–3 and none, kinds `a`/`b`/`c` and none, times that
/// do not follow ids.
fn sample(n: i64) -> Vec<NewRecord> {
    (0..n)
        .map(|i| {
            let group = if i % 4 == 3 { None } else { Some(i % 3 + 1) };
            let kind = match i % 5 {
                0 => None,
                1 | 4 => Some("a"),
                2 => Some("b"),
                _ => Some("c"),
            };
            // Times jump around (and repeat) so time order is not id order.
            let time = (i * 7_919) % 41 * 100;
            rec(None, group, time, kind, &format!(r#"{{"i":{i}}}"#))
        })
        .collect()
}

fn reference(rows: &[Record], s: &Scan) -> Vec<i64> {
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| s.group.is_none_or(|g| r.group == Some(g)))
        .filter(|r| s.kinds.is_empty() || r.kind.as_ref().is_some_and(|k| s.kinds.contains(k)))
        .filter(|r| s.time_from.is_none_or(|t| r.time >= t))
        .filter(|r| s.time_to.is_none_or(|t| r.time < t))
        .filter(|r| s.after_id.is_none_or(|a| r.id > a))
        .filter(|r| s.before_id.is_none_or(|b| r.id < b))
        .map(|r| r.id)
        .collect();
    ids.sort_unstable();
    if s.order == Order::Descending {
        ids.reverse();
    }
    ids
}

fn sample_scans(ids: &[i64]) -> Vec<Scan> {
    let mid = ids.get(ids.len() / 2).copied().unwrap_or(0);
    let quarter = ids.get(ids.len() / 4).copied().unwrap_or(0);
    let s = Scan::default;
    let mut scans = vec![
        s(),
        Scan {
            group: Some(2),
            ..s()
        },
        Scan {
            group: Some(99),
            ..s()
        },
        Scan {
            kinds: vec!["a".into()],
            ..s()
        },
        Scan {
            kinds: vec!["b".into(), "c".into()],
            ..s()
        },
        Scan {
            kinds: vec!["zzz".into()],
            ..s()
        },
        Scan {
            time_from: Some(Millis(1_000)),
            ..s()
        },
        Scan {
            time_to: Some(Millis(1_000)),
            ..s()
        },
        Scan {
            time_from: Some(Millis(500)),
            time_to: Some(Millis(2_500)),
            ..s()
        },
        Scan {
            time_from: Some(Millis(700)),
            time_to: Some(Millis(700)),
            ..s()
        },
        Scan {
            after_id: Some(mid),
            ..s()
        },
        Scan {
            before_id: Some(mid),
            ..s()
        },
        Scan {
            after_id: Some(quarter),
            before_id: Some(mid),
            ..s()
        },
        Scan {
            after_id: Some(mid),
            before_id: Some(mid + 1),
            ..s()
        },
        Scan {
            group: Some(1),
            kinds: vec!["a".into(), "c".into()],
            time_from: Some(Millis(300)),
            time_to: Some(Millis(3_700)),
            after_id: Some(quarter),
            ..s()
        },
    ];
    let both: Vec<Scan> = scans
        .iter()
        .map(|sc| Scan {
            order: Order::Descending,
            ..sc.clone()
        })
        .collect();
    scans.extend(both);
    scans
}

/// Scans select with every bound, walk ids in the asked order and stop at
/// the limit (table `audit`).
pub fn scan_selects_orders_and_limits(b: &dyn RecordBackend) -> Check {
    let t = Table::Audit;
    ensure_empty(t, b)?;
    let ids = b.insert(t, &sample(120)).map_err(e2s)?;
    let rows = everything(t, b)?;
    ensure!(
        rows.iter().map(|r| r.id).collect::<Vec<_>>() == ids,
        "a default scan is not every row in ascending id order"
    );
    for scan in sample_scans(&ids) {
        let want = reference(&rows, &scan);
        let got: Vec<i64> = b
            .scan(t, &scan)
            .map_err(e2s)?
            .iter()
            .map(|r| r.id)
            .collect();
        ensure!(
            got == want,
            "scan {scan:?} answered {got:?}, expected {want:?}"
        );
        for limit in [0_u32, 1, 7] {
            let limited = Scan {
                limit: Some(limit),
                ..scan.clone()
            };
            let got: Vec<i64> = b
                .scan(t, &limited)
                .map_err(e2s)?
                .iter()
                .map(|r| r.id)
                .collect();
            let head: Vec<i64> = want.iter().copied().take(limit as usize).collect();
            ensure!(
                got == head,
                "scan {limited:?} answered {got:?}, expected {head:?}"
            );
        }
        let n = b
            .count(
                t,
                &Scan {
                    limit: Some(1),
                    ..scan.clone()
                },
            )
            .map_err(e2s)?;
        ensure!(
            n == want.len() as u64,
            "count {n} (limit must be ignored) vs {} for {scan:?}",
            want.len()
        );
    }
    // Paging by cursor visits every row once, in both orders.
    for order in [Order::Ascending, Order::Descending] {
        let mut seen = Vec::new();
        let mut scan = Scan {
            order,
            limit: Some(13),
            kinds: vec!["a".into()],
            ..Scan::default()
        };
        loop {
            let page = b.scan(t, &scan).map_err(e2s)?;
            let Some(last) = page.last() else { break };
            match order {
                Order::Ascending => scan.after_id = Some(last.id),
                Order::Descending => scan.before_id = Some(last.id),
            }
            seen.extend(page.iter().map(|r| r.id));
        }
        let want = reference(
            &rows,
            &Scan {
                order,
                kinds: vec!["a".into()],
                ..Scan::default()
            },
        );
        ensure!(
            seen == want,
            "cursor paging ({order:?}) visited {seen:?}, expected {want:?}"
        );
    }
    Ok(())
}

/// Count and delete select exactly what a scan selects, ignoring its limit
/// (table `outcomes`).
pub fn count_and_delete_select_like_scan(b: &dyn RecordBackend) -> Check {
    let t = Table::Outcomes;
    ensure_empty(t, b)?;
    let mut rows = sample(60);
    for (i, r) in rows.iter_mut().enumerate() {
        r.key = Some(format!("key-{i}"));
    }
    b.insert(t, &rows).map_err(e2s)?;
    let doomed = Scan {
        kinds: vec!["a".into()],
        time_to: Some(Millis(2_000)),
        limit: Some(1),
        ..Scan::default()
    };
    let before = everything(t, b)?;
    let want: HashSet<i64> = reference(&before, &doomed).into_iter().collect();
    ensure!(!want.is_empty(), "test data selects nothing");
    let n = b.count(t, &doomed).map_err(e2s)?;
    ensure!(
        n == want.len() as u64,
        "count answered {n}, expected {}",
        want.len()
    );
    let gone = b.delete(t, &doomed).map_err(e2s)?;
    ensure!(
        gone == want.len() as u64,
        "delete answered {gone}, expected {} (limit must be ignored)",
        want.len()
    );
    let after = everything(t, b)?;
    ensure!(
        after.iter().all(|r| !want.contains(&r.id)) && after.len() + want.len() == before.len(),
        "delete removed other rows than the scan selects"
    );
    let deleted_key = before
        .iter()
        .find(|r| want.contains(&r.id))
        .and_then(|r| r.key.clone())
        .ok_or("no deleted key")?;
    ensure!(
        b.get(t, &deleted_key).map_err(e2s)?.is_none(),
        "a deleted row is still found by key"
    );
    let one = after.first().ok_or("nothing left")?;
    let by_id = Scan {
        after_id: Some(one.id - 1),
        before_id: Some(one.id + 1),
        ..Scan::default()
    };
    ensure!(
        b.delete(t, &by_id).map_err(e2s)? == 1,
        "delete of one id did not delete one row"
    );
    ensure!(
        b.get_by_id(t, one.id).map_err(e2s)?.is_none(),
        "row deleted by id still there"
    );
    Ok(())
}

/// The same key in two tables is two rows; a scan sees one table (tables
/// `journal` and `runs`).
pub fn tables_are_separate(b: &dyn RecordBackend) -> Check {
    ensure_empty(Table::Journal, b)?;
    ensure_empty(Table::Runs, b)?;
    b.insert(
        Table::Journal,
        &[rec(
            Some("same"),
            Some(1),
            1,
            Some("j"),
            r#"{"t":"journal"}"#,
        )],
    )
    .map_err(e2s)?;
    b.insert(
        Table::Runs,
        &[rec(Some("same"), Some(1), 1, Some("r"), r#"{"t":"runs"}"#)],
    )
    .map_err(e2s)?;
    let j = b
        .get(Table::Journal, "same")
        .map_err(e2s)?
        .ok_or("journal row missing")?;
    let r = b
        .get(Table::Runs, "same")
        .map_err(e2s)?
        .ok_or("runs row missing")?;
    ensure!(
        j.body.contains("journal") && r.body.contains("runs"),
        "tables share rows"
    );
    ensure!(
        everything(Table::Journal, b)?.len() == 1,
        "a scan saw another table's rows"
    );
    Ok(())
}

/// Several threads inserting at once lose nothing and never share an id,
/// and of several threads inserting one key exactly one wins (table
/// `outbox`). Not in [`check_all`]: it calls the backend from new threads.
pub fn concurrent_inserts_lose_nothing(b: &dyn RecordBackend) -> Check {
    let t = Table::Outbox;
    ensure_empty(t, b)?;
    const THREADS: usize = 4;
    const ROWS: usize = 200;
    let results: Vec<Result<(Vec<i64>, bool), String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|n| {
                s.spawn(move || {
                    let mut ids = Vec::new();
                    for i in 0..ROWS {
                        let key = format!("t{n}-{i}");
                        ids.extend(
                            b.insert(t, &[rec(Some(&key), None, 1, None, "{}")])
                                .map_err(e2s)?,
                        );
                    }
                    let won = match b.insert(t, &[rec(Some("contested"), None, 1, None, "{}")]) {
                        Ok(_) => true,
                        Err(BackendError::DuplicateKey { .. }) => false,
                        Err(e) => return Err(e2s(e)),
                    };
                    Ok((ids, won))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a thread panicked".to_owned()))
            })
            .collect()
    });
    let mut all = HashSet::new();
    let mut winners = 0;
    for r in results {
        let (ids, won) = r?;
        winners += usize::from(won);
        for id in ids {
            ensure!(all.insert(id), "id {id} handed out twice");
        }
    }
    ensure!(winners == 1, "{winners} threads inserted the same key");
    let n = b.count(t, &Scan::default()).map_err(e2s)?;
    ensure!(
        n == (THREADS * ROWS + 1) as u64,
        "{n} rows after {} inserts",
        THREADS * ROWS + 1
    );
    Ok(())
}
