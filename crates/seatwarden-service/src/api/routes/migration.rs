//! The Cloud migration plan (issue 22, item 5; `docs/forecast.md`): who should
//! not be migrated, per product, with the Cloud seats and cost left out, and
//! the user list in the migration assistant's columns.

use serde_json::json;

use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::migration::{LeftOut, migration_plan};
use seatwarden_csv::migration::{MigrationUser, write_migration_users};

use super::{now, query_num};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;

/// The default idle threshold, as the dashboard's "idle 90+ days" insight.
const IDLE_DAYS: u32 = 90;

fn idle_days(req: &ApiRequest) -> Result<u32, ApiError> {
    let days: u32 = query_num(req, "idleDays", IDLE_DAYS)?;
    if !(1..=3650).contains(&days) {
        return Err(ApiError::bad_request(
            "query parameter `idleDays` must be between 1 and 3650",
        ));
    }
    Ok(days)
}

pub(super) fn get_migration(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days = idle_days(req)?;
    let now = now(req);
    let settings = service.settings();
    let s = &settings.config.settings;
    let plan =
        service.with_index(|index| migration_plan(index, &s.activity, &s.costs, now, days).0)?;
    ApiResponse::json(&json!({ "plan": plan }))
}

fn rows<'i>(index: &'i DirectoryIndex, who: &LeftOut) -> Vec<MigrationUser<'i>> {
    who.users()
        .into_iter()
        .filter_map(|(u, _)| index.user(u))
        .map(|v| MigrationUser {
            key: v.key(),
            username: v.username(),
            email: v.email(),
        })
        .collect()
}

pub(super) fn export_migration(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let days = idle_days(req)?;
    let bom = req.flag("bom", false)?;
    let now = now(req);
    let settings = service.settings();
    let s = &settings.config.settings;
    let out = service.with_index(|index| {
        let (_, who) = migration_plan(index, &s.activity, &s.costs, now, days);
        let mut out = Vec::new();
        write_migration_users(&mut out, rows(index, &who), bom).map(|_| out)
    })?;
    let out = out.map_err(|_| ApiError::internal("the migration export failed"))?;
    Ok(ApiResponse::csv("migration-leave-out.csv", out))
}
