//! A users import planned in bounded memory: validated, previewed and kept
//! as the file itself, re-planned when the admin applies it.
//!
//! Why: the first version collected every row's plan, every action (with
//! four strings each), a JSON verdict per row and a plan document listing
//! every write, kept all of it for a day and answered all of it: a 31 MiB
//! file (381,851 rows) took the server from 31 MB to 4.6 GB and answered
//! 220 MB of JSON (security review, P1-5). Now:
//!
//! - validation streams the file once ([`seatwarden_csv::validate_users`]:
//!   one reused record, the case-folded usernames in one arena);
//! - a valid file is planned a second time, streamed
//!   ([`seatwarden_csv::stream_users`]), and each action is hashed and
//!   counted as it is produced; only the first [`SHOWN_ACTIONS`] actions
//!   and [`SHOWN_ROWS`] row verdicts are kept for the answer, which is a
//!   page, not the plan (the counts cover everything);
//! - the kept plan is the file (one copy of the upload), its options and
//!   the hash: the most compact form of the plan there is, since a row that
//!   creates a user must carry the user's fields anyway. Applying plans the
//!   file again against the directory as it is then and refuses (409) if the
//!   writes' hash moved, so a plan made stale by another admin's change is
//!   never applied blindly;
//! - kept plans are capped in count and bytes, the oldest dropped first
//!   (`Service::keep_plan`).
//!
//! - the rows and actions past the answer's first page are paged from the
//!   kept file (`GET /api/import/{planId}/rows|actions`): streamed again
//!   up to the page's end only ([`PageSink`]), so a page costs one pass
//!   over at most that part of the file and holds one page in memory.
//!
//! One function ([`stream_actions`]) produces the actions for the preview,
//! its pages, the hash and the run, so they cannot disagree on order or
//! content.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use seatwarden_core::{GroupName, Operation, UserKey};
use seatwarden_csv::{ImportOptions, ImportSummary, PlannedRow, Rejected, RowPlan};

use super::ActionInfo;
use super::import::{Notices, placeholder};

/// How many planned actions a preview lists (as `POST /api/bulk/plan`);
/// the counts cover them all.
pub(crate) const SHOWN_ACTIONS: usize = 500;

/// How many rows' verdicts a preview lists; the summary counts them all.
pub(crate) const SHOWN_ROWS: usize = 500;

/// An import kept for confirmation: the validated file and its options.
#[derive(Clone, Debug)]
pub struct KeptImport {
    /// The file as uploaded (shared, never copied again).
    pub csv: bytes::Bytes,
    /// The options it was validated with.
    pub options: ImportOptions,
    /// The groups the plan creates first (from the validation, so a page
    /// of the plan streams the file once, without validating it again).
    pub groups_to_create: Vec<GroupName>,
    /// How many rows and actions the preview counted (a page's totals).
    pub rows: u64,
    /// See `rows`.
    pub actions: usize,
}

/// Which list of a kept import a page walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportPageOf {
    /// Each row's verdict (`line`, `username`, `user`, `plan`, `actions`).
    Rows,
    /// The planned actions, in applying order.
    Actions,
}

/// One page of a kept import's plan, planned again from the file.
#[derive(Clone, Debug, Default)]
pub struct ImportPage {
    /// Rows or actions in the whole plan (as the preview counted them).
    pub total: u64,
    /// The rows of the page (`ImportPageOf::Rows`).
    pub rows: Vec<Value>,
    /// The actions of the page (`ImportPageOf::Actions`).
    pub actions: Vec<ActionInfo>,
}

/// Collects the page `[offset, offset + limit)` of rows or actions and
/// says when it is full, so the file is read no further than the page.
pub(crate) struct PageSink {
    of: ImportPageOf,
    offset: usize,
    limit: usize,
    seen: usize,
    pub(crate) page: ImportPage,
}

impl PageSink {
    pub(crate) fn new(of: ImportPageOf, offset: usize, limit: usize, total: u64) -> Self {
        PageSink {
            of,
            offset,
            limit,
            seen: 0,
            page: ImportPage {
                total,
                ..ImportPage::default()
            },
        }
    }

    /// Counts one item; true when it falls inside the page.
    fn take(&mut self, of: ImportPageOf) -> bool {
        if of != self.of {
            return false;
        }
        let inside = self.seen >= self.offset && self.seen - self.offset < self.limit;
        self.seen += 1;
        inside
    }
}

impl PlanSink for PageSink {
    fn action(&mut self, a: ActionInfo) {
        if self.take(ImportPageOf::Actions) {
            self.page.actions.push(a);
        }
    }
    fn row(&mut self, v: &RowVerdict<'_>) {
        if self.take(ImportPageOf::Rows) {
            self.page.rows.push(v.json());
        }
    }
    fn full(&self) -> bool {
        self.seen >= self.offset.saturating_add(self.limit)
    }
}

/// One row's verdict for the preview.
pub(crate) struct RowVerdict<'a> {
    pub(crate) row: &'a PlannedRow,
    /// `create`, `update` or `unchanged`.
    pub(crate) plan: &'static str,
    /// The user (a placeholder for a user the row creates).
    pub(crate) user: UserKey,
    /// How many actions the row plans.
    pub(crate) actions: usize,
}

/// What takes a streamed import plan.
pub(crate) trait PlanSink {
    /// The next action, in applying order.
    fn action(&mut self, a: ActionInfo);
    /// A row's verdict, after its actions.
    fn row(&mut self, v: &RowVerdict<'_>);
    /// True once the sink needs no more rows (the file is read no further).
    fn full(&self) -> bool {
        false
    }
}

impl RowVerdict<'_> {
    /// The verdict as the preview and its pages answer it.
    fn json(&self) -> Value {
        json!({
            "line": self.row.line,
            "username": self.row.username.as_str(),
            "user": self.user,
            "plan": self.plan,
            "actions": self.actions,
        })
    }
}

/// Every action, collected (the run's plan).
impl PlanSink for Vec<ActionInfo> {
    fn action(&mut self, a: ActionInfo) {
        self.push(a);
    }
    fn row(&mut self, _: &RowVerdict<'_>) {}
}

/// A sink that also forecasts the licence seats the rows take.
pub(crate) struct WithSeats<'a, S> {
    pub(crate) inner: S,
    pub(crate) seats: SeatForecast<'a>,
}

impl<S: PlanSink> PlanSink for WithSeats<'_, S> {
    fn action(&mut self, a: ActionInfo) {
        self.inner.action(a);
    }
    fn row(&mut self, v: &RowVerdict<'_>) {
        self.inner.row(v);
        self.seats.row(v.row);
    }
}

/// Plans a file that passed validation, handing `sink` every action in
/// applying order (the groups to create first, then each row's writes)
/// and each row's verdict, until the sink is full. `groups_to_create` is
/// the validation's (it names them before the first row is read).
pub(crate) fn stream_actions<T: seatwarden_csv::ImportTarget + ?Sized>(
    csv: &[u8],
    target: &T,
    options: &ImportOptions,
    groups_to_create: &[GroupName],
    sink: &mut impl PlanSink,
) -> Result<ImportSummary, Rejected> {
    for group in groups_to_create {
        let op = Operation::CreateGroup {
            group: group.clone(),
        };
        let user = UserKey::from(format!("group:{group}").as_str());
        sink.action(ActionInfo::new(op, "", "import", "group in the import file").on(user));
    }
    seatwarden_csv::stream_users_while(csv, target, options, |r| {
        let reason = format!("import file line {}", r.line);
        let mut count = 0usize;
        let (plan, user) = match &r.plan {
            RowPlan::Create { notices, .. } => {
                // The host chooses a new user's key: the creation and the
                // memberships name a placeholder the run resolves (see
                // `service::import`), and the source carries the mails
                // asked for.
                let key = placeholder(r.username.as_str());
                let source = Notices {
                    welcome: notices.welcome,
                    password_reset: notices.password_reset,
                }
                .source();
                for op in r.operations(Some(&key)) {
                    count += 1;
                    sink.action(
                        ActionInfo::new(op, r.username.to_string(), source.clone(), &reason)
                            .on(key.clone()),
                    );
                }
                ("create", key)
            }
            RowPlan::Update { user, .. } => {
                for op in r.operations(None) {
                    count += 1;
                    let on = op.user().cloned().unwrap_or_else(|| user.clone());
                    sink.action(
                        ActionInfo::new(op, r.username.to_string(), "import", &reason).on(on),
                    );
                }
                ("update", user.clone())
            }
            RowPlan::Unchanged { user } => ("unchanged", user.clone()),
        };
        sink.row(&RowVerdict {
            row: &r,
            plan,
            user,
            actions: count,
        });
        !sink.full()
    })
}

/// The hash of an import's writes, exactly as [`super::RunPlan::writes_hash`]
/// hashes the same actions collected.
#[derive(Default)]
pub(crate) struct WritesHash(Sha256);

impl WritesHash {
    pub(crate) fn add(&mut self, a: &ActionInfo) {
        if a.live {
            self.0
                .update(serde_json::to_vec(&(&a.source, &a.operation)).unwrap_or_default());
            self.0.update(b"\n");
        }
    }

    pub(crate) fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// What a preview shows of a streamed plan: counts of everything, the
/// first actions and row verdicts.
#[derive(Default)]
pub(crate) struct PreviewPage {
    pub(crate) hash: WritesHash,
    pub(crate) action_count: usize,
    pub(crate) creates: usize,
    /// Users (and groups) with at least one write.
    pub(crate) users: usize,
    /// Profile updates (display name, email): a revert cannot undo them.
    pub(crate) profile_updates: usize,
    pub(crate) actions: Vec<ActionInfo>,
    pub(crate) rows: Vec<Value>,
    pub(crate) skipped: Vec<Value>,
}

impl PlanSink for PreviewPage {
    fn action(&mut self, a: ActionInfo) {
        self.hash.add(&a);
        self.action_count += 1;
        if matches!(a.operation, Operation::CreateUser { .. }) {
            self.creates += 1;
        }
        if matches!(a.operation, Operation::CreateGroup { .. }) {
            self.users += 1;
        }
        if matches!(a.operation, Operation::UpdateUser { .. }) {
            self.profile_updates += 1;
        }
        if self.actions.len() < SHOWN_ACTIONS {
            self.actions.push(a);
        }
    }

    fn row(&mut self, v: &RowVerdict<'_>) {
        if v.actions > 0 {
            self.users += 1;
        }
        if v.plan == "unchanged" && self.skipped.len() < SHOWN_ROWS {
            self.skipped.push(json!({
                "user": v.user,
                "username": v.row.username.as_str(),
                "source": "import",
                "because": format!("import file line {}: the row matches the directory", v.row.line),
            }));
        }
        if self.rows.len() < SHOWN_ROWS {
            self.rows.push(v.json());
        }
    }
}

impl PreviewPage {
    /// What a revert of this import could not undo, said before it runs.
    ///
    /// Why not reversible: the undo records (`AccountState`, kept by every
    /// store, the products' Active Objects tables included) hold status,
    /// username and groups, not display names or emails. Recording those
    /// would be a schema change in each store and would keep personal data
    /// in the undo records for as long as runs are kept. So the preview
    /// says plainly, and the revert lists them as irreversible.
    pub(crate) fn irreversible(&self) -> Option<String> {
        (self.profile_updates > 0).then(|| {
            format!(
                "{} profile update(s) (display name or email) cannot be undone: a revert of this import restores status and groups, but the earlier names and emails are not recorded",
                self.profile_updates
            )
        })
    }

    /// The shown part of the plan in the shape of the engine's plan
    /// document (what `POST /api/bulk/plan` answers as `document`), with
    /// totals over the whole plan, and what a revert could not undo as a
    /// warning. An import has no health verdict; its guard verdicts (the
    /// licences it would exhaust) are the preview's `guard`.
    pub(crate) fn document(&self, unchanged: u64) -> Value {
        let mut users: Vec<Value> = Vec::new();
        let mut last: Option<&UserKey> = None;
        for a in &self.actions {
            let entry = json!({
                "source": a.source,
                "mode": "live",
                "operation": a.operation,
                "because": a.reason,
            });
            let same = last == Some(&a.user);
            match users.last_mut().and_then(|u| u.get_mut("actions")) {
                Some(Value::Array(list)) if same => list.push(entry),
                _ => users.push(json!({
                    "user": a.user,
                    "username": a.username,
                    "actions": [entry],
                })),
            }
            last = Some(&a.user);
        }
        json!({
            "status": "ready",
            "totals": {"users": self.users, "operations": self.action_count, "skipped": unchanged},
            "shown": {"users": users.len(), "operations": self.actions.len(), "skipped": self.skipped.len()},
            "warnings": self.irreversible().into_iter().map(|m| json!({"message": m})).collect::<Vec<_>>(),
            // The guard's sentences are the preview's own `guard` (the UI
            // shows both lists; one copy is enough).
            "guard": [],
            "health": [],
            "users": users,
            "skipped": self.skipped,
        })
    }
}

/// How many rows a seat forecast names per licence.
const SHORT_LINES: usize = 100;

/// The licence seats an import would take (issue 18: 505 of 600 imported
/// users once ended "no licence seat available", unannounced).
///
/// A row takes a seat of a limited licence when the user is active after
/// it and in one of the licence's groups, and was not both before (a new
/// active user joining a licence group, an existing user added to one or
/// activated while in one). Rows are counted in file order, the order they
/// apply in; the rows past the seats left are the ones that would fail.
/// Seats the same import frees (removals, deactivations) are not counted
/// against them: they may land after the rows that need them.
pub(crate) struct SeatForecast<'a> {
    index: &'a seatwarden_core::index::DirectoryIndex,
    licences: Vec<LicenceCount>,
}

struct LicenceCount {
    application: String,
    name: String,
    groups: Vec<String>,
    left: u64,
    taken: u64,
    short_lines: Vec<u64>,
}

impl<'a> SeatForecast<'a> {
    pub(crate) fn new(index: &'a seatwarden_core::index::DirectoryIndex) -> Self {
        let licences = index
            .licences()
            .iter()
            .filter_map(|l| {
                Some(LicenceCount {
                    application: l.application.to_string(),
                    name: l.name.clone(),
                    groups: l.groups.iter().map(GroupName::folded).collect(),
                    left: u64::from(l.seats_available()?),
                    taken: 0,
                    short_lines: Vec::new(),
                })
            })
            .collect();
        SeatForecast { index, licences }
    }

    /// Counts the seats `row` takes.
    fn row(&mut self, row: &PlannedRow) {
        let (before_active, before, after_active, after) = match &row.plan {
            RowPlan::Create { create, groups, .. } => {
                let active = matches!(create, Operation::CreateUser { active: true, .. });
                let after: Vec<String> = groups.iter().map(GroupName::folded).collect();
                (false, Vec::new(), active, after)
            }
            RowPlan::Update { user, operations } => {
                let Some(idx) = self.index.index_of_key(user) else {
                    return;
                };
                let active = self.index.is_active(idx);
                let before: Vec<String> =
                    self.index.groups_of(idx).map(GroupName::folded).collect();
                let mut after = before.clone();
                let mut after_active = active;
                for op in operations {
                    match op {
                        Operation::Activate { .. } => after_active = true,
                        Operation::Deactivate { .. } => after_active = false,
                        Operation::AddToGroup { group, .. } => after.push(group.folded()),
                        Operation::RemoveFromGroup { group, .. } => {
                            let g = group.folded();
                            after.retain(|x| *x != g);
                        }
                        _ => {}
                    }
                }
                (active, before, after_active, after)
            }
            RowPlan::Unchanged { .. } => return,
        };
        for l in &mut self.licences {
            let holds = |active: bool, groups: &[String]| {
                active && groups.iter().any(|g| l.groups.contains(g))
            };
            if !holds(before_active, &before) && holds(after_active, &after) {
                l.taken += 1;
                if l.taken > l.left && l.short_lines.len() < SHORT_LINES {
                    l.short_lines.push(row.line);
                }
            }
        }
    }

    /// The licences the import takes seats of, for the preview:
    /// `[{application, name, seatsLeft, seatsTaken, short, shortLines}]`
    /// (`shortLines`: the first 100 rows that would get no seat).
    pub(crate) fn report(&self) -> Vec<Value> {
        self.licences
            .iter()
            .filter(|l| l.taken > 0)
            .map(|l| {
                json!({
                    "application": l.application,
                    "name": l.name,
                    "seatsLeft": l.left,
                    "seatsTaken": l.taken,
                    "short": l.taken.saturating_sub(l.left),
                    "shortLines": l.short_lines,
                })
            })
            .collect()
    }

    /// One guard sentence per licence the import would exhaust.
    pub(crate) fn guard(&self) -> Vec<String> {
        self.licences
            .iter()
            .filter(|l| l.taken > l.left)
            .map(|l| {
                format!(
                    "licence `{}` has {} seat(s) left and the import gives {} user(s) a seat: {} row(s) would end without one (the first at line {}); the import waits for approval",
                    l.name,
                    l.left,
                    l.taken,
                    l.taken - l.left,
                    l.short_lines.first().copied().unwrap_or_default(),
                )
            })
            .collect()
    }
}
