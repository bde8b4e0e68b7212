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

/// How a deactivated user of a directory can be verified at login, as the
/// engine decides it (`service::probe`); the policy editor shows it per
/// directory and recommends "release seats" where it is not `proof`.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "snake_case")]
enum LoginVerification {
    /// Crowd checks the credential before it refuses the inactive account
    /// (cached LDAP and Crowd connectors): nothing changes before the proof.
    Proof,
    /// Delegated LDAP: a proof when create- or update-on-authentication is on
    /// (the filter reads it from Crowd at login), otherwise as `none`/`probe`.
    ProofIfUpdateOnAuth,
    /// An admin opted this directory in: the account is active for the length
    /// of one password check.
    Probe,
    /// Nothing can verify a deactivated account's password here: use "release
    /// seats" (the account stays active and the product's login verifies it).
    None,
}

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
    /// How a deactivated user of it is verified at login.
    login_verification: LoginVerification,
    /// The confirm window (minutes) access given back at login waits for
    /// the product's own login event.
    confirm_window_minutes: u32,
}

pub(super) fn list_directories(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let login = service.settings().config.settings.login.clone();
    let verification = |id: DirectoryId, kind: DirectoryKind| {
        let probe = login.probes(id);
        match kind {
            DirectoryKind::Ldap => LoginVerification::Proof,
            DirectoryKind::InternalWithLdapAuth => LoginVerification::ProofIfUpdateOnAuth,
            _ if probe => LoginVerification::Probe,
            _ => LoginVerification::None,
        }
    };
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
                login_verification: verification(d.id, d.kind),
                confirm_window_minutes: login.confirm_window_minutes,
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
