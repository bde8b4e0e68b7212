//! Login evaluation: what the login policies do when one user logs in.
//!
//! This runs inside the product's login path for every login, so it must be
//! fast (p99 ≤ 10 µs including JNI): a [`LoginEvaluator`] is compiled once
//! per configuration and directory index (group names resolved to ordinals,
//! directory capabilities and selections to per-directory tables, floating
//! licence targets to the licences they grant), and evaluating a login is a
//! handful of binary searches over the user's sorted group list. No strings
//! are built: a [`LoginPlan`] holds ordinals and turns into
//! [`Operation`]s (or a JSON document) only when asked.
//!
//! Semantics (in policy priority order):
//! - **Reactivate**: a deactivated user is reactivated unless in a restricted
//!   group; its "add groups" are added to users it reactivates; its "remove
//!   groups" are removed from reactivated and already-active users alike.
//! - **Floating licence**: for active users (or users reactivated by an
//!   earlier policy in the same login), each rule whose source groups the
//!   user is in adds its target groups the user lacks — unless a target group
//!   grants a licence the user does not hold yet and that licence has no seat
//!   left: then the group is not added and the plan says so.
//! - Sysadmins, the acting admin and members of protected groups (global or
//!   the policy's own) get nothing; users outside a policy's directories or
//!   target groups are not considered. In a directory that refuses the write,
//!   `skip` skips the user for that policy, `membership_only` does the group
//!   changes the directory allows.

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::index::{DirectoryIndex, GroupOrd, UserIdx};
use crate::model::{GroupName, UserKey};
use crate::operation::Operation;
use crate::plan::SkipReason;
use crate::policy::{Action, DirectorySelection, Mode, PolicyId, ReadOnlyHandling, Target};

/// One step of a login plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginStepKind {
    /// Reactivate the account.
    Activate,
    /// Add to a group (ordinal).
    AddGroup(GroupOrd),
    /// Remove from a group (ordinal).
    RemoveGroup(GroupOrd),
}

/// A step and the policy (position in the evaluator) that wants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginStep {
    /// What.
    pub kind: LoginStepKind,
    /// Which compiled policy.
    pub policy: u16,
}

/// Why a login policy did nothing (or less) for this user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginSkipKind {
    /// System administrator.
    Sysadmin,
    /// The acting admin.
    ActingAdmin,
    /// Member of a protected group (ordinal).
    Protected(GroupOrd),
    /// Member of a restricted group (ordinal).
    Restricted(GroupOrd),
    /// The directory refuses the change.
    ReadOnly,
    /// No seat left for this target group (ordinal).
    NoSeat(GroupOrd),
}

/// A skip and the policy it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginSkip {
    /// Why.
    pub kind: LoginSkipKind,
    /// Which compiled policy, or [`EVERY_POLICY`] when the user is
    /// protected from all of them.
    pub policy: u16,
}

/// [`LoginSkip::policy`] for a user protected from every login policy.
pub const EVERY_POLICY: u16 = u16::MAX;

/// What a login would do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginPlan {
    /// The user.
    pub user: UserIdx,
    /// The steps, in order.
    pub steps: Vec<LoginStep>,
    /// What was not done, and why.
    pub skipped: Vec<LoginSkip>,
}

#[derive(Clone, Debug)]
struct Target2 {
    group: GroupOrd,
    /// Licences (positions) this group grants.
    licences: Vec<usize>,
}

#[derive(Clone, Debug)]
enum Compiled {
    Reactivate {
        restricted: Vec<GroupOrd>,
        add: Vec<GroupOrd>,
        remove: Vec<GroupOrd>,
    },
    Floating {
        rules: Vec<(Vec<GroupOrd>, Vec<Target2>)>,
    },
}

#[derive(Clone, Debug)]
struct CompiledPolicy {
    id: PolicyId,
    mode: Mode,
    /// Per directory ordinal: in scope.
    directories: Vec<bool>,
    /// Only members of these (empty: everyone).
    target: Option<Vec<GroupOrd>>,
    exclude: Vec<GroupOrd>,
    read_only: ReadOnlyHandling,
    body: Compiled,
}

#[derive(Clone, Debug)]
struct DirTable {
    update_user: bool,
    update_membership: bool,
    /// Sorted ordinals of locally changeable groups.
    local: Vec<GroupOrd>,
}

/// Login policies compiled against one directory index.
#[derive(Clone, Debug)]
pub struct LoginEvaluator {
    policies: Vec<CompiledPolicy>,
    protected: Vec<GroupOrd>,
    acting: Option<u32>,
    dirs: Vec<DirTable>,
    /// Per licence: sorted group ordinals, and seats left (`None` = unlimited).
    licences: Vec<(Vec<GroupOrd>, Option<u32>)>,
}

fn ords(index: &DirectoryIndex, names: &[GroupName]) -> Vec<GroupOrd> {
    let mut v: Vec<GroupOrd> = names
        .iter()
        .filter_map(|n| index.group_ord(n.as_str()))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl LoginEvaluator {
    /// Compiles the enabled login policies of `config` against `index`.
    /// Recompile when the configuration or the index's groups, directories or
    /// licences change. `acting_admin` is always protected.
    pub fn new(config: &Config, index: &DirectoryIndex, acting_admin: Option<&UserKey>) -> Self {
        let mut list: Vec<(usize, &crate::policy::Policy)> = config
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.enabled && p.action.is_login())
            .collect();
        list.sort_by(|(ia, a), (ib, b)| b.priority.cmp(&a.priority).then(ia.cmp(ib)));
        let licence_groups: Vec<Vec<GroupOrd>> = index
            .licences()
            .iter()
            .enumerate()
            .map(|(l, _)| {
                let mut gs = index.licence_groups.get(l).cloned().unwrap_or_default();
                gs.sort_unstable();
                gs
            })
            .collect();
        let policies = list
            .into_iter()
            .map(|(_, p)| {
                let directories = index
                    .directories()
                    .iter()
                    .map(|d| match &p.scope.directories {
                        DirectorySelection::All => true,
                        DirectorySelection::Only(ids) => ids.contains(&d.id),
                    })
                    .collect();
                let target = match &p.scope.target {
                    Target::AllExceptProtected => None,
                    Target::OnlyGroups(gs) => Some(ords(index, gs)),
                };
                let body = match &p.action {
                    Action::Reactivate {
                        restricted_groups,
                        add_groups,
                        remove_groups,
                    } => Compiled::Reactivate {
                        restricted: ords(index, restricted_groups),
                        add: ords(index, add_groups),
                        remove: ords(index, remove_groups),
                    },
                    Action::FloatingLicence { rules } => Compiled::Floating {
                        rules: rules
                            .iter()
                            .map(|r| {
                                let targets = ords(index, &r.target_groups)
                                    .into_iter()
                                    .map(|g| Target2 {
                                        group: g,
                                        licences: licence_groups
                                            .iter()
                                            .enumerate()
                                            .filter(|(_, gs)| gs.binary_search(&g).is_ok())
                                            .map(|(l, _)| l)
                                            .collect(),
                                    })
                                    .collect();
                                (ords(index, &r.source_groups), targets)
                            })
                            .collect(),
                    },
                    _ => Compiled::Floating { rules: Vec::new() },
                };
                CompiledPolicy {
                    id: p.id.clone(),
                    mode: p.mode,
                    directories,
                    target,
                    exclude: ords(index, &p.scope.exclude_groups),
                    read_only: p.scope.read_only,
                    body,
                }
            })
            .collect();
        let dirs = index
            .directories()
            .iter()
            .map(|d| DirTable {
                update_user: d.capabilities.update_user,
                update_membership: d.capabilities.update_membership,
                local: ords(index, &d.local_groups),
            })
            .collect();
        let licences = index
            .licences()
            .iter()
            .zip(licence_groups)
            .map(|(l, gs)| (gs, l.seats_available()))
            .collect();
        LoginEvaluator {
            policies,
            protected: ords(index, &config.settings.protected_groups),
            acting: acting_admin
                .and_then(|k| index.index_of_key(k))
                .map(|i| i.0),
            dirs,
            licences,
        }
    }

    /// True when no login policy is enabled (the host can skip the call).
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// What logging in does for `user`. `now` is accepted for symmetry with
    /// scheduled evaluation (login policies have no time condition).
    pub fn evaluate(
        &self,
        index: &DirectoryIndex,
        user: UserIdx,
        _now: crate::time::Millis,
    ) -> LoginPlan {
        let mut plan = LoginPlan {
            user,
            steps: Vec::new(),
            skipped: Vec::new(),
        };
        if self.policies.is_empty() {
            return plan;
        }
        let groups = index.group_ords_of(user);
        let is_member = |g: GroupOrd, steps: &[LoginStep]| -> bool {
            let mut m = groups.binary_search(&g).is_ok();
            for s in steps {
                match s.kind {
                    LoginStepKind::AddGroup(x) if x == g => m = true,
                    LoginStepKind::RemoveGroup(x) if x == g => m = false,
                    _ => {}
                }
            }
            m
        };
        let whole = |kind| LoginSkip {
            kind,
            policy: EVERY_POLICY,
        };
        if index.sysadmins_bitmap().contains(user.0) {
            plan.skipped.push(whole(LoginSkipKind::Sysadmin));
            return plan;
        }
        if self.acting == Some(user.0) {
            plan.skipped.push(whole(LoginSkipKind::ActingAdmin));
            return plan;
        }
        if let Some(&g) = self
            .protected
            .iter()
            .find(|g| groups.binary_search(g).is_ok())
        {
            plan.skipped.push(whole(LoginSkipKind::Protected(g)));
            return plan;
        }
        let dir = index
            .directory_of
            .get(user.as_usize())
            .map_or(0, |&d| usize::from(d));
        let Some(table) = self.dirs.get(dir) else {
            return plan;
        };
        let changeable =
            |g: GroupOrd| table.update_membership || table.local.binary_search(&g).is_ok();
        let mut active = index.is_active(user);
        let mut seats_taken: u64 = 0;
        for (pos, p) in self.policies.iter().enumerate() {
            let policy = u16::try_from(pos).unwrap_or(u16::MAX);
            if !p.directories.get(dir).copied().unwrap_or(false) {
                continue;
            }
            if let Some(t) = &p.target
                && !t.iter().any(|g| groups.binary_search(g).is_ok())
            {
                continue;
            }
            if let Some(&g) = p.exclude.iter().find(|g| groups.binary_search(g).is_ok()) {
                plan.skipped.push(LoginSkip {
                    kind: LoginSkipKind::Protected(g),
                    policy,
                });
                continue;
            }
            let membership_only = p.read_only == ReadOnlyHandling::MembershipOnly;
            match &p.body {
                Compiled::Reactivate {
                    restricted,
                    add,
                    remove,
                } => {
                    let mut reactivated = false;
                    if !active {
                        if let Some(&g) =
                            restricted.iter().find(|g| groups.binary_search(g).is_ok())
                        {
                            plan.skipped.push(LoginSkip {
                                kind: LoginSkipKind::Restricted(g),
                                policy,
                            });
                            continue;
                        }
                        if !table.update_user {
                            plan.skipped.push(LoginSkip {
                                kind: LoginSkipKind::ReadOnly,
                                policy,
                            });
                            if !membership_only {
                                continue;
                            }
                        } else {
                            plan.steps.push(LoginStep {
                                kind: LoginStepKind::Activate,
                                policy,
                            });
                            active = true;
                            reactivated = true;
                        }
                    }
                    if reactivated {
                        for &g in add {
                            if is_member(g, &plan.steps) {
                                continue;
                            }
                            if changeable(g) {
                                plan.steps.push(LoginStep {
                                    kind: LoginStepKind::AddGroup(g),
                                    policy,
                                });
                            } else {
                                plan.skipped.push(LoginSkip {
                                    kind: LoginSkipKind::ReadOnly,
                                    policy,
                                });
                            }
                        }
                    }
                    for &g in remove {
                        if !is_member(g, &plan.steps) {
                            continue;
                        }
                        if changeable(g) {
                            plan.steps.push(LoginStep {
                                kind: LoginStepKind::RemoveGroup(g),
                                policy,
                            });
                        } else {
                            plan.skipped.push(LoginSkip {
                                kind: LoginSkipKind::ReadOnly,
                                policy,
                            });
                        }
                    }
                }
                Compiled::Floating { rules } => {
                    if !active {
                        continue;
                    }
                    for (sources, targets) in rules {
                        if !sources.iter().any(|g| groups.binary_search(g).is_ok()) {
                            continue;
                        }
                        for t in targets {
                            if is_member(t.group, &plan.steps) {
                                continue;
                            }
                            if !changeable(t.group) {
                                plan.skipped.push(LoginSkip {
                                    kind: LoginSkipKind::ReadOnly,
                                    policy,
                                });
                                continue;
                            }
                            let mut needed: u64 = 0;
                            let mut no_seat = false;
                            for &l in &t.licences {
                                let Some((lgroups, left)) = self.licences.get(l) else {
                                    continue;
                                };
                                let bit = 1u64 << (l % 64);
                                let holds = lgroups.iter().any(|g| is_member(*g, &plan.steps));
                                if holds || seats_taken & bit != 0 {
                                    continue;
                                }
                                if *left == Some(0) {
                                    no_seat = true;
                                } else {
                                    needed |= bit;
                                }
                            }
                            if no_seat {
                                plan.skipped.push(LoginSkip {
                                    kind: LoginSkipKind::NoSeat(t.group),
                                    policy,
                                });
                                continue;
                            }
                            seats_taken |= needed;
                            plan.steps.push(LoginStep {
                                kind: LoginStepKind::AddGroup(t.group),
                                policy,
                            });
                        }
                    }
                }
            }
        }
        plan
    }

    /// The policy id and mode of compiled policy `pos`.
    pub fn policy(&self, pos: u16) -> Option<(&PolicyId, Mode)> {
        self.policies.get(usize::from(pos)).map(|p| (&p.id, p.mode))
    }

    /// The plan's writes with their policy and mode.
    pub fn operations(
        &self,
        index: &DirectoryIndex,
        plan: &LoginPlan,
    ) -> Vec<(Operation, PolicyId, Mode)> {
        let user = UserKey::from(index.key(plan.user));
        plan.steps
            .iter()
            .filter_map(|s| {
                let (id, mode) = self.policy(s.policy)?;
                let op = match s.kind {
                    LoginStepKind::Activate => Operation::Activate { user: user.clone() },
                    LoginStepKind::AddGroup(g) => Operation::AddToGroup {
                        user: user.clone(),
                        group: index.groups().get(g as usize)?.name.clone(),
                    },
                    LoginStepKind::RemoveGroup(g) => Operation::RemoveFromGroup {
                        user: user.clone(),
                        group: index.groups().get(g as usize)?.name.clone(),
                    },
                };
                Some((op, id.clone(), mode))
            })
            .collect()
    }

    /// The plan as a serialisable document.
    pub fn document(&self, index: &DirectoryIndex, plan: &LoginPlan) -> LoginDocument {
        let group = |g: GroupOrd| {
            index
                .groups()
                .get(g as usize)
                .map_or_else(|| GroupName::from(""), |gr| gr.name.clone())
        };
        LoginDocument {
            user: index.key(plan.user).to_owned(),
            username: index.username(plan.user).to_owned(),
            actions: self
                .operations(index, plan)
                .into_iter()
                .map(|(operation, policy, mode)| LoginAction {
                    policy,
                    mode,
                    operation,
                })
                .collect(),
            skipped: plan
                .skipped
                .iter()
                .map(|s| {
                    let directory = index.directory_id_of(plan.user);
                    let reason = match s.kind {
                        LoginSkipKind::Sysadmin => SkipReason::Sysadmin,
                        LoginSkipKind::ActingAdmin => SkipReason::ActingAdmin,
                        LoginSkipKind::Protected(g) => {
                            SkipReason::ProtectedGroup { group: group(g) }
                        }
                        LoginSkipKind::Restricted(g) => {
                            SkipReason::RestrictedGroup { group: group(g) }
                        }
                        LoginSkipKind::ReadOnly => SkipReason::ReadOnlyDirectory { directory },
                        LoginSkipKind::NoSeat(g) => SkipReason::NoSeat { group: group(g) },
                    };
                    let policy = self.policy(s.policy).map(|(id, _)| id.clone());
                    LoginSkipEntry {
                        policy,
                        because: reason.describe(index),
                        reason,
                    }
                })
                .collect(),
        }
    }
}

/// A login write in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginAction {
    /// The policy.
    pub policy: PolicyId,
    /// Its mode (only live steps are applied).
    pub mode: Mode,
    /// The write.
    pub operation: Operation,
}

/// A login skip in the document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginSkipEntry {
    /// The policy, or none when the user is protected from every login policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyId>,
    /// Typed reason.
    pub reason: SkipReason,
    /// Rendered reason.
    pub because: String,
}

/// What `seatwarden login` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginDocument {
    /// The user's key.
    pub user: String,
    /// The username.
    pub username: String,
    /// The writes.
    pub actions: Vec<LoginAction>,
    /// What was not done.
    pub skipped: Vec<LoginSkipEntry>,
}
