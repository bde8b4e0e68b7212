//! The user directories the host reported, with what each accepts and how
//! many users it holds.
//!
//! The Users tab filters by directory and the import and bulk screens warn
//! before a write a directory will refuse; both need the same facts the
//! engine plans with, so they come from the directory index (the host's
//! last snapshot), never from a second read of the host.

use serde::Serialize;

use seatwarden_core::model::{DirectoryCapabilities, DirectoryId, DirectoryKind};

use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;

/// One directory as `GET /api/directories` lists it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DirectoryRow<'a> {
    id: DirectoryId,
    name: &'a str,
    kind: DirectoryKind,
    /// Users in it cannot be updated (activated, deactivated, edited): the
    /// screens grey out writes the host would refuse.
    read_only: bool,
    capabilities: DirectoryCapabilities,
    /// Users in the directory, active or not.
    users: u64,
}

pub(super) fn list_directories(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body = service.with_index(|index| {
        let rows: Vec<DirectoryRow<'_>> = index
            .directories()
            .iter()
            .map(|d| DirectoryRow {
                id: d.id,
                name: &d.name,
                kind: d.kind,
                read_only: !d.capabilities.update_user,
                capabilities: d.capabilities,
                users: index.directory_bitmap(d.id).map_or(0, |b| b.len()),
            })
            .collect();
        serde_json::to_vec(&serde_json::json!({ "directories": rows }))
    })?;
    let body = body.map_err(|_| ApiError::internal("the directories could not be serialised"))?;
    Ok(ApiResponse {
        status: 200,
        content_type: "application/json".to_owned(),
        headers: Vec::new(),
        body,
    })
}
