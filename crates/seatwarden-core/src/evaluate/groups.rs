//! Groups and directories as a policy's actions and protections see them:
//! a group named in a policy (a plan warning when unknown), its members, the
//! licence groups of some applications, and why a directory refuses a write.

use roaring::RoaringBitmap;

use super::Evaluator;
use super::condition::Scope;
use super::flat::Key;
use crate::index::GroupOrd;
use crate::model::{DirectoryId, GroupName};
use crate::plan::{ActionSource, PlanWarning, SkipReason};

impl<'a> Evaluator<'a> {
    /// The ordinal of group `name`; unknown, a plan warning (when `warn`).
    pub(super) fn group(
        &mut self,
        source: &ActionSource,
        name: &GroupName,
        warn: bool,
    ) -> Option<GroupOrd> {
        let g = self.index.group_ord(name.as_str());
        if g.is_none() && warn {
            let w = PlanWarning::UnknownGroup {
                source: source.clone(),
                group: name.clone(),
            };
            if !self.warnings.contains(&w) {
                self.warnings.push(w);
            }
        }
        g
    }

    /// The members of group `g` (none for an unknown ordinal), without run
    /// containers ([`super::flat`]).
    pub(super) fn members(&mut self, g: GroupOrd) -> Scope<'a> {
        static EMPTY: std::sync::OnceLock<RoaringBitmap> = std::sync::OnceLock::new();
        let b = self
            .index
            .group_bitmap_by_ord(g)
            .unwrap_or_else(|| EMPTY.get_or_init(RoaringBitmap::new));
        self.flat.view(Key::Group(g), b)
    }

    /// The active users, without run containers ([`super::flat`]).
    pub(super) fn active(&mut self) -> Scope<'a> {
        self.flat.view(Key::Active, self.index.active_bitmap())
    }

    /// The users of directory `id`, without run containers
    /// ([`super::flat`]); `None` for an unknown directory.
    pub(super) fn directory_users(&mut self, id: DirectoryId) -> Option<Scope<'a>> {
        let b = self.index.directory_bitmap(id)?;
        Some(self.flat.view(Key::Directory(id), b))
    }

    /// The licence groups of `applications` (all licence groups when empty).
    pub(super) fn licence_group_ords(
        &self,
        applications: &[crate::model::ApplicationKey],
    ) -> Vec<GroupOrd> {
        let index = self.index;
        let mut out: Vec<GroupOrd> = Vec::new();
        if applications.is_empty() {
            for g in 0..index.groups().len() {
                if let Ok(g) = GroupOrd::try_from(g)
                    && index.is_licence_group(g)
                {
                    out.push(g);
                }
            }
        } else {
            for (l, licence) in index.licences().iter().enumerate() {
                if applications.contains(&licence.application)
                    && let Some(gs) = index.licence_groups.get(l)
                {
                    out.extend(gs.iter().copied());
                }
            }
            out.sort_unstable();
            out.dedup();
        }
        out
    }
}

/// Why a directory's users are skipped when it refuses the write: a Cloud
/// organization's external accounts have a reason of their own (the
/// organization does not manage them; it can only suspend them), every
/// other refusal is the directory's.
pub(super) fn refused(dir: &crate::model::Directory) -> SkipReason {
    match dir.kind {
        crate::model::DirectoryKind::CloudExternal => {
            SkipReason::ExternalAccount { directory: dir.id }
        }
        _ => SkipReason::ReadOnlyDirectory { directory: dir.id },
    }
}
