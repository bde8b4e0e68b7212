//! Exemptions and the review list in SQLite: rows keyed as the Store port
//! demands (one exemption per user and scope; one pending review item per
//! policy and user), bodies as JSON so the types can grow without a
//! migration per field.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use seatwarden_core::exemption::Exemption;
use seatwarden_service::store::{
    ExemptionKey, NewReviewItem, ReviewChange, ReviewFilter, ReviewId, ReviewItem, ReviewState,
    StoreError,
};

use crate::{backend, corrupt};

fn json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(format!("encoding: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|_| corrupt(what))
}

pub(crate) fn list_exemptions(c: &Connection) -> Result<Vec<Exemption>, StoreError> {
    let mut stmt = c
        .prepare("SELECT body FROM exemptions ORDER BY user_key, scope")
        .map_err(backend)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(parse(&row.map_err(backend)?, "an exemption row")?);
    }
    // Scope order of the port (`All` before policies) may differ from the
    // text order of `*` and ids: sort by the typed key.
    out.sort_by(|a: &Exemption, b: &Exemption| (&a.user, &a.scope).cmp(&(&b.user, &b.scope)));
    Ok(out)
}

fn take(tx: &Transaction<'_>, key: &ExemptionKey) -> Result<Option<Exemption>, StoreError> {
    let old: Option<String> = tx
        .query_row(
            "DELETE FROM exemptions WHERE user_key = ?1 AND scope = ?2 RETURNING body",
            params![key.user.as_str(), key.scope.key()],
            |r| r.get(0),
        )
        .optional()
        .map_err(backend)?;
    old.map(|b| parse(&b, "an exemption row")).transpose()
}

pub(crate) fn write_exemptions(
    tx: &Transaction<'_>,
    grant: &[Exemption],
    revoke: &[ExemptionKey],
) -> Result<Vec<Exemption>, StoreError> {
    let mut previous = Vec::new();
    for e in grant {
        let key = ExemptionKey::of(e);
        previous.extend(take(tx, &key)?);
        tx.execute(
            "INSERT INTO exemptions (user_key, scope, body) VALUES (?1, ?2, ?3)",
            params![key.user.as_str(), key.scope.key(), json(e)?],
        )
        .map_err(backend)?;
    }
    for key in revoke {
        previous.extend(take(tx, key)?);
    }
    Ok(previous)
}

pub(crate) fn enqueue(
    tx: &Transaction<'_>,
    items: &[NewReviewItem],
) -> Result<Vec<ReviewItem>, StoreError> {
    let mut created = Vec::new();
    for item in items {
        let pending: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM review_items WHERE policy_id = ?1 AND user_key = ?2 \
                 AND status IN ('open', 'approved'))",
                params![item.policy.as_str(), item.user.as_str()],
                |r| r.get(0),
            )
            .map_err(backend)?;
        if pending {
            continue;
        }
        tx.execute(
            "INSERT INTO review_items (policy_id, user_key, status, body) VALUES (?1, ?2, 'open', '')",
            params![item.policy.as_str(), item.user.as_str()],
        )
        .map_err(backend)?;
        let row = ReviewItem {
            id: ReviewId(tx.last_insert_rowid()),
            item: item.clone(),
            state: ReviewState::Open,
        };
        tx.execute(
            "UPDATE review_items SET body = ?1 WHERE id = ?2",
            params![json(&row)?, row.id.0],
        )
        .map_err(backend)?;
        created.push(row);
    }
    Ok(created)
}

pub(crate) fn list_review(
    c: &Connection,
    filter: &ReviewFilter,
) -> Result<Vec<ReviewItem>, StoreError> {
    let mut stmt = c
        .prepare("SELECT body FROM review_items WHERE (?1 IS NULL OR policy_id = ?1) ORDER BY id")
        .map_err(backend)?;
    let rows = stmt
        .query_map(params![filter.policy.as_ref().map(|p| p.as_str())], |r| {
            r.get::<_, String>(0)
        })
        .map_err(backend)?;
    let mut out = Vec::new();
    for row in rows {
        let item: ReviewItem = parse(&row.map_err(backend)?, "a review item row")?;
        if filter.matches(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

pub(crate) fn update_review(
    tx: &Transaction<'_>,
    changes: &[ReviewChange],
) -> Result<Vec<ReviewItem>, StoreError> {
    let mut changed = Vec::new();
    for c in changes {
        let body: Option<String> = tx
            .query_row(
                "SELECT body FROM review_items WHERE id = ?1 AND status = ?2",
                params![c.id.0, c.from.as_str()],
                |r| r.get(0),
            )
            .optional()
            .map_err(backend)?;
        let Some(body) = body else { continue };
        let mut item: ReviewItem = parse(&body, "a review item row")?;
        item.state = c.to.clone();
        tx.execute(
            "UPDATE review_items SET status = ?1, body = ?2 WHERE id = ?3",
            params![item.state.status().as_str(), json(&item)?, c.id.0],
        )
        .map_err(backend)?;
        changed.push(item);
    }
    Ok(changed)
}
