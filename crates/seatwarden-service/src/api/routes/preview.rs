//! The preview-only server's "Try on your own users": the admin uploads a
//! snapshot, an Atlassian cloud user export or a Seatwarden users export,
//! and it replaces the directory the policies are previewed on.
//!
//! Only a preview-only server (`seatwarden serve --snapshot`) accepts it:
//! anywhere else the directory is the product's, and a file must never
//! replace it (the host refuses too, see `Host::replace_directory`). The
//! file is read whole before anything changes, so a refused file leaves the
//! loaded users as they were. A load is audited (the kind of file and the
//! counts, never a user).

use seatwarden_csv::preview_source::{SourceError, read_preview_source};
use serde_json::json;

use super::{now, rejected};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{Service, ServiceError};

pub(super) fn load_directory(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    if !service.options().preview_only {
        return Err(ApiError::new(
            ApiErrorKind::Forbidden,
            "only a preview server (`seatwarden serve --snapshot`) loads users from a file; \
             this server's directory is the product's",
        ));
    }
    let loaded = read_preview_source(&req.body, now(req)).map_err(|e| match e {
        SourceError::Rejected(r) => rejected(&r),
        other => ApiError::new(ApiErrorKind::Validation, other.to_string()).with_details(json!({
            "problems": [{"path": "file", "message": other.to_string()}]
        })),
    })?;
    service
        .host()
        .replace_directory(&loaded.snapshot)
        .map_err(ServiceError::from)?;
    service.rebuild_index()?;
    // Who replaced the users the previews run on, and with what (issue 24).
    super::audit_success(
        service,
        req,
        seatwarden_audit::Action::DirectoryLoaded,
        format!("{} (uploaded in the UI)", loaded.describe()),
    )?;
    let header = &loaded.snapshot.header;
    ApiResponse::json(&json!({
        "kind": loaded.kind.as_str(),
        "users": loaded.snapshot.pages.iter().map(|p| p.users.len()).sum::<usize>(),
        "groups": header.groups.len(),
        "directories": header.directories.len(),
    }))
}
