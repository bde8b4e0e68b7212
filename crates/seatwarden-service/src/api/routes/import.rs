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

use std::cell::RefCell;

use serde_json::{Value, json};

use seatwarden_core::UserKey;
use seatwarden_core::query::Query;
use seatwarden_csv::{ImportOptions, NewUserNotices};

use super::{accepted, admin_key, now, plan_hash, query_num, rejected};
use crate::api::stream::Export;
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{ImportPageOf, Service};

pub(super) fn export_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    users_export(service, req)?.whole()
}

/// Users rendered per hold of the index lock in the users export: about
/// 250 KB of CSV, a fraction of a millisecond, so logins and rebuilds never
/// wait long behind an export, however slowly its reader takes the bytes.
const EXPORT_BATCH: usize = 1024;

/// A [`Write`](std::io::Write) into a buffer the export drains between
/// batches (the CSV writer owns its writer, so the buffer is shared).
struct Pending<'b>(&'b RefCell<Vec<u8>>);

impl std::io::Write for Pending<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The users export: the selection is made once; rows are rendered a batch
/// at a time under the index lock, each batch sent after the lock is
/// released. Order and neutralisation are those of `seatwarden_csv`, as
/// for a file built whole. If the index is rebuilt during the export (user
/// positions may move), the export stops with a conflict rather than mix
/// two directories; logins recorded in place between batches show in the
/// rows not yet written, as they would in a later export.
pub(super) fn users_export<'s>(
    service: &'s Service,
    req: &ApiRequest,
) -> Result<Export<'s>, ApiError> {
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
    // The selection now, in the table's order (the filter's sort column and
    // direction, ticked rows too), so a bad filter or an unknown key is an
    // ordinary error answer before anything is sent.
    let (selected, name, context, generation) =
        service.with_index_generation(|index, generation| -> Result<_, ApiError> {
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
            Ok((selected, name, context, generation))
        })??;
    let failed = |_: std::io::Error| ApiError::internal("the users export failed");
    Ok(Export::new(
        name,
        Box::new(move |out| {
            let pending = RefCell::new(Vec::new());
            let mut csv = seatwarden_csv::UsersWriter::new(Pending(&pending), &options, &context)
                .map_err(failed)?;
            let mut users = selected.iter().peekable();
            while users.peek().is_some() {
                let batch = users.by_ref().take(EXPORT_BATCH);
                service.with_index_generation(|index, now_generation| {
                    if now_generation != generation {
                        return Err(ApiError::new(
                            ApiErrorKind::Conflict,
                            "the directory was read again during the export; export again",
                        ));
                    }
                    for &i in batch {
                        if let Some(user) = index.user(i) {
                            csv.write(&user).map_err(failed)?;
                        }
                    }
                    csv.flush().map_err(failed)
                })??;
                let rows = std::mem::take(&mut *pending.borrow_mut());
                out.write_all(&rows).map_err(failed)?;
            }
            csv.finish().map_err(failed)?;
            out.write_all(&pending.take()).map_err(failed)
        }),
    ))
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
