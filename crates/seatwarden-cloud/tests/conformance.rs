//! The Host contract (`seatwarden_service::host::conformance`) over the
//! fake-backed Cloud host, for the scenarios that apply to Cloud.
//!
//! The kit's fixture maps onto Cloud as: directory 1 (internal) = managed
//! accounts, directory 2 (read-only LDAP) = external accounts, the licence
//! on `app-users` = a Jira application role. Scenarios that do not apply,
//! and why (Cloud differs from Data Center, not the connector from the
//! contract):
//! - `read_only_directory_refuses_user_writes_and_foreign_groups`: an
//!   external account's group memberships *can* be changed in Cloud, and its
//!   deactivation is refused with its own reason, not "read-only directory";
//! - `renames_collide_case_insensitively_and_deactivation_is_stamped`: Cloud
//!   accounts are not renamed by an organization;
//! - `vetoes_admin_groups_and_missing_things_are_typed`: no delete vetoes,
//!   and groups are not deleted through the connector;
//! - `creates_users_and_hands_issues_over`: no account creation or issue
//!   handover through the connector;
//! - `logins_stamp_and_count`: Cloud has no login hook.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use seatwarden_cloud::CloudHost;
use seatwarden_cloud::fake::{Credentials, FakeCloud, FakeOrg};
use seatwarden_cloud::wire::{ApplicationRole, ClaimStatus};
use seatwarden_core::Millis;
use seatwarden_core::UserKey;
use seatwarden_core::operation::Handover;
use seatwarden_service::host::Host;
use seatwarden_service::host::conformance::{self, Subject};

struct Cloud {
    _fake: FakeCloud,
    host: CloudHost,
}

impl Subject for Cloud {
    fn host(&self) -> &dyn Host {
        &self.host
    }
    fn set_time(&self, _now: Millis) {
        panic!("not used by the scenarios that apply to Cloud")
    }
    fn veto_delete(&self, _user: &UserKey, _reason: &str) {
        panic!("not used by the scenarios that apply to Cloud")
    }
    fn set_open_issues(&self, _user: &UserKey, _count: u32) {
        panic!("not used by the scenarios that apply to Cloud")
    }
    fn handovers(&self) -> Vec<(UserKey, Handover, u32)> {
        panic!("not used by the scenarios that apply to Cloud")
    }
    fn login(&self, _username: &str) -> Option<UserKey> {
        panic!("not used by the scenarios that apply to Cloud")
    }
}

/// The kit's fixture as a Cloud organization.
fn subject() -> Cloud {
    let fixture = conformance::fixture();
    let groups: Vec<_> = fixture
        .header
        .groups
        .iter()
        .map(|g| common::group(&format!("g-{}", g.name), g.name.as_str()))
        .collect();
    let users = fixture
        .pages
        .iter()
        .flat_map(|p| &p.users)
        .map(|u| {
            let groups: Vec<&str> = u.groups.iter().map(String::as_str).collect();
            let mut cloud = common::user(&u.key, u.directory_id == 1, None, &groups);
            cloud.claim_status = if u.directory_id == 1 {
                ClaimStatus::Managed
            } else {
                ClaimStatus::Unmanaged
            };
            cloud
        })
        .collect();
    let licence = &fixture.header.licences[0];
    let org = FakeOrg {
        org_id: "org-1".to_owned(),
        name: "Conformance".to_owned(),
        users,
        groups,
        roles: vec![ApplicationRole {
            key: licence.application.to_string(),
            name: licence.name.clone(),
            groups: licence.groups.iter().map(|g| g.to_string()).collect(),
            number_of_seats: Some(2),
            ..ApplicationRole::default()
        }],
        now: common::iso(conformance::T0),
    };
    let (fake, host, _) = common::start(org, Credentials::default());
    Cloud { _fake: fake, host }
}

#[test]
fn seats_are_recounted_and_enforced() {
    conformance::seats_are_recounted_and_enforced(&subject());
}

#[test]
fn pages_cover_every_user_once() {
    conformance::pages_cover_every_user_once(&subject());
}
