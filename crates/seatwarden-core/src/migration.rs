//! The Cloud migration plan: who should not be migrated, per product, and the
//! Cloud seats and cost that leaves out.
//!
//! Why: every Data Center customer moves to Cloud by 2029 and pays Cloud prices
//! per user from the first day. A user nobody has seen for months, or who never
//! logged in, costs a Cloud seat for nothing; a deactivated account is migrated
//! without product access anyway. The plan names them, with the reason, so the
//! admin can mark them in the migration assistant's user file (`docs/forecast.md`).
//!
//! Activity is judged by the counted signals (`settings.activity`), as the
//! policies judge it: a user seen by any enabled signal since the cut-off is
//! active.

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use crate::activity::ActivitySettings;
use crate::config::costs::{Cents, CostSettings};
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::ApplicationKey;
use crate::time::Millis;

/// Why a user should not be migrated (the first that applies, in this order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveOut {
    /// The account is deactivated.
    Deactivated,
    /// Active, but no activity by any counted signal, ever.
    NeverLoggedIn,
    /// Active, last activity at or before the cut-off.
    Inactive,
}

impl LeaveOut {
    /// The reason's name, as in JSON and CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaveOut::Deactivated => "deactivated",
            LeaveOut::NeverLoggedIn => "never_logged_in",
            LeaveOut::Inactive => "inactive",
        }
    }
}

/// One product's figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductMigration {
    /// Application key.
    pub application: ApplicationKey,
    /// Display name.
    pub name: String,
    /// Active holders of a seat today.
    pub seats_used: u64,
    /// Holders idle since the cut-off.
    pub inactive: u64,
    /// Holders who never logged in.
    pub never_logged_in: u64,
    /// Deactivated members of the product's licence groups (they hold no seat).
    pub deactivated: u64,
    /// Cloud seats the plan leaves out: `inactive + neverLoggedIn`.
    pub cloud_seats_left_out: u64,
    /// Cloud seats still needed: `seatsUsed − cloudSeatsLeftOut`.
    pub cloud_seats_needed: u64,
    /// The Cloud price per user per month, when set.
    pub cloud_user_price: Option<Cents>,
    /// `cloudSeatsLeftOut × cloudUserPrice`, per month.
    pub monthly_cost_left_out: Option<Cents>,
}

/// The whole plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationPlan {
    /// The instant judged.
    pub now: Millis,
    /// Idle this many days or more counts as inactive.
    pub idle_days: u32,
    /// The currency of the costs.
    pub currency: Option<String>,
    /// Per licence.
    pub products: Vec<ProductMigration>,
    /// Users not to migrate, by reason (each user once).
    pub deactivated: u64,
    /// See [`LeaveOut::NeverLoggedIn`].
    pub never_logged_in: u64,
    /// See [`LeaveOut::Inactive`].
    pub inactive: u64,
    /// The sum of the products' monthly cost left out (where priced).
    pub monthly_cost_left_out: Option<Cents>,
}

/// The users not to migrate, by reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LeftOut {
    /// Deactivated accounts.
    pub deactivated: RoaringBitmap,
    /// Active, never active by a counted signal.
    pub never_logged_in: RoaringBitmap,
    /// Active, idle since the cut-off.
    pub inactive: RoaringBitmap,
}

impl LeftOut {
    /// Every user with their reason, in index order.
    pub fn users(&self) -> Vec<(UserIdx, LeaveOut)> {
        let mut out: Vec<(UserIdx, LeaveOut)> = self
            .deactivated
            .iter()
            .map(|u| (UserIdx(u), LeaveOut::Deactivated))
            .chain(
                self.never_logged_in
                    .iter()
                    .map(|u| (UserIdx(u), LeaveOut::NeverLoggedIn)),
            )
            .chain(
                self.inactive
                    .iter()
                    .map(|u| (UserIdx(u), LeaveOut::Inactive)),
            )
            .collect();
        out.sort_by_key(|(u, _)| u.0);
        out
    }
}

/// Who should not be migrated at `now`, idle meaning `idle_days` or more.
pub fn left_out(
    index: &DirectoryIndex,
    activity: &ActivitySettings,
    now: Millis,
    idle_days: u32,
) -> LeftOut {
    let mask = index.signal_mask(activity);
    let cutoff = now.minus_days(idle_days);
    let mut out = LeftOut {
        deactivated: index.deactivated_bitmap(),
        ..LeftOut::default()
    };
    for u in index.active_bitmap() {
        match index.last_activity(UserIdx(u), mask) {
            None => {
                out.never_logged_in.insert(u);
            }
            Some(t) if t <= cutoff => {
                out.inactive.insert(u);
            }
            Some(_) => {}
        }
    }
    out
}

/// The migration plan at `now` (see the module docs).
pub fn migration_plan(
    index: &DirectoryIndex,
    activity: &ActivitySettings,
    costs: &CostSettings,
    now: Millis,
    idle_days: u32,
) -> (MigrationPlan, LeftOut) {
    let who = left_out(index, activity, now, idle_days);
    let mut total: Option<Cents> = None;
    let products = index
        .licences()
        .iter()
        .enumerate()
        .map(|(l, lic)| {
            let holders = index.licence_seat_holders(l);
            let mut members = RoaringBitmap::new();
            for g in index.licence_groups.get(l).map_or(&[][..], Vec::as_slice) {
                if let Some(m) = index.group_bitmap_by_ord(*g) {
                    members |= m;
                }
            }
            let inactive = holders.intersection_len(&who.inactive);
            let never = holders.intersection_len(&who.never_logged_in);
            let left = inactive + never;
            let price = costs.of(&lic.application).and_then(|p| p.cloud_user_price);
            let cost = price.map(|p| Cents(p.0.saturating_mul(left)));
            if let Some(c) = cost {
                total = Some(Cents(total.map_or(0, |t| t.0).saturating_add(c.0)));
            }
            ProductMigration {
                application: lic.application.clone(),
                name: lic.name.clone(),
                seats_used: holders.len(),
                inactive,
                never_logged_in: never,
                deactivated: members.intersection_len(&who.deactivated),
                cloud_seats_left_out: left,
                cloud_seats_needed: holders.len() - left,
                cloud_user_price: price,
                monthly_cost_left_out: cost,
            }
        })
        .collect();
    let plan = MigrationPlan {
        now,
        idle_days,
        currency: costs.currency.clone(),
        products,
        deactivated: who.deactivated.len(),
        never_logged_in: who.never_logged_in.len(),
        inactive: who.inactive.len(),
        monthly_cost_left_out: total,
    };
    (plan, who)
}
