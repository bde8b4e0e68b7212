//! Query execution: bitmap algebra, one column scan, then the page.

use roaring::RoaringBitmap;

use super::{
    Activity, GroupField, LicenceFilter, PAGE_SIZES, Query, QueryError, QueryPage, QueryRow,
    RangeField, SearchMode, Selection, SortField, SortOrder, StatusFilter,
};
use crate::index::last_activity::ActivityView;
use crate::index::search::SearchColumns;
use crate::index::{DirectoryIndex, NEVER, SignalMask, UserIdx};
use crate::time::Millis;

/// Checks the parts of a query that need no index.
pub(super) fn validate(q: &Query) -> Result<(), QueryError> {
    if !PAGE_SIZES.contains(&q.page_size) {
        return Err(QueryError::PageSize { size: q.page_size });
    }
    if q.page == 0 {
        return Err(QueryError::PageZero);
    }
    if let Activity::Within { days } | Activity::NotWithin { days } = q.activity {
        if days == 0 || days > super::MAX_ACTIVITY_DAYS {
            return Err(QueryError::ActivityDays { days });
        }
    }
    for (field, range) in [
        (RangeField::LastLogin, q.last_login),
        (RangeField::Created, q.created),
    ] {
        if let Some(r) = range {
            if let (Some(from), Some(to)) = (r.from, r.to) {
                if from > to {
                    return Err(QueryError::EmptyRange { field, from, to });
                }
            }
        }
    }
    Ok(())
}

fn union_of_groups(
    index: &DirectoryIndex,
    field: GroupField,
    names: &[crate::model::GroupName],
) -> Result<RoaringBitmap, QueryError> {
    let mut acc = RoaringBitmap::new();
    for name in names {
        let bm = index
            .group_bitmap(name)
            .ok_or_else(|| QueryError::UnknownGroup {
                field,
                group: name.clone(),
            })?;
        acc |= bm;
    }
    Ok(acc)
}

/// The users matching every filter of `q`; activity read from `view`.
pub(super) fn filter(
    index: &DirectoryIndex,
    q: &Query,
    now: Millis,
    view: &ActivityView<'_>,
) -> Result<RoaringBitmap, QueryError> {
    // Resolve names first so an unknown one is reported whatever else the query says.
    let include = if q.include_groups.is_empty() {
        None
    } else {
        Some(union_of_groups(
            index,
            GroupField::IncludeGroups,
            &q.include_groups,
        )?)
    };
    let exclude = union_of_groups(index, GroupField::ExcludeGroups, &q.exclude_groups)?;
    let mut dirs: Option<RoaringBitmap> = None;
    for &d in &q.directories {
        let bm = index
            .directory_bitmap(d)
            .ok_or(QueryError::UnknownDirectory { directory: d })?;
        *dirs.get_or_insert_with(RoaringBitmap::new) |= bm;
    }

    // Set filters: smallest operand first keeps the intermediate results small.
    let mut set = match (&include, q.status) {
        (Some(inc), StatusFilter::All) => inc.clone(),
        (Some(inc), StatusFilter::Active) => inc & index.active_bitmap(),
        (Some(inc), StatusFilter::Deactivated) => {
            (inc - index.active_bitmap()) - index.suspended_bitmap()
        }
        (Some(inc), StatusFilter::Suspended) => inc & index.suspended_bitmap(),
        (None, StatusFilter::All) => index.all_bitmap().clone(),
        (None, StatusFilter::Active) => index.active_bitmap().clone(),
        (None, StatusFilter::Deactivated) => index.deactivated_bitmap() - index.suspended_bitmap(),
        (None, StatusFilter::Suspended) => index.suspended_bitmap().clone(),
    };
    if let Some(d) = &dirs {
        set &= d;
    }
    if !exclude.is_empty() {
        set -= &exclude;
    }
    match q.licence {
        LicenceFilter::All => {}
        LicenceFilter::Licensed => set &= index.licensed_bitmap(),
        LicenceFilter::Unlicensed => set -= index.licensed_bitmap(),
    }
    if q.activity == Activity::Never {
        set &= view.never();
    }
    let search = q.search.as_ref().filter(|s| !s.text.is_empty());
    if let Some(s) = search {
        if s.mode == SearchMode::Exact {
            let mut found = RoaringBitmap::new();
            if let Some(i) = index.index_of_username(&s.text) {
                found.insert(i.0);
            }
            found.extend(index.indices_of_email(&s.text).map(|i| i.0));
            set &= found;
        }
    }

    // Column predicates, one scan over the survivors; every time filter is
    // an inclusive interval on one column. `NEVER` is `i64::MIN`, so "last
    // active ≤ cutoff" (the engine's inactivity) includes users with no
    // activity and "last active > cutoff" excludes them without a special
    // case.
    let (act_lo, act_hi) = match q.activity {
        Activity::Within { days } => (now.minus_days(days).0.saturating_add(1), i64::MAX),
        Activity::NotWithin { days } => (i64::MIN, now.minus_days(days).0),
        Activity::All | Activity::Never => (i64::MIN, i64::MAX),
    };
    let (ll_lo, ll_hi) = q.last_login.map_or((i64::MIN, i64::MAX), |r| {
        (
            r.from.map_or(NEVER + 1, |f| f.0.max(NEVER + 1)),
            r.to.map_or(i64::MAX, |t| t.0),
        )
    });
    let (cr_lo, cr_hi) = q.created.map_or((i64::MIN, i64::MAX), |r| {
        (
            r.from.map_or(i64::MIN, |f| f.0),
            r.to.map_or(i64::MAX, |t| t.0),
        )
    });
    let intervals: Vec<(&[i64], i64, i64)> = [
        (view.column(), act_lo, act_hi),
        (&index.last_login[..], ll_lo, ll_hi),
        (&index.created[..], cr_lo, cr_hi),
    ]
    .into_iter()
    .filter(|&(_, lo, hi)| lo != i64::MIN || hi != i64::MAX)
    .collect();
    if !intervals.is_empty() {
        let n = index.user_count() as u64;
        if set.len().saturating_mul(8) >= n {
            // Many candidates: sequential, branch-free passes over the
            // columns pack each interval test into a bitmap (memory
            // bandwidth, no per-element bitmap iteration), then one AND.
            let mut bytes = vec![0xffu8; index.user_count().div_ceil(8)];
            for &(col, lo, hi) in &intervals {
                crate::scan::and_interval(col, lo, hi, &mut bytes);
            }
            set &= RoaringBitmap::from_lsb0_bytes(0, &bytes);
        } else {
            let keep = |i: u32| {
                intervals.iter().all(|&(col, lo, hi)| {
                    (lo..=hi).contains(&col.get(i as usize).copied().unwrap_or(NEVER))
                })
            };
            set = RoaringBitmap::from_sorted_iter(set.iter().filter(|&i| keep(i)))
                .unwrap_or_default();
        }
    }
    let needle = search
        .filter(|s| s.mode == SearchMode::Contains)
        .map(|s| s.text.to_lowercase());
    if let Some(n) = &needle {
        let columns = SearchColumns {
            columns: [
                (&index.usernames, &index.folded_usernames),
                (&index.display_names, &index.folded_display_names),
                (&index.emails, &index.folded_emails),
            ],
        };
        set = columns.matches(n, &set, index.user_count());
    }
    Ok(set)
}

/// Every user of `matched` in sort order: the kept permutation walked once,
/// so it agrees with [`page_of`] page after page (ties broken by username
/// in both).
pub(super) fn in_order(
    index: &DirectoryIndex,
    view: &ActivityView<'_>,
    matched: &RoaringBitmap,
    sort: SortField,
    order: SortOrder,
) -> Vec<UserIdx> {
    let perm: &[u32] = match sort {
        SortField::Username => index.order_by_username(),
        SortField::LastLogin => index.order_by_last_login(),
        SortField::LastActivity => view.order(),
        SortField::Created => index.order_by_created(),
    };
    let keep = |&&i: &&u32| matched.contains(i);
    match order {
        SortOrder::Asc => perm.iter().filter(keep).map(|&i| UserIdx(i)).collect(),
        SortOrder::Desc => perm
            .iter()
            .rev()
            .filter(keep)
            .map(|&i| UserIdx(i))
            .collect(),
    }
}

/// The users of `matched` on page `page` (from 1) of `size`, in sort order.
fn page_of(
    index: &DirectoryIndex,
    view: &ActivityView<'_>,
    matched: &RoaringBitmap,
    sort: SortField,
    order: SortOrder,
    page: u32,
    size: u32,
) -> Vec<u32> {
    let total = matched.len();
    let offset = u64::from(page - 1) * u64::from(size);
    if offset >= total {
        return Vec::new();
    }
    let want = (total - offset).min(u64::from(size));
    let perm: &[u32] = match sort {
        SortField::Username => index.order_by_username(),
        SortField::LastLogin => index.order_by_last_login(),
        SortField::LastActivity => view.order(),
        SortField::Created => index.order_by_created(),
    };
    // Expected cost of walking the order until the page is full, against
    // sorting just the matches: pick the cheaper, same result either way.
    let n = perm.len().max(1) as u64;
    let reach = offset + want;
    let walk_cost = reach.saturating_mul(n) / total.max(1);
    let sort_cost = total.saturating_mul(u64::from(64 - total.leading_zeros()) + 1);
    if walk_cost <= sort_cost {
        let take = usize::try_from(want).unwrap_or(usize::MAX);
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        let hits = |it: &mut dyn Iterator<Item = &u32>| -> Vec<u32> {
            it.filter(|&&i| matched.contains(i))
                .skip(skip)
                .take(take)
                .copied()
                .collect()
        };
        match order {
            SortOrder::Asc => hits(&mut perm.iter()),
            SortOrder::Desc => hits(&mut perm.iter().rev()),
        }
    } else {
        let rank = |i: u32| index.username_rank.get(i as usize).copied().unwrap_or(0);
        let col = |c: &[i64], i: u32| c.get(i as usize).copied().unwrap_or(0);
        let mut keyed: Vec<(i64, u32, u32)> = matched
            .iter()
            .map(|i| match sort {
                SortField::Username => (0, rank(i), i),
                SortField::LastLogin => (col(&index.last_login, i), rank(i), i),
                SortField::LastActivity => (col(view.column(), i), rank(i), i),
                SortField::Created => (col(&index.created, i), rank(i), i),
            })
            .collect();
        keyed.sort_unstable();
        if order == SortOrder::Desc {
            keyed.reverse();
        }
        keyed
            .into_iter()
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(want).unwrap_or(usize::MAX))
            .map(|(_, _, i)| i)
            .collect()
    }
}

/// Runs a query, activity read by the signals of `mask`; `narrow` may then
/// remove matches (filters the index cannot know, such as exemptions)
/// before paging.
pub(super) fn run(
    index: &DirectoryIndex,
    q: &Query,
    now: Millis,
    mask: SignalMask,
    narrow: &dyn Fn(&mut RoaringBitmap),
) -> Result<QueryPage, QueryError> {
    validate(q)?;
    let view = index.activity_view(mask);
    let mut matched = filter(index, q, now, &view)?;
    narrow(&mut matched);
    let total = matched.len();
    let rows: Vec<QueryRow> = page_of(index, &view, &matched, q.sort, q.order, q.page, q.page_size)
        .into_iter()
        .map(|i| QueryRow::counted(index, UserIdx(i), now, mask))
        .collect();
    let page_count = total.div_ceil(u64::from(q.page_size));
    Ok(QueryPage {
        total,
        page: q.page,
        page_size: q.page_size,
        page_count,
        rows,
        selection: q.select_all.then(|| Selection::new(index, matched)),
    })
}
