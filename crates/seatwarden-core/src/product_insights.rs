//! Per-product insights (issue 20): "412 users inactive in Confluence ≥ 60
//! days", one per product the directory records a last-active date for.
//!
//! Why here and computed from a query: the figure must be exactly whom the
//! rule that "Take action" opens would act on, and whom the Users tab lists
//! under the same filter ("Activity in: Confluence", "Inactive for at least
//! 60 days", status Active). So each count *is* that Users query
//! ([`DirectoryIndex::matching_counted`] with the product's `seen` signal),
//! not a separate scan that could drift from it. Users with no date at all
//! in the product are left out (the Users filter's "No activity recorded"):
//! an `inactive` rule does not act on them (that is the never-logged-in
//! condition's job), and "inactive in Confluence" means someone who used
//! Confluence and stopped. Only per-product `seen`
//! signals count (Atlassian Cloud's last-active dates per product); a Data
//! Center directory declares none and gets no insight, so the Data Center
//! dashboard is unchanged.

use serde::Serialize;

use crate::Millis;
use crate::activity::{ActivitySettings, SignalKind, SignalRef, product_label};
use crate::index::DirectoryIndex;
use crate::model::ApplicationKey;
use crate::query::{Activity, Query, StatusFilter};

/// The default idle threshold of a per-product insight, in days.
pub const DEFAULT_PRODUCT_IDLE_DAYS: u32 = 60;

/// Active users inactive in one product for at least `days` days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductIdle {
    /// The product's key (`confluence`, `jira-software`, …).
    pub product: ApplicationKey,
    /// The name an admin knows it by.
    pub name: String,
    /// The threshold.
    pub days: u32,
    /// How many active users have no activity in it within `days` days.
    pub users: u64,
    /// The signal a rule names to mean "in this product" (`seen:<key>`).
    pub signal: String,
}

/// The Users query behind one product's insight: active users with no
/// activity in `product` for `days` days (`Activity::NotWithin`), or with
/// none at all (`Activity::Never`, subtracted from the first).
pub fn product_idle_query(product: &ApplicationKey, activity: Activity) -> Query {
    Query {
        status: StatusFilter::Active,
        activity,
        signals: Some(vec![SignalRef::Declared {
            kind: SignalKind::Seen,
            product: Some(product.clone()),
        }]),
        ..Query::default()
    }
}

/// One insight per product with a per-product `seen` signal, in the
/// header's order; products where nobody is idle are left out.
pub fn product_idle(index: &DirectoryIndex, now: Millis, days: u32) -> Vec<ProductIdle> {
    let mut out: Vec<ProductIdle> = Vec::new();
    for decl in index.signals() {
        let (SignalKind::Seen, Some(product)) = (decl.kind, &decl.product) else {
            continue;
        };
        if out.iter().any(|p| &p.product == product) {
            continue;
        }
        let settings = ActivitySettings::default();
        let run = |activity| {
            index.matching_counted(&product_idle_query(product, activity), now, &settings)
        };
        // A declared signal is always recorded, so the queries cannot be
        // refused; a refusal would mean no figure rather than a wrong one.
        let (Ok(idle), Ok(never)) = (run(Activity::NotWithin { days }), run(Activity::Never))
        else {
            continue;
        };
        let users = idle - never;
        if users.is_empty() {
            continue;
        }
        out.push(ProductIdle {
            product: product.clone(),
            name: product_label(product.as_str()).to_owned(),
            days,
            users: users.len(),
            signal: format!("seen:{}", product.as_str()),
        });
    }
    out
}
