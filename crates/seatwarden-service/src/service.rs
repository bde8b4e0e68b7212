//! The application object every host drives: [`Service`].
//!
//! A host builds one `Service` over its [`Host`] and [`Store`] and calls five
//! entry points, from any thread:
//!
//! - [`Service::handle`] for each admin API request;
//! - [`Service::tick`] from its scheduler (every few minutes, once per
//!   cluster): due policies run, interrupted runs resume, retention purges;
//! - [`Service::on_login`] from its login listener;
//! - [`Service::drive`] from a host-owned worker whenever it returns `true`
//!   or work was queued: background jobs (run now, approved runs, bulk
//!   actions, imports, reverts) advance one slice per call, so progress is
//!   readable between slices and a host can stop cleanly between them;
//! - [`Service::deliver_mail`] from the host's mail worker.
//!
//! Why this shape: the service starts no threads that outlive a call or
//! call the host, and reads no clock (`now` is always a parameter), because
//! inside Jira the threads belong to the product and carry its context. (The
//! one thread it starts, the index builder's during a rebuild, runs pure
//! Rust and ends with the call: `service/ingest.rs`.) Concurrency is handled with short
//! `parking_lot` locks: the directory index sits behind a read-write lock
//! that is never held while the host is called, and every write to one user
//! (a run's action, a login's reactivation) holds that user's stripe lock
//! across "host write + index update", so the index cannot drift from the
//! host through interleaving. No lock is held across a whole run; only one
//! node runs a policy at a time because runs hold Store leases.

mod admin_mail;
mod bulk_preview;
pub mod document;
mod early_page;
mod error;
pub mod exempt;
mod history;
pub mod import;
mod import_plan;
mod index_slot;
mod ingest;
mod login;
mod mail;
mod policy_preview;
mod preview;
pub mod probe;
mod provisional;
mod revert;
pub mod review;
mod review_digest;
mod run;
pub mod sealed;
mod sign_in;
mod swap;
mod trail;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};

use seatwarden_audit::{RunId, RunStatus};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::login::LoginEvaluator;
use seatwarden_core::{Millis, UserKey};

use crate::api::{ApiRequest, ApiResponse, Router};
use crate::host::Host;
use crate::store::{ConfigVersion, LeaseOwner, Store};

pub use bulk_preview::FirstPage;
pub use bulk_preview::{ActionsPage, MAX_PAGE, PREVIEW_PAGE, Preview, SkipCount, SkipsPage};
pub use document::{DocumentError, Settings};
pub use early_page::{EARLY_USERS, IndexBuild};
pub use error::{ErrorKind, KeptPlan, Missing, Origin, ServiceError, problems};
pub use exempt::{ExemptionError, ExemptionGrant, GrantReport};
pub use history::{FREEING, ReturnObservation};
pub use import_plan::{ImportPage, ImportPageOf};
pub(crate) use index_slot::IndexSlot;
pub use login::LoginOutcome;
pub(crate) use mail::action_words;
pub use mail::{MailReport, StoreOutbox};
pub use policy_preview::PolicyPreview;
pub use preview::{ImportPreview, RevertPreview};
pub use probe::{
    AccountState, CheckId, CheckOutcome, InactiveRefusal, LoginCheck, LoginFacts, LoginVerdict,
    NotNeeded, Verification,
};
pub use review::{DecisionReport, People, ReviewDecision};
pub use run::ApprovalWait;
pub use run::PlanDropped;
pub use run::{ActionInfo, PendingPlan, PlanState, RunDocument, RunPlan};
pub use sealed::{SecretKey, SecretKeyError};
pub use swap::HostSwap;
pub(crate) use swap::RUN_DIRECTORY;

/// How a service is set up; the host decides.
#[derive(Clone, Debug)]
pub struct ServiceOptions {
    /// The instance's name (mail placeholders, `/api/me`).
    pub instance_name: String,
    /// The product's base URL (mail links).
    pub base_url: String,
    /// `jira`, `confluence` or `standalone`.
    pub product: String,
    /// Demo mode: enables `/api/demo/*`.
    pub demo: bool,
    /// This node's identity for leases: unique per process sharing a store.
    pub node_id: String,
    /// Users per host page when reading a snapshot.
    pub page_size: usize,
    /// Actions per [`Service::drive`] slice.
    pub slice_size: usize,
    /// How long a lease lasts unless renewed (renewed every slice).
    pub lease_ttl: Duration,
    /// Preview-only: the directory is a snapshot an admin loaded to try
    /// policies on (`seatwarden serve --snapshot`). Policies may be written
    /// and previewed; nothing is applied, scheduled or mailed (see
    /// `api::routes::preview_guard`).
    pub preview_only: bool,
    /// The key that seals secrets in the stored configuration (the SMTP
    /// password; see `sealed`). The standalone server gives one; Jira and
    /// Confluence do not (the password stays as the product stores it).
    /// With a key, a password stored in plain text is sealed at start.
    pub secret_key: Option<SecretKey>,
    /// Recovery: a sealed SMTP password that does not open (the key was
    /// lost) is removed at start instead of refusing to start; the admin
    /// types it again in Settings (`seatwarden serve --forget-smtp-password`).
    pub forget_sealed_password: bool,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            instance_name: "Seatwarden".to_owned(),
            base_url: "http://localhost".to_owned(),
            product: "standalone".to_owned(),
            demo: false,
            node_id: "node-1".to_owned(),
            page_size: 5_000,
            slice_size: 200,
            lease_ttl: Duration::from_secs(600),
            preview_only: false,
            secret_key: None,
            forget_sealed_password: false,
        }
    }
}

/// A run's progress, readable while it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// Actions done.
    pub done: u64,
    /// Actions planned.
    pub total: u64,
    /// Where the run is.
    pub phase: Phase,
    /// The run's status.
    pub status: RunStatus,
    /// Whether the run will not move on its own any more (done, or held for
    /// approval): the one "finished" predicate, so pollers (the UI, tests)
    /// do not each write their own.
    pub finished: bool,
}

impl Progress {
    /// Progress at `phase`; `finished` follows from the phase and status.
    pub fn new(done: u64, total: u64, phase: Phase, status: RunStatus) -> Progress {
        Progress {
            done,
            total,
            phase,
            status,
            finished: status != RunStatus::InProgress
                && matches!(phase, Phase::AwaitingApproval | Phase::Done),
        }
    }
}

/// Where a run is. The wire names are lowercase words (`awaiting approval`
/// has a space), as the UI shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Accepted, waiting for the driver.
    Queued,
    /// The plan is being computed.
    Planning,
    /// Actions are being written.
    Applying,
    /// Held by the mass-change guard until an admin approves the plan.
    #[serde(rename = "awaiting approval")]
    AwaitingApproval,
    /// Finished (whatever the outcome).
    Done,
}

/// What one [`Service::tick`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TickReport {
    /// Runs started for due policies.
    pub runs: Vec<RunId>,
    /// Interrupted runs resumed to completion.
    pub resumed: Vec<RunId>,
    /// Policies due but run by another node (lease held).
    pub skipped_leased: u64,
    /// Audit entries purged by retention.
    pub purged_entries: u64,
    /// Warning, alert and review-digest mails queued.
    pub mails_queued: u64,
    /// Login password checks left open by a stopped node, put right.
    #[serde(default)]
    pub login_checks_repaired: u64,
    /// Provisional grants taken back because the product never completed
    /// the login.
    #[serde(default)]
    pub logins_not_completed: u64,
    /// Today's licence history records were written by this tick.
    #[serde(default)]
    pub licence_history: bool,
    /// Lapsed exemptions removed from the store (each audited as lapsed).
    #[serde(default)]
    pub exemptions_lapsed: u64,
}

struct LoginCache {
    generation: u64,
    version: ConfigVersion,
    evaluator: Arc<LoginEvaluator>,
}

const STRIPES: usize = 64;

/// The Seatwarden application over one host and one store. `Send + Sync`:
/// share it in an `Arc` across the host's threads.
pub struct Service {
    /// Swappable between runs (a saved Cloud connection, see `swap`).
    host: RwLock<Arc<dyn Host>>,
    /// A host waiting for the runs in progress to end (see `swap`).
    next_host: Mutex<Option<Arc<dyn Host>>>,
    /// Set at start and when a swap moved to another directory: held runs
    /// planned elsewhere are to be discarded (see `swap`).
    held_check_due: std::sync::atomic::AtomicBool,
    store: Arc<dyn Store>,
    options: ServiceOptions,
    owner: LeaseOwner,
    pub(crate) index: RwLock<IndexSlot>,
    build_lock: Mutex<()>,
    login_cache: RwLock<Option<LoginCache>>,
    /// Logins seen since the index last recorded them (see `flush_logins`).
    pending_logins: Mutex<Vec<(UserKey, Millis)>>,
    settings: RwLock<Arc<Settings>>,
    jobs: Mutex<VecDeque<run::Job>>,
    active: Mutex<HashSet<RunId>>,
    progress: RwLock<HashMap<RunId, Progress>>,
    pending: Mutex<HashMap<String, PendingPlan>>,
    /// Plans no longer kept, and why (bounded; see `run::approval`).
    dropped_plans: Mutex<VecDeque<(String, PlanDropped)>>,
    run_now: Mutex<()>,
    last_purge_day: Mutex<Option<i64>>,
    /// The UTC day each policy's review digest was last queued on this node
    /// (see `review_digest`).
    digest_days: Mutex<HashMap<seatwarden_core::policy::PolicyId, i64>>,
    plan_counter: AtomicU64,
    stripes: Vec<Mutex<()>>,
    /// Access given back at login on this node, waiting for the product to
    /// complete that login (see `provisional`).
    grants: Mutex<provisional::Grants>,
    router: Router<Service>,
    /// Audit-trail facts for evaluation (deactivation times, the last
    /// health figure), refreshed incrementally before each plan.
    trail: Mutex<trail::Trail>,
    /// The anonymous routes' rate limits (issue 21).
    access: crate::access::Limits,
    /// The Atlassian Cloud connection screen's port, where the host has one.
    cloud: RwLock<Option<Arc<dyn crate::cloud::CloudConnections>>>,
}

impl Service {
    /// A service over `host` and `store`. Reads the stored configuration
    /// (the defaults when none was saved); reads nothing from the host yet.
    pub fn new(
        host: Arc<dyn Host>,
        store: Arc<dyn Store>,
        options: ServiceOptions,
    ) -> Result<Service, ServiceError> {
        let settings = Self::startup_settings(store.as_ref(), &options)?;
        let owner = LeaseOwner(options.node_id.clone());
        Ok(Service {
            host: RwLock::new(host),
            next_host: Mutex::new(None),
            // The one-time check at start (the first drive runs it).
            held_check_due: std::sync::atomic::AtomicBool::new(true),
            store,
            owner,
            options,
            index: RwLock::new(IndexSlot {
                index: None,
                generation: 0,
                stale: true,
                building: false,
                replay: Vec::new(),
                announced: false,
            }),
            build_lock: Mutex::new(()),
            login_cache: RwLock::new(None),
            pending_logins: Mutex::new(Vec::new()),
            settings: RwLock::new(Arc::new(settings)),
            jobs: Mutex::new(VecDeque::new()),
            active: Mutex::new(HashSet::new()),
            progress: RwLock::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            dropped_plans: Mutex::new(VecDeque::new()),
            run_now: Mutex::new(()),
            last_purge_day: Mutex::new(None),
            digest_days: Mutex::new(HashMap::new()),
            plan_counter: AtomicU64::new(1),
            stripes: (0..STRIPES).map(|_| Mutex::new(())).collect(),
            grants: Mutex::new(HashMap::new()),
            router: crate::api::routes::router(),
            trail: Mutex::new(trail::Trail::default()),
            access: crate::access::Limits::default(),
            cloud: RwLock::new(None),
        })
    }

    /// The stored configuration at start. With a secret key, a password
    /// still stored in plain text (written before the key existed) is sealed
    /// now, so no plain copy outlives the first start (migration); with
    /// `forget_sealed_password`, one that does not open is removed.
    fn startup_settings(
        store: &dyn Store,
        options: &ServiceOptions,
    ) -> Result<Settings, ServiceError> {
        let Some(doc) = store.load_config()? else {
            return Ok(Settings::default());
        };
        let key = options.secret_key.as_ref();
        let (settings, rewrite) = match Settings::parse(doc.version, Some(&doc.json), key) {
            Ok(s) => {
                let seal = key.is_some() && s.plain_password_stored;
                (s, seal)
            }
            Err(DocumentError::SealedPassword { .. }) if options.forget_sealed_password => {
                let json = document::without_mail_password(&doc.json)?;
                (Settings::parse(doc.version, Some(&json), key)?, true)
            }
            Err(e) => return Err(e.into()),
        };
        if !rewrite {
            return Ok(settings);
        }
        let version = store.save_config(settings.version, &settings.to_json(key))?;
        Ok(Settings {
            version,
            plain_password_stored: false,
            ..settings
        })
    }

    /// Registers who holds the Atlassian Cloud connection (the standalone
    /// server); without one the connection routes answer 404.
    pub fn set_cloud_connections(&self, cloud: Arc<dyn crate::cloud::CloudConnections>) {
        *self.cloud.write() = Some(cloud);
    }

    /// The Cloud connection's holder, if registered.
    pub(crate) fn cloud_connections(&self) -> Option<Arc<dyn crate::cloud::CloudConnections>> {
        self.cloud.read().clone()
    }

    /// Answers one admin API request at `now`. Always answers: every error
    /// becomes the API's one error shape.
    pub fn handle(&self, request: &ApiRequest, now: Millis) -> ApiResponse {
        let mut request = request.clone();
        request.context.now = now;
        self.router.dispatch(self, &request)
    }

    /// The route table (for the OpenAPI check and hosts that list routes).
    pub fn router(&self) -> &Router<Service> {
        &self.router
    }

    /// The scheduler tick: resumes interrupted runs, runs every due policy
    /// once across all nodes, queues warning and licence-alert mails, and
    /// purges audit entries past retention. First it repairs login
    /// password checks a stopped node left open (in safe mode too: that
    /// undoes Seatwarden's own temporary change).
    pub fn tick(&self, now: Millis) -> Result<TickReport, ServiceError> {
        let repaired = probe::repair(self, now);
        let taken_back = provisional::expire_local(self, now)
            .and_then(|local| Ok(local + provisional::repair(self, now)?));
        let mut report = run::tick(self, now)?;
        report.login_checks_repaired = repaired?;
        report.logins_not_completed = taken_back?;
        report.exemptions_lapsed = self.prune_exemptions(now)? as u64;
        report.mails_queued += review_digest::queue_review_digests(self, now)?;
        Ok(report)
    }

    /// Before the login filter checks a returning user's password: would a
    /// verified login give this user anything (the login policies, as
    /// [`Service::on_login`] would apply them), how the credential can be
    /// verified given what the filter saw (`facts`), and may it check now
    /// (no recent wrong password)? Writes nothing.
    pub fn login_check(
        &self,
        user: &str,
        facts: LoginFacts,
        now: Millis,
    ) -> Result<LoginCheck, ServiceError> {
        probe::login_check(self, user, facts, now)
    }

    /// Journals the start of a password check for `user` made the way the
    /// engine chose (before a probed account is activated for it); the id
    /// names it.
    pub fn login_check_began(
        &self,
        user: &str,
        verification: Verification,
        now: Millis,
    ) -> Result<CheckId, ServiceError> {
        probe::check_began(self, user, verification, now)
    }

    /// Journals the end of a check (after the account was put back).
    pub fn login_check_ended(
        &self,
        check: CheckId,
        outcome: CheckOutcome,
        now: Millis,
    ) -> Result<(), ServiceError> {
        probe::check_ended(self, check, outcome, now)
    }

    /// The login filter's check `check` ended verified: the login policies
    /// give access back, provisionally until the product completes that login
    /// ([`Service::login_completed`]) within the confirm window. Refused
    /// (`Conflict`) for a check the journal does not hold as verified, or one
    /// that already gave access back.
    pub fn login_verified(
        &self,
        check: CheckId,
        now: Millis,
    ) -> Result<LoginOutcome, ServiceError> {
        provisional::login_verified(self, check, now)
    }

    /// A user logged in (by username, or by key when no user has that
    /// username): login policies act at once. Never waits for a running job
    /// or for mail. This never confirms access given back provisionally: the
    /// product's login of another request (a token, a script) proves nothing
    /// about the credentials the filter verified.
    pub fn on_login(&self, user: &str, now: Millis) -> Result<LoginOutcome, ServiceError> {
        login::on_login(self, user, now)
    }

    /// The product completed the login of the request whose credentials the
    /// filter verified: a provisional grant waiting for it stands; then the
    /// login policies act as for [`Service::on_login`].
    pub fn login_completed(&self, user: &str, now: Millis) -> Result<LoginOutcome, ServiceError> {
        provisional::confirm(self, user, now)?;
        login::on_login(self, user, now)
    }

    /// Runs one slice of queued background work; `true` when more remains.
    pub fn drive(&self, now: Millis) -> Result<bool, ServiceError> {
        // A grant past its deadline is taken back by the node that made it as
        // soon as it drives, without waiting for the cluster tick.
        provisional::expire_local(self, now)?;
        run::drive(self, now)
    }

    /// Delivers up to `batch` due outbox messages through `transport`.
    pub fn deliver_mail(
        &self,
        transport: &dyn seatwarden_mail::MailTransport,
        now: Millis,
        batch: usize,
    ) -> Result<MailReport, ServiceError> {
        // A snapshot's addresses are real people's: a preview never mails them.
        if self.options().preview_only {
            return Ok(MailReport::default());
        }
        mail::deliver(self, transport, now, batch)
    }

    /// The warnings in the outbox by user and idle cycle (empty when no
    /// policy warns): evaluation acts only on users warned long enough ago.
    pub(crate) fn warned_users(
        &self,
    ) -> Result<Vec<seatwarden_core::warning::Warned>, ServiceError> {
        mail::warned(self)
    }

    /// Whether background work is queued (a host may wait for this before
    /// calling [`Service::drive`]).
    pub fn has_work(&self) -> bool {
        !self.jobs.lock().is_empty()
    }

    /// A run's progress: live for runs this node executes, else from the
    /// store's journal.
    pub fn progress(&self, run: RunId) -> Result<Progress, ServiceError> {
        if let Some(p) = self.progress.read().get(&run) {
            return Ok(p.clone());
        }
        let stored = self
            .store
            .get_run(run)?
            .ok_or(ServiceError::NotFound(Missing::Run(run)))?;
        let (done, total) = match self.store.journal(run)? {
            Some(j) => (j.outcomes.len() as u64, j.plan.actions.len() as u64),
            None => (0, 0),
        };
        let phase = if stored.status.is_terminal() {
            Phase::Done
        } else {
            Phase::Applying
        };
        Ok(Progress::new(done, total, phase, stored.status))
    }

    /// The options the service was built with.
    pub fn options(&self) -> &ServiceOptions {
        &self.options
    }

    /// The host now (a run in progress keeps it: see [`Service::replace_host`]).
    pub fn host(&self) -> Arc<dyn Host> {
        self.host.read().clone()
    }

    /// The username the directory gives `key` now, for the audit log's
    /// "performed by". `None` when nobody is signed in, the key is not in
    /// the directory, or the directory cannot answer: the entry still names
    /// the key, and an audit write must not fail over a label.
    pub fn username_of(&self, key: &UserKey) -> Option<String> {
        self.names_of(key).map(|(username, _)| username)
    }

    /// The username and display name the directory gives `key` now, so the
    /// header can say who is signed in (the key alone, `JIRAUSER10000`,
    /// names nobody); `None` when the key is unknown or the host fails.
    pub fn names_of(&self, key: &UserKey) -> Option<(String, String)> {
        if key.as_str().is_empty() {
            return None;
        }
        self.host()
            .user(key)
            .ok()
            .flatten()
            .map(|u| (u.username, u.display_name))
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The configuration in force (as last loaded).
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.read().clone()
    }

    /// Re-reads the configuration from the store (other nodes may have
    /// changed it).
    pub fn reload_settings(&self) -> Result<Arc<Settings>, ServiceError> {
        let doc = self.store.load_config()?;
        let current = self.settings();
        let version = doc.as_ref().map_or(ConfigVersion::NONE, |d| d.version);
        if version == current.version {
            return Ok(current);
        }
        let parsed = Arc::new(Settings::parse(
            version,
            doc.as_ref().map(|d| d.json.as_str()),
            self.options.secret_key.as_ref(),
        )?);
        *self.settings.write() = parsed.clone();
        Ok(parsed)
    }

    /// Saves `settings` if the stored version is still `settings.version`;
    /// on success the service runs with it.
    pub fn save_settings(&self, mut settings: Settings) -> Result<Arc<Settings>, ServiceError> {
        let version = self.store.save_config(
            settings.version,
            &settings.to_json(self.options.secret_key.as_ref()),
        )?;
        settings.version = version;
        settings.plain_password_stored =
            settings.plain_password_stored && self.options.secret_key.is_none();
        let settings = Arc::new(settings);
        *self.settings.write() = settings.clone();
        Ok(settings)
    }

    /// The group names and user keys `after` adds to `before` that the
    /// directory does not have (issue 24: a typo in a protection list
    /// protects nobody), with "did you mean" for groups; the automation
    /// account too when it changes; and a changed choice of activity signals
    /// that counts none the directory records (issue 23: `seen` off in
    /// Atlassian Cloud). Paths are the configuration's.
    pub fn unknown_names(
        &self,
        before: &Settings,
        after: &Settings,
    ) -> Result<Vec<seatwarden_core::config::ConfigIssue>, ServiceError> {
        self.ensure_index()?;
        self.with_index(|index| {
            let mut issues =
                seatwarden_core::names::unknown_names(&before.config, &after.config, index);
            issues.extend(seatwarden_core::activity::recorded::unrecorded_choice(
                &before.config,
                &after.config,
                index,
            ));
            if let Some(k) = &after.automation_account
                && before.automation_account.as_ref() != Some(k)
                && let Some(issue) =
                    seatwarden_core::names::unknown_user("automationAccount", k, index)
            {
                issues.push(issue);
            }
            issues
        })
    }

    /// The stripe lock serialising writes to one user.
    pub(crate) fn stripe(&self, user: &str) -> &Mutex<()> {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in user.as_bytes() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        let i = usize::try_from(h % STRIPES as u64).unwrap_or(0);
        // `stripes` always has STRIPES entries.
        self.stripes.get(i).unwrap_or(&self.build_lock)
    }

    /// A fresh plan id for plans kept until an admin confirms them.
    pub(crate) fn next_plan_id(&self) -> String {
        format!("p{}", self.plan_counter.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn grants(&self) -> &Mutex<provisional::Grants> {
        &self.grants
    }

    pub(crate) fn access_limits(&self) -> &crate::access::Limits {
        &self.access
    }

    pub(crate) fn owner(&self) -> &LeaseOwner {
        &self.owner
    }

    pub(crate) fn set_progress(&self, run: RunId, progress: Progress) {
        self.progress.write().insert(run, progress);
    }

    pub(crate) fn dropped_plans(&self) -> &Mutex<VecDeque<(String, PlanDropped)>> {
        &self.dropped_plans
    }

    pub(crate) fn pending_plans(&self) -> &Mutex<HashMap<String, PendingPlan>> {
        &self.pending
    }

    /// Held while "run now" checks for an unfinished run and starts one.
    pub(crate) fn run_now_lock(&self) -> &Mutex<()> {
        &self.run_now
    }

    pub(crate) fn jobs(&self) -> &Mutex<VecDeque<run::Job>> {
        &self.jobs
    }

    pub(crate) fn active_runs(&self) -> &Mutex<HashSet<RunId>> {
        &self.active
    }

    /// Runs `f` with the compiled login policies for `slot`'s index,
    /// compiling them only when the index generation or the configuration
    /// changed. The hit path takes one shared lock and clones nothing: it
    /// runs on every login.
    pub(crate) fn with_login_evaluator<T>(
        &self,
        slot: &IndexSlot,
        index: &DirectoryIndex,
        f: impl FnOnce(&LoginEvaluator) -> T,
    ) -> T {
        let version = self.settings.read().version;
        {
            let cache = self.login_cache.read();
            if let Some(c) = cache.as_ref()
                && c.generation == slot.generation
                && c.version == version
            {
                return f(&c.evaluator);
            }
        }
        let settings = self.settings();
        let evaluator = Arc::new(LoginEvaluator::new(
            &settings.config,
            index,
            settings.automation_account.as_ref(),
        ));
        *self.login_cache.write() = Some(LoginCache {
            generation: slot.generation,
            version: settings.version,
            evaluator: evaluator.clone(),
        });
        f(&evaluator)
    }
}
