//! Seats a plan frees, per application: the figure the forecast's day 0 must
//! equal, computed from the plan itself with every conflict resolved.
//!
//! A seat of application *A* held by an active user is freed when the plan
//! deactivates, suspends or deletes the account, or removes the user from every
//! licence group of *A* they are in (removing one of two leaves the seat taken).

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::index::{DirectoryIndex, GroupOrd};
use crate::model::ApplicationKey;
use crate::plan::{AccountOp, Plan};

/// Seats one application would get back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeatsFreed {
    /// Application key.
    pub application: ApplicationKey,
    /// Seats freed.
    pub seats: u64,
}

/// The seats `plan` frees, per licence in the index's order (whatever the
/// sources' modes: what the plan would free if applied).
pub fn freed_by_plan(plan: &Plan, index: &DirectoryIndex) -> Vec<SeatsFreed> {
    let mut accounts = RoaringBitmap::new();
    let mut removed: Vec<(GroupOrd, RoaringBitmap)> = Vec::new();
    for o in &plan.outcomes {
        if matches!(
            o.account_op,
            Some(AccountOp::Deactivate { .. } | AccountOp::Suspend | AccountOp::Delete)
        ) {
            accounts |= &o.account_users;
        }
        for op in o.group_ops.iter().filter(|op| !op.add) {
            match removed.iter_mut().find(|(g, _)| *g == op.group) {
                Some((_, users)) => *users |= &op.users,
                None => removed.push((op.group, op.users.clone())),
            }
        }
    }
    index
        .licences()
        .iter()
        .enumerate()
        .map(|(l, lic)| {
            let groups: &[GroupOrd] = index.licence_groups.get(l).map_or(&[], Vec::as_slice);
            let mut lost = RoaringBitmap::new();
            let mut kept = RoaringBitmap::new();
            for g in groups {
                let Some(members) = index.group_bitmap_by_ord(*g) else {
                    continue;
                };
                match removed.iter().find(|(o, _)| o == g) {
                    Some((_, users)) => {
                        lost |= users & members;
                        kept |= members - users;
                    }
                    None => kept |= members,
                }
            }
            let freed = index.licence_seat_holders(l) & (&accounts | &(lost - kept));
            SeatsFreed {
                application: lic.application.clone(),
                seats: freed.len(),
            }
        })
        .collect()
}
