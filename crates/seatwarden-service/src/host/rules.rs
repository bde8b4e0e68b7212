//! What a product's user directory allows: one home for the rules every
//! embedded directory enforces.
//!
//! The in-memory reference directory ([`super::memory`]) and the standalone
//! server's SQLite directory must answer every [`Operation`] identically —
//! the tests run policies against one and the admin previews them on the
//! other. Written twice, the rules drifted; here they are written once, as
//! a pure decision: [`decide`] reads what it needs through a
//! [`DirectoryView`] (no I/O of its own) and answers with the typed
//! [`OperationFailure`] a product would give, or with the [`Change`] the
//! directory must then make. Each directory only stores.
//!
//! The rules, in the order they are checked:
//!
//! - the user (and the group, for membership changes) must exist;
//! - suspending and restoring access are refused: these directories stand
//!   for Data Center, which has no suspended state (Atlassian Cloud's host
//!   does them);
//! - a read-only directory (LDAP) refuses user writes: activate, deactivate,
//!   rename, delete, profile updates;
//! - memberships change only where the user's directory allows it, or in
//!   that directory's local groups;
//! - usernames are unique case-insensitively (renames and creations);
//! - licence seats: a user becoming active, or an active user joining a
//!   licence group of an application they do not hold yet, needs a free
//!   seat in every such application ([`OperationFailure::NoSeat`]);
//! - the product's delete vetoes are honoured;
//! - admin groups cannot be deleted;
//! - issues go only to an existing, active user;
//! - a new user goes to the named directory or the first that can create
//!   users.

use seatwarden_core::model::{
    Directory, DirectoryId, Group, GroupName, Licence, SeatLimit, UserKey, Username,
};
use seatwarden_core::operation::{
    Handover, NO_DELETION_GRACE_IN_DATA_CENTER, NO_SUSPENSION_IN_DATA_CENTER, Operation,
    OperationFailure,
};
use seatwarden_core::snapshot::SnapshotUser;

/// What [`decide`] reads about a directory. Implementations answer from
/// their own storage; a storage error becomes [`OperationFailure::Host`].
pub trait DirectoryView {
    /// The directories (user stores).
    fn directories(&self) -> &[Directory];
    /// The groups.
    fn groups(&self) -> &[Group];
    /// The licensed applications.
    fn licences(&self) -> &[Licence];
    /// One user with their groups; `None` when no user has that key.
    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, OperationFailure>;
    /// The key of the user whose folded username is `folded`.
    fn username_owner(&self, folded: &str) -> Result<Option<String>, OperationFailure>;
    /// Seats of `licences()[licence]` taken now (active users in one of its
    /// groups).
    fn seats_used(&self, licence: usize) -> Result<u32, OperationFailure>;
    /// Why the product refuses to delete `user`, if it does.
    fn delete_veto(&self, user: &UserKey) -> Result<Option<String>, OperationFailure>;
}

/// What a directory must write once [`decide`] allowed an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing: the directory is already as asked.
    Nothing,
    /// Mark the user active (clearing the deactivation stamp).
    Activate {
        /// The user.
        user: UserKey,
    },
    /// Mark the user inactive, stamped with the directory's time.
    Deactivate {
        /// The user.
        user: UserKey,
    },
    /// Give the user a new username.
    Rename {
        /// The user.
        user: UserKey,
        /// Their current username.
        from: String,
        /// The new one.
        to: Username,
    },
    /// Remove the user and their memberships.
    Delete {
        /// The user.
        user: UserKey,
        /// Their username (to free it).
        username: String,
    },
    /// Add the membership (the group's name as the directory spells it).
    AddMembership {
        /// The user.
        user: UserKey,
        /// The group's canonical name.
        group: GroupName,
    },
    /// Remove the membership, if there is one.
    RemoveMembership {
        /// The user.
        user: UserKey,
        /// The group's canonical name.
        group: GroupName,
    },
    /// Hand the user's open issues over.
    HandOver {
        /// Whose issues.
        user: UserKey,
        /// To whom.
        to: Handover,
    },
    /// Create a plain group.
    CreateGroup {
        /// Its name.
        group: GroupName,
    },
    /// Delete a group and every membership in it.
    DeleteGroup {
        /// Its canonical name.
        group: GroupName,
    },
    /// Create a user (the directory chooses the key).
    CreateUser {
        /// The username.
        username: Username,
        /// Full name.
        display_name: String,
        /// Email address.
        email: String,
        /// The directory it goes to.
        directory: DirectoryId,
        /// Whether it starts active.
        active: bool,
    },
    /// Update profile fields that are present.
    UpdateUser {
        /// The user.
        user: UserKey,
        /// A new full name.
        display_name: Option<String>,
        /// A new email address.
        email: Option<String>,
    },
}

/// Decides `operation` against `view`: the failure a product would give,
/// or the change to make. Pure: reads only through `view`.
pub fn decide(
    view: &impl DirectoryView,
    operation: &Operation,
) -> Result<Change, OperationFailure> {
    Ok(match operation {
        Operation::Activate { user } => {
            let (directory, current) = user_and_directory(view, user)?;
            if !directory.capabilities.update_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if current.active {
                Change::Nothing
            } else {
                check_seats(view, &current, &current.groups)?;
                Change::Activate { user: user.clone() }
            }
        }
        Operation::Suspend { user } | Operation::Restore { user } => {
            // Embedded directories stand in for Data Center, which has no
            // suspended state; the user must still exist (NotFound first).
            user_and_directory(view, user)?;
            return Err(OperationFailure::Unsupported(
                NO_SUSPENSION_IN_DATA_CENTER.to_owned(),
            ));
        }
        Operation::CancelDeletion { .. } => {
            return Err(OperationFailure::Unsupported(
                NO_DELETION_GRACE_IN_DATA_CENTER.to_owned(),
            ));
        }
        Operation::Deactivate { user } => {
            let (directory, current) = user_and_directory(view, user)?;
            if !directory.capabilities.update_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if current.active {
                Change::Deactivate { user: user.clone() }
            } else {
                Change::Nothing
            }
        }
        Operation::Rename { user, to } => {
            let (directory, current) = user_and_directory(view, user)?;
            if !directory.capabilities.rename_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if view
                .username_owner(&to.folded())?
                .is_some_and(|owner| owner.as_str() != user.as_str())
            {
                return Err(OperationFailure::AlreadyExists);
            }
            Change::Rename {
                user: user.clone(),
                from: current.username,
                to: to.clone(),
            }
        }
        Operation::Delete { user } => {
            let (directory, current) = user_and_directory(view, user)?;
            if !directory.capabilities.delete_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if let Some(reason) = view.delete_veto(user)? {
                return Err(OperationFailure::Vetoed(reason));
            }
            Change::Delete {
                user: user.clone(),
                username: current.username,
            }
        }
        Operation::AddToGroup { user, group } => {
            let name = group_named(view, group)
                .ok_or(OperationFailure::NotFound)?
                .name
                .clone();
            let (directory, current) = user_and_directory(view, user)?;
            if !directory.can_change_membership(&name) {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if is_member(&current, &name) {
                Change::Nothing
            } else {
                if current.active {
                    let mut groups = current.groups.clone();
                    groups.push(name.as_str().to_owned());
                    check_seats(view, &current, &groups)?;
                }
                Change::AddMembership {
                    user: user.clone(),
                    group: name,
                }
            }
        }
        Operation::RemoveFromGroup { user, group } => {
            let name = group_named(view, group)
                .ok_or(OperationFailure::NotFound)?
                .name
                .clone();
            let (directory, _) = user_and_directory(view, user)?;
            if !directory.can_change_membership(&name) {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            Change::RemoveMembership {
                user: user.clone(),
                group: name,
            }
        }
        Operation::ReassignIssues { user, to } => {
            if view.user(user)?.is_none() {
                return Err(OperationFailure::NotFound);
            }
            if let Handover::User(target) = to {
                match view.user(target)? {
                    Some(t) if t.active => {}
                    Some(_) => {
                        return Err(OperationFailure::Vetoed(
                            "the new assignee is deactivated".to_owned(),
                        ));
                    }
                    None => return Err(OperationFailure::NotFound),
                }
            }
            Change::HandOver {
                user: user.clone(),
                to: to.clone(),
            }
        }
        Operation::CreateGroup { group } => {
            if group_named(view, group).is_some() {
                return Err(OperationFailure::AlreadyExists);
            }
            Change::CreateGroup {
                group: group.clone(),
            }
        }
        Operation::DeleteGroup { group } => {
            let found = group_named(view, group).ok_or(OperationFailure::NotFound)?;
            if found.admin {
                return Err(OperationFailure::Vetoed(
                    "the group grants administration rights".to_owned(),
                ));
            }
            Change::DeleteGroup {
                group: found.name.clone(),
            }
        }
        Operation::CreateUser {
            username,
            display_name,
            email,
            directory,
            active,
        } => {
            let directories = view.directories();
            let target = match directory {
                Some(id) => directories.iter().find(|d| d.id == *id),
                None => directories.iter().find(|d| d.capabilities.create_user),
            }
            .ok_or(OperationFailure::NotFound)?;
            if !target.capabilities.create_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            if view.username_owner(&username.folded())?.is_some() {
                return Err(OperationFailure::AlreadyExists);
            }
            Change::CreateUser {
                username: username.clone(),
                display_name: display_name.clone(),
                email: email.clone(),
                directory: target.id,
                active: *active,
            }
        }
        Operation::UpdateUser {
            user,
            display_name,
            email,
        } => {
            let (directory, _) = user_and_directory(view, user)?;
            if !directory.capabilities.update_user {
                return Err(OperationFailure::ReadOnlyDirectory);
            }
            Change::UpdateUser {
                user: user.clone(),
                display_name: display_name.clone(),
                email: email.clone(),
            }
        }
    })
}

/// Indices of the licences with a group among `groups` (case-insensitive).
pub fn applications_of(licences: &[Licence], groups: &[String]) -> Vec<usize> {
    licences
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.groups
                .iter()
                .any(|lg| groups.iter().any(|g| g.eq_ignore_ascii_case(lg.as_str())))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Whether `user` is in `group` (case-insensitive).
pub fn is_member(user: &SnapshotUser, group: &GroupName) -> bool {
    user.groups
        .iter()
        .any(|g| g.eq_ignore_ascii_case(group.as_str()))
}

/// The group called `name` (case-insensitive).
fn group_named<'v>(view: &'v impl DirectoryView, name: &GroupName) -> Option<&'v Group> {
    let folded = name.folded();
    view.groups().iter().find(|g| g.name.folded() == folded)
}

fn user_and_directory(
    view: &impl DirectoryView,
    key: &UserKey,
) -> Result<(Directory, SnapshotUser), OperationFailure> {
    let user = view.user(key)?.ok_or(OperationFailure::NotFound)?;
    let directory = view
        .directories()
        .iter()
        .find(|d| d.id.0 == user.directory_id)
        .cloned()
        .ok_or_else(|| OperationFailure::Host("the user's directory is missing".to_owned()))?;
    Ok((directory, user))
}

/// Fails with `NoSeat` if `user` becoming active with `groups` would take a
/// seat in an application that has none left.
fn check_seats(
    view: &impl DirectoryView,
    user: &SnapshotUser,
    groups: &[String],
) -> Result<(), OperationFailure> {
    let licences = view.licences();
    let held = if user.active {
        applications_of(licences, &user.groups)
    } else {
        Vec::new()
    };
    for app in applications_of(licences, groups) {
        if held.contains(&app) {
            continue;
        }
        if let Some(licence) = licences.get(app)
            && let SeatLimit::Limited(limit) = licence.limit
            && view.seats_used(app)? >= limit
        {
            return Err(OperationFailure::NoSeat);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A directory in plain collections, for the rules alone.
    struct View {
        directories: Vec<Directory>,
        groups: Vec<Group>,
        licences: Vec<Licence>,
        users: HashMap<String, SnapshotUser>,
        vetoes: HashMap<String, String>,
    }

    impl DirectoryView for View {
        fn directories(&self) -> &[Directory] {
            &self.directories
        }
        fn groups(&self) -> &[Group] {
            &self.groups
        }
        fn licences(&self) -> &[Licence] {
            &self.licences
        }
        fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, OperationFailure> {
            Ok(self.users.get(key.as_str()).cloned())
        }
        fn username_owner(&self, folded: &str) -> Result<Option<String>, OperationFailure> {
            Ok(self
                .users
                .values()
                .find(|u| u.username.to_lowercase() == folded)
                .map(|u| u.key.clone()))
        }
        fn seats_used(&self, licence: usize) -> Result<u32, OperationFailure> {
            let one = std::slice::from_ref(&self.licences[licence]);
            Ok(self
                .users
                .values()
                .filter(|u| u.active && !applications_of(one, &u.groups).is_empty())
                .count() as u32)
        }
        fn delete_veto(&self, user: &UserKey) -> Result<Option<String>, OperationFailure> {
            Ok(self.vetoes.get(user.as_str()).cloned())
        }
    }

    fn user(key: &str, dir: i64, active: bool, groups: &[&str]) -> SnapshotUser {
        SnapshotUser {
            key: key.to_owned(),
            username: key.to_lowercase(),
            display_name: key.to_owned(),
            email: format!("{key}@example.test"),
            directory_id: dir,
            active,
            created: 0,
            last_login: None,
            login_count: Some(0),
            deactivated_at: None,
            suspended: false,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            activity: Default::default(),
        }
    }

    /// The Host kit's directories, groups and 2-seat licence
    /// ([`crate::host::conformance::header`]), with users of its own: one
    /// seat taken, an inactive licensed user.
    fn view() -> View {
        let users = [
            user("ANN", 1, true, &["app-users", "staff"]),
            user("BOB", 2, true, &["staff"]),
            user("CY", 1, true, &[]),
            user("DEE", 1, false, &["app-users"]),
        ];
        let header = crate::host::conformance::header();
        View {
            directories: header.directories,
            groups: header.groups,
            licences: header.licences,
            users: users.into_iter().map(|u| (u.key.clone(), u)).collect(),
            vetoes: HashMap::new(),
        }
    }

    fn key(k: &str) -> UserKey {
        UserKey::from(k)
    }

    #[test]
    fn read_only_directories_refuse_user_writes() {
        let v = view();
        for op in [
            Operation::Deactivate { user: key("BOB") },
            Operation::Activate { user: key("BOB") },
            Operation::Delete { user: key("BOB") },
            Operation::Rename {
                user: key("BOB"),
                to: Username::from("bob2"),
            },
            Operation::UpdateUser {
                user: key("BOB"),
                display_name: Some("B".into()),
                email: None,
            },
        ] {
            assert_eq!(
                decide(&v, &op),
                Err(OperationFailure::ReadOnlyDirectory),
                "{op:?}"
            );
        }
        assert_eq!(
            decide(&v, &Operation::Deactivate { user: key("ANN") }),
            Ok(Change::Deactivate { user: key("ANN") })
        );
    }

    #[test]
    fn data_center_directories_refuse_suspension_with_the_reason() {
        let v = view();
        for op in [
            Operation::Suspend { user: key("ANN") },
            Operation::Restore { user: key("DEE") },
        ] {
            assert_eq!(
                decide(&v, &op),
                Err(OperationFailure::Unsupported(
                    NO_SUSPENSION_IN_DATA_CENTER.to_owned()
                )),
                "{op:?}"
            );
        }
        assert_eq!(
            decide(&v, &Operation::CancelDeletion { user: key("GONE") }),
            Err(OperationFailure::Unsupported(
                NO_DELETION_GRACE_IN_DATA_CENTER.to_owned()
            ))
        );
        assert_eq!(
            decide(
                &v,
                &Operation::Suspend {
                    user: key("NOBODY")
                }
            ),
            Err(OperationFailure::NotFound),
            "an unknown user is named as such first"
        );
    }

    #[test]
    fn memberships_change_only_where_the_directory_allows() {
        let mut v = view();
        v.licences[0].limit = SeatLimit::Unlimited;
        assert_eq!(
            decide(
                &v,
                &Operation::RemoveFromGroup {
                    user: key("BOB"),
                    group: "STAFF".into()
                }
            ),
            Err(OperationFailure::ReadOnlyDirectory)
        );
        assert_eq!(
            decide(
                &v,
                &Operation::AddToGroup {
                    user: key("BOB"),
                    group: "App-Users".into()
                }
            ),
            Ok(Change::AddMembership {
                user: key("BOB"),
                group: "app-users".into()
            }),
            "a read-only directory's local group, by its canonical name"
        );
        assert_eq!(
            decide(
                &v,
                &Operation::AddToGroup {
                    user: key("ANN"),
                    group: "staff".into()
                }
            ),
            Ok(Change::Nothing),
            "already a member"
        );
        assert_eq!(
            decide(
                &v,
                &Operation::AddToGroup {
                    user: key("ANN"),
                    group: "nope".into()
                }
            ),
            Err(OperationFailure::NotFound)
        );
    }

    #[test]
    fn seats_are_needed_to_join_a_licence_group_or_come_back() {
        let mut v = view();
        let join = |v: &View, k: &str| {
            decide(
                v,
                &Operation::AddToGroup {
                    user: key(k),
                    group: "app-users".into(),
                },
            )
        };
        // One of two seats taken (ANN; DEE is inactive).
        assert!(matches!(join(&v, "CY"), Ok(Change::AddMembership { .. })));
        v.users
            .get_mut("CY")
            .unwrap()
            .groups
            .push("app-users".into());
        assert_eq!(join(&v, "BOB"), Err(OperationFailure::NoSeat));
        assert_eq!(
            decide(&v, &Operation::Activate { user: key("DEE") }),
            Err(OperationFailure::NoSeat),
            "reactivating a licensed user needs a free seat"
        );
        v.users.get_mut("DEE").unwrap().active = false;
        v.users.get_mut("CY").unwrap().active = false;
        assert_eq!(
            decide(&v, &Operation::Activate { user: key("DEE") }),
            Ok(Change::Activate { user: key("DEE") })
        );
        v.users.get_mut("CY").unwrap().groups.clear();
        assert!(
            matches!(join(&v, "CY"), Ok(Change::AddMembership { .. })),
            "an inactive user takes no seat"
        );
        assert_eq!(
            decide(&v, &Operation::Activate { user: key("ANN") }),
            Ok(Change::Nothing)
        );
    }

    #[test]
    fn usernames_are_unique_case_insensitively() {
        let v = view();
        assert_eq!(
            decide(
                &v,
                &Operation::Rename {
                    user: key("ANN"),
                    to: Username::from("CY")
                }
            ),
            Err(OperationFailure::AlreadyExists)
        );
        assert_eq!(
            decide(
                &v,
                &Operation::Rename {
                    user: key("ANN"),
                    to: Username::from("ANN")
                }
            ),
            Ok(Change::Rename {
                user: key("ANN"),
                from: "ann".into(),
                to: Username::from("ANN")
            }),
            "a user may change the case of their own name"
        );
        let create = |name: &str, directory| Operation::CreateUser {
            username: Username::from(name),
            display_name: name.into(),
            email: format!("{name}@example.test"),
            directory,
            active: true,
        };
        assert_eq!(
            decide(&v, &create("Bob", None)),
            Err(OperationFailure::AlreadyExists)
        );
        assert!(matches!(
            decide(&v, &create("eve", None)),
            Ok(Change::CreateUser {
                directory: DirectoryId(1),
                ..
            })
        ));
        assert_eq!(
            decide(&v, &create("eve", Some(DirectoryId(2)))),
            Err(OperationFailure::ReadOnlyDirectory)
        );
        assert_eq!(
            decide(&v, &create("eve", Some(DirectoryId(9)))),
            Err(OperationFailure::NotFound)
        );
    }

    #[test]
    fn vetoes_admin_groups_handovers_and_missing_users() {
        let mut v = view();
        v.vetoes.insert("CY".into(), "leads a project".into());
        assert_eq!(
            decide(&v, &Operation::Delete { user: key("CY") }),
            Err(OperationFailure::Vetoed("leads a project".into()))
        );
        assert!(matches!(
            decide(
                &v,
                &Operation::DeleteGroup {
                    group: "ADMINS".into()
                }
            ),
            Err(OperationFailure::Vetoed(_))
        ));
        assert_eq!(
            decide(
                &v,
                &Operation::DeleteGroup {
                    group: "Staff".into()
                }
            ),
            Ok(Change::DeleteGroup {
                group: "staff".into()
            })
        );
        assert_eq!(
            decide(
                &v,
                &Operation::CreateGroup {
                    group: "STAFF".into()
                }
            ),
            Err(OperationFailure::AlreadyExists)
        );
        assert_eq!(
            decide(
                &v,
                &Operation::ReassignIssues {
                    user: key("ANN"),
                    to: Handover::User(key("DEE"))
                }
            ),
            Err(OperationFailure::Vetoed(
                "the new assignee is deactivated".into()
            ))
        );
        assert_eq!(
            decide(
                &v,
                &Operation::Deactivate {
                    user: key("nobody")
                }
            ),
            Err(OperationFailure::NotFound)
        );
        assert_eq!(
            decide(&v, &Operation::Deactivate { user: key("DEE") }),
            Ok(Change::Nothing),
            "already inactive"
        );
    }
}
