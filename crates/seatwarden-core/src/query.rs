//! The Users-tab query engine: every filter of the admin's user list,
//! combinable, sorted and paged over a [`DirectoryIndex`].
//!
//! Why it is shaped like this (DESIGN.md §9, ≤ 1 ms at 100k users): set
//! filters (groups, directories, status, licence, never-logged-in, exact
//! search) are bitmap algebra; range filters (activity, date ranges) and the
//! substring search are one scan over the survivors' columns; the page is
//! produced by walking a precomputed sort order and keeping the survivors
//! until the page is full — or, when few users survive, by sorting just them.
//! Either way the result is the same; only the cost differs.
//!
//! Semantics, precisely (the tests' reference implementation follows them):
//! - `includeGroups`: member of **any** listed group; `excludeGroups`: member
//!   of **none**. Group names match case-insensitively. Unknown → error.
//! - `directories`: in any listed directory. Unknown → error.
//! - `licence`: `licensed` = active and in a licence-granting group.
//! - `activity` relative to `now`, on the user's **last activity**: the
//!   latest date among the counted signals, exactly the date the engine's
//!   inactivity reads (`crate::activity`, issue 23; login alone when the host
//!   declares no other signal). `notWithin N` ("inactive for N days") = no
//!   counted date, or the last one ≤ now − N days, which is the engine's "N
//!   days ≥ threshold" to the millisecond; `within N` is its complement among
//!   users with a date (> now − N days); `never` = no counted date at all.
//! - `lastLogin` / `created` ranges: inclusive `from`/`to` (UTC ms), either
//!   may be open; a `lastLogin` range excludes never-logged-in users.
//! - `search`: `exact` matches a username or an email, case-insensitively;
//!   `contains` (default) matches a case-insensitive substring of the
//!   username, display name or email. Empty text means no search.
//! - sort: `username` (case-insensitive, ties by key), `lastActivity` (by
//!   the counted signals, no activity first), `lastLogin` (the login column
//!   alone, never-logged-in users first), `created`; ties of the last three
//!   in username order. `desc` is exactly the reverse of `asc`.
//! - `pageSize` ∈ {10, 20, 50, 100}, default 20; `page` from 1. A page past
//!   the end is empty, not an error.

mod exec;
mod row;

use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

pub use row::{Idleness, QueryRow};

use crate::activity::ActivitySettings;
use crate::index::{DirectoryIndex, UserIdx};
use crate::model::{DirectoryId, GroupName, UserKey};
use crate::time::Millis;

/// The page sizes the Users tab offers.
pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];

/// The default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// Licence filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LicenceFilter {
    /// Everyone.
    #[default]
    All,
    /// Only users holding a seat.
    Licensed,
    /// Only users holding no seat.
    Unlicensed,
}

/// Account status filter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StatusFilter {
    /// Everyone.
    #[default]
    All,
    /// Active accounts.
    Active,
    /// Deactivated accounts (inactive, and not merely suspended).
    Deactivated,
    /// Accounts whose access is suspended (Atlassian Cloud).
    Suspended,
}

/// Activity filter, relative to the query's `now`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Activity {
    /// Everyone.
    #[default]
    All,
    /// Active (by a counted signal) within the last `days` days.
    Within {
        /// Window length.
        days: u32,
    },
    /// Inactive for at least `days` days by every counted signal (including
    /// users with no activity at all): the engine's inactivity.
    NotWithin {
        /// Window length.
        days: u32,
    },
    /// No activity by any counted signal.
    Never,
}

/// An inclusive time range; an absent bound is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TimeRange {
    /// Earliest instant included.
    #[serde(default)]
    pub from: Option<Millis>,
    /// Latest instant included.
    #[serde(default)]
    pub to: Option<Millis>,
}

impl TimeRange {
    /// True when `t` lies in the range.
    pub fn contains(&self, t: i64) -> bool {
        self.from.is_none_or(|f| t >= f.0) && self.to.is_none_or(|to| t <= to.0)
    }
}

/// How the search text matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SearchMode {
    /// Case-insensitive substring of username, display name or email.
    #[default]
    Contains,
    /// Exactly a username or an email (case-insensitive).
    Exact,
}

/// A search box entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Search {
    /// What the admin typed.
    pub text: String,
    /// How it matches.
    #[serde(default)]
    pub mode: SearchMode,
}

/// Sort column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortField {
    /// Username, case-insensitive.
    #[default]
    Username,
    /// Last login (never-logged-in users sort as oldest).
    LastLogin,
    /// Last activity by the counted signals (no activity sorts as oldest).
    LastActivity,
    /// Account creation.
    Created,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SortOrder {
    /// Ascending.
    #[default]
    Asc,
    /// Descending (the exact reverse of ascending).
    Desc,
}

/// A Users-tab query. Every field is optional in JSON (camelCase).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Query {
    /// Member of any of these groups (empty: no restriction).
    pub include_groups: Vec<GroupName>,
    /// Member of none of these groups.
    pub exclude_groups: Vec<GroupName>,
    /// In any of these directories (empty: no restriction).
    pub directories: Vec<DirectoryId>,
    /// Licence filter.
    pub licence: LicenceFilter,
    /// Account status filter.
    pub status: StatusFilter,
    /// Activity filter.
    pub activity: Activity,
    /// The signals activity is read from for this query (`activity`,
    /// `lastActivity` sort, rows), like a policy's `signals`: e.g.
    /// `["seen:confluence"]` lists who is inactive *in Confluence*. `None`:
    /// the settings' counted signals.
    pub signals: Option<Vec<crate::activity::SignalRef>>,
    /// Last-login range.
    pub last_login: Option<TimeRange>,
    /// Creation range.
    pub created: Option<TimeRange>,
    /// Search box.
    pub search: Option<Search>,
    /// Sort column.
    pub sort: SortField,
    /// Sort direction.
    pub order: SortOrder,
    /// Rows per page: 10, 20, 50 or 100.
    pub page_size: u32,
    /// Page number, from 1.
    pub page: u32,
    /// Also return every matching user as a [`Selection`].
    pub select_all: bool,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            include_groups: Vec::new(),
            exclude_groups: Vec::new(),
            directories: Vec::new(),
            licence: LicenceFilter::All,
            status: StatusFilter::All,
            activity: Activity::All,
            signals: None,
            last_login: None,
            created: None,
            search: None,
            sort: SortField::Username,
            order: SortOrder::Asc,
            page_size: DEFAULT_PAGE_SIZE,
            page: 1,
            select_all: false,
        }
    }
}

impl Query {
    /// Parses a query from JSON; a malformed field is named by its path and
    /// described in words ("must be a whole number"), never by serde's
    /// internals ("invalid value: integer `-5`, expected u32").
    pub fn from_json(bytes: &[u8]) -> Result<Query, QueryError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed: Result<Query, _> = serde_path_to_error::deserialize(&mut de);
        let query = parsed.map_err(|e| {
            let path = e.path().to_string();
            let message = crate::json_error::in_words(&e.into_inner());
            // `activity` is a tagged enum, read in one step, so serde names
            // only `activity`; its one number is `days`, the field to mark.
            let path = match path.as_str() {
                "." => String::new(),
                "activity" if message.starts_with("must be a whole number") => {
                    "activity.days".to_owned()
                }
                _ => path,
            };
            QueryError::Json { path, message }
        })?;
        de.end().map_err(|e| QueryError::Json {
            path: String::new(),
            message: crate::json_error::in_words(&e),
        })?;
        Ok(query)
    }
}

/// Which range field an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RangeField {
    /// `lastLogin`.
    LastLogin,
    /// `created`.
    Created,
}

impl std::fmt::Display for RangeField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RangeField::LastLogin => "lastLogin",
            RangeField::Created => "created",
        })
    }
}

/// Which group-list field an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum GroupField {
    /// `includeGroups`.
    IncludeGroups,
    /// `excludeGroups`.
    ExcludeGroups,
}

impl std::fmt::Display for GroupField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            GroupField::IncludeGroups => "includeGroups",
            GroupField::ExcludeGroups => "excludeGroups",
        })
    }
}

/// Why a query was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// The query JSON is malformed.
    #[error("{}{message}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Json {
        /// The field, e.g. `activity.days` (empty for the whole document).
        path: String,
        /// What is wrong, in words (quoted values removed).
        message: String,
    },
    /// An activity window outside 1 day to 100 years (0 used to be read as 1).
    #[error("activity.days: must be from 1 to {MAX_ACTIVITY_DAYS} days, not {days}")]
    ActivityDays {
        /// The days asked for.
        days: u32,
    },
    /// A group the index does not know.
    #[error("field `{field}`: unknown group `{group}`")]
    UnknownGroup {
        /// Which list.
        field: GroupField,
        /// The group.
        group: GroupName,
    },
    /// A directory the index does not know.
    #[error("field `directories`: unknown directory {directory}")]
    UnknownDirectory {
        /// The id.
        directory: DirectoryId,
    },
    /// A page size the Users tab does not offer.
    #[error("field `pageSize`: {size} is not one of 10, 20, 50, 100")]
    PageSize {
        /// The size asked for.
        size: u32,
    },
    /// Page 0.
    #[error("field `page`: pages are numbered from 1")]
    PageZero,
    /// A signal of `signals` this directory does not record.
    #[error("field `signals`: this directory records no signal `{signal}`")]
    UnrecordedSignal {
        /// The signal as named.
        signal: crate::activity::SignalRef,
    },
    /// An empty `signals` list.
    #[error("field `signals`: name at least one signal, or leave it out for the settings' signals")]
    NoSignals,
    /// A range whose `from` is after its `to`.
    #[error("field `{field}`: `from` ({from}) is after `to` ({to})")]
    EmptyRange {
        /// Which range.
        field: RangeField,
        /// Its start.
        from: Millis,
        /// Its end.
        to: Millis,
    },
}

/// The kind of a [`QueryError`], for the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum QueryErrorKind {
    Json,
    UnknownGroup,
    UnknownDirectory,
    PageSize,
    PageZero,
    EmptyRange,
    UnrecordedSignal,
    NoSignals,
}

/// The longest activity window a filter accepts: 100 years.
pub const MAX_ACTIVITY_DAYS: u32 = 36_500;

impl QueryError {
    /// The field the error is about, as a path under the query (`activity.days`,
    /// `pageSize`); empty when it is about the whole query.
    pub fn path(&self) -> String {
        match self {
            QueryError::Json { path, .. } => path.clone(),
            QueryError::ActivityDays { .. } => "activity.days".to_owned(),
            QueryError::UnknownGroup { field, .. } => field.to_string(),
            QueryError::UnknownDirectory { .. } => "directories".to_owned(),
            QueryError::PageSize { .. } => "pageSize".to_owned(),
            QueryError::PageZero => "page".to_owned(),
            QueryError::EmptyRange { field, .. } => field.to_string(),
            QueryError::UnrecordedSignal { .. } | QueryError::NoSignals => "signals".to_owned(),
        }
    }

    /// What is wrong, for display beside the field ([`QueryError::path`]
    /// names it).
    pub fn field_message(&self) -> String {
        match self {
            QueryError::Json { message, .. } => message.clone(),
            QueryError::ActivityDays { days: 0 } => {
                format!("enter a number of days from 1 to {MAX_ACTIVITY_DAYS}")
            }
            QueryError::ActivityDays { .. } => {
                format!("must be at most {MAX_ACTIVITY_DAYS} days (100 years)")
            }
            QueryError::PageSize { .. } => "choose 10, 20, 50 or 100 rows".to_owned(),
            QueryError::PageZero => "pages are numbered from 1".to_owned(),
            QueryError::EmptyRange { .. } => "the start is after the end".to_owned(),
            QueryError::UnknownGroup { group, .. } => format!("no group is named {group}"),
            QueryError::UnknownDirectory { directory } => {
                format!("no directory has id {directory}")
            }
            QueryError::UnrecordedSignal { signal } => {
                format!("this directory records no signal {signal}")
            }
            QueryError::NoSignals => {
                "name at least one signal, or leave it out for the settings' signals".to_owned()
            }
        }
    }

    /// The error's kind.
    pub fn kind(&self) -> QueryErrorKind {
        match self {
            QueryError::Json { .. } | QueryError::ActivityDays { .. } => QueryErrorKind::Json,
            QueryError::UnknownGroup { .. } => QueryErrorKind::UnknownGroup,
            QueryError::UnknownDirectory { .. } => QueryErrorKind::UnknownDirectory,
            QueryError::PageSize { .. } => QueryErrorKind::PageSize,
            QueryError::PageZero => QueryErrorKind::PageZero,
            QueryError::EmptyRange { .. } => QueryErrorKind::EmptyRange,
            QueryError::UnrecordedSignal { .. } => QueryErrorKind::UnrecordedSignal,
            QueryError::NoSignals => QueryErrorKind::NoSignals,
        }
    }
}

/// Every user matching a query, for a later bulk action.
///
/// Holds the users as a bitmap of [`UserIdx`] (valid for the index it came
/// from: in-place changes never renumber users) and, for the wire, their keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    #[serde(skip)]
    users: RoaringBitmap,
    /// How many users.
    pub count: u64,
    /// Their keys, in index order.
    pub keys: Vec<UserKey>,
}

impl Selection {
    pub(crate) fn new(index: &DirectoryIndex, users: RoaringBitmap) -> Selection {
        let keys = users
            .iter()
            .map(|i| UserKey::from(index.key(UserIdx(i))))
            .collect();
        Selection {
            count: users.len(),
            users,
            keys,
        }
    }

    /// The selected users.
    pub fn bitmap(&self) -> &RoaringBitmap {
        &self.users
    }

    /// The selected users, ascending.
    pub fn indices(&self) -> impl Iterator<Item = UserIdx> + '_ {
        self.users.iter().map(UserIdx)
    }
}

/// One page of a query's results.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage {
    /// Users matching the filters (all pages).
    pub total: u64,
    /// This page's number, from 1.
    pub page: u32,
    /// Rows per page.
    pub page_size: u32,
    /// Number of pages (0 when nothing matches).
    pub page_count: u64,
    /// The page's rows, in sort order.
    pub rows: Vec<QueryRow>,
    /// Every matching user, when `selectAll` was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<Selection>,
}

impl DirectoryIndex {
    /// Runs a Users-tab query at instant `now`, every declared signal
    /// counting (the default settings; see [`Self::query_counted`]).
    pub fn query(&self, query: &Query, now: Millis) -> Result<QueryPage, QueryError> {
        self.query_counted(query, now, &ActivitySettings::default())
    }

    /// [`DirectoryIndex::query_counted`] with a filter the index cannot
    /// evaluate itself (the service's exemptions): `narrow` removes matches
    /// before totals, paging and the selection are computed.
    pub fn query_narrowed(
        &self,
        query: &Query,
        now: Millis,
        activity: &ActivitySettings,
        narrow: &dyn Fn(&mut RoaringBitmap),
    ) -> Result<QueryPage, QueryError> {
        exec::run(self, query, now, self.query_mask(query, activity)?, narrow)
    }

    /// Runs a Users-tab query at instant `now`, activity read from the
    /// signals `activity` counts (the installation's `settings.activity`),
    /// so the list agrees with what the policies decide.
    pub fn query_counted(
        &self,
        query: &Query,
        now: Millis,
        activity: &ActivitySettings,
    ) -> Result<QueryPage, QueryError> {
        exec::run(self, query, now, self.query_mask(query, activity)?, &|_| {})
    }

    /// Only the users matching `query`'s filters (paging and sort ignored),
    /// every declared signal counting.
    pub fn matching(&self, query: &Query, now: Millis) -> Result<RoaringBitmap, QueryError> {
        self.matching_counted(query, now, &ActivitySettings::default())
    }

    /// Only the users matching `query`'s filters, activity read from the
    /// signals `activity` counts.
    pub fn matching_counted(
        &self,
        query: &Query,
        now: Millis,
        activity: &ActivitySettings,
    ) -> Result<RoaringBitmap, QueryError> {
        exec::validate(query)?;
        let mask = self.query_mask(query, activity)?;
        exec::filter(self, query, now, &self.activity_view(mask))
    }

    /// Every user matching `query`'s filters, in its sort column and order
    /// (paging ignored): the Users export lists exactly the table's order,
    /// page after page. One walk of the kept sort permutation, no sort.
    pub fn matching_in_order(
        &self,
        query: &Query,
        now: Millis,
        activity: &ActivitySettings,
    ) -> Result<Vec<UserIdx>, QueryError> {
        exec::validate(query)?;
        let mask = self.query_mask(query, activity)?;
        let view = self.activity_view(mask);
        let matched = exec::filter(self, query, now, &view)?;
        Ok(exec::in_order(
            self,
            &view,
            &matched,
            query.sort,
            query.order,
        ))
    }

    /// `users` (e.g. the ticked rows of the Users table) in `query`'s sort
    /// column and order, activity read as the query reads it; its filters
    /// are not applied.
    pub fn in_table_order(
        &self,
        users: &RoaringBitmap,
        query: &Query,
        activity: &ActivitySettings,
    ) -> Result<Vec<UserIdx>, QueryError> {
        let view = self.activity_view(self.query_mask(query, activity)?);
        Ok(exec::in_order(self, &view, users, query.sort, query.order))
    }

    /// The signals a query reads activity from: its own `signals`, each of
    /// which this directory must record, else the settings'.
    fn query_mask(
        &self,
        query: &Query,
        activity: &ActivitySettings,
    ) -> Result<crate::index::SignalMask, QueryError> {
        let Some(refs) = &query.signals else {
            return Ok(self.signal_mask(activity));
        };
        let (mask, unrecorded) = self.mask_of(refs);
        if let Some(signal) = unrecorded.into_iter().next() {
            return Err(QueryError::UnrecordedSignal { signal });
        }
        if mask == 0 {
            return Err(QueryError::NoSignals);
        }
        Ok(mask)
    }
}
