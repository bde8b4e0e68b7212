//! The users import and export tab: the CSV template, validate → plan →
//! apply, and the filtered CSV export.
//!
//! Validation changes nothing: a bad row gets its line and column and the
//! whole file is refused. A valid file becomes a kept plan the admin
//! confirms by hash (planned and kept by [`Service::plan_import`]); applying it is a background run like any other, so
//! it is journaled, resumable and audited. A new user's memberships and
//! welcome mail need the key the host gives the account, so their actions
//! name the user by a placeholder that [`crate::service::import`] resolves
//! while the run applies.

use serde_json::{Value, json};

use seatwarden_core::UserKey;
use seatwarden_core::query::Query;
use seatwarden_csv::{ImportOptions, NewUserNotices};

use super::{accepted, admin_key, now, plan_hash, query_num, rejected};
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::{ImportPageOf, Service};

pub(super) fn export_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let query = match req.query_param("filter") {
        None | Some("") => Query::default(),
        Some(raw) => {
            Query::from_json(raw.as_bytes()).map_err(|e| super::users::filter_error(&e))?
        }
    };
    let mut options = seatwarden_csv::ExportOptions {
        bom: req.flag("bom", false)?,
        ..seatwarden_csv::ExportOptions::default()
    };
    if let Some(cols) = req.query_param("columns").filter(|s| !s.is_empty()) {
        options.columns = cols
            .split(',')
            .map(|c| {
                seatwarden_csv::UserColumn::from_header(&c.trim().to_lowercase())
                    .ok_or_else(|| ApiError::bad_request(format!("unknown column `{}`", c.trim())))
            })
            .collect::<Result<_, _>>()?;
    }
    let keys: Option<Vec<UserKey>> = req
        .query_param("keys")
        .filter(|s| !s.is_empty())
        .map(|k| k.split(',').map(UserKey::from).collect());
    let now = now(req);
    let activity = service.settings().config.settings.activity;
    // The Users tab's Exemption filter, so the file lists what the table does.
    let exempt = super::users::exempt_wanted(req)?;
    let exemptions = match exempt {
        Some(_) => service.exemptions()?,
        None => Vec::new(),
    };
    let (name, out) = service.with_index(|index| -> Result<(String, Vec<u8>), ApiError> {
        // In the table's order (the filter's sort column and direction), ticked rows too.
        let selected = match &keys {
            Some(keys) => {
                let (bitmap, unknown) = seatwarden_core::evaluate::select_keys(index, keys);
                if let Some(k) = unknown.first() {
                    return Err(ApiError::not_found(format!("user `{k}`")));
                }
                index.in_table_order(&bitmap, &query, &activity)
            }
            None => index.matching_in_order(&query, now, &activity),
        }
        .map_err(|e| super::users::filter_error(&e))?;
        let selected: Vec<_> = match exempt {
            Some(wanted) => {
                let exempt = super::exemptions::exempt_bitmap(index, &exemptions, now);
                selected
                    .into_iter()
                    .filter(|i| exempt.contains(i.0) == wanted)
                    .collect()
            }
            None => selected,
        };
        let name = super::export_name::users_export_name(
            &query,
            index.directories(),
            keys.as_ref().map(|_| selected.len()),
            exempt,
        );
        let context = seatwarden_csv::ExportContext::new(index.directories(), index.licences());
        let users = selected.into_iter().filter_map(|i| index.user(i));
        let mut out = Vec::new();
        seatwarden_csv::export_users(&mut out, &options, &context, users)
            .map_err(|_| ApiError::internal("the users export failed"))?;
        Ok((name, out))
    })??;
    Ok(ApiResponse::csv(&name, out))
}

/// `GET /api/import/template`: the header and one example row whose
/// groups exist in this directory: the licence group and the other group
/// with the most members (never an administrators group, which an example
/// must not suggest). A directory without such groups gets an empty cell.
pub(super) fn import_template(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let csv = service.with_index(|index| {
        let members =
            |g: &seatwarden_core::Group| index.group_bitmap(&g.name).map_or(0, |b| b.len());
        let pick = |licence: bool| {
            index
                .groups()
                .iter()
                .filter(|g| !g.admin && g.licence == licence && members(g) > 0)
                .max_by(|a, b| {
                    members(a)
                        .cmp(&members(b))
                        .then_with(|| b.name.cmp(&a.name))
                })
        };
        let groups = [pick(true), pick(false)];
        seatwarden_csv::template_with_groups(groups.into_iter().flatten().map(|g| &g.name))
    })?;
    Ok(ApiResponse::csv(
        "users-import-template.csv",
        csv.into_bytes(),
    ))
}

pub(super) fn validate_import(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let options = ImportOptions {
        create_missing_groups: req.flag("createGroups", false)?,
        remove_unlisted_groups: req.flag("removeUnlisted", false)?,
        notices: NewUserNotices {
            welcome: req.flag("welcome", false)?,
            password_reset: req.flag("passwordReset", false)?,
        },
        ..ImportOptions::default()
    };
    let preview = service
        .plan_import(req.body.clone(), &options, &admin_key(req), now(req))?
        .map_err(|r| rejected_rows(&r))?;
    ApiResponse::json(&preview)
}

/// A refused file: every problem with its place (as any CSV refusal),
/// plus one `rows` entry per line with a problem, `plan: "error"`, in the
/// shape a valid file's per-row verdicts take. Problems of the header
/// (line 1) belong to no row.
fn rejected_rows(r: &seatwarden_csv::Rejected) -> ApiError {
    let mut error = rejected(r);
    let mut lines: Vec<(u64, usize)> = Vec::new();
    for p in r.0.kept() {
        let line = p.position.line;
        if line <= 1 {
            continue;
        }
        match lines.iter_mut().find(|(l, _)| *l == line) {
            Some((_, n)) => *n += 1,
            None => lines.push((line, 1)),
        }
    }
    lines.sort_unstable();
    let rows: Vec<Value> = lines
        .into_iter()
        .map(|(line, problems)| json!({"line": line, "plan": "error", "problems": problems}))
        .collect();
    if let Some(Value::Object(details)) = error.details.as_mut() {
        details.insert("rows".to_owned(), Value::Array(rows));
    }
    error
}

pub(super) fn apply_import(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?.to_owned();
    let hash = plan_hash(req)?;
    // The run queues the welcome mails from the templates in force, which
    // the router re-read for this request (another node may have enabled
    // one since validation).
    let run = service.run_pending(&plan_id, &hash, now(req))?;
    accepted(run)
}

/// Most rows or actions one page answers (as many as the preview lists).
const MAX_PAGE: usize = 500;

/// `GET /api/import/{planId}/rows`: a page of the kept import's row
/// verdicts past the preview's first 500 (`offset`, `limit` ≤ 500).
pub(super) fn import_rows(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    import_page(service, req, params, ImportPageOf::Rows)
}

/// `GET /api/import/{planId}/actions`: a page of the kept import's
/// actions, in applying order.
pub(super) fn import_actions(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    import_page(service, req, params, ImportPageOf::Actions)
}

/// `{offset, total, next, rows|actions}`; `next` is the offset of the
/// following page, `null` after the last.
fn import_page(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
    of: ImportPageOf,
) -> Result<ApiResponse, ApiError> {
    let plan_id = params.get("planId")?;
    let offset: usize = query_num(req, "offset", 0)?;
    let limit: usize = query_num(req, "limit", 100)?;
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "query parameter `limit` must be between 1 and {MAX_PAGE}"
        )));
    }
    let page = service.import_page(plan_id, of, offset, limit)?;
    let (key, shown, items) = match of {
        ImportPageOf::Rows => ("rows", page.rows.len(), json!(page.rows)),
        ImportPageOf::Actions => ("actions", page.actions.len(), json!(page.actions)),
    };
    let end = offset.saturating_add(shown) as u64;
    let next = (shown == limit && end < page.total).then_some(end);
    let mut answer =
        json!({"planId": plan_id, "offset": offset, "total": page.total, "next": next});
    if let Value::Object(map) = &mut answer {
        map.insert(key.to_owned(), items);
    }
    ApiResponse::json(&answer)
}
