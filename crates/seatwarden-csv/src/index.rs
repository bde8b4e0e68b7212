//! Adapters between this crate's traits and the core's [`DirectoryIndex`].
//!
//! The service holds the directory as a column index; exports read its
//! rows through [`UserView`] and imports validate against it directly, so
//! no user is copied into another structure on the way.

use seatwarden_core::index::{DirectoryIndex, UserIdx, UserView};
use seatwarden_core::{Directory, DirectoryId, Group, GroupName, Millis};

use crate::export::{ExportContext, ExportUser};
use crate::target::{ExistingUser, ImportTarget};

impl ExportUser for UserView<'_> {
    fn key(&self) -> &str {
        UserView::key(self)
    }
    fn username(&self) -> &str {
        UserView::username(self)
    }
    fn display_name(&self) -> &str {
        UserView::display_name(self)
    }
    fn email(&self) -> &str {
        UserView::email(self)
    }
    fn directory(&self) -> DirectoryId {
        UserView::directory(self)
    }
    fn active(&self) -> bool {
        UserView::active(self)
    }
    fn suspended(&self) -> bool {
        UserView::suspended(self)
    }
    fn created(&self) -> Millis {
        UserView::created(self)
    }
    fn last_login(&self) -> Option<Millis> {
        UserView::last_login(self)
    }
    fn login_count(&self) -> Option<u32> {
        UserView::login_count(self)
    }
    fn for_each_group(&self, each: &mut dyn FnMut(&str)) {
        for g in self.groups() {
            each(g.as_str());
        }
    }
}

/// The export context (directory names, licence groups) of an index.
pub fn export_context(index: &DirectoryIndex) -> ExportContext {
    ExportContext::new(index.directories(), index.licences())
}

fn idx(handle: usize) -> Option<UserIdx> {
    u32::try_from(handle).ok().map(UserIdx)
}

impl ImportTarget for DirectoryIndex {
    fn find_user(&self, folded_username: &str) -> Option<ExistingUser<'_>> {
        let i = self.index_of_username(folded_username)?;
        let u = self.user(i)?;
        Some(ExistingUser {
            handle: i.as_usize(),
            key: u.key(),
            display_name: u.display_name(),
            email: u.email(),
            directory: u.directory(),
            active: u.active(),
        })
    }

    fn is_member(&self, user: usize, group: usize) -> bool {
        let members = u32::try_from(group)
            .ok()
            .and_then(|g| self.group_bitmap_by_ord(g));
        match (idx(user), members) {
            (Some(i), Some(members)) => members.contains(i.0),
            _ => false,
        }
    }

    fn groups_of(&self, handle: usize) -> Vec<GroupName> {
        idx(handle)
            .map(|i| DirectoryIndex::groups_of(self, i).cloned().collect())
            .unwrap_or_default()
    }

    fn is_sysadmin(&self, handle: usize) -> bool {
        idx(handle).is_some_and(|i| self.sysadmins_bitmap().contains(i.0))
    }

    fn find_group(&self, folded_name: &str) -> Option<(usize, &Group)> {
        let g = self.group_ord(folded_name)? as usize;
        Some((g, self.groups().get(g)?))
    }

    fn directories(&self) -> &[Directory] {
        DirectoryIndex::directories(self)
    }
}
