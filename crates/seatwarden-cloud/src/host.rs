//! [`CloudHost`]: the Host port over an Atlassian Cloud organization.
//!
//! Reads: [`Host::header`] re-reads the whole organization (users with
//! their groups and per-product last-active dates in pages of 100 from the
//! v2 users search, the groups, Jira's application roles) into a cache
//! when the cache is older than [`DEFAULT_MAX_AGE_MS`] (or
//! [`CloudHost::with_max_age`]), and [`Host::users_page`] hands that cache
//! out; the service asks for the header once per index build, so one build
//! is one consistent read. Seats are recounted from the cached users. One
//! user ([`Host::user`]) is always read fresh (one search by account id):
//! the service re-checks a user that way just before a bulk write, and the
//! host itself does before every write, so a run resumed after a crash sees
//! "already suspended" and sends nothing (Cloud-side idempotency).
//!
//! Writes ([`CloudWrite`], which [`Host::apply`] maps the engine's
//! operations onto): suspend/restore access (every account), deactivate/
//! enable (managed accounts only: external ones are refused with
//! [`crate::mapping::EXTERNAL_CANNOT_DEACTIVATE`] and nothing is sent), remove product
//! access (leave every group granting that product), group add/remove,
//! remove from the directory, delete a managed account (Atlassian's 14-day
//! grace period; cancellable). Each is checked against the fresh user first:
//! a write whose effect is already there succeeds without a request.
//!
//! A 401 or 403 on a write is remembered: later writes that need the same
//! permission fail at once with the same message rather than sending one
//! refused request per user.

use std::collections::{BTreeMap, HashMap};

use parking_lot::{Mutex, RwLock};
use seatwarden_core::Millis;
use seatwarden_core::model::{ApplicationKey, Group, GroupName, Licence, SeatLimit, UserKey};
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotHeader, SnapshotUser};
use seatwarden_service::host::rules;
use seatwarden_service::host::{Applied, DeletionUndo, Host, HostError, UsersPage};

use crate::client::{Api, Call, CloudClient, Method, segment};
use crate::error::{CloudError, Permission};
use crate::mapping::{self, CloudFacts, SignalLayout};
use crate::wire::{
    ApplicationRole, ClaimStatus, EXPAND_GROUPS, EXPAND_PRODUCT_ACCESS, GroupPage,
    GroupSearchRequest, ManagePermissions, OrgAnswer, UserPage, UserSearchRequest, UsersCount,
};

mod incremental;
mod view;
mod write;

pub use incremental::{EVENTS_OVERLAP_MS, Fallback, Refreshed, WINDOW_DAY_MS};

use view::{View, seats_held};

/// Users per search page (the API's documented maximum is not stated; 100
/// is what Atlassian's own examples use — see docs/cloud.md).
pub const PAGE_SIZE: u32 = 100;

/// How old the cache may be before an index build re-reads the whole
/// organization (10 minutes): the service rebuilds its index after
/// structural changes, and this host's own writes keep the cache current
/// (each re-reads its user), so a re-read every time would cost a full
/// read of the organization per rebuild. Changes made in Atlassian's own
/// admin screens show within this age; last-active dates lag a day anyway.
pub const DEFAULT_MAX_AGE_MS: i64 = 10 * 60 * 1000;

/// Atlassian's default groups that grant administration.
const ADMIN_GROUPS: &[&str] = &["site-admins", "org-admins"];

/// A write in Cloud's own terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CloudWrite {
    /// Suspend the user's access (any account; not billed; keeps groups).
    Suspend(UserKey),
    /// Restore suspended access.
    Restore(UserKey),
    /// Deactivate a managed account.
    Deactivate(UserKey),
    /// Enable a deactivated managed account.
    Enable(UserKey),
    /// Remove access to one product: leave every group granting it.
    RemoveProductAccess(UserKey, ApplicationKey),
    /// Join a group.
    AddToGroup(UserKey, GroupName),
    /// Leave a group.
    RemoveFromGroup(UserKey, GroupName),
    /// Remove the user from the directory (all access; re-invite to undo).
    RemoveFromDirectory(UserKey),
    /// Delete a managed account: Atlassian keeps it deactivated for a
    /// 14-day grace period ([`CloudWrite::CancelDeletion`] undoes it), then
    /// deletes it for good.
    DeleteAccount(UserKey),
    /// Cancel a deletion within the grace period (restores and activates).
    CancelDeletion(UserKey),
}

/// What the connection screen says once connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionStatus {
    /// The organization's name.
    pub org_name: String,
    /// Users in the directories the key may manage.
    pub users: u64,
    /// Jira application roles read with the site token.
    pub licences: usize,
    /// Whether the key may deactivate managed accounts (checked on one).
    pub lifecycle_checked: bool,
}

/// Progress of a refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Users read so far.
    pub users: usize,
    /// Pages read so far.
    pub pages: usize,
}

#[derive(Clone, Debug)]
struct GroupEntry {
    id: String,
    group: Group,
}

struct Cache {
    loaded: bool,
    taken_at: Millis,
    users: Vec<SnapshotUser>,
    facts: Vec<CloudFacts>,
    by_key: HashMap<String, usize>,
    by_username: HashMap<String, usize>,
    groups: BTreeMap<String, GroupEntry>,
    licences: Vec<Licence>,
    /// The products declared as signals since the last full read.
    layout: SignalLayout,
    /// Where the next incremental read starts in the audit log.
    events_from: Millis,
    /// Events already applied (those at or after `events_from`).
    seen_events: std::collections::HashSet<String>,
    /// Where the rolling window of last-active dates goes on (`None`: from
    /// the start of the organization).
    window: Option<String>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            loaded: false,
            taken_at: Millis(0),
            users: Vec::new(),
            facts: Vec::new(),
            by_key: HashMap::new(),
            by_username: HashMap::new(),
            groups: BTreeMap::new(),
            licences: Vec::new(),
            layout: SignalLayout::default(),
            events_from: Millis(0),
            seen_events: std::collections::HashSet::new(),
            window: None,
        }
    }
}

impl Cache {
    fn put(&mut self, user: SnapshotUser, facts: CloudFacts) {
        for (name, id) in &facts.group_ids {
            self.groups
                .entry(name.to_lowercase())
                .or_insert_with(|| GroupEntry {
                    id: id.clone(),
                    group: Group {
                        name: GroupName::from(name.as_str()),
                        admin: ADMIN_GROUPS.contains(&name.as_str()),
                        licence: false,
                    },
                });
        }
        match self.by_key.get(&user.key) {
            Some(&i) => {
                if let (Some(u), Some(f)) = (self.users.get_mut(i), self.facts.get_mut(i)) {
                    self.by_username.remove(&u.username.to_lowercase());
                    self.by_username.insert(user.username.to_lowercase(), i);
                    *u = user;
                    *f = facts;
                }
            }
            None => {
                let i = self.users.len();
                self.by_key.insert(user.key.clone(), i);
                self.by_username.insert(user.username.to_lowercase(), i);
                self.users.push(user);
                self.facts.push(facts);
            }
        }
    }

    fn mark_licence_groups(&mut self) {
        for licence in &self.licences {
            for g in &licence.groups {
                if let Some(entry) = self.groups.get_mut(&g.0.to_lowercase()) {
                    entry.group.licence = true;
                }
            }
        }
    }
}

/// The Host over Atlassian Cloud.
pub struct CloudHost {
    client: CloudClient,
    cache: RwLock<Cache>,
    clock: Box<dyn Fn() -> Millis + Send + Sync>,
    max_age: i64,
    refused: Mutex<Vec<(Permission, CloudError)>>,
    progress: Box<dyn Fn(Progress) + Send + Sync>,
    /// Refreshes after the first read only what changed (`incremental`).
    incremental: bool,
    /// Why the next full read is one (an incremental read gave up).
    full_reason: Mutex<Option<String>>,
    on_refresh: Box<dyn Fn(Refreshed) + Send + Sync>,
}

impl std::fmt::Debug for CloudHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudHost")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

fn system_clock() -> Millis {
    Millis(chrono::Utc::now().timestamp_millis())
}

impl CloudHost {
    /// A host over `client`, on the real clock.
    pub fn new(client: CloudClient) -> CloudHost {
        CloudHost {
            client,
            cache: RwLock::new(Cache::default()),
            clock: Box::new(system_clock),
            max_age: DEFAULT_MAX_AGE_MS,
            refused: Mutex::new(Vec::new()),
            progress: Box::new(|_| {}),
            incremental: false,
            full_reason: Mutex::new(None),
            on_refresh: Box::new(|_| {}),
        }
    }

    /// After the first full read, refreshes only what changed: the accounts
    /// the organization's audit log names since the last read, plus a
    /// rolling window of last-active dates (see `incremental`).
    pub fn incremental(mut self) -> Self {
        self.incremental = true;
        self
    }

    /// Tells `f` how each refresh went (full, and why; or incremental).
    pub fn on_refresh(mut self, f: impl Fn(Refreshed) + Send + Sync + 'static) -> Self {
        self.on_refresh = Box::new(f);
        self
    }

    /// Replaces the clock that stamps reads (tests, demos).
    pub fn with_clock(mut self, clock: impl Fn() -> Millis + Send + Sync + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// How old the cache may be before [`Host::header`] (an index build)
    /// re-reads the whole organization; zero re-reads every time.
    pub fn with_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.max_age = i64::try_from(max_age.as_millis()).unwrap_or(i64::MAX);
        self
    }

    /// Reports refresh progress to `f` after every page.
    pub fn with_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Box::new(f);
        self
    }

    /// The client (its counters, its configuration).
    pub fn client(&self) -> &CloudClient {
        &self.client
    }

    fn org_path(&self) -> String {
        format!("/admin/v1/orgs/{}", segment(&self.client.config().org_id))
    }

    fn dir_path(&self) -> String {
        format!(
            "/admin/v2/orgs/{}/directories/{}",
            segment(&self.client.config().org_id),
            segment(&self.client.config().directory_id)
        )
    }

    /// Checks both credentials before anything is written: the key reads
    /// the organization and counts its users, the key may deactivate a managed
    /// account (the user management API refuses scoped keys), and the site
    /// token reads Jira's application roles.
    pub fn connect(&self) -> Result<ConnectionStatus, CloudError> {
        let org: OrgAnswer = self.client.json(&Call::new(
            Method::Get,
            Api::Admin,
            self.org_path(),
            "read the organization",
            Permission::ReadOrg,
        ))?;
        let one: UserPage = self.search(&UserSearchRequest {
            limit: Some(1),
            claim_status: Some(ClaimStatus::Managed),
            ..UserSearchRequest::default()
        })?;
        let count: UsersCount = self.client.json(&Call::new(
            Method::Get,
            Api::Admin,
            format!("{}/users/count", self.dir_path()),
            "count users",
            Permission::ReadDirectory,
        ))?;
        let mut lifecycle_checked = false;
        if let Some(managed) = one.data.first() {
            let permissions: ManagePermissions = self.client.json(&Call::new(
                Method::Get,
                Api::UserManagement,
                format!("/users/{}/manage", segment(&managed.account_id)),
                "read what it may do to managed accounts",
                Permission::ManageLifecycle,
            ))?;
            if !permissions.lifecycle_enablement.allowed {
                return Err(CloudError::Forbidden {
                    credential: crate::error::Credential::OrgApiKey,
                    call: "deactivate managed accounts",
                    permission: Permission::ManageLifecycle,
                });
            }
            lifecycle_checked = true;
        }
        let licences = self.application_roles()?.len();
        Ok(ConnectionStatus {
            org_name: org.data.attributes.name,
            users: count.count.unwrap_or(0),
            licences,
            lifecycle_checked,
        })
    }

    fn search(&self, request: &UserSearchRequest) -> Result<UserPage, CloudError> {
        self.client.json(
            &Call::new(
                Method::Post,
                Api::Admin,
                format!("{}/users/search", self.dir_path()),
                "read users",
                Permission::ReadDirectory,
            )
            .json(request)?,
        )
    }

    fn application_roles(&self) -> Result<Vec<ApplicationRole>, CloudError> {
        if self.client.config().site_base.is_empty() {
            return Ok(Vec::new());
        }
        self.client.json(&Call::new(
            Method::Get,
            Api::Site,
            "/rest/api/3/applicationrole".to_owned(),
            "read Jira's application roles",
            Permission::AdministerJira,
        ))
    }

    /// Re-reads the whole organization into the cache.
    pub fn refresh(&self) -> Result<usize, CloudError> {
        let mut cache = Cache {
            loaded: true,
            taken_at: (self.clock)(),
            ..Cache::default()
        };
        let mut cursor: Option<String> = None;
        let mut pages = 0usize;
        loop {
            let page = self.search(&UserSearchRequest {
                cursor: cursor.clone(),
                limit: Some(PAGE_SIZE),
                expand: vec![EXPAND_PRODUCT_ACCESS.to_owned(), EXPAND_GROUPS.to_owned()],
                ..UserSearchRequest::default()
            })?;
            pages += 1;
            for user in &page.data {
                let (snapshot, facts) = mapping::map_user(user);
                cache.put(snapshot, facts);
            }
            (self.progress)(Progress {
                users: cache.users.len(),
                pages,
            });
            match page.links.next {
                Some(next) if Some(&next) != cursor.as_ref() && !next.is_empty() => {
                    cursor = Some(next);
                }
                Some(next) if !next.is_empty() => {
                    return Err(CloudError::Invalid {
                        call: "read users",
                        reason: "the next-page cursor did not advance".to_owned(),
                    });
                }
                _ => break,
            }
        }
        self.read_groups(&mut cache)?;
        cache.licences = self.licences()?;
        settle(&mut cache);
        cache.events_from = Millis(cache.taken_at.0.saturating_sub(EVENTS_OVERLAP_MS));
        (self.on_refresh)(Refreshed::Full {
            reason: std::mem::take(&mut *self.full_reason.lock()),
        });
        let count = cache.users.len();
        *self.cache.write() = cache;
        Ok(count)
    }

    /// Jira's application roles as licences.
    fn licences(&self) -> Result<Vec<Licence>, CloudError> {
        Ok(self
            .application_roles()?
            .into_iter()
            .map(|role| Licence {
                application: ApplicationKey::from(role.key.as_str()),
                name: role.name,
                limit: if role.has_unlimited_seats {
                    SeatLimit::Unlimited
                } else {
                    SeatLimit::Limited(
                        u32::try_from(role.number_of_seats.unwrap_or(0).max(0)).unwrap_or(u32::MAX),
                    )
                },
                seats_used: u32::try_from(role.user_count.unwrap_or(0).max(0)).unwrap_or(u32::MAX),
                groups: role
                    .groups
                    .iter()
                    .map(|g| GroupName::from(g.as_str()))
                    .collect(),
            })
            .collect())
    }

    fn read_groups(&self, cache: &mut Cache) -> Result<(), CloudError> {
        let mut cursor: Option<String> = None;
        loop {
            let page: GroupPage = self.client.json(
                &Call::new(
                    Method::Post,
                    Api::Admin,
                    format!("{}/groups/search", self.dir_path()),
                    "read groups",
                    Permission::ReadDirectory,
                )
                .json(&GroupSearchRequest {
                    cursor: cursor.clone(),
                    limit: Some(PAGE_SIZE),
                })?,
            )?;
            for g in page.data {
                cache
                    .groups
                    .entry(g.name.to_lowercase())
                    .or_insert_with(|| GroupEntry {
                        id: g.id.clone(),
                        group: Group {
                            name: GroupName::from(g.name.as_str()),
                            admin: ADMIN_GROUPS.contains(&g.name.as_str()),
                            licence: false,
                        },
                    });
            }
            match page.links.next {
                Some(next) if Some(&next) != cursor.as_ref() && !next.is_empty() => {
                    cursor = Some(next);
                }
                _ => return Ok(()),
            }
        }
    }

    fn ensure_loaded(&self) -> Result<(), HostError> {
        if !self.cache.read().loaded {
            self.refresh().map_err(unavailable)?;
        }
        Ok(())
    }

    /// The Cloud facts (claim, statuses, per-product dates) of one cached
    /// user.
    pub fn facts(&self, key: &UserKey) -> Option<CloudFacts> {
        let cache = self.cache.read();
        let i = *cache.by_key.get(key.as_str())?;
        cache.facts.get(i).cloned()
    }

    /// Reads one user fresh and updates the cache; `None` if Cloud has no
    /// such account in the directory.
    fn read_user(&self, request: UserSearchRequest) -> Result<Option<SnapshotUser>, CloudError> {
        let page = self.search(&UserSearchRequest {
            limit: Some(1),
            expand: vec![EXPAND_PRODUCT_ACCESS.to_owned(), EXPAND_GROUPS.to_owned()],
            ..request
        })?;
        let Some(user) = page.data.first() else {
            return Ok(None);
        };
        let (mut snapshot, facts) = mapping::map_user(user);
        let mut cache = self.cache.write();
        let (values, placed) = cache.layout.values(&facts.products);
        snapshot.activity = values;
        if !placed {
            // Active in a product the header does not declare yet: the
            // next index build re-reads the organization and declares it.
            cache.taken_at = Millis(i64::MIN);
        }
        cache.put(snapshot.clone(), facts);
        Ok(Some(snapshot))
    }

    fn fresh(&self, key: &UserKey) -> Result<(SnapshotUser, CloudFacts), OperationFailure> {
        let user = self
            .read_user(UserSearchRequest {
                account_ids: vec![key.as_str().to_owned()],
                ..UserSearchRequest::default()
            })
            .map_err(failure)?
            .ok_or(OperationFailure::NotFound)?;
        let facts = self.facts(key).ok_or(OperationFailure::NotFound)?;
        Ok((user, facts))
    }
}

/// What a read leaves the cache in, full or incremental alike: every
/// product any user was active in becomes a signal, each user carries
/// their dates in that order, users are ordered by key, and licence groups
/// are marked (after the users' own groups are in).
fn settle(cache: &mut Cache) {
    // Every product any user was active in becomes a signal; each user
    // then carries their dates in that order.
    cache.layout = SignalLayout::of(&cache.facts);
    for (u, f) in cache.users.iter_mut().zip(&cache.facts) {
        u.activity = cache.layout.values(&f.products).0;
    }
    // The snapshot model wants a stable order: by key.
    let mut order: Vec<usize> = (0..cache.users.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| cache.users.get(i).map(|u| u.key.clone());
        key(a).cmp(&key(b))
    });
    let (users, facts) = (
        std::mem::take(&mut cache.users),
        std::mem::take(&mut cache.facts),
    );
    let mut users: Vec<Option<SnapshotUser>> = users.into_iter().map(Some).collect();
    let mut facts: Vec<Option<CloudFacts>> = facts.into_iter().map(Some).collect();
    cache.by_key.clear();
    cache.by_username.clear();
    for i in order {
        if let (Some(u), Some(f)) = (
            users.get_mut(i).and_then(Option::take),
            facts.get_mut(i).and_then(Option::take),
        ) {
            cache.put(u, f);
        }
    }
    cache.mark_licence_groups();
}

/// A read failure as the Host port says it.
fn unavailable(e: CloudError) -> HostError {
    match e {
        CloudError::Invalid { .. } => HostError::Invalid(e.to_string()),
        _ => HostError::Unavailable(e.to_string()),
    }
}

/// A write failure as the Host port says it.
fn failure(e: CloudError) -> OperationFailure {
    match e {
        CloudError::NotFound { .. } => OperationFailure::NotFound,
        other => OperationFailure::Host(other.to_string()),
    }
}

/// Why the revert of a Cloud deletion cannot bring an account back once it
/// is gone from the organization.
pub const NO_LONGER_IN_THE_ORGANIZATION: &str = "the account is no longer in the organization: \
     a managed account is deleted for good once Atlassian's 14-day grace period has passed, and \
     an external account removed from the directory must be invited again";

impl Host for CloudHost {
    fn identity(&self) -> Option<seatwarden_service::host::HostIdentity> {
        Some(seatwarden_service::host::HostIdentity(format!(
            "organization {}",
            self.client.config().org_id
        )))
    }

    fn header(&self) -> Result<SnapshotHeader, HostError> {
        let stale = {
            let cache = self.cache.read();
            !cache.loaded || (self.clock)().0.saturating_sub(cache.taken_at.0) >= self.max_age
        };
        if stale {
            self.refresh_due().map_err(unavailable)?;
        }
        let cache = self.cache.read();
        Ok(SnapshotHeader {
            taken_at: cache.taken_at,
            directories: mapping::directories(),
            groups: cache.groups.values().map(|g| g.group.clone()).collect(),
            licences: cache
                .licences
                .iter()
                .map(|l| Licence {
                    seats_used: seats_held(&cache.users, l, None),
                    ..l.clone()
                })
                .collect(),
            sysadmins: cache
                .users
                .iter()
                .zip(&cache.facts)
                .filter(|(_, f)| f.org_admin)
                .map(|(u, _)| UserKey::from(u.key.as_str()))
                .collect(),
            signals: cache.layout.decls(),
        })
    }

    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        self.ensure_loaded()?;
        let start = match cursor {
            None => 0,
            Some(c) => c
                .parse::<usize>()
                .map_err(|_| HostError::Invalid("not a cursor of this host".to_owned()))?,
        };
        let cache = self.cache.read();
        let end = start.saturating_add(limit.max(1)).min(cache.users.len());
        let users = cache.users.get(start..end).unwrap_or_default().to_vec();
        Ok(UsersPage {
            users,
            next: (end < cache.users.len()).then(|| end.to_string()),
        })
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        self.read_user(UserSearchRequest {
            account_ids: vec![key.as_str().to_owned()],
            ..UserSearchRequest::default()
        })
        .map_err(unavailable)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        self.read_user(UserSearchRequest {
            emails: vec![username.to_owned()],
            ..UserSearchRequest::default()
        })
        .map_err(unavailable)
    }

    fn deletion_undo(&self, user: &UserKey) -> Result<DeletionUndo, HostError> {
        let found = self
            .read_user(UserSearchRequest {
                account_ids: vec![user.as_str().to_owned()],
                ..UserSearchRequest::default()
            })
            .map_err(unavailable)?;
        let facts = found.and_then(|_| self.facts(user));
        Ok(match facts {
            Some(f) if f.pending_deletion => DeletionUndo::Cancellable,
            Some(_) => DeletionUndo::Final(
                "the account is in the organization and not pending deletion (cancelled or \
                 invited again since): there is no deletion to cancel"
                    .to_owned(),
            ),
            // Not in the organization any more. Atlassian answers the same
            // for both cases, and Seatwarden keeps no directory with the
            // before-state, so the reason names both plainly.
            None => DeletionUndo::Final(NO_LONGER_IN_THE_ORGANIZATION.to_owned()),
        })
    }

    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        let write = CloudHost::cloud_write(operation)?;
        if let CloudWrite::Enable(key) = &write {
            // Active again: enable a deactivated managed account, restore a
            // suspended one (either, or both, may apply).
            let (user, facts) = self.fresh(key)?;
            if !user.active {
                // A seat is needed to come back: the shared rules decide,
                // whichever of Cloud's two states made the user inactive.
                let mut view = View::new(self, user);
                for d in &mut view.directories {
                    d.capabilities.update_user = true;
                }
                rules::decide(&view, operation)?;
            }
            if facts.deactivated {
                self.write(&CloudWrite::Enable(key.clone()))?;
            }
            if facts.suspended {
                self.write(&CloudWrite::Restore(key.clone()))?;
            }
            return Ok(Applied::default());
        }
        if let CloudWrite::DeleteAccount(key) = &write {
            let (_, facts) = self.fresh(key)?;
            if !facts.managed {
                return self.write(&CloudWrite::RemoveFromDirectory(key.clone()));
            }
        }
        self.write(&write)
    }
}
