//! Exemptions and the review list, as every backend must keep them: the
//! same answers as the reference rules in [`crate::store::review`]
//! ([`ExemptionTable`], [`ReviewTable`]) for the same calls, and the
//! promises those rules make (one exemption per user and scope, a grant
//! answers what it replaced; one pending item per policy and user;
//! decisions are compare-and-set).

use seatwarden_audit::RunId;
use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy};
use seatwarden_core::policy::PolicyId;
use seatwarden_core::{Millis, UserKey};

use super::{Check, e2s};
use crate::store::review::{ExemptionTable, ReviewTable};
use crate::store::{
    Decider, ExemptionKey, NewReviewItem, ReviewChange, ReviewFilter, ReviewOrigin, ReviewState,
    ReviewStatus, Store,
};

fn exemption(user: &str, scope: ExemptionScope, until: Option<i64>, reason: &str) -> Exemption {
    Exemption {
        user: UserKey::from(user),
        scope,
        until: until.map(Millis),
        reason: reason.to_owned(),
        granted_by: GrantedBy::Admin {
            admin: UserKey::from("admin"),
        },
        created_at: Millis(1_800_000_000_000),
    }
}

/// Grants replace per (user, scope) and answer the replaced; revokes
/// answer the removed; unknown revokes are ignored; the list is ordered.
pub fn exemptions_replace_and_revoke(s: &dyn Store) -> Check {
    let mut reference = ExemptionTable::default();
    let p = || ExemptionScope::Policy(PolicyId::from("deactivate-90"));
    let steps: Vec<(Vec<Exemption>, Vec<ExemptionKey>)> = vec![
        (
            vec![
                exemption("K2", ExemptionScope::All, None, "executive"),
                exemption("K1", p(), Some(1_900_000_000_000), "leave"),
                exemption("K1", ExemptionScope::All, Some(1_850_000_000_000), "audit"),
            ],
            Vec::new(),
        ),
        // Re-grant K1's policy exemption (replaces), revoke K2 and a key
        // nobody holds (ignored).
        (
            vec![exemption(
                "K1",
                p(),
                Some(1_950_000_000_000),
                "leave, extended",
            )],
            vec![
                ExemptionKey {
                    user: UserKey::from("K2"),
                    scope: ExemptionScope::All,
                },
                ExemptionKey {
                    user: UserKey::from("K9"),
                    scope: p(),
                },
            ],
        ),
    ];
    for (i, (grant, revoke)) in steps.iter().enumerate() {
        let expected = reference.write(grant, revoke);
        let actual = s.write_exemptions(grant, revoke).map_err(e2s)?;
        ensure!(
            actual == expected,
            "step {i}: write answered {actual:?}, expected {expected:?}"
        );
        let listed = s.list_exemptions().map_err(e2s)?;
        ensure!(
            listed == reference.list(),
            "step {i}: list is {listed:?}, expected {:?}",
            reference.list()
        );
    }
    let listed = s.list_exemptions().map_err(e2s)?;
    ensure!(
        listed.len() == 2,
        "two exemptions remain, got {}",
        listed.len()
    );
    ensure!(
        listed
            .iter()
            .any(|e| e.reason == "leave, extended" && e.until == Some(Millis(1_950_000_000_000))),
        "the re-grant replaced the first grant"
    );
    Ok(())
}

fn item(policy: &str, user: &str, at: i64) -> NewReviewItem {
    NewReviewItem {
        policy: PolicyId::from(policy),
        user: UserKey::from(user),
        user_name: Some(format!("name-{user}")),
        action: "deactivate".into(),
        reasons: vec!["last login 2026-06-01, 173 days ≥ 90".into()],
        origin: ReviewOrigin::Run { run: RunId(4) },
        queued_at: Millis(at),
    }
}

/// One pending item per (policy, user); ids grow; decisions are
/// compare-and-set; filters by status and policy.
pub fn review_list_pending_and_decisions(s: &dyn Store) -> Check {
    let mut reference = ReviewTable::default();
    let first = [
        item("p", "K1", 10),
        item("p", "K2", 10),
        item("q", "K1", 10),
    ];
    let created = s.enqueue_review(&first).map_err(e2s)?;
    let expected = reference.enqueue(&first);
    ensure!(
        created.len() == 3,
        "three items created, got {}",
        created.len()
    );
    ensure!(
        created
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.id < b.id)),
        "ids grow in input order: {created:?}"
    );
    ensure!(
        created
            .iter()
            .map(|r| &r.item)
            .eq(expected.iter().map(|r| &r.item)),
        "created {created:?}, expected {expected:?}"
    );
    // Queued again (the next run): nothing new while pending.
    let again = s
        .enqueue_review(&[item("p", "K1", 20), item("p", "K3", 20)])
        .map_err(e2s)?;
    reference.enqueue(&[item("p", "K1", 20), item("p", "K3", 20)]);
    ensure!(
        matches!(again.as_slice(), [one] if one.item.user.as_str() == "K3"),
        "only K3 is new: {again:?}"
    );
    let id_of = |user: &str, policy: &str| {
        created
            .iter()
            .chain(again.iter())
            .find(|r| r.item.user.as_str() == user && r.item.policy.as_str() == policy)
            .map(|r| r.id)
    };
    let (Some(k1), Some(k2)) = (id_of("K1", "p"), id_of("K2", "p")) else {
        return Err("created items not found".into());
    };
    let approve = ReviewState::Approved {
        by: Decider::Admin {
            admin: UserKey::from("admin"),
        },
        at: Millis(30),
    };
    let reject = ReviewState::Rejected {
        by: Decider::Timeout,
        at: Millis(30),
        exempt_until: Some(Millis(99)),
    };
    let changes = vec![
        ReviewChange {
            id: k1,
            from: ReviewStatus::Open,
            to: approve.clone(),
        },
        ReviewChange {
            id: k2,
            from: ReviewStatus::Open,
            to: reject,
        },
    ];
    let changed = s.update_review(&changes).map_err(e2s)?;
    let changed_ref = reference.update(&changes_for(&changes, &created, &reference));
    ensure!(changed.len() == 2, "both decided: {changed:?}");
    ensure!(changed_ref.len() == 2, "the reference decided both");
    // A second reviewer deciding K1 again changes nothing.
    let late = s
        .update_review(&[ReviewChange {
            id: k1,
            from: ReviewStatus::Open,
            to: approve,
        }])
        .map_err(e2s)?;
    ensure!(
        late.is_empty(),
        "a decided item is not decided twice: {late:?}"
    );
    // K1 (approved) is still pending: not queued again. K2 (rejected) may be.
    let third = s
        .enqueue_review(&[item("p", "K1", 40), item("p", "K2", 40)])
        .map_err(e2s)?;
    ensure!(
        matches!(third.as_slice(), [one] if one.item.user.as_str() == "K2"),
        "a rejected item no longer blocks a new one; an approved does: {third:?}"
    );
    let pending_p = s
        .list_review(&ReviewFilter {
            statuses: vec![ReviewStatus::Open, ReviewStatus::Approved],
            policy: Some(PolicyId::from("p")),
        })
        .map_err(e2s)?;
    let users: Vec<&str> = pending_p.iter().map(|r| r.item.user.as_str()).collect();
    ensure!(
        users == ["K1", "K3", "K2"],
        "pending items of p by id: {users:?}"
    );
    let rejected = s
        .list_review(&ReviewFilter {
            statuses: vec![ReviewStatus::Rejected],
            policy: None,
        })
        .map_err(e2s)?;
    ensure!(
        matches!(rejected.as_slice(), [one] if one.id == k2),
        "one rejected item: {rejected:?}"
    );
    let all = s.list_review(&ReviewFilter::default()).map_err(e2s)?;
    ensure!(all.len() == 5, "five items in all, got {}", all.len());
    ensure!(
        all.windows(2).all(|w| matches!(w, [a, b] if a.id < b.id)),
        "listed by id: {all:?}"
    );
    Ok(())
}

/// The same changes against the reference's ids (its ids are its own).
fn changes_for(
    changes: &[ReviewChange],
    created: &[crate::store::ReviewItem],
    reference: &ReviewTable,
) -> Vec<ReviewChange> {
    let listed = reference.list(&ReviewFilter::default());
    changes
        .iter()
        .filter_map(|c| {
            let ours = created.iter().find(|r| r.id == c.id)?;
            let theirs = listed
                .iter()
                .find(|r| r.item.policy == ours.item.policy && r.item.user == ours.item.user)?;
            Some(ReviewChange {
                id: theirs.id,
                from: c.from,
                to: c.to.clone(),
            })
        })
        .collect()
}
