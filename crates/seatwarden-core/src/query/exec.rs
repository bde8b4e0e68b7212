//! Query execution: bitmap algebra, one column scan, then the page.

use roaring::RoaringBitmap;

use super::{
    Activity, GroupField, LicenceFilter, PAGE_SIZES, Query, QueryError, QueryPage, QueryRow,
    RangeField, SearchMode, Selection, SortField, SortOrder, StatusFilter,
};
use crate::index::search::SearchColumns;
use crate::index::{DirectoryIndex, UserIdx};
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

/// The users matching every filter of `q`.
pub(super) fn filter(
    index: &DirectoryIndex,
    q: &Query,
    now: Millis,
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
        (Some(inc), StatusFilter::Deactivated) => inc - index.active_bitmap(),
        (None, StatusFilter::All) => index.all_bitmap().clone(),
        (None, StatusFilter::Active) => index.active_bitmap().clone(),
        (None, StatusFilter::Deactivated) => index.deactivated_bitmap(),
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
        set &= index.never_logged_in_bitmap();
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

    // Column predicates, one scan over the survivors. `NEVER` is `i64::MIN`,
    // so "last login ≥ cutoff" excludes never-logged-in users and
    // "last login < cutoff" includes them without a special case.
    let (ll_min, ll_max_excl) = match q.activity {
        Activity::Within { days } => (Some(now.minus_days(days).0), None),
        Activity::NotWithin { days } => (None, Some(now.minus_days(days).0)),
        Activity::All | Activity::Never => (None, None),
    };
    let ll_range = q.last_login;
    let created_range = q.created;
    let needle = search
        .filter(|s| s.mode == SearchMode::Contains)
        .map(|s| s.text.to_lowercase());
    // Every time filter is an inclusive interval on one column.
    let mut ll_lo = i64::MIN;
    let mut ll_hi = i64::MAX;
    if let Some(m) = ll_min {
        ll_lo = ll_lo.max(m);
    }
    if let Some(m) = ll_max_excl {
        ll_hi = ll_hi.min(m.saturating_sub(1));
    }
    if let Some(r) = ll_range {
        ll_lo = ll_lo.max(r.from.map_or(crate::index::NEVER + 1, |f| {
            f.0.max(crate::index::NEVER + 1)
        }));
        ll_hi = ll_hi.min(r.to.map_or(i64::MAX, |t| t.0));
    }
    let (cr_lo, cr_hi) = created_range.map_or((i64::MIN, i64::MAX), |r| {
        (
            r.from.map_or(i64::MIN, |f| f.0),
            r.to.map_or(i64::MAX, |t| t.0),
        )
    });
    let on_ll = ll_lo != i64::MIN || ll_hi != i64::MAX;
    let on_cr = cr_lo != i64::MIN || cr_hi != i64::MAX;
    if on_ll || on_cr {
        let n = index.user_count() as u64;
        if set.len().saturating_mul(8) >= n {
            // Many candidates: sequential, branch-free passes over the
            // columns pack each interval test into a bitmap (memory
            // bandwidth, no per-element bitmap iteration), then one AND.
            let mut bytes = vec![0xffu8; index.user_count().div_ceil(8)];
            if on_ll {
                and_interval(&index.last_login, ll_lo, ll_hi, &mut bytes);
            }
            if on_cr {
                and_interval(&index.created, cr_lo, cr_hi, &mut bytes);
            }
            set &= RoaringBitmap::from_lsb0_bytes(0, &bytes);
        } else {
            let keep = |i: u32| {
                let u = i as usize;
                let ll = index
                    .last_login
                    .get(u)
                    .copied()
                    .unwrap_or(crate::index::NEVER);
                let cr = index.created.get(u).copied().unwrap_or(0);
                (ll_lo..=ll_hi).contains(&ll) && (cr_lo..=cr_hi).contains(&cr)
            };
            set = RoaringBitmap::from_sorted_iter(set.iter().filter(|&i| keep(i)))
                .unwrap_or_default();
        }
    }
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

/// Clears, in the bit-per-user `bytes`, every user whose `col` value lies
/// outside `[lo, hi]`. Written branch-free over fixed chunks so it vectorises.
fn and_interval(col: &[i64], lo: i64, hi: i64, bytes: &mut [u8]) {
    let mut chunks = col.chunks_exact(8);
    let mut out = bytes.iter_mut();
    for chunk in &mut chunks {
        let mut b = 0u8;
        for (j, &v) in chunk.iter().enumerate() {
            b |= u8::from((v >= lo) & (v <= hi)) << j;
        }
        if let Some(o) = out.next() {
            *o &= b;
        }
    }
    let rest = chunks.remainder();
    if let Some(o) = out.next() {
        let mut b = 0u8;
        for (j, &v) in rest.iter().enumerate() {
            b |= u8::from((v >= lo) & (v <= hi)) << j;
        }
        *o &= b;
    }
}

/// The users of `matched` on page `page` (from 1) of `size`, in sort order.
fn page_of(
    index: &DirectoryIndex,
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

/// Runs a query; `narrow` may then remove matches (filters the index
/// cannot know, such as exemptions) before paging.
pub(super) fn run(
    index: &DirectoryIndex,
    q: &Query,
    now: Millis,
    narrow: &dyn Fn(&mut RoaringBitmap),
) -> Result<QueryPage, QueryError> {
    validate(q)?;
    let mut matched = filter(index, q, now)?;
    narrow(&mut matched);
    let total = matched.len();
    let rows: Vec<QueryRow> = page_of(index, &matched, q.sort, q.order, q.page, q.page_size)
        .into_iter()
        .map(|i| QueryRow::of(index, UserIdx(i), now))
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
