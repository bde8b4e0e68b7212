//! Bulk group management: create many groups from a `a;b;c` list or a CSV
//! file, export groups (optionally with member counts), and plan deleting
//! many groups with an outcome per group.
//!
//! Creation is all-or-nothing on invalid names; groups that already exist
//! and names listed twice are reported and skipped (the admin's intent, "these
//! groups should exist", is met). Deletion never touches a group that grants
//! administration rights or that a policy uses: those are reported as
//! protected, so the summary says exactly what happened to each group.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Read};

use seatwarden_core::{Group, GroupName, Operation, OperationFailure};

use crate::cell;
use crate::error::{Position, Problem, ProblemKind, Problems, Rejected};
use crate::table::{ColumnMatch, Table, normalise_header};
use crate::target::fold_into;
use crate::validate;

/// Looks groups up by case-folded name.
pub trait GroupLookup {
    /// The group with this case-folded name, if any.
    fn find_group(&self, folded_name: &str) -> Option<&Group>;
}

impl<T: crate::target::ImportTarget + ?Sized> GroupLookup for T {
    fn find_group(&self, folded_name: &str) -> Option<&Group> {
        crate::target::ImportTarget::find_group(self, folded_name).map(|(_, g)| g)
    }
}

/// Groups to create, and what was skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupCreationPlan {
    /// New groups, in the order listed.
    pub create: Vec<GroupName>,
    /// Names skipped: already existing or listed twice (with where).
    pub skipped: Vec<Problem>,
}

impl GroupCreationPlan {
    /// The [`Operation::CreateGroup`] operations.
    pub fn operations(&self) -> Vec<Operation> {
        self.create
            .iter()
            .map(|g| Operation::CreateGroup { group: g.clone() })
            .collect()
    }
}

struct Creator<'a, L: GroupLookup + ?Sized> {
    lookup: &'a L,
    plan: GroupCreationPlan,
    problems: Problems,
    first_seen: HashMap<String, u64>,
    fold: String,
}

impl<'a, L: GroupLookup + ?Sized> Creator<'a, L> {
    fn new(lookup: &'a L) -> Self {
        Self {
            lookup,
            plan: GroupCreationPlan::default(),
            problems: Problems::with_limit(1000),
            first_seen: HashMap::new(),
            fold: String::new(),
        }
    }

    fn add(&mut self, name: &str, at: Position, place: u64) {
        if let Err(kind) = validate::group_name(name) {
            self.problems.push(Problem::new(at, kind));
            return;
        }
        fold_into(name, &mut self.fold);
        if let Some(&first) = self.first_seen.get(self.fold.as_str()) {
            self.plan.skipped.push(Problem::new(
                at,
                ProblemKind::DuplicateGroup {
                    name: name.to_owned(),
                    first_line: first,
                },
            ));
            return;
        }
        self.first_seen.insert(self.fold.clone(), place);
        if let Some(g) = self.lookup.find_group(&self.fold) {
            self.plan.skipped.push(Problem::new(
                at,
                ProblemKind::GroupExists(g.name.to_string()),
            ));
            return;
        }
        self.plan.create.push(GroupName::from(name));
    }

    fn finish(self) -> Result<GroupCreationPlan, Rejected> {
        if self.problems.is_empty() {
            Ok(self.plan)
        } else {
            Err(Rejected(self.problems))
        }
    }
}

/// Plans creating the groups in a `;`-separated list (`a;b;c`). Positions
/// are line 1 and the column is the name's place in the list (1-based);
/// empty entries (`a;;b`, a trailing `;`) are ignored, surrounding spaces
/// trimmed.
pub fn plan_group_list<L: GroupLookup + ?Sized>(
    list: &str,
    lookup: &L,
) -> Result<GroupCreationPlan, Rejected> {
    let mut c = Creator::new(lookup);
    for (i, raw) in list.split(';').enumerate() {
        let name = raw.trim();
        if name.is_empty() {
            continue;
        }
        c.add(name, Position::field(1, i + 1, None), (i + 1) as u64);
    }
    c.finish()
}

/// Plans creating the groups in a CSV file with one group name per row
/// (first column). A first row reading `group`, `group name`, `groups` or
/// `name` is a header and skipped; blank rows are ignored.
pub fn plan_group_file<R: Read, L: GroupLookup + ?Sized>(
    input: R,
    lookup: &L,
) -> Result<GroupCreationPlan, Rejected> {
    let mut c = Creator::new(lookup);
    let mut table = match Table::open(input) {
        Ok(t) => t,
        Err(p) => {
            c.problems.push(p);
            return Err(Rejected(c.problems));
        }
    };
    let headers = table.headers().to_vec();
    if headers.len() > 1 {
        c.problems.push(Problem::new(
            Position::line(1),
            ProblemKind::WrongColumnCount {
                expected: 1,
                found: headers.len(),
            },
        ));
        return Err(Rejected(c.problems));
    }
    let first = headers.first().map(String::as_str).unwrap_or("");
    let is_header = matches!(
        normalise_header(first).as_str(),
        "group" | "group name" | "groups" | "name" | "group names"
    );
    if !is_header && !first.trim().is_empty() {
        c.add(cell::restore(first.trim()), Position::field(1, 1, None), 1);
    }
    let header = is_header.then_some(first.to_owned());
    let mut problems = Problems::with_limit(1000);
    while let Some((line, record)) = table.next_record(&mut problems) {
        let name = record.get(0).map(|s| cell::restore(s.trim())).unwrap_or("");
        if name.is_empty() {
            continue;
        }
        c.add(name, Position::field(line, 1, header.as_deref()), line);
    }
    for p in problems.kept() {
        c.problems.push(p.clone());
    }
    c.finish()
}

/// Writes the groups export: a `group` column and, when `member_counts` is
/// set, a `members` column. Cells are formula-safe.
pub fn export_groups<'g, W: io::Write>(
    out: W,
    groups: impl IntoIterator<Item = (&'g GroupName, u64)>,
    member_counts: bool,
    bom: bool,
) -> io::Result<u64> {
    let mut w = cell::export_writer(out, bom)?;
    let header: &[&str] = if member_counts {
        &["group", "members"]
    } else {
        &["group"]
    };
    w.write_record(header).map_err(io::Error::other)?;
    let mut scratch = Vec::new();
    let mut n = 0u64;
    for (g, count) in groups {
        w.write_field(cell::neutralise(g.as_str().as_bytes(), &mut scratch))
            .map_err(io::Error::other)?;
        if member_counts {
            w.write_field(count.to_string()).map_err(io::Error::other)?;
        }
        w.write_record(None::<&[u8]>).map_err(io::Error::other)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// Reads a groups export or list back: `(name, member count)` per row.
pub fn read_groups_export<R: Read>(input: R) -> Result<Vec<(GroupName, Option<u64>)>, Rejected> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum C {
        Group,
        Members,
    }
    let mut problems = Problems::with_limit(1000);
    let mut table = match Table::open(input) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return Err(Rejected(problems));
        }
    };
    let map = table.map_columns(
        |h| match h {
            "group" | "group name" | "name" => ColumnMatch::Known(C::Group),
            "members" | "member count" | "users" => ColumnMatch::Known(C::Members),
            _ => ColumnMatch::Unknown,
        },
        &[(C::Group, "group")],
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(Rejected(problems));
    }
    let gi = map.iter().position(|c| *c == Some(C::Group)).unwrap_or(0);
    let mi = map.iter().position(|c| *c == Some(C::Members));
    let mut out = Vec::new();
    let headers = table.headers().to_vec();
    while let Some((line, record)) = table.next_record(&mut problems) {
        let name = cell::restore(record.get(gi).unwrap_or(""));
        let count = match mi.and_then(|i| record.get(i)) {
            None | Some("") => None,
            Some(t) => match t.trim().parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let i = mi.unwrap_or(0);
                    problems.push(Problem::new(
                        Position::field(line, i + 1, headers.get(i).map(String::as_str)),
                        ProblemKind::InvalidNumber,
                    ));
                    None
                }
            },
        };
        out.push((GroupName::from(name), count));
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Rejected(problems))
    }
}

/// Why a group is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Protection {
    /// The group grants administration rights.
    AdminRights,
    /// A policy uses the group (scope, condition or action).
    UsedByPolicy,
}

/// What happened, or will happen, to one group asked to be deleted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupDeletion {
    /// Planned: the group will be deleted.
    WillDelete,
    /// Applied: the group was deleted.
    Deleted,
    /// Kept: deleting it is not allowed.
    Protected(Protection),
    /// No such group (perhaps already deleted by another admin).
    NotFound,
    /// The same group was asked for twice; the first request covers it.
    Duplicate,
    /// The host refused or failed.
    Failed(OperationFailure),
}

impl fmt::Display for GroupDeletion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupDeletion::WillDelete => f.write_str("will be deleted"),
            GroupDeletion::Deleted => f.write_str("deleted"),
            GroupDeletion::Protected(Protection::AdminRights) => {
                f.write_str("protected: has admin rights")
            }
            GroupDeletion::Protected(Protection::UsedByPolicy) => {
                f.write_str("protected: used by a policy")
            }
            GroupDeletion::NotFound => f.write_str("not found"),
            GroupDeletion::Duplicate => f.write_str("listed twice"),
            GroupDeletion::Failed(e) => write!(f, "failed: {e}"),
        }
    }
}

/// A bulk group deletion: one outcome per requested group, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDeletionPlan {
    /// Each requested group (canonical name when found) and its outcome.
    pub groups: Vec<(GroupName, GroupDeletion)>,
}

/// Counts per outcome, for the summary window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupDeletionSummary {
    /// Planned or done.
    pub deleted: usize,
    /// Kept because they grant admin rights.
    pub protected_admin: usize,
    /// Kept because a policy uses them.
    pub protected_policy: usize,
    /// Not found (or listed twice).
    pub not_found: usize,
    /// Failed on apply.
    pub failed: usize,
}

impl GroupDeletionPlan {
    /// The [`Operation::DeleteGroup`] operations still to run.
    pub fn operations(&self) -> Vec<Operation> {
        self.groups
            .iter()
            .filter(|(_, o)| *o == GroupDeletion::WillDelete)
            .map(|(g, _)| Operation::DeleteGroup { group: g.clone() })
            .collect()
    }

    /// Records the host's answer for a deletion that was applied.
    pub fn record(&mut self, group: &GroupName, result: Result<(), OperationFailure>) {
        for (g, o) in &mut self.groups {
            if g == group && *o == GroupDeletion::WillDelete {
                *o = match result {
                    Ok(()) => GroupDeletion::Deleted,
                    Err(OperationFailure::NotFound) => GroupDeletion::NotFound,
                    Err(e) => GroupDeletion::Failed(e),
                };
                return;
            }
        }
    }

    /// Counts per outcome.
    pub fn summary(&self) -> GroupDeletionSummary {
        let mut s = GroupDeletionSummary::default();
        for (_, o) in &self.groups {
            match o {
                GroupDeletion::WillDelete | GroupDeletion::Deleted => s.deleted += 1,
                GroupDeletion::Protected(Protection::AdminRights) => s.protected_admin += 1,
                GroupDeletion::Protected(Protection::UsedByPolicy) => s.protected_policy += 1,
                GroupDeletion::NotFound | GroupDeletion::Duplicate => s.not_found += 1,
                GroupDeletion::Failed(_) => s.failed += 1,
            }
        }
        s
    }
}

/// Plans deleting `requested` groups. `used_by_policies` holds the
/// case-folded names of every group a policy refers to.
pub fn plan_group_deletion<L: GroupLookup + ?Sized>(
    requested: &[GroupName],
    lookup: &L,
    used_by_policies: &HashSet<String>,
) -> GroupDeletionPlan {
    let mut seen = HashSet::new();
    let mut fold = String::new();
    let groups = requested
        .iter()
        .map(|name| {
            fold_into(name.as_str(), &mut fold);
            if !seen.insert(fold.clone()) {
                return (name.clone(), GroupDeletion::Duplicate);
            }
            match lookup.find_group(&fold) {
                None => (name.clone(), GroupDeletion::NotFound),
                Some(g) if g.admin => (
                    g.name.clone(),
                    GroupDeletion::Protected(Protection::AdminRights),
                ),
                Some(g) if used_by_policies.contains(fold.as_str()) => (
                    g.name.clone(),
                    GroupDeletion::Protected(Protection::UsedByPolicy),
                ),
                Some(g) => (g.name.clone(), GroupDeletion::WillDelete),
            }
        })
        .collect();
    GroupDeletionPlan { groups }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::InMemoryDirectory;

    fn dir() -> InMemoryDirectory {
        let g = |n: &str, admin: bool| Group {
            name: GroupName::from(n),
            admin,
            licence: false,
        };
        InMemoryDirectory::new(
            vec![],
            vec![
                g("jira-administrators", true),
                g("Old-Project", false),
                g("beta", false),
            ],
            vec![],
            vec![],
        )
    }

    #[test]
    fn list_creates_new_and_reports_existing_and_duplicates() {
        let plan = plan_group_list(
            "content-team; product-strategy;;old-project;content-TEAM;",
            &dir(),
        )
        .unwrap();
        assert_eq!(
            plan.create,
            vec![
                GroupName::from("content-team"),
                GroupName::from("product-strategy")
            ]
        );
        let skipped: Vec<String> = plan.skipped.iter().map(ToString::to_string).collect();
        assert_eq!(
            skipped,
            vec![
                "line 1, column 4: group `Old-Project` already exists",
                "line 1, column 5: group `content-TEAM` is listed twice, first on line 1",
            ]
        );
        assert_eq!(plan.operations().len(), 2);
    }

    #[test]
    fn list_rejects_invalid_names() {
        let err = plan_group_list("ok;bad\u{1}name", &dir()).unwrap_err();
        assert_eq!(
            err.0.kept()[0].to_string(),
            "line 1, column 2: invalid group name: contains control characters"
        );
    }

    #[test]
    fn file_with_and_without_header() {
        let plan =
            plan_group_file("group\r\nalpha\r\n\r\nbeta\r\ngamma\r\n".as_bytes(), &dir()).unwrap();
        assert_eq!(
            plan.create,
            vec![GroupName::from("alpha"), GroupName::from("gamma")]
        );
        assert_eq!(
            plan.skipped[0].to_string(),
            "line 4, column 1 (`group`): group `beta` already exists"
        );
        let plan = plan_group_file("alpha\nzeta\n".as_bytes(), &dir()).unwrap();
        assert_eq!(plan.create.len(), 2);
        let err = plan_group_file("a,b\n".as_bytes(), &dir()).unwrap_err();
        assert_eq!(
            err.0.kept()[0].to_string(),
            "line 1: expected 1 field(s), found 2"
        );
    }

    #[test]
    fn export_with_counts_round_trips() {
        let a = GroupName::from("=cmd");
        let b = GroupName::from("devs, team");
        let mut out = Vec::new();
        export_groups(&mut out, [(&a, 3), (&b, 0)], true, false).unwrap();
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "group,members\r\n'=cmd,3\r\n\"devs, team\",0\r\n"
        );
        let back = read_groups_export(out.as_slice()).unwrap();
        assert_eq!(back, vec![(a, Some(3)), (b, Some(0))]);
    }

    #[test]
    fn deletion_outcomes_per_group() {
        let used: HashSet<String> = ["beta".to_owned()].into();
        let req: Vec<GroupName> = [
            "old-project",
            "JIRA-administrators",
            "beta",
            "ghost",
            "Old-Project",
        ]
        .into_iter()
        .map(GroupName::from)
        .collect();
        let mut plan = plan_group_deletion(&req, &dir(), &used);
        let shown: Vec<String> = plan
            .groups
            .iter()
            .map(|(g, o)| format!("{g}: {o}"))
            .collect();
        assert_eq!(
            shown,
            vec![
                "Old-Project: will be deleted",
                "jira-administrators: protected: has admin rights",
                "beta: protected: used by a policy",
                "ghost: not found",
                "Old-Project: listed twice",
            ]
        );
        assert_eq!(
            plan.operations(),
            vec![Operation::DeleteGroup {
                group: GroupName::from("Old-Project")
            }]
        );
        plan.record(
            &GroupName::from("Old-Project"),
            Err(OperationFailure::Vetoed("in use".into())),
        );
        assert_eq!(
            plan.groups[0].1.to_string(),
            "failed: vetoed by the host: in use"
        );
        let s = plan.summary();
        assert_eq!(
            (
                s.deleted,
                s.protected_admin,
                s.protected_policy,
                s.not_found,
                s.failed
            ),
            (0, 1, 1, 2, 1)
        );
    }
}
