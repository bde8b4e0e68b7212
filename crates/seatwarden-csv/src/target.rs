//! The directory an import is validated against.
//!
//! Validation needs to look users and groups up by name, case-insensitively
//! as both products do, and to know which writes each directory accepts.
//! [`ImportTarget`] is that narrow view; [`InMemoryDirectory`] implements it
//! over plain engine types (from a snapshot file, or tests), and the service
//! can implement it over its directory index.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use seatwarden_core::snapshot::SnapshotFile;
use seatwarden_core::{
    Directory, DirectoryId, DirectoryKind, Group, GroupName, Millis, User, UserKey, Username,
};

/// Case-folds `name` into `out` (cleared first) the way both products
/// compare user and group names. ASCII takes a fast path.
pub fn fold_into(name: &str, out: &mut String) {
    out.clear();
    if name.is_ascii() {
        out.push_str(name);
        out.make_ascii_lowercase();
    } else {
        out.push_str(&name.to_lowercase());
    }
}

/// A small, fast, non-cryptographic hasher (the `rustc-hash` "Fx"
/// algorithm) for name lookups: names come from the directory and the
/// admin's own file, so hash flooding is not a concern, and SipHash was a
/// visible share of the import's time.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            if let Some(dst) = w.get_mut(..rest.len()) {
                dst.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` keyed by names, hashed with [`FxHasher`].
pub type NameMap<V> = HashMap<String, V, BuildHasherDefault<FxHasher>>;

/// The [`FxHasher`] hash of a byte string.
pub fn fx_hash(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// True when two user or group names are the same ignoring case.
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// An existing user, as an import sees them.
#[derive(Clone, Copy, Debug)]
pub struct ExistingUser<'a> {
    /// The target's handle for the user (passed back to [`ImportTarget::is_member`]).
    pub handle: usize,
    /// Stable key.
    pub key: &'a str,
    /// Current full name.
    pub display_name: &'a str,
    /// Current email.
    pub email: &'a str,
    /// Directory.
    pub directory: DirectoryId,
    /// Active or not.
    pub active: bool,
}

/// What validating an import needs to know about the directory.
pub trait ImportTarget {
    /// The user with this case-folded username, if any.
    fn find_user(&self, folded_username: &str) -> Option<ExistingUser<'_>>;
    /// True when the user (by handle) is a direct member of the group (by
    /// the handle [`ImportTarget::find_group`] gave).
    fn is_member(&self, user: usize, group: usize) -> bool;
    /// The user's direct groups (only asked when unlisted groups are removed).
    fn groups_of(&self, handle: usize) -> Vec<GroupName>;
    /// True when the user is a system administrator (never deactivated or
    /// stripped of groups by an import).
    fn is_sysadmin(&self, handle: usize) -> bool;
    /// The group with this case-folded name, if any, with a handle for
    /// [`ImportTarget::is_member`].
    fn find_group(&self, folded_name: &str) -> Option<(usize, &Group)>;
    /// All directories.
    fn directories(&self) -> &[Directory];
    /// The directory new users go to when a row names none.
    fn default_directory(&self) -> Option<&Directory> {
        let dirs = self.directories();
        dirs.iter()
            .find(|d| d.kind == DirectoryKind::Internal && d.capabilities.create_user)
            .or_else(|| dirs.iter().find(|d| d.capabilities.create_user))
    }
}

/// A directory held in memory: users, groups, directories and sysadmins,
/// indexed by folded name.
#[derive(Clone, Debug, Default)]
pub struct InMemoryDirectory {
    /// The users.
    pub users: Vec<User>,
    /// The groups.
    pub groups: Vec<Group>,
    /// The directories.
    pub directories: Vec<Directory>,
    /// Keys of the system administrators.
    pub sysadmins: Vec<UserKey>,
    by_username: NameMap<usize>,
    by_group: NameMap<usize>,
    sysadmin_handles: Vec<bool>,
}

impl InMemoryDirectory {
    /// Indexes the given directory contents.
    pub fn new(
        users: Vec<User>,
        groups: Vec<Group>,
        directories: Vec<Directory>,
        sysadmins: Vec<UserKey>,
    ) -> Self {
        let mut fold = String::new();
        let mut by_username = NameMap::default();
        by_username.reserve(users.len());
        for (i, u) in users.iter().enumerate() {
            fold_into(u.username.as_str(), &mut fold);
            by_username.insert(fold.clone(), i);
        }
        let mut by_group = NameMap::default();
        by_group.reserve(groups.len());
        for (i, g) in groups.iter().enumerate() {
            fold_into(g.name.as_str(), &mut fold);
            by_group.insert(fold.clone(), i);
        }
        let sysadmin_handles = users.iter().map(|u| sysadmins.contains(&u.key)).collect();
        Self {
            users,
            groups,
            directories,
            sysadmins,
            by_username,
            by_group,
            sysadmin_handles,
        }
    }

    /// Builds the directory a snapshot file describes.
    pub fn from_snapshot(snapshot: &SnapshotFile) -> Self {
        let users = snapshot
            .pages
            .iter()
            .flat_map(|p| p.users.iter())
            .map(|u| User {
                key: UserKey::from(u.key.as_str()),
                username: Username::from(u.username.as_str()),
                display_name: u.display_name.clone(),
                email: u.email.clone(),
                directory: DirectoryId(u.directory_id),
                active: u.active,
                created: Millis(u.created),
                last_login: u.last_login.map(Millis),
                login_count: u.login_count,
                deactivated_at: u.deactivated_at.map(Millis),
                groups: u
                    .groups
                    .iter()
                    .map(|g| GroupName::from(g.as_str()))
                    .collect(),
            })
            .collect();
        Self::new(
            users,
            snapshot.header.groups.clone(),
            snapshot.header.directories.clone(),
            snapshot.header.sysadmins.clone(),
        )
    }
}

impl ImportTarget for InMemoryDirectory {
    fn find_user(&self, folded_username: &str) -> Option<ExistingUser<'_>> {
        let &i = self.by_username.get(folded_username)?;
        let u = self.users.get(i)?;
        Some(ExistingUser {
            handle: i,
            key: u.key.as_str(),
            display_name: &u.display_name,
            email: &u.email,
            directory: u.directory,
            active: u.active,
        })
    }

    fn is_member(&self, user: usize, group: usize) -> bool {
        match (self.users.get(user), self.groups.get(group)) {
            (Some(u), Some(group)) => u
                .groups
                .iter()
                .any(|g| same_name(g.as_str(), group.name.as_str())),
            _ => false,
        }
    }

    fn groups_of(&self, handle: usize) -> Vec<GroupName> {
        self.users
            .get(handle)
            .map(|u| u.groups.clone())
            .unwrap_or_default()
    }

    fn is_sysadmin(&self, handle: usize) -> bool {
        self.sysadmin_handles.get(handle).copied().unwrap_or(false)
    }

    fn find_group(&self, folded_name: &str) -> Option<(usize, &Group)> {
        let &i = self.by_group.get(folded_name)?;
        Some((i, self.groups.get(i)?))
    }

    fn directories(&self) -> &[Directory] {
        &self.directories
    }
}
