//! Re-checking a bulk or revert action against the user's current state
//! just before it is written.
//!
//! Why: a bulk or revert plan is made from the index as it was when the
//! admin asked, and applied later (after confirmation, in slices). If
//! someone else changed the user meanwhile (another admin, the product, a
//! login), writing the planned operation would either be a phantom change
//! (deactivating a user already deactivated: a second `user_deactivated`
//! entry, and a revert of it would reactivate the user, undoing the other
//! party's real change) or act on a state the admin never saw. So each
//! action is compared with the host's current view of the user, under the
//! user's stripe lock; one that no longer applies is skipped with the
//! reason. Policy runs plan from a freshly read directory just before
//! applying and are not re-read per action (inside a product each check is
//! a call into Java).

use seatwarden_core::Operation;
use seatwarden_core::snapshot::SnapshotUser;

/// Why `op` no longer applies to `current` (the host's view now), or
/// `None` when it still does.
pub(super) fn stale_reason(op: &Operation, current: Option<&SnapshotUser>) -> Option<String> {
    let in_group =
        |u: &SnapshotUser, group: &str| u.groups.iter().any(|g| g.eq_ignore_ascii_case(group));
    let why = match (op, current) {
        (
            Operation::CreateUser { .. }
            | Operation::CreateGroup { .. }
            | Operation::DeleteGroup { .. },
            _,
        ) => {
            return None;
        }
        (_, None) if op.user().is_none() => return None,
        (_, None) => "the user no longer exists",
        (Operation::Activate { .. }, Some(u)) if u.active => "the user is already active",
        (Operation::Deactivate { .. }, Some(u)) if !u.active => "the user is already deactivated",
        (Operation::Rename { to, .. }, Some(u)) if u.username.eq_ignore_ascii_case(to.as_str()) => {
            "the user already has that username"
        }
        (Operation::AddToGroup { group, .. }, Some(u)) if in_group(u, group.as_str()) => {
            "the user is already a member of the group"
        }
        (Operation::RemoveFromGroup { group, .. }, Some(u)) if !in_group(u, group.as_str()) => {
            "the user is no longer a member of the group"
        }
        _ => return None,
    };
    Some(format!(
        "skipped, the plan is stale: {why} (changed since the plan was made)"
    ))
}
