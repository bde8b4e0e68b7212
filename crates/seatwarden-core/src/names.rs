//! Names a configuration refers to, checked against the directory.
//!
//! Issue 24: a protected group typed `jira-adminstrators` protects nobody,
//! and nothing said so. A configuration is parsed without the directory
//! (`config` is pure and has no index), so this second, pure check runs
//! where a save has both: every group name and user key a save *adds* must
//! exist, or the save is refused with the path of the field and, for a
//! group, the closest existing name ("did you mean `jira-administrators`?").
//! Only added names are checked: a group deleted after it was configured
//! must not block saving something else; the plan reports it instead
//! ([`crate::plan::PlanWarning::UnknownGroup`]).

use std::collections::HashSet;

use crate::config::{Config, ConfigIssue};
use crate::index::DirectoryIndex;
use crate::model::{GroupName, UserKey};
use crate::operation::Handover;
use crate::policy::{Action, Policy, Target};

fn policy_groups(p: &Policy) -> Vec<(String, &[GroupName])> {
    let mut v: Vec<(String, &[GroupName])> = vec![(
        "scope.excludeGroups".to_owned(),
        p.scope.exclude_groups.as_slice(),
    )];
    if let Target::OnlyGroups(groups) = &p.scope.target {
        v.push(("scope.target.groups".to_owned(), groups.as_slice()));
    }
    match &p.action {
        Action::RemoveGroups { groups } | Action::AddGroups { groups } => {
            v.push(("action.groups".to_owned(), groups.as_slice()));
        }
        Action::Reactivate {
            restricted_groups,
            add_groups,
            remove_groups,
        } => {
            v.push((
                "action.restrictedGroups".to_owned(),
                restricted_groups.as_slice(),
            ));
            v.push(("action.addGroups".to_owned(), add_groups.as_slice()));
            v.push(("action.removeGroups".to_owned(), remove_groups.as_slice()));
        }
        Action::FloatingLicence { rules } => {
            for (r, rule) in rules.iter().enumerate() {
                v.push((
                    format!("action.rules[{r}].sourceGroups"),
                    rule.source_groups.as_slice(),
                ));
                v.push((
                    format!("action.rules[{r}].targetGroups"),
                    rule.target_groups.as_slice(),
                ));
            }
        }
        Action::Deactivate { .. }
        | Action::Suspend
        | Action::Restore
        | Action::Delete
        | Action::RemoveLicenceGroups { .. } => {}
    }
    v
}

/// Every (path, group) a configuration names.
pub fn group_refs(config: &Config) -> Vec<(String, &GroupName)> {
    let mut out = Vec::new();
    for (i, g) in config.settings.protected_groups.iter().enumerate() {
        out.push((format!("settings.protectedGroups[{i}]"), g));
    }
    for (i, p) in config.policies.iter().enumerate() {
        for (path, groups) in policy_groups(p) {
            for (j, g) in groups.iter().enumerate() {
                out.push((format!("policies[{i}].{path}[{j}]"), g));
            }
        }
    }
    out
}

/// Every (path, user key) a configuration names (handover users).
pub fn user_refs(config: &Config) -> Vec<(String, &UserKey)> {
    config
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match &p.action {
            Action::Deactivate {
                handover: Some(Handover::User(k)),
                ..
            } => Some((format!("policies[{i}].action.handover.user"), k)),
            _ => None,
        })
        .collect()
}

/// The problems of the names `after` adds to `before` that the directory
/// does not have.
pub fn unknown_names(before: &Config, after: &Config, index: &DirectoryIndex) -> Vec<ConfigIssue> {
    let known_groups: HashSet<String> = group_refs(before)
        .into_iter()
        .map(|(_, g)| g.as_str().to_lowercase())
        .collect();
    let known_users: HashSet<&UserKey> = user_refs(before).into_iter().map(|(_, k)| k).collect();
    let mut issues = Vec::new();
    for (path, g) in group_refs(after) {
        if known_groups.contains(&g.as_str().to_lowercase())
            || index.group_ord(g.as_str()).is_some()
        {
            continue;
        }
        issues.push(unknown_group(path, g, index));
    }
    for (path, k) in user_refs(after) {
        if known_users.contains(k) {
            continue;
        }
        if let Some(issue) = unknown_user(&path, k, index) {
            issues.push(issue);
        }
    }
    issues.extend(unknown_applications(before, after, index));
    issues
}

/// Prices for applications the instance has no licence of: a typo would
/// price nothing and say nothing. An application priced before stays
/// accepted (its licence may have gone since; the price then just counts
/// nothing), so only a newly named one is refused.
fn unknown_applications(
    before: &Config,
    after: &Config,
    index: &DirectoryIndex,
) -> Vec<ConfigIssue> {
    let known: Vec<&str> = index
        .licences()
        .iter()
        .map(|l| l.application.as_str())
        .collect();
    let priced_before = &before.settings.costs;
    after
        .settings
        .costs
        .applications
        .iter()
        .enumerate()
        .filter(|(_, a)| {
            !known.contains(&a.application.as_str()) && priced_before.of(&a.application).is_none()
        })
        .map(|(i, a)| ConfigIssue {
            path: format!("settings.costs.applications[{i}].application"),
            message: format!(
                "no licensed application `{}` on this instance (licensed: {})",
                a.application,
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ),
        })
        .collect()
}

/// The problem of a user key the directory does not have, if it has not.
pub fn unknown_user(path: &str, key: &UserKey, index: &DirectoryIndex) -> Option<ConfigIssue> {
    index.index_of_key(key).is_none().then(|| ConfigIssue {
        path: path.to_owned(),
        message: format!(
            "no user with key `{key}` in the directory (a user key such as JIRAUSER10000, not a username)"
        ),
    })
}

fn unknown_group(path: String, g: &GroupName, index: &DirectoryIndex) -> ConfigIssue {
    let message = match suggest(g.as_str(), index) {
        Some(near) => format!("no group `{g}` in the directory; did you mean `{near}`?"),
        None => format!("no group `{g}` in the directory"),
    };
    ConfigIssue { path, message }
}

/// The existing group name closest to `name` (edit distance at most a
/// third of its length, at least 1, case-insensitive), if any.
pub fn suggest<'a>(name: &str, index: &'a DirectoryIndex) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    index
        .groups()
        .iter()
        .map(|g| {
            (
                distance(&wanted, &g.name.as_str().to_lowercase()),
                g.name.as_str(),
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, n)| n)
}

/// The name of `known` closest to `name` by the same rule as
/// [`suggest`] (edit distance at most a third of its length, at least 1,
/// case-insensitive; ties to the first listed), if any.
pub(crate) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1);
    known
        .iter()
        .map(|k| (distance(&wanted, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over chars (two rows, no indexing).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(prev.len());
        cur.push(i + 1);
        for ((cb, diag), up) in b.iter().zip(prev.iter()).zip(prev.iter().skip(1)) {
            let left = cur.last().copied().unwrap_or(0);
            let cost = if ca == *cb {
                *diag
            } else {
                1 + (*diag).min(*up).min(left)
            };
            cur.push(cost);
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("jira-adminstrators", "jira-administrators"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
