//! The Users tab: a filtered, sorted page of users and one user's detail.
//!
//! Both answer from the in-memory directory index (never the host), which
//! is what keeps a five-filter query over a million users within the
//! millisecond budget; a user's detail adds a forced preview of the
//! policies that would act on them now. Activity (the "inactive for N days"
//! filter, the "last active" sort, each row's idle sentence and per-signal
//! dates) is read from the signals the settings count, the same date the
//! policies decide on (issue 23).

use serde_json::json;

use seatwarden_core::UserKey;
use seatwarden_core::query::{Query, QueryError, QueryPage, QueryRow};

use super::now;
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;

/// A refused filter: the message names the field, and the one problem's
/// path (`filter.activity.days`) lets the Users tab show the words beside
/// the field that is wrong.
pub(super) fn filter_error(e: &QueryError) -> ApiError {
    let path = match e.path() {
        p if p.is_empty() => "filter".to_owned(),
        p => format!("filter.{p}"),
    };
    ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
        .with_details(json!({"problems": [{"path": path, "message": e.field_message()}]}))
}

fn parse_filter(req: &ApiRequest) -> Result<Query, ApiError> {
    match req.query_param("filter") {
        None | Some("") => Ok(Query::default()),
        Some(raw) => Query::from_json(raw.as_bytes()).map_err(|e| filter_error(&e)),
    }
}

/// The `exempt=yes|no` parameter of the Users tab (and its export): only
/// users with (`Some(true)`) or without (`Some(false)`) an active exemption.
pub(super) fn exempt_wanted(req: &ApiRequest) -> Result<Option<bool>, ApiError> {
    match req.query_param("exempt") {
        None | Some("") => Ok(None),
        Some("yes") => Ok(Some(true)),
        Some("no") => Ok(Some(false)),
        Some(_) => Err(ApiError::bad_request(
            "query parameter `exempt` must be `yes` or `no`",
        )),
    }
}

pub(super) fn list_users(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let query = parse_filter(req)?;
    let now = now(req);
    // `exempt=yes|no`: only users with (without) an active exemption; the
    // page's exempt rows are listed either way (the Exempt column).
    let wanted = exempt_wanted(req)?;
    // Activity as the policies read it: the signals the settings count.
    let activity = service.settings().config.settings.activity;
    let exemptions = service.exemptions()?;
    // Just after a start, the default view's first pages come from the
    // host while the index is built (`service::early_page`): the same rows,
    // the directory's counts, and `indexing: true`.
    if wanted.is_none()
        && let Some(early) = service.users_page_while_indexing(&query)
    {
        let (page, rows) = users_page(&early.index, &query, now, &activity, &exemptions, None);
        let mut page = page.map_err(|e| filter_error(&e))?;
        page.total = early.total;
        page.page_count = early.total.div_ceil(u64::from(page.page_size));
        return page_answer(&page, rows, true);
    }
    let (page, rows) = service
        .with_index(|index| users_page(index, &query, now, &activity, &exemptions, wanted))?;
    let page = page.map_err(|e| filter_error(&e))?;
    page_answer(&page, rows, false)
}

/// The page of `query` over `index`, and the active exemptions of its rows
/// by user key.
fn users_page(
    index: &seatwarden_core::index::DirectoryIndex,
    query: &Query,
    now: seatwarden_core::Millis,
    activity: &seatwarden_core::activity::ActivitySettings,
    exemptions: &[seatwarden_core::exemption::Exemption],
    wanted: Option<bool>,
) -> (
    Result<QueryPage, QueryError>,
    serde_json::Map<String, serde_json::Value>,
) {
    let exempt = super::exemptions::exempt_bitmap(index, exemptions, now);
    let page = index.query_narrowed(query, now, activity, &|m| match wanted {
        Some(true) => *m &= &exempt,
        Some(false) => *m -= &exempt,
        None => {}
    });
    let mut by_user: std::collections::HashMap<&str, Vec<serde_json::Value>> =
        std::collections::HashMap::new();
    for e in exemptions.iter().filter(|e| e.is_active(now)) {
        by_user
            .entry(e.user.as_str())
            .or_default()
            .push(super::exemptions::exemption_json(e, now));
    }
    let mut rows = serde_json::Map::new();
    if let Ok(page) = &page {
        for row in &page.rows {
            if let Some(of) = by_user.remove(row.key.as_str()) {
                rows.insert(row.key.to_string(), serde_json::Value::Array(of));
            }
        }
    }
    (page, rows)
}

/// The page as the API sends it: the query's page, its rows' exemptions,
/// and `indexing: true` when it was read before the index was ready (absent
/// otherwise, so a ready page is what it always was).
fn page_answer(
    page: &QueryPage,
    exempt_rows: serde_json::Map<String, serde_json::Value>,
    indexing: bool,
) -> Result<ApiResponse, ApiError> {
    let mut value = serde_json::to_value(page).map_err(|_| ApiError::internal("users page"))?;
    if let Some(fields) = value.as_object_mut() {
        fields.insert(
            "exemptions".to_owned(),
            serde_json::Value::Object(exempt_rows),
        );
        if indexing {
            fields.insert("indexing".to_owned(), serde_json::Value::Bool(true));
        }
    }
    ApiResponse::json(&value)
}

pub(super) fn get_user(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let key = UserKey::from(params.get("key")?);
    let now = now(req);
    let activity = service.settings().config.settings.activity;
    let found = service.with_index(|index| {
        let idx = index.index_of_key(&key)?;
        let row = QueryRow::counted(index, idx, now, index.signal_mask(&activity));
        let user = index.user(idx).map(|v| v.to_user());
        Some((row, user))
    })?;
    let Some((row, user)) = found else {
        return Err(ApiError::not_found(format!("user `{key}`")));
    };
    // Which policies would act on this user now (a forced preview).
    let warned = service.warned_users()?;
    let people = service.people()?;
    // This user's exemptions (lapsed ones say so: `active` false).
    let exemptions: Vec<serde_json::Value> = people
        .exemptions
        .iter()
        .filter(|e| e.user == key)
        .map(|e| super::exemptions::exemption_json(e, now))
        .collect();
    let actions = service.with_index(|index| {
        let (_, plan, _) = service.plan_policies(index, now, None, true, warned, people);
        plan.actions
            .into_iter()
            .filter(|a| a.user == key)
            .collect::<Vec<_>>()
    })?;
    ApiResponse::json(&json!({
        "row": row,
        "user": user,
        "policies": actions,
        "exemptions": exemptions,
    }))
}
