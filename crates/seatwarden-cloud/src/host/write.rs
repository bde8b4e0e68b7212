//! [`CloudHost`]'s writes: each Cloud write checked against the fresh user
//! (a write already done sends nothing), sent once, and a refused
//! permission remembered; and the engine's operations mapped onto them.

use seatwarden_core::model::GroupName;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_service::host::Applied;
use seatwarden_service::host::rules::{self, Change};

use super::view::View;
use super::{CloudHost, CloudWrite, failure};
use crate::client::{Api, Call, Method, segment};
use crate::error::{CloudError, Permission};
use crate::mapping::{EXTERNAL_CANNOT_DEACTIVATE, EXTERNAL_CANNOT_DELETE};
use crate::wire::{AddMembership, DisableRequest};

impl CloudHost {
    /// Applies one Cloud write; a write whose effect is already there
    /// succeeds without a request.
    pub fn write(&self, write: &CloudWrite) -> Result<Applied, OperationFailure> {
        let key = match write {
            CloudWrite::Suspend(k)
            | CloudWrite::Restore(k)
            | CloudWrite::Deactivate(k)
            | CloudWrite::Enable(k)
            | CloudWrite::RemoveProductAccess(k, _)
            | CloudWrite::AddToGroup(k, _)
            | CloudWrite::RemoveFromGroup(k, _)
            | CloudWrite::RemoveFromDirectory(k)
            | CloudWrite::DeleteAccount(k)
            | CloudWrite::CancelDeletion(k) => k,
        };
        let (user, facts) = self.fresh(key)?;
        let account = segment(key.as_str());
        match write {
            CloudWrite::Suspend(_) if facts.suspended => Ok(Applied::default()),
            CloudWrite::Suspend(_) => self.send_write(
                Method::Post,
                Api::Admin,
                format!("{}/users/{account}/suspend", self.dir_path()),
                "suspend a user's access",
                Permission::WriteDirectory,
                None,
            ),
            CloudWrite::Restore(_) if !facts.suspended => Ok(Applied::default()),
            CloudWrite::Restore(_) => self.send_write(
                Method::Post,
                Api::Admin,
                format!("{}/users/{account}/restore", self.dir_path()),
                "restore a user's access",
                Permission::WriteDirectory,
                None,
            ),
            CloudWrite::DeleteAccount(_) | CloudWrite::CancelDeletion(_) if !facts.managed => {
                Err(OperationFailure::Vetoed(EXTERNAL_CANNOT_DELETE.to_owned()))
            }
            CloudWrite::DeleteAccount(_) if facts.pending_deletion => Ok(Applied::default()),
            CloudWrite::DeleteAccount(_) => self.send_write(
                Method::Post,
                Api::UserManagement,
                format!("/users/{account}/manage/lifecycle/delete"),
                "delete a managed account",
                Permission::ManageLifecycle,
                None,
            ),
            CloudWrite::CancelDeletion(_) if !facts.pending_deletion => Ok(Applied::default()),
            CloudWrite::CancelDeletion(_) => self.send_write(
                Method::Post,
                Api::UserManagement,
                format!("/users/{account}/manage/lifecycle/cancel-delete"),
                "cancel the deletion of a managed account",
                Permission::ManageLifecycle,
                None,
            ),
            CloudWrite::Deactivate(_) | CloudWrite::Enable(_) if !facts.managed => Err(
                OperationFailure::Vetoed(EXTERNAL_CANNOT_DEACTIVATE.to_owned()),
            ),
            CloudWrite::Deactivate(_) if facts.deactivated => Ok(Applied::default()),
            CloudWrite::Deactivate(_) => self.send_write(
                Method::Post,
                Api::UserManagement,
                format!("/users/{account}/manage/lifecycle/disable"),
                "deactivate a managed account",
                Permission::ManageLifecycle,
                Some(serde_json::to_value(DisableRequest { message: None }).unwrap_or_default()),
            ),
            CloudWrite::Enable(_) if !facts.deactivated => Ok(Applied::default()),
            CloudWrite::Enable(_) => self.send_write(
                Method::Post,
                Api::UserManagement,
                format!("/users/{account}/manage/lifecycle/enable"),
                "enable a managed account",
                Permission::ManageLifecycle,
                None,
            ),
            CloudWrite::AddToGroup(_, group) => {
                if user.groups.iter().any(|g| g.eq_ignore_ascii_case(&group.0)) {
                    return Ok(Applied::default());
                }
                // Seats and the group's existence: the shared directory rules.
                let op = Operation::AddToGroup {
                    user: key.clone(),
                    group: group.clone(),
                };
                match rules::decide(&View::new(self, user.clone()), &op)? {
                    Change::Nothing => Ok(Applied::default()),
                    _ => {
                        let id = self.group_id(group).ok_or(OperationFailure::NotFound)?;
                        self.send_write(
                            Method::Post,
                            Api::Admin,
                            format!("{}/groups/{}/memberships", self.dir_path(), segment(&id)),
                            "add a user to a group",
                            Permission::WriteDirectory,
                            Some(
                                serde_json::to_value(AddMembership {
                                    account_id: key.as_str().to_owned(),
                                })
                                .unwrap_or_default(),
                            ),
                        )
                    }
                }
            }
            CloudWrite::RemoveFromGroup(_, group) => {
                if self.group_id(group).is_none() {
                    return Err(OperationFailure::NotFound);
                }
                let Some((_, id)) = facts
                    .group_ids
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&group.0))
                else {
                    return Ok(Applied::default());
                };
                self.send_write(
                    Method::Delete,
                    Api::Admin,
                    format!(
                        "{}/groups/{}/memberships/{account}",
                        self.dir_path(),
                        segment(id)
                    ),
                    "remove a user from a group",
                    Permission::WriteDirectory,
                    None,
                )
            }
            CloudWrite::RemoveProductAccess(_, product) => {
                let granting: Vec<GroupName> = self
                    .cache
                    .read()
                    .licences
                    .iter()
                    .filter(|l| l.application == *product)
                    .flat_map(|l| l.groups.iter().cloned())
                    .collect();
                if granting.is_empty() {
                    return Err(OperationFailure::NotFound);
                }
                for group in granting {
                    if user.groups.iter().any(|g| g.eq_ignore_ascii_case(&group.0)) {
                        self.write(&CloudWrite::RemoveFromGroup(key.clone(), group))?;
                    }
                }
                Ok(Applied::default())
            }
            CloudWrite::RemoveFromDirectory(_) => self.send_write(
                Method::Delete,
                Api::Admin,
                format!("{}/users/{account}", self.dir_path()),
                "remove a user from the directory",
                Permission::WriteDirectory,
                None,
            ),
        }?;
        // The cache follows Cloud: read the user again only if they are
        // still there.
        if !matches!(write, CloudWrite::RemoveFromDirectory(_)) {
            let _ = self.fresh(key);
        } else {
            let mut cache = self.cache.write();
            if let Some(&i) = cache.by_key.get(key.as_str())
                && let Some(u) = cache.users.get_mut(i)
            {
                u.active = false;
            }
        }
        Ok(Applied::default())
    }

    fn group_id(&self, group: &GroupName) -> Option<String> {
        self.cache
            .read()
            .groups
            .get(&group.0.to_lowercase())
            .map(|g| g.id.clone())
    }

    fn send_write(
        &self,
        method: Method,
        api: Api,
        path: String,
        what: &'static str,
        permission: Permission,
        body: Option<serde_json::Value>,
    ) -> Result<Applied, OperationFailure> {
        if let Some((_, refused)) = self.refused.lock().iter().find(|(p, _)| *p == permission) {
            return Err(OperationFailure::Host(refused.to_string()));
        }
        let mut call = Call::new(method, api, path, what, permission);
        call.body = body;
        match self.client.send(&call) {
            Ok(_) => Ok(Applied::default()),
            Err(e @ (CloudError::Forbidden { .. } | CloudError::Unauthorized { .. })) => {
                self.refused.lock().push((permission, e.clone()));
                Err(OperationFailure::Host(e.to_string()))
            }
            Err(e) => Err(failure(e)),
        }
    }

    /// The engine's operation in Cloud's terms; `Err` for operations Cloud
    /// does not offer through the connector.
    pub fn cloud_write(operation: &Operation) -> Result<CloudWrite, OperationFailure> {
        let unsupported = |what: &str| {
            Err(OperationFailure::Unsupported(format!(
                "{what} is not available for Atlassian Cloud accounts"
            )))
        };
        match operation {
            Operation::Deactivate { user } => Ok(CloudWrite::Deactivate(user.clone())),
            Operation::Suspend { user } => Ok(CloudWrite::Suspend(user.clone())),
            Operation::CancelDeletion { user } => Ok(CloudWrite::CancelDeletion(user.clone())),
            Operation::Restore { user } => Ok(CloudWrite::Restore(user.clone())),
            // Activate means "make the user active again": enable a
            // deactivated account, restore a suspended one (decided on the
            // fresh user in `apply`).
            Operation::Activate { user } => Ok(CloudWrite::Enable(user.clone())),
            Operation::AddToGroup { user, group } => {
                Ok(CloudWrite::AddToGroup(user.clone(), group.clone()))
            }
            Operation::RemoveFromGroup { user, group } => {
                Ok(CloudWrite::RemoveFromGroup(user.clone(), group.clone()))
            }
            // Delete: a managed account is deleted (14-day grace), an
            // external one removed from the directory (decided on the fresh
            // user in `apply`).
            Operation::Delete { user } => Ok(CloudWrite::DeleteAccount(user.clone())),
            Operation::Rename { .. } => unsupported("renaming"),
            Operation::ReassignIssues { .. } => unsupported("handing issues over"),
            Operation::CreateGroup { .. } | Operation::DeleteGroup { .. } => {
                unsupported("creating or deleting groups")
            }
            Operation::CreateUser { .. } | Operation::UpdateUser { .. } => {
                unsupported("creating or editing accounts")
            }
        }
    }
}
