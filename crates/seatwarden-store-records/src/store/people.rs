//! Exemptions and the review list over the record tables.
//!
//! Exemptions: one row per (scope, user) under a unique key; revoking keeps
//! the row as a tombstone (kind `revoked`), because the backend deletes by
//! scan, not by key, and a conditional update is what keeps two writers
//! honest. Review items: one row per item (its id is the row id), kind =
//! status, so listings push the status filter down; a decision is a
//! compare-and-set on the row's revision.
//!
//! Several rows are written one backend call each (the backend's atomic
//! unit is one call); each step is idempotent, like the other multi-row
//! operations of this store (see the crate docs).

use serde::{Deserialize, Serialize};

use seatwarden_core::exemption::Exemption;
use seatwarden_service::store::{
    ExemptionKey, NewReviewItem, ReviewChange, ReviewFilter, ReviewId, ReviewItem, ReviewState,
    ReviewStatus, StoreResult,
};

use super::{CAS_ATTEMPTS, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{NewRecord, Record, RecordBackend, Scan, Table};

const ACTIVE: &str = "active";
const REVOKED: &str = "revoked";

/// A review row's body (the id is the row's).
#[derive(Serialize, Deserialize)]
struct ReviewBody {
    item: NewReviewItem,
    state: ReviewState,
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    pub(super) fn exemptions(&self) -> StoreResult<Vec<Exemption>> {
        let scan = Scan {
            kinds: vec![ACTIVE.to_owned()],
            ..Scan::default()
        };
        let mut out = Vec::new();
        for r in self.scan_all(Table::Exemptions, &scan)? {
            out.push(decode::<Exemption>(Table::Exemptions, &r)?);
        }
        out.sort_by(|a, b| (&a.user, &a.scope).cmp(&(&b.user, &b.scope)));
        Ok(out)
    }

    /// Sets the row of `key` to `value` (`None`: revoked); answers the
    /// active exemption it replaced.
    fn put_exemption(
        &self,
        key: &ExemptionKey,
        value: Option<&Exemption>,
    ) -> StoreResult<Option<Exemption>> {
        let text = key.text();
        let (kind, body, time) = match value {
            Some(e) => (ACTIVE, encode(e)?, e.created_at),
            None => (REVOKED, "null".to_owned(), seatwarden_core::Millis(0)),
        };
        for _ in 0..CAS_ATTEMPTS {
            let row = self
                .backend
                .get(Table::Exemptions, &text)
                .map_err(backend_err)?;
            match row {
                None => {
                    if value.is_none() {
                        return Ok(None);
                    }
                    let rec = NewRecord {
                        key: Some(text.clone()),
                        group: None,
                        time,
                        kind: Some(kind.to_owned()),
                        body: body.clone(),
                    };
                    match self.backend.insert(Table::Exemptions, &[rec]) {
                        Ok(_) => return Ok(None),
                        // Another writer inserted it meanwhile: update instead.
                        Err(crate::BackendError::DuplicateKey { .. }) => continue,
                        Err(e) => return Err(backend_err(e)),
                    }
                }
                Some(r) => {
                    let old = active(&r)?;
                    if value.is_none() && old.is_none() {
                        return Ok(None);
                    }
                    let done = self
                        .backend
                        .update(Table::Exemptions, r.id, r.revision, time, Some(kind), &body)
                        .map_err(backend_err)?;
                    if done.is_some() {
                        return Ok(old);
                    }
                }
            }
        }
        Err(contention(Table::Exemptions))
    }

    pub(super) fn write_exemption_rows(
        &self,
        grant: &[Exemption],
        revoke: &[ExemptionKey],
    ) -> StoreResult<Vec<Exemption>> {
        let mut previous = Vec::new();
        for e in grant {
            previous.extend(self.put_exemption(&ExemptionKey::of(e), Some(e))?);
        }
        for k in revoke {
            previous.extend(self.put_exemption(k, None)?);
        }
        Ok(previous)
    }

    fn review_rows(&self, statuses: &[ReviewStatus]) -> StoreResult<Vec<ReviewItem>> {
        let scan = Scan {
            kinds: statuses.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Scan::default()
        };
        self.scan_all(Table::Review, &scan)?
            .iter()
            .map(review_item)
            .collect()
    }

    pub(super) fn enqueue_rows(&self, items: &[NewReviewItem]) -> StoreResult<Vec<ReviewItem>> {
        let pending = self.review_rows(&[ReviewStatus::Open, ReviewStatus::Approved])?;
        let mut seen: std::collections::HashSet<(String, String)> = pending
            .iter()
            .map(|r| (r.item.policy.0.to_string(), r.item.user.to_string()))
            .collect();
        let mut fresh = Vec::new();
        let mut records = Vec::new();
        for item in items {
            if !seen.insert((item.policy.0.to_string(), item.user.to_string())) {
                continue;
            }
            records.push(NewRecord {
                key: None,
                group: None,
                time: item.queued_at,
                kind: Some(ReviewStatus::Open.as_str().to_owned()),
                body: encode(&ReviewBody {
                    item: item.clone(),
                    state: ReviewState::Open,
                })?,
            });
            fresh.push(item.clone());
        }
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let ids = self
            .backend
            .insert(Table::Review, &records)
            .map_err(backend_err)?;
        Ok(ids
            .into_iter()
            .zip(fresh)
            .map(|(id, item)| ReviewItem {
                id: ReviewId(id),
                item,
                state: ReviewState::Open,
            })
            .collect())
    }

    pub(super) fn review_list(&self, filter: &ReviewFilter) -> StoreResult<Vec<ReviewItem>> {
        Ok(self
            .review_rows(&filter.statuses)?
            .into_iter()
            .filter(|r| filter.matches(r))
            .collect())
    }

    pub(super) fn review_update(&self, changes: &[ReviewChange]) -> StoreResult<Vec<ReviewItem>> {
        let mut changed = Vec::new();
        'changes: for c in changes {
            for _ in 0..CAS_ATTEMPTS {
                let Some(r) = self
                    .backend
                    .get_by_id(Table::Review, c.id.0)
                    .map_err(backend_err)?
                else {
                    continue 'changes;
                };
                let mut item = review_item(&r)?;
                if item.state.status() != c.from {
                    continue 'changes;
                }
                item.state = c.to.clone();
                let body = encode(&ReviewBody {
                    item: item.item.clone(),
                    state: item.state.clone(),
                })?;
                let done = self
                    .backend
                    .update(
                        Table::Review,
                        r.id,
                        r.revision,
                        r.time,
                        Some(item.state.status().as_str()),
                        &body,
                    )
                    .map_err(backend_err)?;
                if done.is_some() {
                    changed.push(item);
                    continue 'changes;
                }
            }
            return Err(contention(Table::Review));
        }
        Ok(changed)
    }
}

fn active(r: &Record) -> StoreResult<Option<Exemption>> {
    if r.kind.as_deref() == Some(ACTIVE) {
        Ok(Some(decode(Table::Exemptions, r)?))
    } else {
        Ok(None)
    }
}

fn review_item(r: &Record) -> StoreResult<ReviewItem> {
    let body: ReviewBody = decode(Table::Review, r)?;
    Ok(ReviewItem {
        id: ReviewId(r.id),
        item: body.item,
        state: body.state,
    })
}
