//! Saving a Cloud connection swaps the running host without a restart
//! (issue 20): through the admin API on two fake organizations. The new
//! connection is checked first (a refusal changes nothing); a run in
//! progress at save time finishes on the old organization; the Users tab
//! then lists the new organization's users.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::{NOW, call_at, org, policy, user};
use parking_lot::Mutex;
use seatwarden_cloud::fake::{Credentials, FakeCloud};
use seatwarden_cloud::{CloudClient, CloudConfig, CloudHost, Secret};
use seatwarden_core::bulk::{BulkAction, BulkTarget};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::api::Method;
use seatwarden_service::cloud::{
    CloudConnected, CloudConnectionForm, CloudConnectionView, CloudConnections, CloudRefusal,
};
use seatwarden_service::host::Host;
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceOptions};
use serde_json::{Value, json};

fn host_over(config: CloudConfig) -> Arc<CloudHost> {
    Arc::new(
        CloudHost::new(CloudClient::with_policy(
            config,
            policy(),
            Arc::new(common::RecordingPause::default()),
        ))
        .with_clock(|| Millis(NOW)),
    )
}

/// The connection holder as the standalone server's works, over fakes: the
/// admin API and the site share the fake's base URL.
struct Holder {
    running: Mutex<CloudConfig>,
    saved: Mutex<Option<Arc<dyn Host>>>,
}

impl Holder {
    fn config_of(&self, form: &CloudConnectionForm) -> CloudConfig {
        let running = self.running.lock().clone();
        CloudConfig {
            admin_base: form.site_url.clone(),
            org_id: form.org_id.clone(),
            directory_id: "-".to_owned(),
            api_key: CloudConnectionForm::typed(&form.api_key).map_or(running.api_key, Secret::new),
            site_base: form.site_url.clone(),
            site_email: form.site_email.clone(),
            site_token: CloudConnectionForm::typed(&form.site_token)
                .map_or(running.site_token, Secret::new),
        }
    }

    fn check(&self, config: CloudConfig) -> Result<(Arc<CloudHost>, CloudConnected), CloudRefusal> {
        let site = config.site_base.clone();
        let host = host_over(config);
        match host.connect() {
            Ok(s) => Ok((
                host,
                CloudConnected {
                    org_name: s.org_name,
                    users: s.users,
                    site_url: site,
                    licences: s.licences as u64,
                },
            )),
            Err(e) => Err(CloudRefusal {
                field: "apiKey",
                message: e.to_string(),
            }),
        }
    }
}

impl CloudConnections for Holder {
    fn current(&self) -> CloudConnectionView {
        let r = self.running.lock().clone();
        CloudConnectionView {
            configured: true,
            org_id: r.org_id,
            site_url: r.site_base,
            site_email: r.site_email,
            api_key_set: true,
            site_token_set: true,
            stored_in: "this test's memory".to_owned(),
            in_use: true,
            demo: false,
            status: None,
        }
    }

    fn test(&self, form: &CloudConnectionForm) -> Result<CloudConnected, CloudRefusal> {
        self.check(self.config_of(form)).map(|(_, c)| c)
    }

    fn save(&self, form: &CloudConnectionForm) -> Result<CloudConnectionView, CloudRefusal> {
        let config = self.config_of(form);
        let (host, _) = self.check(config.clone())?;
        *self.running.lock() = config;
        *self.saved.lock() = Some(host);
        Ok(self.current())
    }

    fn take_saved_host(&self) -> Option<Arc<dyn Host>> {
        self.saved.lock().take()
    }
}

/// Organization `org-id` of `prefix`-named users: five idle 200 days, two
/// fresh, each managed.
fn organization(org_id: &str, prefix: &str) -> FakeCloud {
    let mut users: Vec<_> = (0..5)
        .map(|i| user(&format!("{prefix}-idle{i}"), true, Some(200), &["staff"]))
        .collect();
    users.extend((0..2).map(|i| user(&format!("{prefix}-fresh{i}"), true, Some(1), &["staff"])));
    let mut o = org(users, 100);
    o.org_id = org_id.to_owned();
    o.name = format!("Org {prefix}");
    FakeCloud::start(o, Credentials::default()).unwrap()
}

/// A service on `a` with the test holder registered; runs apply 2 per slice.
fn service_on(a: &FakeCloud) -> Service {
    service_over(a, Arc::new(MemoryStore::new()))
}

fn service_over(a: &FakeCloud, store: Arc<dyn Store>) -> Service {
    let options = ServiceOptions {
        node_id: "node-a".to_owned(),
        slice_size: 2,
        demo: true,
        ..ServiceOptions::default()
    };
    let service = Service::new(host_over(a.config()), store, options).unwrap();
    service.set_cloud_connections(Arc::new(Holder {
        running: Mutex::new(a.config()),
        saved: Mutex::new(None),
    }));
    service
}

/// Saves the connection to `fake` with organization key `api_key` (the
/// stored site token) through the admin API.
fn save(service: &Service, fake: &FakeCloud, api_key: &str) -> (u16, Value) {
    let c = fake.config();
    let form = json!({
        "orgId": c.org_id,
        "apiKey": api_key,
        "siteUrl": c.site_base,
        "siteEmail": c.site_email,
        "siteToken": null
    });
    call_at(
        service,
        Method::Put,
        "/api/cloud/connection",
        Some(form),
        NOW,
    )
}

/// The keys the Users tab lists, sorted.
fn listed(service: &Service) -> Vec<String> {
    common::listed_keys(service, "/api/users")
}

fn keys_of(prefix: &str) -> Vec<String> {
    let mut k: Vec<String> = (0..2)
        .map(|i| format!("{prefix}-fresh{i}"))
        .chain((0..5).map(|i| format!("{prefix}-idle{i}")))
        .collect();
    k.sort();
    k
}

#[test]
fn a_saved_connection_is_live_without_a_restart() {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let service = service_on(&a);
    assert_eq!(listed(&service), keys_of("a"));
    // A bulk preview made on org a (an account id may be in both orgs).
    let preview = service
        .plan_bulk(
            seatwarden_core::bulk::BulkAction::Deactivate,
            common::keys(&["a-idle0"]),
            "bulk".into(),
            &seatwarden_core::UserKey::from("org-admin"),
            Millis(NOW),
        )
        .unwrap();

    let (code, body) = save(&service, &b, b.config().api_key.expose_for_storage());
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["orgId"], "org-b");
    assert_eq!(
        listed(&service),
        keys_of("b"),
        "the index is rebuilt from org b"
    );
    let gone = service
        .run_pending(&preview.plan_id, &preview.hash, Millis(NOW))
        .unwrap_err();
    assert!(
        gone.to_string()
            .contains("replaced by a newly saved connection"),
        "{gone}"
    );
    assert!(a.writes().is_empty() && b.writes().is_empty());
    let (_, audit) = call_at(&service, Method::Get, "/api/audit", None, NOW);
    assert!(
        audit.to_string().contains("; in use now"),
        "the save is audited as live: {audit}"
    );
}

#[test]
fn a_refused_connection_changes_nothing() {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let service = service_on(&a);
    assert_eq!(listed(&service), keys_of("a"));
    let (code, body) = save(&service, &b, "not-the-key");
    assert_eq!(code, 422, "{body}");
    assert_eq!(listed(&service), keys_of("a"), "still on org a");
    let (code, view) = call_at(&service, Method::Get, "/api/cloud/connection", None, NOW);
    assert_eq!(code, 200);
    assert_eq!(view["orgId"], "org-a");
    assert!(b.writes().is_empty() && a.writes().is_empty());
}

#[test]
fn a_run_in_progress_at_save_finishes_on_the_old_organization() {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let service = service_on(&a);
    start_idle_run(&service);
    // The plan, then one slice of 2 of the 5 writes: the run is in progress.
    assert!(service.drive(Millis(NOW)).unwrap());
    assert!(service.drive(Millis(NOW)).unwrap());
    assert_eq!(a.writes().len(), 2);

    let (code, body) = save(&service, &b, b.config().api_key.expose_for_storage());
    assert_eq!(code, 200, "{body}");
    assert!(service.host_swap_pending(), "waits for the run to end");

    while service.drive(Millis(NOW)).unwrap() {}
    let disabled: Vec<String> = a.writes().into_iter().map(|w| w.path).collect();
    assert_eq!(disabled.len(), 5, "{disabled:?}");
    assert!(
        disabled.iter().all(|p| p.contains("/users/a-idle")),
        "{disabled:?}"
    );
    assert!(
        b.writes().is_empty(),
        "nothing planned for org a reached org b"
    );
    assert!(!service.host_swap_pending());
    assert_eq!(listed(&service), keys_of("b"));
}

/// Creates the live idle policy (inactive 90 days → deactivate: org a's 5
/// idle users) and starts a run of it; answers the run id.
fn start_idle_run(service: &Service) -> u64 {
    let id = common::live_policy(
        service,
        "Idle 90 days",
        json!({"kind": "inactive", "days": 90}),
        json!({"kind": "deactivate"}),
    );
    let (status, body) = call_at(
        service,
        Method::Post,
        &format!("/api/policies/{id}/run"),
        None,
        NOW,
    );
    assert_eq!(status, 202, "{body}");
    body["runId"].as_u64().unwrap()
}

/// Turns the mass-change guard on so that any run of more than one action
/// waits for an admin.
fn guard_everything(service: &Service) {
    common::save_settings(
        service,
        json!({"guard": {"enabled": true, "maxAccounts": 1, "maxPercent": 100, "minLicensed": 100000}}),
        NOW,
    );
}

/// A run of the idle policy on org a, planned and held by the guard:
/// (run id, plan hash).
fn held_run(service: &Service) -> (u64, String) {
    guard_everything(service);
    let run = start_idle_run(service);
    while service.drive(Millis(NOW)).unwrap() {}
    let detail = run_detail(service, run);
    assert_eq!(detail["run"]["status"], "awaiting_approval", "{detail}");
    (run, detail["run"]["planHash"].as_str().unwrap().to_owned())
}

fn run_detail(service: &Service, run: u64) -> Value {
    let (code, detail) = call_at(service, Method::Get, &format!("/api/runs/{run}"), None, NOW);
    assert_eq!(code, 200, "{detail}");
    detail
}

fn approve(service: &Service, run: u64, hash: &str) -> (u16, Value) {
    call_at(
        service,
        Method::Post,
        &format!("/api/runs/{run}/approve"),
        Some(json!({"planHash": hash})),
        NOW,
    )
}

/// Hold on org a, save org b, approve: refused, the run discarded with the
/// organization it was planned on, nothing written to either org.
fn a_held_run_is_discarded_by_a_swap_to_another_organization(store: Arc<dyn Store>) {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let service = service_over(&a, store);
    let (run, hash) = held_run(&service);

    let (code, body) = save(&service, &b, b.config().api_key.expose_for_storage());
    assert_eq!(code, 200, "{body}");
    let detail = run_detail(&service, run);
    assert_eq!(detail["run"]["status"], "discarded", "{detail}");
    let (code, refused) = approve(&service, run, &hash);
    assert_eq!(code, 409, "{refused}");
    assert!(
        refused.to_string().contains("is not awaiting approval"),
        "{refused}"
    );
    while service.drive(Millis(NOW)).unwrap() {}
    assert!(a.writes().is_empty(), "{:?}", a.writes());
    assert!(b.writes().is_empty(), "{:?}", b.writes());

    let (_, audit) = call_at(
        &service,
        Method::Get,
        &format!("/api/audit?run={run}"),
        None,
        NOW,
    );
    assert!(
        audit.to_string().contains(
            "planned on organization org-a, which is no longer connected; nothing changed"
        ),
        "the discard names the organization: {audit}"
    );
    assert_eq!(listed(&service), keys_of("b"));
}

#[test]
fn a_held_run_is_discarded_by_a_swap_to_another_organization_memory() {
    a_held_run_is_discarded_by_a_swap_to_another_organization(Arc::new(MemoryStore::new()));
}

#[test]
fn a_held_run_is_discarded_by_a_swap_to_another_organization_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = seatwarden_store_sqlite::SqliteStore::open(dir.path().join("s.db")).unwrap();
    a_held_run_is_discarded_by_a_swap_to_another_organization(Arc::new(store));
}

/// Belt and braces: between the swap and the discard (a swap waiting for a
/// run in progress, installed by that run's end), an approval of a run held
/// on the old organization is refused with the two organizations named.
#[test]
fn approving_a_run_held_on_another_organization_is_refused() {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let service = service_on(&a);
    let (run, hash) = held_run(&service);
    // The host changes without the route (no discard yet).
    let swap = service.replace_host(host_over(b.config()));
    assert_eq!(swap, seatwarden_service::service::HostSwap::Now);
    refused_then_discarded(&service, run, &hash);
    assert!(a.writes().is_empty() && b.writes().is_empty());
}

/// Run `run`, held on org a while org b is connected: its approval answers
/// 409 naming both organizations and leaves it waiting; the next drive
/// discards it with the organization it was planned on; approving it
/// again is still refused.
fn refused_then_discarded(service: &Service, run: u64, hash: &str) {
    let (code, refused) = approve(service, run, hash);
    assert_eq!(code, 409, "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains(
            "planned on organization org-a, which is no longer connected (now: organization org-b)"
        ),
        "{text}"
    );
    assert_eq!(
        run_detail(service, run)["run"]["status"],
        "awaiting_approval"
    );
    assert!(!service.drive(Millis(NOW)).unwrap());
    assert_eq!(run_detail(service, run)["run"]["status"], "discarded");
    assert!(
        audit_of(service, run).contains(
            "planned on organization org-a, which is no longer connected; nothing changed"
        ),
        "the discard names the organization"
    );
    let (code, _) = approve(service, run, hash);
    assert_eq!(code, 409);
}

/// The same organization saved again (a rotated key) keeps the held run:
/// its plan still names these accounts, and approving it applies it here.
#[test]
fn a_held_run_survives_a_connection_saved_again_for_the_same_organization() {
    let a = organization("org-a", "a");
    let service = service_on(&a);
    let (run, hash) = held_run(&service);
    let (code, body) = save(&service, &a, a.config().api_key.expose_for_storage());
    assert_eq!(code, 200, "{body}");
    still_approvable(&service, &a, run, &hash);
}

/// Run `run`, held on org a, still waits on org a: approving it applies its
/// 5 writes there.
fn still_approvable(service: &Service, a: &FakeCloud, run: u64, hash: &str) {
    assert_eq!(
        run_detail(service, run)["run"]["status"],
        "awaiting_approval"
    );
    let (code, body) = approve(service, run, hash);
    assert_eq!(code, 202, "{body}");
    while service.drive(Millis(NOW)).unwrap() {}
    assert_eq!(run_detail(service, run)["run"]["status"], "succeeded");
    assert_eq!(a.writes().len(), 5, "{:?}", a.writes());
}

// ---- across a restart: the organization a run was planned on is kept in
// the store (`service::swap`), so a new process on another organization
// knows it.

/// How a test reopens the store a stopped process left.
type Reopen = dyn Fn() -> Arc<dyn Store>;

/// The same memory store handed to the next service (what a restart keeps
/// when the store outlives the process).
fn memory_store() -> Box<Reopen> {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    Box::new(move || store.clone())
}

/// The SQLite file opened again by each service, as a restarted server does.
fn sqlite_store(dir: &tempfile::TempDir) -> Box<Reopen> {
    let path = dir.path().join("s.db");
    Box::new(move || Arc::new(seatwarden_store_sqlite::SqliteStore::open(&path).unwrap()))
}

/// Each restart scenario's two tests (listed at the end of the file): `$memory` over one memory store, `$sqlite`
/// over one SQLite file opened again by each service.
macro_rules! over_both_stores {
    ($($scenario:ident => $memory:ident, $sqlite:ident;)*) => {$(
        #[test]
        fn $memory() {
            $scenario(&memory_store());
        }

        #[test]
        fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            $scenario(&sqlite_store(&dir));
        }
    )*};
}

fn audit_of(service: &Service, run: u64) -> String {
    let (code, audit) = call_at(
        service,
        Method::Get,
        &format!("/api/audit?run={run}"),
        None,
        NOW,
    );
    assert_eq!(code, 200, "{audit}");
    audit.to_string()
}

/// Held on org a, the process stops; a new one starts on org b over the
/// same store: the approval is refused naming both organizations, the
/// first drive discards the run with the organization it was planned on,
/// and nothing is written to either.
fn a_run_held_before_a_restart_on_another_organization_is_discarded(reopen: &Reopen) {
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let (run, hash) = held_run(&service_over(&a, reopen()));

    let service = service_over(&b, reopen());
    // The one-time check at start runs with the first drive.
    refused_then_discarded(&service, run, &hash);
    while service.drive(Millis(NOW)).unwrap() {}
    assert!(a.writes().is_empty(), "{:?}", a.writes());
    assert!(b.writes().is_empty(), "{:?}", b.writes());
}

/// The same organization after a restart (its key rotated meanwhile): the
/// start check keeps the held run, and approving it applies it there.
fn a_run_held_before_a_restart_on_the_same_organization_stays_approvable(reopen: &Reopen) {
    let a = organization("org-a", "a");
    let (run, hash) = held_run(&service_over(&a, reopen()));

    let marked = reopen().list_markers("run-directory", Millis(NOW)).unwrap();
    assert_eq!(marked.len(), 1, "{marked:?}");
    assert_eq!(
        (marked[0].key.as_str(), marked[0].value.as_str()),
        (run.to_string().as_str(), "organization org-a")
    );
    a.rotate_api_key("rotated-key");
    assert_eq!(a.config().api_key.expose_for_storage(), "rotated-key");
    let service = service_over(&a, reopen());
    // The one-time check at start keeps it.
    assert!(!service.drive(Millis(NOW)).unwrap());
    still_approvable(&service, &a, run, &hash);
    // Ended: the marker lapsed at once, and the daily prune (the tick's
    // purge) removes it.
    let store = reopen();
    let key = run.to_string();
    let live = store.list_markers("run-directory", Millis(NOW)).unwrap();
    assert!(live.is_empty(), "{live:?}");
    let before = Millis(NOW - 1);
    assert!(
        store
            .marker("run-directory", &key, before)
            .unwrap()
            .is_some()
    );
    service.tick(Millis(NOW)).unwrap();
    assert!(
        store
            .marker("run-directory", &key, before)
            .unwrap()
            .is_none()
    );
}

/// A confirmed bulk suspension of org a's 5 idle users (journaled by
/// `run_pending`, not by a policy run); answers the run id.
fn start_bulk_suspension(service: &Service) -> u64 {
    let keys = (0..5)
        .map(|i| UserKey::from(format!("a-idle{i}")))
        .collect();
    let admin = UserKey::from("a-fresh0");
    let preview = service
        .plan_bulk(
            BulkAction::Suspend,
            BulkTarget::Selected(keys),
            "bulk".into(),
            &admin,
            Millis(NOW),
        )
        .unwrap();
    let run = service
        .run_pending(&preview.plan_id, &preview.hash, Millis(NOW))
        .unwrap();
    u64::try_from(run.0).unwrap()
}

/// A run of 5 writes on org a (`start`: the idle policy's 5 deactivations,
/// or a bulk suspension; 2 per slice), stopped after its first writes
/// landed, as a `kill -9` leaves it: in progress, its plan journaled.
/// Answers (run id, writes made).
fn run_stopped_mid_apply(
    a: &FakeCloud,
    reopen: &Reopen,
    start: fn(&Service) -> u64,
) -> (u64, usize) {
    let service = service_over(a, reopen());
    let run = start(&service);
    // Plan, then slices, until the first writes land (bounded by the plan).
    for _ in 0..10 {
        if !a.writes().is_empty() {
            break;
        }
        assert!(service.drive(Millis(NOW)).unwrap(), "more slices to come");
    }
    let made = a.writes().len();
    assert!((1..5).contains(&made), "stopped mid-apply: {made} writes");
    assert_eq!(run_detail(&service, run)["run"]["status"], "in_progress");
    (run, made)
}

/// Interrupted on org a, then a process on org b over the same store: the
/// run is not resumed (nothing written to b, nothing more to a), it ends
/// interrupted with the organization it was planned on in the audit log.
fn a_run_interrupted_on_one_organization_is_not_resumed_on_another(reopen: &Reopen) {
    not_resumed_on_another(reopen, start_idle_run);
}

/// The same for a confirmed bulk action (its plan journaled by
/// `run_pending`).
#[test]
fn a_bulk_action_interrupted_on_one_organization_is_not_resumed_on_another() {
    let dir = tempfile::tempdir().unwrap();
    not_resumed_on_another(&sqlite_store(&dir), start_bulk_suspension);
}

/// Org b holds the same accounts as org a (an Atlassian account can be a
/// member of both), so a plan applied there would really write.
fn not_resumed_on_another(reopen: &Reopen, start: fn(&Service) -> u64) {
    let a = organization("org-a", "a");
    let b = organization("org-b", "a");
    let (run, made) = run_stopped_mid_apply(&a, reopen, start);

    let service = service_over(&b, reopen());
    let report = service.tick(Millis(NOW)).unwrap();
    assert!(report.resumed.is_empty(), "{:?}", report.resumed);
    while service.drive(Millis(NOW)).unwrap() {}
    assert_eq!(run_detail(&service, run)["run"]["status"], "interrupted");
    assert!(b.writes().is_empty(), "{:?}", b.writes());
    assert_eq!(a.writes().len(), made, "nothing more to org a");
    let audit = audit_of(&service, run);
    assert!(
        audit.contains(
            "not resumed: planned on organization org-a, which is no longer connected \
             (now: organization org-b)"
        ),
        "{audit}"
    );
    // Later ticks leave it as it is.
    service.tick(Millis(NOW)).unwrap();
    assert!(b.writes().is_empty());
}

/// The counterpart that lets the test above fail: back on org a, the same
/// interrupted run resumes and finishes its 5 writes without repeating one.
fn a_run_interrupted_on_an_organization_resumes_there(reopen: &Reopen) {
    let a = organization("org-a", "a");
    let (run, _) = run_stopped_mid_apply(&a, reopen, start_idle_run);

    let service = service_over(&a, reopen());
    let report = service.tick(Millis(NOW)).unwrap();
    assert_eq!(report.resumed.len(), 1, "{:?}", report.resumed);
    while service.drive(Millis(NOW)).unwrap() {}
    assert_eq!(run_detail(&service, run)["run"]["status"], "succeeded");
    let mut written: Vec<String> = a.writes().iter().map(|w| w.path.clone()).collect();
    assert_eq!(written.len(), 5, "{written:?}");
    written.sort();
    written.dedup();
    assert_eq!(written.len(), 5, "no write repeated: {written:?}");
}

/// A process stopped between journaling a held plan and marking the run
/// awaiting approval leaves it in progress with a plan the guard held; a
/// process on another organization discards it (never hands it back to
/// approval there), with the organization it was planned on.
#[test]
fn a_run_stopped_while_being_held_is_discarded_on_another_organization() {
    let dir = tempfile::tempdir().unwrap();
    let reopen = sqlite_store(&dir);
    let a = organization("org-a", "a");
    let b = organization("org-b", "b");
    let (run, hash) = held_run(&service_over(&a, reopen()));
    reopen()
        .update_run(
            seatwarden_audit::RunId(i64::try_from(run).unwrap()),
            &seatwarden_audit::RunUpdate::status(seatwarden_audit::RunStatus::InProgress),
        )
        .unwrap();

    let service = service_over(&b, reopen());
    service.tick(Millis(NOW)).unwrap();
    while service.drive(Millis(NOW)).unwrap() {}
    assert_eq!(run_detail(&service, run)["run"]["status"], "discarded");
    assert!(
        audit_of(&service, run).contains(
            "planned on organization org-a, which is no longer connected; nothing changed"
        ),
        "the discard names the organization"
    );
    let (code, _) = approve(&service, run, &hash);
    assert_eq!(code, 409);
    assert!(a.writes().is_empty() && b.writes().is_empty());
}

over_both_stores! {
    a_run_held_before_a_restart_on_another_organization_is_discarded =>
        a_run_held_before_a_restart_on_another_organization_is_discarded_memory,
        a_run_held_before_a_restart_on_another_organization_is_discarded_sqlite;
    a_run_held_before_a_restart_on_the_same_organization_stays_approvable =>
        a_run_held_before_a_restart_on_the_same_organization_stays_approvable_memory,
        a_run_held_before_a_restart_on_the_same_organization_stays_approvable_sqlite;
    a_run_interrupted_on_one_organization_is_not_resumed_on_another =>
        a_run_interrupted_on_one_organization_is_not_resumed_on_another_memory,
        a_run_interrupted_on_one_organization_is_not_resumed_on_another_sqlite;
    a_run_interrupted_on_an_organization_resumes_there =>
        a_run_interrupted_on_an_organization_resumes_there_memory,
        a_run_interrupted_on_an_organization_resumes_there_sqlite;
}
