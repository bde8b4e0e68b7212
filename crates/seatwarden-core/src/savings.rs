//! Savings: which licences' seats an audited change freed, and what they are worth.
//!
//! Why from the audit trail and the index: an audit entry names the account (and
//! the group, for a removal) but not the application; the index still knows the
//! account's groups (deactivating or suspending an account keeps its
//! memberships), so the seats it held can be named afterwards. A removal from a
//! licence group frees that licence's seat only when the user is in none of its
//! other groups. A deleted account is gone from the index: its seats cannot be
//! named (the service counts it as an account only).

use crate::config::costs::{Cents, CostSettings};
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::{GroupName, UserKey};

/// The licences (positions in [`DirectoryIndex::licences`]) whose seat the
/// audited change freed: an account change (`group` = `None`) frees every
/// licence whose groups the account is in; a removal from `group` frees the
/// licences of that group the active user holds through no other group.
/// Empty when the user is unknown.
pub fn licences_freed(
    index: &DirectoryIndex,
    user: &UserKey,
    group: Option<&GroupName>,
) -> Vec<usize> {
    let Some(idx) = index.index_of_key(user) else {
        return Vec::new();
    };
    let member = |g: &u32| {
        index
            .group_bitmap_by_ord(*g)
            .is_some_and(|m| m.contains(idx.0))
    };
    let mut out = Vec::new();
    for (l, groups) in index.licence_groups.iter().enumerate() {
        let frees = match group {
            None => groups.iter().any(member),
            Some(name) => {
                let removed = index.group_ord(name.as_str());
                removed.is_some_and(|r| groups.contains(&r))
                    && index.is_active(UserIdx(idx.0))
                    && !groups.iter().any(member)
            }
        };
        if frees {
            out.push(l);
        }
    }
    out
}

/// `seats × price`, where the application has a seat price.
pub fn value_of(
    costs: &CostSettings,
    index: &DirectoryIndex,
    licence: usize,
    seats: u64,
) -> Option<Cents> {
    let lic = index.licences().get(licence)?;
    let price = costs.of(&lic.application)?.seat_price?;
    Some(Cents(price.0.saturating_mul(seats)))
}
