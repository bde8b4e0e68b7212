//! The searchable pickers behind every user and group field (issue 24,
//! item 6): `GET /api/pick/users` and `GET /api/pick/groups`.
//!
//! Why routes of their own: the Users tab's page answers in username order
//! with every column, and `GET /api/groups` lists every group; a picker
//! wants the few best matches for what was typed, best first, and a total
//! ("20 of 4,812: type more"). Both answer from the in-memory index
//! (`DirectoryIndex::pick_users`, `pick_groups`), never the host, so a
//! keystroke at a million users costs a few milliseconds.
//!
//! A saved field holds user keys (`JIRAUSER12345`) or group names; the same
//! routes resolve them for display (`?key=…&key=…`, `?name=…`), and list
//! those that no longer exist in `missing`, so the editor can show a
//! removed group as removed instead of dropping it silently.

use serde_json::{Value, json};

use seatwarden_core::index::{DirectoryIndex, UserIdx};

use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;

/// The most a picker may ask for at once: a dropdown, not an export.
const MAX_LIMIT: usize = 100;
const DEFAULT_LIMIT: usize = 20;

fn invalid(param: &str, message: &str) -> ApiError {
    ApiError::new(
        ApiErrorKind::BadRequest,
        format!("query parameter `{param}` {message}"),
    )
    .with_details(json!({"problems": [{"path": format!("query.{param}"), "message": message}]}))
}

fn limit(req: &ApiRequest) -> Result<usize, ApiError> {
    match req.query_param("limit") {
        None => Ok(DEFAULT_LIMIT),
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| invalid("limit", "must be a whole number from 1 to 100")),
    }
}

/// Every value of the repeated query parameter `name`.
fn all<'a>(req: &'a ApiRequest, name: &str) -> Vec<&'a str> {
    req.query
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Searching (`q`) and resolving (`key`/`name`) are different questions:
/// asking both at once is refused rather than one silently ignored.
fn mode<'a>(req: &'a ApiRequest, list: &str) -> Result<(&'a str, Vec<&'a str>), ApiError> {
    let wanted = all(req, list);
    let q = req.query_param("q").unwrap_or("");
    if !wanted.is_empty() && !q.is_empty() {
        return Err(invalid(
            list,
            "cannot be combined with `q`: search or resolve, not both",
        ));
    }
    if wanted.len() > MAX_LIMIT {
        return Err(invalid(list, "may be given at most 100 times"));
    }
    Ok((q, wanted))
}

fn user_json(index: &DirectoryIndex, i: UserIdx) -> Option<Value> {
    let u = index.user(i)?;
    let directory = index
        .directory(u.directory())
        .map_or_else(String::new, |d| d.name.clone());
    Some(json!({
        "key": u.key(),
        "username": u.username(),
        "displayName": u.display_name(),
        "email": u.email(),
        "active": u.active(),
        "directory": directory,
    }))
}

/// One picker's answer, `{<list>: [...], total, missing}`: the search's
/// best matches with their total (`None`), or the `wanted` values each
/// resolved by `find`, the unknown ones listed in `missing`.
fn answer(
    list: &str,
    searched: Option<(Vec<Value>, u64)>,
    wanted: Vec<&str>,
    find: impl Fn(&str) -> Option<Value>,
) -> Value {
    let (found, total, missing) = match searched {
        Some((found, total)) => (found, total, Vec::new()),
        None => {
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for value in wanted {
                match find(value) {
                    Some(v) => found.push(v),
                    None => missing.push(value),
                }
            }
            let total = found.len() as u64;
            (found, total, missing)
        }
    };
    let mut body = serde_json::Map::new();
    body.insert(list.to_owned(), Value::Array(found));
    body.insert("total".to_owned(), json!(total));
    body.insert("missing".to_owned(), json!(missing));
    Value::Object(body)
}

/// `GET /api/pick/users?q=&limit=` (search) or `?key=…` (resolve):
/// `{users: [{key, username, displayName, email, active, directory}], total, missing}`.
pub(super) fn pick_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let limit = limit(req)?;
    let (q, keys) = mode(req, "key")?;
    let body = service.with_index(|index| {
        let searched = keys.is_empty().then(|| {
            let picked = index.pick_users(q, limit);
            let users = picked.users.iter().filter_map(|&i| user_json(index, i));
            (users.collect(), picked.total)
        });
        answer("users", searched, keys, |key| {
            index
                .index_of_key_str(key)
                .and_then(|i| user_json(index, i))
        })
    })?;
    ApiResponse::json(&body)
}

fn group_json(index: &DirectoryIndex, ord: u32) -> Option<Value> {
    let g = index.groups().get(ord as usize)?;
    let members = index.group_bitmap_by_ord(ord).map_or(0, |b| b.len());
    Some(json!({
        "name": g.name,
        "members": members,
        "admin": g.admin,
        "licence": index.is_licence_group(ord),
    }))
}

/// `GET /api/pick/groups?q=&limit=` (search) or `?name=…` (resolve):
/// `{groups: [{name, members, admin, licence}], total, missing}`.
pub(super) fn pick_groups(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let limit = limit(req)?;
    let (q, names) = mode(req, "name")?;
    let body = service.with_index(|index| {
        let searched = names.is_empty().then(|| {
            let picked = index.pick_groups(q, limit);
            let groups = picked.groups.iter().filter_map(|&g| group_json(index, g));
            (groups.collect(), picked.total)
        });
        answer("groups", searched, names, |name| {
            index.group_ord(name).and_then(|g| group_json(index, g))
        })
    })?;
    ApiResponse::json(&body)
}
