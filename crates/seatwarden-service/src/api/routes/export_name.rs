//! The Users export's file name, read off the filter it was taken with
//! (issue 24): an admin who downloads three exports in a row for a
//! licence review must tell `users-inactive-90d-group-jira-software-users.csv`
//! from `users-never-active.csv` without opening them, weeks later.
//!
//! The name lists the filters in the order the Users tab shows them;
//! directories are named by name, never by id. It is ASCII lower case,
//! digits and `-` only, so it needs no escaping in `Content-Disposition`
//! and is a valid file name on every system; each part is cut to a few
//! dozen characters and the whole stem to [`MAX_STEM`] (at a `-`), so a
//! long search text or twenty groups cannot make a name the file system
//! refuses. The sort is not part of the name: the same users are listed.

use seatwarden_core::model::Directory;
use seatwarden_core::query::{Activity, LicenceFilter, Query, StatusFilter, TimeRange};

/// Longest file-name stem (before `.csv`).
const MAX_STEM: usize = 120;
/// Longest slug of one name (a group, directory or the search text).
const MAX_PART: usize = 40;

/// `users-<filter parts>.csv`; `users-all.csv` without a filter, and
/// `users-selected-<n>.csv` for ticked rows (`selected`). `exempt` is the
/// Exemption filter (`exempt`, `not-exempt`).
pub(super) fn users_export_name(
    query: &Query,
    directories: &[Directory],
    selected: Option<usize>,
    exempt: Option<bool>,
) -> String {
    let mut parts: Vec<String> = vec!["users".to_owned()];
    if let Some(n) = selected {
        parts.push(format!("selected-{n}"));
        return finish(parts);
    }
    if let Some(search) = query.search.as_ref().filter(|s| !s.text.trim().is_empty()) {
        parts.push(format!("search-{}", slug(&search.text)));
    }
    match query.status {
        StatusFilter::All => {}
        StatusFilter::Active => parts.push("active".to_owned()),
        StatusFilter::Deactivated => parts.push("deactivated".to_owned()),
        StatusFilter::Suspended => parts.push("suspended".to_owned()),
    }
    match query.licence {
        LicenceFilter::All => {}
        LicenceFilter::Licensed => parts.push("licensed".to_owned()),
        LicenceFilter::Unlicensed => parts.push("unlicensed".to_owned()),
    }
    match query.activity {
        Activity::All => {}
        Activity::Within { days } => parts.push(format!("active-within-{days}d")),
        Activity::NotWithin { days } => parts.push(format!("inactive-{days}d")),
        Activity::Never => parts.push("never-active".to_owned()),
    }
    for signal in query.signals.iter().flatten() {
        parts.push(format!("by-{}", slug(&signal.to_string())));
    }
    for group in &query.include_groups {
        parts.push(format!("group-{}", slug(group.as_str())));
    }
    for group in &query.exclude_groups {
        parts.push(format!("not-group-{}", slug(group.as_str())));
    }
    for id in &query.directories {
        let name = directories
            .iter()
            .find(|d| d.id == *id)
            .map_or_else(|| id.to_string(), |d| d.name.clone());
        parts.push(format!("directory-{}", slug(&name)));
    }
    if let Some(range) = &query.last_login {
        parts.push(format!("last-login{}", range_text(range)));
    }
    if let Some(range) = &query.created {
        parts.push(format!("created{}", range_text(range)));
    }
    match exempt {
        Some(true) => parts.push("exempt".to_owned()),
        Some(false) => parts.push("not-exempt".to_owned()),
        None => {}
    }
    if parts.len() == 1 {
        parts.push("all".to_owned());
    }
    finish(parts)
}

/// `-from-2026-01-01-to-2026-03-31` (either bound may be absent).
fn range_text(range: &TimeRange) -> String {
    let mut out = String::new();
    if let Some(from) = range.from {
        out.push_str("-from-");
        out.push_str(&from.date_string());
    }
    if let Some(to) = range.to {
        out.push_str("-to-");
        out.push_str(&to.date_string());
    }
    out
}

/// Lower-case ASCII letters and digits; every other run of characters one
/// `-`; at most [`MAX_PART`] characters; `unnamed` when nothing is left.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.truncate(MAX_PART);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "unnamed".to_owned()
    } else {
        out.to_owned()
    }
}

/// Joins the parts, cut at a `-` to [`MAX_STEM`], and adds `.csv`.
fn finish(parts: Vec<String>) -> String {
    let mut stem = parts.join("-");
    if stem.len() > MAX_STEM {
        let cut = stem
            .get(..=MAX_STEM)
            .and_then(|s| s.rfind('-'))
            .unwrap_or(MAX_STEM);
        stem.truncate(cut);
    }
    format!("{stem}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(json: &str) -> Query {
        Query::from_json(json.as_bytes()).unwrap_or_default()
    }

    #[test]
    fn the_issue_example_is_named_as_the_issue_names_it() {
        let q = query(
            r#"{"activity":{"kind":"notWithin","days":90},"includeGroups":["jira-software-users"]}"#,
        );
        assert_eq!(
            users_export_name(&q, &[], None, None),
            "users-inactive-90d-group-jira-software-users.csv"
        );
    }

    #[test]
    fn no_filter_selected_rows_and_odd_names() {
        assert_eq!(
            users_export_name(&query("{}"), &[], None, None),
            "users-all.csv"
        );
        assert_eq!(
            users_export_name(&query("{}"), &[], Some(3), None),
            "users-selected-3.csv"
        );
        let q = query(r#"{"search":{"text":"  Zoë O'Brien! "},"status":"deactivated"}"#);
        assert_eq!(
            users_export_name(&q, &[], None, None),
            "users-search-zo-o-brien-deactivated.csv"
        );
        let long = format!(
            r#"{{"includeGroups":[{}]}}"#,
            vec!["\"a-very-long-group-name-for-the-test\""; 20].join(",")
        );
        let name = users_export_name(&query(&long), &[], None, Some(false));
        assert!(name.len() <= MAX_STEM + 4, "{name}");
        assert!(name.ends_with(".csv") && !name.contains("-.csv"), "{name}");
    }
}
